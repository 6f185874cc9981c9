"""Points d'attention: what a steering committee should look at first, each with its reason in words.

    >>> from datetime import date
    >>> september = Filter(segments=("B2C", "B2E"), start=date(2026, 9, 1), end=date(2026, 9, 30))
    >>> view, found = for_selection(store, september, lang="en")
    >>> [(p.title, p.reason) for p in found]   # clicks 200 ≥ the month's 2,000 / 12: no target missed
    [('Contributors (B2E): improving', '140, +20 vs previous period.'),
     ('Active users (B2E): improving', '800, +100 vs previous period.'),
     ('Adoption rate (B2E): improving', '44.4%, +5.1 pt vs previous period.')]

(The largest relative moves: contributors 140 / 120 = +16.7 %, active users 800 / 700 = +14.3 %, adoption
800 / 1,800 against 700 / 1,780 = +13.0 %; impressions' +11.1 % is fourth.)

Five kinds, in this order of importance (then by size inside a kind), at most ``MAX_POINTS``:

1. ``target`` red: a target missed over the window (the status ``metrics.targets_status`` gives the cards
   and the target table, never recomputed here);
2. ``stale``: an origin whose latest data end a whole period of its own (its cadence: the median length of
   its native periods) before the window's end;
3. ``move``: an unusual move, in the bad direction. The move is the change of the window's last bucket
   (at the chosen grain: the window itself for a month at month grain) against the bucket before; the
   usual is the KPI's own history of bucket-to-bucket changes before it (at least ``MIN_HISTORY``): their
   median, and their median absolute deviation (MAD). A move is unusual when it lies more than
   ``MAD_LIMIT`` MADs from that median, on the side the KPI's direction calls bad;
4. ``target`` amber: a target at risk;
5. ``gap``: months without data inside the span an origin covers in the window;

then ``improvement``: the largest changes in the good direction of the cards' KPIs (the card's own
comparison and number), at most ``IMPROVEMENTS``, always at least one of them kept when there is one.

Pure functions: no Streamlit. Each point carries a stable ``key`` (kind, segment, KPI or origin) for
dismissing it for one period, and the app page that shows it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from datetime import date, timedelta

import numpy as np
import pandas as pd

from kpis import dashboard, metrics
from kpis.catalog import KPIS, source_name
from kpis.i18n import fmt_change, fmt_date, fmt_period, fmt_value, t
from kpis.model import EXTERNAL_SEGMENTS, SEGMENTS, Filter

__all__ = ["Point", "points", "for_selection", "MAX_POINTS", "IMPROVEMENTS", "MAD_LIMIT", "MIN_HISTORY", "PAGES",
           "unusual_moves", "stale_sources", "coverage_of", "coverage_gaps", "improvements", "target_points"]

MAX_POINTS = 7
IMPROVEMENTS = 3
MAD_LIMIT = 3.0
"""A move is unusual beyond this many median absolute deviations of past changes from their median."""
MIN_HISTORY = 6
"""Past changes a KPI needs before any of its moves is called unusual."""

STALE_SHARE = 0.9
"""A source is late when its data end at least this share of its cadence before the window's end (months are
28 to 31 days long: a monthly source one whole month short is late, one ending a few days before is not)."""

PAGES = {"external": "app_pages/external.py", "internal": "app_pages/internal.py",
         "history": "app_pages/history.py", "cdo": "app_pages/cdo_view.py"}
"""The app page each point links to (``st.page_link`` paths)."""

_TIER = {("target", "red"): 0, ("stale", None): 1, ("move", None): 2, ("target", "amber"): 3, ("gap", None): 4,
         ("improvement", None): 5}


@dataclass(frozen=True)
class Point:
    """One point of attention: what (``title``), why (``reason``), where to look (``page``)."""

    kind: str  # "target", "stale", "move", "gap", "improvement"
    title: str
    reason: str
    page: str  # a key of PAGES
    key: str  # stable across languages: "move:B2C:clicks", "stale::ga4"
    tone: str  # "red", "orange", "green"
    size: float  # importance inside its tier (larger first)
    tier: int
    segment: str | None = None
    kpi: str | None = None
    origin: str | None = None


def _missing(value) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def _true(value) -> bool:
    return not _missing(value) and bool(value)


def _world_page(segment: str) -> str:
    return "external" if segment in EXTERNAL_SEGMENTS else "internal"


def _name(kpi: str, segment: str, lang: str) -> str:
    return f"{dashboard.kpi_label(kpi, lang)} ({dashboard.segment_label(segment, lang)})"


def target_points(view, lang: str = "fr") -> list[Point]:
    """Red and amber targets of the window, from ``view.targets`` (the status the cards and the table show)."""
    out: list[Point] = []
    tgt = view.targets
    if tgt is None or tgt.empty:
        return out
    for r in tgt.itertuples(index=False):
        if r.status not in ("red", "amber") or r.segment not in SEGMENTS:
            continue
        unit = KPIS[r.kpi].unit
        title = t(f"attention.target.{r.status}", lang, name=_name(r.kpi, r.segment, lang))
        reason = t("attention.target.reason", lang, actual=fmt_value(r.actual, unit, lang),
                   target=fmt_value(r.target, unit, lang), attainment=fmt_value(r.attainment, "%", lang, decimals=0))
        out.append(Point("target", title, reason, _world_page(r.segment), f"target:{r.segment}:{r.kpi}",
                         "red" if r.status == "red" else "orange", 1 - float(r.attainment),
                         _TIER[("target", r.status)], r.segment, r.kpi))
    return out


def _history(native: pd.DataFrame, view, flt: Filter) -> pd.DataFrame:
    """The KPI table at the view's grain from the first whole bucket the native totals reach to the window's
    end: every segment's own rows (no merged ``ALL``)."""
    if native is None or native.empty or view.period_end is None:
        return pd.DataFrame(columns=metrics.TABLE_COLUMNS)
    first = pd.Timestamp(native["period_start"].min()).date()
    start = metrics.bucket_bounds(first, view.grain, view.fiscal_start)
    start_day = start[0] if start[0] >= first else start[1] + timedelta(days=1)
    hist = Filter(segments=flt.segments, start=start_day, end=view.period_end, entities=flt.entities,
                  channels=flt.channels, initiatives=flt.initiatives)
    table = metrics.kpi_table(native, hist, view.grain, view.fiscal_start)
    return table[table["segment"].isin(SEGMENTS)]


def unusual_moves(view, native: pd.DataFrame, flt: Filter, lang: str = "fr") -> list[Point]:
    """The KPIs of each world page whose last bucket moved beyond ``MAD_LIMIT`` MADs of their past changes, in
    the bad direction (see the module's docstring). A last bucket the data stop inside is not judged."""
    table = _history(native, view, flt)
    if table.empty:
        return []
    out = []
    table = table[table["value"].notna()].sort_values("period_start", kind="stable")
    for (segment, kpi), series in table.groupby(["segment", "kpi"], sort=False):
        world = dashboard.EXTERNAL_WORLD if segment in EXTERNAL_SEGMENTS else dashboard.INTERNAL_WORLD
        if kpi not in world.kpis or len(series) < MIN_HISTORY + 2:
            continue
        last = series.iloc[-1]
        if pd.Timestamp(last["period_end"]).date() < view.period_end:
            continue  # the KPI has no value in the window's last bucket
        changes = np.diff(series["value"].to_numpy(dtype=float))
        past, move = changes[:-1], float(changes[-1])
        median = float(np.median(past))
        mad = float(np.median(np.abs(past - median)))
        if mad <= 0:
            continue
        deviations = (move - median) / mad
        if abs(deviations) <= MAD_LIMIT or deviations * KPIS[kpi].direction > 0:
            continue
        if view.meta.get("data_grain") is not None and dashboard.partial_buckets(view, kpi, (segment,)):
            continue  # the data stop inside the last bucket: its fall is the missing days, not a move
        unit = KPIS[kpi].unit

        def change(v: float, unit: str = unit) -> str:
            return fmt_change(v * 100, unit, "pp", lang) if unit == "%" else fmt_change(v, unit, "abs", lang)

        reason = t("attention.move.reason", lang, period=fmt_period(str(last["period"]), lang),
                   before=fmt_period(str(series.iloc[-2]["period"]), lang), change=change(move),
                   n=fmt_value(abs(deviations), "count", lang, decimals=1), median=change(median),
                   mad=change(mad).lstrip("+"), k=len(past))
        out.append(Point("move", t("attention.move.title", lang, name=_name(kpi, segment, lang)), reason,
                         _world_page(segment), f"move:{segment}:{kpi}", "red", abs(deviations),
                         _TIER[("move", None)], segment, kpi))
    return out


def _origins(batches: list[dict], segments: tuple[str, ...], lang: str) -> dict[str, dict]:
    """Origin -> its current data's last day, segments and human name in ``lang`` (from the batches)."""
    out: dict[str, dict] = {}
    names = dashboard.source_names(batches, lang)
    for b in batches:
        if b["status"] == "superseded" or not b["period_end"] or not set(b["segments"]) & set(segments):
            continue
        end = date.fromisoformat(b["period_end"])
        mine = out.setdefault(b["origin"], {"end": end, "segments": set(), "name": names.get(b["origin"])
                                             or source_name(b["origin"], lang)})
        mine["end"] = max(mine["end"], end)
        mine["segments"] |= set(b["segments"])
    return out


def _cadence(native: pd.DataFrame, origin: str) -> int:
    """An origin's usual period in days: the median length of its native periods (31 when it has none here)."""
    if native is None or native.empty or "origin" not in native.columns:
        return 31
    rows = native[native["origin"] == origin]
    if rows.empty:
        return 31
    days = (pd.to_datetime(rows["period_end"]) - pd.to_datetime(rows["period_start"])).dt.days + 1
    return max(1, int(np.median(days.to_numpy())))


def stale_sources(batches: list[dict], native: pd.DataFrame, flt: Filter, as_of: date,
                  lang: str = "fr") -> list[Point]:
    """Origins of the selected segments whose latest data end at least ``STALE_SHARE`` of their own period
    before ``as_of`` (the window's end); the reason gives the periods missing (days late / cadence, rounded)."""
    out = []
    for origin, info in _origins(batches, flt.segments or SEGMENTS, lang).items():
        cadence = _cadence(native, origin)
        late = (as_of - info["end"]).days
        if late < cadence * STALE_SHARE:
            continue
        missed = max(1, round(late / cadence))
        segment = sorted(info["segments"], key=SEGMENTS.index)[0]
        reason = t("attention.stale.reason", lang, end=fmt_date(info["end"], lang), cadence=cadence,
                   missed=missed, as_of=fmt_date(as_of, lang))
        out.append(Point("stale", t("attention.stale.title", lang, name=info["name"]), reason, "history",
                         f"stale::{origin}", "red", late / cadence, _TIER[("stale", None)], segment, None, origin))
    return out


def coverage_of(native: pd.DataFrame | None) -> pd.DataFrame:
    """Origin × calendar month that the native totals touch (``Store.coverage``'s origin and month, for the
    selection only, without reading the store again)."""
    if native is None or native.empty or "origin" not in native.columns:
        return pd.DataFrame({"origin": pd.Series(dtype=str), "month": pd.Series(dtype="datetime64[ns]")})
    spans = native[["origin", "period_start", "period_end"]].drop_duplicates()
    parts = [pd.DataFrame({"origin": r.origin, "month": pd.period_range(r.period_start, r.period_end, freq="M")
                          .to_timestamp()}) for r in spans.itertuples(index=False)]
    return pd.concat(parts, ignore_index=True).drop_duplicates(ignore_index=True)


def coverage_gaps(coverage: pd.DataFrame | None, batches: list[dict], flt: Filter, start: date, end: date,
                  lang: str = "fr") -> list[Point]:
    """Months of the window without any data of an origin that has data both before and after them
    (``coverage``: origin × month, as ``Store.coverage`` or ``coverage_of`` give it)."""
    if coverage is None or coverage.empty:
        return []
    origins = _origins(batches, flt.segments or SEGMENTS, lang)
    out = []
    for origin, rows in coverage.groupby("origin"):
        if origin not in origins:
            continue
        months = set(pd.to_datetime(rows["month"]).dt.date)
        first, last = min(months), max(months)
        window = pd.period_range(max(first, start), min(last, end), freq="M").to_timestamp().date
        missing = [m for m in window if m not in months]
        if not missing:
            continue
        listed = ", ".join(fmt_period(f"{m:%Y-%m}", lang) for m in missing)
        out.append(Point("gap", t("attention.gap.title", lang, name=origins[origin]["name"]),
                         t("attention.gap.reason", lang, months=listed, n=len(missing)), "history",
                         f"gap::{origin}", "orange", float(len(missing)), _TIER[("gap", None)], None, None,
                         str(origin)))
    return out


def improvements(view, lang: str = "fr", compare: str | None = None, n: int = IMPROVEMENTS,
                 skip: frozenset[str] | set[str] = frozenset()) -> list[Point]:
    """The ``n`` cards (keys in ``skip`` left out) whose change (the card's comparison, the card's text) is the
    largest relative move in the KPI's good direction; a change the card shows as none (grey) is not one."""
    if compare not in dashboard.COMPARISONS:
        compare = dashboard.default_comparison(view.period_start, view.period_end, view.fiscal_start)
    sc = view.scorecard
    if sc is None or sc.empty:
        return []
    rel_col, good_col = ("change_relative", "good") if compare == "previous" else \
        ("change_year_relative", "good_year")
    cards = {(seg, k) for seg in SEGMENTS for k in dashboard.CDO_CARDS[seg]}
    keyed = [(seg, kpi) in cards and _true(good) and not _missing(rel) for seg, kpi, good, rel in
             zip(sc["segment"], sc["kpi"], sc[good_col], sc[rel_col], strict=True)]
    candidates = sc[keyed].assign(size_=lambda f: f[rel_col].abs().astype(float)).sort_values("size_", ascending=False)
    found: list[Point] = []
    for row in candidates.itertuples(index=False):
        key = f"improvement:{row.segment}:{row.kpi}"
        if len(found) == n:
            break
        if key in skip:
            continue
        [card] = dashboard.cards(view, row.segment, (row.kpi,), lang, compare)  # its text, as the card writes it
        if card.delta_color != "green":
            continue
        reason = t("attention.improvement.reason", lang, change=card.delta, value=card.value,
                   against=card.delta_description or "")
        found.append(Point("improvement", t("attention.improvement.title", lang, name=_name(row.kpi, row.segment,
                                                                                             lang)),
                           reason, _world_page(row.segment), key, "green", float(row.size_),
                           _TIER[("improvement", None)], row.segment, row.kpi))
    return found


def points(view, native: pd.DataFrame, batches: list[dict], lang: str = "fr", compare: str | None = None,
           flt: Filter | None = None, coverage: pd.DataFrame | None = None,
           dismissed: frozenset[str] | set[str] = frozenset()) -> list[Point]:
    """Every point of attention of the view, most important first, at most ``MAX_POINTS`` (keys in
    ``dismissed`` left out); the improvements come last, at least one of them kept when there is one. The gaps
    are read from ``coverage`` (origin × month), by default the months the native totals touch."""
    if view.empty or view.period_end is None:
        return []
    flt = flt or Filter()
    as_of = (flt.end or view.period_end)
    coverage = coverage if coverage is not None else coverage_of(native)
    problems = [*target_points(view, lang), *stale_sources(batches, native, flt, as_of, lang),
                *unusual_moves(view, native, flt, lang),
                *coverage_gaps(coverage, batches, flt, view.period_start, view.period_end, lang)]
    problems = sorted((p for p in problems if p.key not in dismissed), key=lambda p: (p.tier, -p.size))
    good = improvements(view, lang, compare, skip=dismissed)
    room = MAX_POINTS - min(len(good), 1)
    problems = problems[:room]
    return problems + good[:MAX_POINTS - len(problems)]


def for_selection(store, flt: Filter, grain: str = "month", fiscal_start: int = 1, lang: str = "fr",
                  compare: str | None = None, dismissed: frozenset[str] = frozenset()):
    """(view, points) of a selection read from ``store``: the view the Vue CDO shows and its points."""
    from kpis import grain as grains

    native = metrics.fetch(store, flt, grain, fiscal_start)
    view = metrics.cdo_view(store, flt, grain, fiscal_start=fiscal_start, lang=lang, native=native)
    batches = store.batches()
    view = grains.with_data_grain(view, native, flt)
    view = replace(view, meta={**view.meta, "source_names": dashboard.source_names(batches, lang)})
    return view, points(view, native, batches, lang, compare, flt, None, dismissed)
