"""From metrics results to what the dashboard pages show: cards, labelled tables, chart frames, downloads.

    >>> from kpis import metrics
    >>> view = metrics.cdo_view(store, flt, "month", lang="fr")
    >>> [c.label for c in cards(view, "B2C", CDO_CARDS["B2C"], "fr")][:2]
    ['Impressions', 'Clics']
    >>> status_table(view.targets, "fr").columns[:3].tolist()
    ['Segment', 'Indicateur', 'Période']

Pure functions: metrics frames in, display frames (labelled and formatted in
the chosen language) or small dataclasses out. Pages only render them.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from datetime import date, datetime

import numpy as np
import pandas as pd

from kpis import export, grain
from kpis.catalog import FUNNEL, KPIS, SOURCE_NAMES, source_name
from kpis.i18n import fmt_change, fmt_date, fmt_period, fmt_value, t
from kpis.metrics import BOUNDED_RATES, GRAINS, MERGED, REFERENCED, series_of
from kpis.model import ALL, EXTERNAL_SEGMENTS, INTERNAL_SEGMENTS, SEGMENTS, Filter

__all__ = [
    "Card", "cards", "card_note", "source_names", "by_source_frame", "reference_choices", "other_sources_of",
    "subjects_trend_frame", "scorecard_frame", "finer_than_data", "COMPARISONS", "default_comparison", "sources_line",
    "CDO_CARDS", "cdo_card_kpis", "REPUTATION_KPIS", "REPUTATION_SENTIMENT",
    "reputation_trend_frame", "World", "EXTERNAL_WORLD", "INTERNAL_WORLD", "WORLDS", "headline_segment",
    "kpis_with_values", "status_table", "funnel_rates_frame", "funnel_table", "indexed_frame",
    "trend_defaults", "trend_choices", "trend_frame",
    "world_trend_frame", "chart_grain", "trends_grain", "TREND_KPIS", "partial_buckets", "breakdown_frame",
    "breakdown_or_fallback", "detail_frame", "DETAIL_ROWS_SHOWN",
    "profile_frame", "view_workbook", "side_by_side_workbook", "ExportContext", "export_heading", "unit_label",
    "unit_formats",
    "kpi_label", "segment_label", "comment_marks", "comment_periods",
    "subjects_table", "subject_score", "subjects_frame",
]

CDO_CARDS = {
    "B2C": ("impressions", "clicks", "conversions", "nps", "ctr", "conversion_rate"),
    "B2B": ("impressions", "clicks", "conversions", "nps", "ctr", "conversion_rate"),
    "B2E": ("population", "active_users", "contributors", "enps", "esn_sentiment_score", "adoption_rate",
            "participation_rate"),
}
"""The unified funnel of each segment (DESIGN.md): the four stages and the two stage rates; the B2E satisfaction
stage shows the internal sentiment of the social network beside the eNPS where its data exist (a card without a
value is left out)."""

REPUTATION_KPIS = {
    "external": ("mentions", "positive_mentions", "negative_mentions", "sentiment_score"),
    "internal": ("esn_messages", "esn_positive_messages", "esn_negative_messages", "esn_sentiment_score",
                 "esn_voices", "esn_threads", "esn_reply_rate"),
}
"""The E-réputation page's cards: what brands measure outside, and the same questions asked of the enterprise
social network inside (``kpis.esn``)."""
REPUTATION_SENTIMENT = {"external": "sentiment_score", "internal": "esn_sentiment_score"}


def cdo_card_kpis(segments: tuple[str, ...]) -> tuple[str, ...]:
    """The KPIs of the Vue CDO's cards for ``segments``, each once, in card order.

        >>> cdo_card_kpis(("B2C", "B2B"))
        ('impressions', 'clicks', 'conversions', 'nps', 'ctr', 'conversion_rate')
    """
    return tuple(dict.fromkeys(k for s in segments for k in CDO_CARDS[s]))


@dataclass(frozen=True)
class World:
    """One world page (external B2C/B2B, internal B2E) declared as data: what differs between the two.

        >>> EXTERNAL_WORLD.restrict(Filter(segments=("B2C", "B2E"))).segments
        ('B2C',)
    """

    key: str  # prefix of the page's widget keys
    segments: tuple[str, ...]
    kpis: tuple[str, ...]  # its cards and the KPIs its picker offers, in order
    initiative_label: str  # i18n key naming one initiative (a campaign, a collaborative space)
    top_title: str  # i18n key of the top-initiatives section
    top_fallback: str  # KPI ranked there when the picked one has no such breakdown (a population…)
    file_name: str  # the page's Excel download
    profile_segment: str | None = None  # the segment whose participation profile the page charts, if any

    def all_kpis(self) -> tuple[str, ...]:
        """Its KPIs, then the organisation's own KPIs of its world, in the catalog's order (``catalog.install``).

            >>> EXTERNAL_WORLD.all_kpis()[:3]
            ('impressions', 'clicks', 'ctr')
        """
        return (*self.kpis, *(c for c, k in KPIS.items() if k.custom and set(k.segments) & set(self.segments)))

    def restrict(self, flt: Filter) -> Filter:
        """The filter restricted to this world's segments (all of them when none of them is selected)."""
        return replace(flt, segments=tuple(s for s in flt.segments if s in self.segments) or self.segments)


EXTERNAL_WORLD = World(
    key="external", segments=EXTERNAL_SEGMENTS,
    kpis=("impressions", "clicks", "ctr", "conversions", "conversion_rate", "leads", "cost", "cpc", "cpa", "revenue",
          "roas", "sessions", "engagement_rate", "followers", "sentiment_score", "nps"),
    initiative_label="world.campaign", top_title="world.top_campaigns", top_fallback="clicks",
    file_name="passerelle_digital_externe.xlsx")
INTERNAL_WORLD = World(
    key="internal", segments=INTERNAL_SEGMENTS,
    kpis=("population", "active_users", "adoption_rate", "contributors", "participation_rate", "readers",
          "contributions", "contributions_per_active_user", "page_views", "spaces", "active_space_rate", "enps"),
    initiative_label="world.space", top_title="world.top_spaces", top_fallback="contributions",
    file_name="passerelle_digital_interne.xlsx", profile_segment="B2E")
WORLDS = (EXTERNAL_WORLD, INTERNAL_WORLD)

_STATUS = {"green": ("green", "status.green"), "amber": ("orange", "status.amber"), "red": ("red", "status.red")}


def kpi_label(code: str, lang: str) -> str:
    if code in KPIS:
        return KPIS[code].label(lang)
    stage_rates = {"funnel_engagement_rate": ("Taux d'engagement", "Engagement rate"),
                   "funnel_action_rate": ("Taux d'action", "Action rate")}
    fr, en = stage_rates.get(code, (code, code))
    return fr if lang == "fr" else en


def segment_label(segment: str, lang: str) -> str:
    return t("segment.ALL", lang) if segment == "ALL" else segment


def headline_segment(segments: tuple[str, ...]) -> str:
    """The segment a page's cards show: the only one selected, else ``"ALL"`` (every selected segment merged).

        >>> headline_segment(("B2C",)), headline_segment(("B2C", "B2B"))
        ('B2C', 'ALL')
    """
    return segments[0] if len(segments) == 1 else "ALL"


def _missing(value) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


@dataclass(frozen=True)
class Card:
    """One KPI card: value, change vs the previous bucket coloured by direction, sparkline, target status."""

    segment: str
    kpi: str
    label: str
    value: str
    delta: str | None
    delta_color: str  # "green", "red" or "gray"
    delta_arrow: str  # "up", "down" or "off"
    delta_description: str | None
    sparkline: tuple[float, ...]
    status: str | None  # "green", "amber", "red"
    help: str
    raw_value: float | None = None
    attainment: float | None = None  # actual / target (inverted for lower-is-better KPIs)
    note: str | None = None  # what the data allow: "grain natif : mois", "oct. 2026 : données jusqu'au 20/10"
    comments: tuple[str, ...] = ()  # the comments on this number over the window ("text — author")


COMPARISONS = ("previous", "year")
"""The codes of the two comparisons a card can show (the sidebar's ``cmp`` URL parameter)."""


def default_comparison(start: date | None, end: date | None, fiscal_start: int = 1) -> str:
    """``"year"`` (vs the same window a year earlier) for windows of twelve months or more and for a year to
    date (a window starting on the first day of a fiscal year), else ``"previous"``.

        >>> default_comparison(date(2025, 11, 1), date(2026, 10, 31))
        'year'
        >>> default_comparison(date(2026, 7, 1), date(2026, 9, 30))   # a quarter: the previous one
        'previous'
        >>> default_comparison(date(2026, 1, 1), date(2026, 3, 31))   # a year to date: a year earlier
        'year'
    """
    if start is None or end is None:
        return "previous"
    if start.day == 1 and start.month == fiscal_start:
        return "year"
    months = (end.year * 12 + end.month) - (start.year * 12 + start.month) + (1 if end.day >= start.day - 1 else 0)
    return "year" if months >= 12 else "previous"


def _basis(row, lang: str) -> str:
    """What the card's number covers: a flow's total over the window, a stock at its end, a mean…"""
    start, end = fmt_date(row["window_start"].date(), lang), fmt_date(row["window_end"].date(), lang)
    kind = KPIS[row.name].aggregation
    if kind == "flow":
        return t("card.basis.flow", lang, start=start, end=end)
    if kind == "stock":
        return t("card.basis.stock", lang, end=end)
    if kind == "distinct" and isinstance(row["basis"], str):
        return t("card.basis.distinct", lang, basis=row["basis"], start=start, end=end)
    if kind == "score" and isinstance(row["basis"], str):  # "2 enquêtes : T2 2026, T3 2026"
        return row["basis"]
    return t("card.basis.ratio", lang, start=start, end=end)


def _delta(row, which: str, unit: str, lang: str) -> tuple[str | None, str, str]:
    """(delta text, colour, arrow) of one comparison; a change that rounds to zero is grey, without arrow."""
    change = row["change" if which == "previous" else "change_year"]
    if _missing(change):
        return None, "gray", "off"
    text = fmt_change(float(change), unit, row["change_unit"], lang, compact=True)
    if not any(ch in "123456789" for ch in text):  # rounds to zero at the precision shown
        return text.replace("+", "±").replace("−", "±"), "gray", "off"
    good = row["good"] if which == "previous" else _good(float(change), row.name)
    color = "gray" if good is None else ("green" if good else "red")
    return text, color, "up" if change > 0 else "down"


def source_names(batches: list[dict], lang: str = "fr") -> dict[str, str]:
    """Origin -> how a person names it in ``lang``: a recognised format's name, else the file of its latest
    batch (the name ``sources_line`` shows under the title).

        >>> source_names([{"origin": "usage-bc3dd1f3", "file": "interne_b2e.xlsx", "id": 3},
        ...               {"origin": "ga4", "file": "ga4.csv", "id": 4}])
        {'usage-bc3dd1f3': 'interne_b2e.xlsx', 'ga4': 'Google Analytics 4'}
    """
    latest: dict[str, tuple[int, str]] = {}
    for b in batches:
        if b["origin"] not in latest or b["id"] > latest[b["origin"]][0]:
            latest[b["origin"]] = (b["id"], b["file"])
    return {origin: source_name(origin, lang) if origin in SOURCE_NAMES else file
            for origin, (_, file) in latest.items()}


def _source_line(row, lang: str, names: dict[str, str]) -> str:
    """ "Source : interne_b2e.xlsx (autres sources, non additionnées : Viva Engage (utilisateurs) — voir « Par
    source »)"."""
    def name(origin: str) -> str:
        return names.get(origin) or source_name(origin, lang)

    text = t("card.source", lang, source=name(row["source"]))
    if not _missing(row.get("other_sources")):
        others = ", ".join(name(o.strip()) for o in row["other_sources"].split(","))
        text += " " + t("card.other_sources", lang, others=others)
    return text


def _good(change: float, kpi: str) -> bool | None:
    sign = (change > 0) - (change < 0)
    return None if sign == 0 else sign * KPIS[kpi].direction > 0


def _comparison_line(row, which: str, unit: str, lang: str) -> str | None:
    prefix = "previous" if which == "previous" else "previous_year"
    if _missing(row[f"change{'' if which == 'previous' else '_year'}"]):
        return None
    text, _, _ = _delta(row, which, unit, lang)
    relative = row["change_relative" if which == "previous" else "change_year_relative"]
    if text is not None and unit != "%" and not _missing(relative):  # € and × KPIs (and counts): relative too
        text += f" ({fmt_change(float(relative), unit, 'relative', lang)})"
    label = t("vs.previous_window" if which == "previous" else "vs.year_window", lang)
    return t("card.compare", lang, label=label, start=fmt_date(row[f"{prefix}_start"].date(), lang),
             end=fmt_date(row[f"{prefix}_end"].date(), lang), change=text)


def _data_facts(view, segment: str, kpi: str) -> tuple[str, int, date, bool] | None:
    """(native grain, native period in days, last day with data, spread by day) of one KPI of the view."""
    facts = view.meta.get("data_grain")
    if facts is None or facts.empty or view.period_start is None or view.period_end is None:
        return None
    row = facts[(facts["segment"] == segment) & (facts["kpi"] == kpi)]
    if row.empty:
        return None
    return (str(row["native_grain"].iat[0]), int(row["native_days"].iat[0]), row["data_end"].iat[0],
            bool(row["spread"].iat[0]))


def _asked_end(view) -> date:
    """The end of the window the reader asked for (the view's own stops with the latest data)."""
    return max(view.meta.get("asked_end") or view.period_end, view.period_end)


def finer_than_data(view, segment: str, kpi: str) -> str | None:
    """The KPI's native grain when the view's grain is finer than its data (``"month"`` at week grain), else
    None: its chart is then drawn at that grain, its card has no sparkline of invented buckets."""
    facts = _data_facts(view, segment, kpi)
    return facts[0] if facts is not None and grain.finer_than_data(view.grain, facts[0]) else None


def card_note(view, segment: str, kpi: str, lang: str = "fr") -> str | None:
    """What a card says about its data (from ``view.meta["data_grain"]``, see ``kpis.grain``): its native
    grain when the chosen one is finer, and the window's last bucket (a month at most) when the data stop
    inside it.

        >>> from kpis import metrics
        >>> view = grain.with_data_grain(metrics.cdo_view(store, flt, "week"), native)   # monthly data
        >>> card_note(view, "B2E", "active_users", "fr")
        'grain natif : mois'
    """
    facts = _data_facts(view, segment, kpi)
    if facts is None:
        return None
    native, days, end, spread = facts
    parts = []
    if grain.finer_than_data(view.grain, native):
        parts.append(t("grain.native", lang, grain=t(f"grain.{native}", lang).lower()))
    # a month at most: a card's number covers the window, so "T4 2026 : données jusqu'au 31/10" (a 12-month
    # window by quarter) would be noise there; the chart, which draws that quarter, says it
    at = grain.coarser(view.grain if GRAINS.index(view.grain) <= GRAINS.index("month") else "month", native)
    partial = grain.partial_bucket(end, view.period_start, _asked_end(view), at, days, view.fiscal_start, spread)
    if partial is not None:
        parts.append(partial.text(lang))
    return " · ".join(parts) or None


def cards(view, segment: str, kpis: tuple[str, ...], lang: str = "fr", compare: str | None = None,
          comments: pd.DataFrame | None = None) -> list[Card]:
    """Cards for ``kpis`` of one segment (or ``"ALL"``) from a ``CdoView``; KPIs without a value are left out.

    Each card's number is the KPI over the view's whole window (the scorecard's value, the number the
    side-by-side view, the target table and the downloads show), its delta the comparison ``compare``
    (``"previous"`` window or ``"year"`` before; by default ``default_comparison``; an unknown code is the
    default too), its help what the number covers and both comparisons, its ``note`` what the data allow
    (``card_note``). A KPI whose data are coarser than the grain keeps its card, without a sparkline of
    invented buckets. ``comments`` (``Store.comments`` of the window) gives each card its own.
    """
    from kpis.comments import on_card

    if compare not in COMPARISONS:
        compare = default_comparison(view.period_start, view.period_end, view.fiscal_start)
    sc = view.scorecard
    sc = sc[sc["segment"] == segment].set_index("kpi") if not sc.empty else sc
    table = view.table
    table = table[(table["segment"] == segment) & table["value"].notna()].sort_values("period_start")
    series = {k: tuple(float(v) for v in g["value"]) for k, g in table.groupby("kpi")}
    out = []
    for kpi in kpis:
        if sc.empty or kpi not in sc.index or _missing(sc.at[kpi, "value"]):
            continue
        unit = KPIS[kpi].unit
        row = sc.loc[kpi]
        delta, color, arrow = _delta(row, compare, unit, lang)
        desc = None
        anomaly = kpi in BOUNDED_RATES and float(row["value"]) > 1 + 1e-9
        if delta is not None:
            period = row["previous_period" if compare == "previous" else "previous_year_period"]
            desc = t("vs.previous_window" if compare == "previous" else "vs.year_window", lang) \
                if "/" in str(period) else t("vs.previous", lang, period=fmt_period(str(period), lang))
            if not _missing(row.get("like_for_like_days")):
                days = int(row["like_for_like_days"])
                desc += t("vs.first_days", lang, days=days)  # both windows cut to the days the data cover
        status = row["status"] if isinstance(row["status"], str) and not anomaly else None
        if anomaly:  # a rate above 100 %: said on the card, never coloured as a success
            delta, color, arrow, desc = t("card.anomaly", lang), "red", "off", t("card.anomaly_hint", lang)
        lines = [f"**{KPIS[kpi].label(lang)}** — {KPIS[kpi].definition(lang)}", _basis(row, lang)]
        if not _missing(row.get("source")):  # a stock's headline comes from one source: say which, and the others
            lines.append(_source_line(row, lang, view.meta.get("source_names", {})))
        lines += [line for line in (_comparison_line(row, w, unit, lang) for w in ("previous", "year")) if line]
        lines.append(t("card.direction.up" if KPIS[kpi].direction > 0 else "card.direction.down", lang))
        if status:
            lines.append(f"{t(_STATUS[status][1], lang)} : {fmt_value(row['attainment'], '%', lang)} "
                         f"{'de l’objectif' if lang == 'fr' else 'of target'} ({fmt_value(row['target'], unit, lang)})")
        attainment = None if _missing(row["attainment"]) else float(row["attainment"])
        note = card_note(view, segment, kpi, lang)
        if note:
            lines.insert(2, note)
        finer = finer_than_data(view, segment, kpi) is not None
        out.append(Card(segment, kpi, KPIS[kpi].short(lang), fmt_value(float(row["value"]), unit, lang, compact=True),
                        delta, color, arrow, desc, () if finer else series.get(kpi, ())[-12:], status,
                        "\n\n".join(lines), float(row["value"]), attainment, note,
                        tuple(on_card(comments, segment, kpi))))
    return out


def comment_periods(view, lang: str = "fr") -> list[tuple[str, date, date]]:
    """The periods a comment can be about on a page: the whole window, then each bucket of the view (label,
    first day, last day), the latest first."""
    if view.period_start is None or view.period_end is None:
        return []
    out = [(t("comments.whole", lang, start=fmt_date(view.period_start, lang), end=fmt_date(view.period_end, lang)),
            view.period_start, view.period_end)]
    buckets = view.table[["period", "period_start", "period_end"]].drop_duplicates().sort_values(
        "period_start", ascending=False)
    for b in buckets.itertuples(index=False):
        start, end = pd.Timestamp(b.period_start).date(), pd.Timestamp(b.period_end).date()
        out.append((fmt_period(str(b.period), lang), max(start, view.period_start), min(end, view.period_end)))
    return out


def comment_marks(frame: pd.DataFrame, comments: pd.DataFrame | None, lang: str = "fr", y_field: str = "value",
                  kpi: str | None = None) -> pd.DataFrame:
    """Where a trend chart marks each comment (``charts.comment_layers``): the bucket of its series that holds
    its period's start (the first bucket when it starts before the chart), with the series' value there.

    ``frame`` is a chart frame (period_start, period, series, ``y_field``): a world trend of ``kpi`` (its
    series are segments) or, with ``kpi`` None, the indexed trends (series "segment · KPI").
    """
    from kpis.comments import markers

    cols = ["period_start", "period", "series", y_field, "label"]
    if comments is None or comments.empty or frame.empty:
        return pd.DataFrame(columns=cols)
    rows = []
    for c in comments.itertuples(index=False):
        if kpi is not None and c.kpi != kpi:
            continue
        name = segment_label(c.segment, lang) if kpi is not None else \
            f"{segment_label(c.segment, lang)} · {kpi_label(c.kpi, lang)}"
        series = frame[frame["series"] == name].sort_values("period_start")
        if series.empty or pd.Timestamp(c.period_end) < series["period_start"].iloc[0]:
            continue
        before = series[series["period_start"] <= pd.Timestamp(c.period_start)]
        at = before.iloc[-1] if len(before) else series.iloc[0]
        label = markers(pd.DataFrame([c._asdict()]), c.kpi, (c.segment,), lang)["label"].iloc[0]
        rows.append((at["period_start"], at["period"], name, at[y_field], label))
    return pd.DataFrame(rows, columns=cols)


LAG_DAYS = 31
"""A source whose data end more than this before the freshest source's is marked as lagging."""


def sources_line(batches: list[dict], segments: tuple[str, ...], lang: str = "fr", markdown: bool = True) -> str | None:
    """Which sources a page's numbers come from and how fresh each is, lagging ones marked.

        >>> sources_line([{"origin": "ga4", "file": "ga4.csv", "segments": ["B2C"], "period_end": "2026-07-31",
        ...                "status": "current", "id": 1},
        ...               {"origin": "google_ads_campaign", "file": "ads.csv", "segments": ["B2C"],
        ...                "period_end": "2026-09-30", "status": "current", "id": 2}], ("B2C",), "en")
        'Sources: Google Ads — data to 2026-09-30 · :orange[Google Analytics 4 — data to 2026-07-31 (lagging)]'
    """
    latest: dict[str, tuple[str, str]] = {}
    for b in batches:
        if b["status"] == "superseded" or not set(b["segments"]) & set(segments) or not b["period_end"]:
            continue
        name = source_name(b["origin"], lang) if b["origin"] in SOURCE_NAMES else b["file"]
        if b["origin"] not in latest or b["period_end"] > latest[b["origin"]][1]:
            latest[b["origin"]] = (name, b["period_end"])
    if not latest:
        return None
    freshest = max(date.fromisoformat(end) for _, end in latest.values())
    parts = []
    for name, end in sorted(latest.values(), key=lambda v: (v[1], v[0]), reverse=True):
        day = date.fromisoformat(end)
        text = t("sources.item", lang, name=name, date=fmt_date(day, lang))
        if (freshest - day).days > LAG_DAYS:
            text = f"{text} {t('sources.lagging', lang)}"
            text = f":orange[{text}]" if markdown else text
        parts.append(text)
    return t("sources.title", lang) + " · ".join(parts)


def status_label(status: str | None, lang: str, attainment: float | None = None) -> str:
    """A coloured badge for a target status, as Streamlit Markdown: the attainment when known."""
    if not status:
        return ""
    color, key = _STATUS[status]
    text = fmt_value(attainment, "%", lang, decimals=0) if attainment is not None else t(key, lang)
    return f":{color}-badge[{text}]"


def status_table(targets: pd.DataFrame, lang: str = "fr") -> pd.DataFrame:
    """Every KPI with a target: actual, target, attainment and status, labelled for display."""
    cols = ["Segment", "Indicateur", "Période", "Réalisé", "Objectif", "Atteinte", "Statut"] if lang == "fr" else \
        ["Segment", "KPI", "Period", "Actual", "Target", "Attainment", "Status"]
    if targets is None or targets.empty:
        return pd.DataFrame(columns=cols)
    rows = []
    order = {"red": 0, "amber": 1, "green": 2}
    for r in sorted(targets.itertuples(index=False), key=lambda r: (order.get(r.status, 3), r.segment, r.kpi)):
        unit = KPIS[r.kpi].unit
        period = f"{r.period_start:%d/%m/%Y} – {r.period_end:%d/%m/%Y}" if lang == "fr" else \
            f"{r.period_start:%Y-%m-%d} – {r.period_end:%Y-%m-%d}"
        status = t(_STATUS[r.status][1], lang) if isinstance(r.status, str) else "—"
        rows.append((r.segment, KPIS[r.kpi].label(lang), period, fmt_value(r.actual, unit, lang),
                     fmt_value(r.target, unit, lang), fmt_value(r.attainment, "%", lang), status))
    return pd.DataFrame(rows, columns=cols)


def funnel_rates_frame(funnel: pd.DataFrame, lang: str = "fr") -> pd.DataFrame:
    """The two stage rates per segment for ``charts.funnel_rates``: segment, rate (label), value."""
    rates = funnel[(funnel["stage"] == "rate") & funnel["value"].notna()]
    return pd.DataFrame({"segment": rates["segment"].map(lambda s: segment_label(s, lang)).to_numpy(),
                         "rate": rates["kpi"].map(lambda k: kpi_label(k, lang)).to_numpy(),
                         "value": rates["value"].astype(float).to_numpy()})


_WORLD_RATE = {("funnel_engagement_rate", True): "adoption_rate", ("funnel_action_rate", True): "participation_rate",
               ("funnel_engagement_rate", False): "ctr", ("funnel_action_rate", False): "conversion_rate"}


def funnel_table(funnel: pd.DataFrame, lang: str = "fr") -> pd.DataFrame:
    """Stage × segment; each cell names the segment's own KPI for the stage and its value ("Clics : 1 234")."""
    stages = {s.code: s.label(lang) for s in FUNNEL}
    sep = " : " if lang == "fr" else ": "
    rows: dict[str, dict[str, str]] = {}
    for r in funnel.itertuples(index=False):
        if r.stage == "rate":
            row, name = kpi_label(r.kpi, lang), kpi_label(_WORLD_RATE[(r.kpi, r.segment == "B2E")], lang)
        else:
            row, name = stages[r.stage], kpi_label(r.kpi, lang)
        rows.setdefault(row, {})[segment_label(r.segment, lang)] = name + sep + fmt_value(r.value, r.unit, lang)
    frame = pd.DataFrame.from_dict(rows, orient="index")
    frame.index.name = "Étape" if lang == "fr" else "Stage"
    return frame.fillna("—")


def trend_defaults(segments: tuple[str, ...]) -> tuple[str, ...]:
    """The KPIs the Vue CDO's indexed trends show by default: audience, engagement and action of each
    selected segment (the headline funnel, as the cards).

        >>> trend_defaults(("B2C", "B2E"))
        ('impressions', 'clicks', 'conversions', 'population', 'active_users', 'contributors')
    """
    return tuple(dict.fromkeys(st.kpi(s) for s in segments for st in FUNNEL[:3]))


def trend_choices(trends: pd.DataFrame, lang: str = "fr") -> dict[str, str]:
    """Label → code of the KPIs an indexed-trends picker offers: those with a value, in catalog order."""
    present = set(trends["kpi"][trends["value"].notna()]) if not trends.empty else set()
    return {kpi_label(k, lang): k for k in TREND_KPIS if k in present}


def indexed_frame(trends: pd.DataFrame, lang: str = "fr", kpis: tuple[str, ...] = (),
                  segments: tuple[str, ...] = ()) -> pd.DataFrame:
    """``indexed_trends`` rows for ``charts.indexed``: period_start, period, series, index, value, shown.

    Only ``kpis`` of ``segments`` when given (each KPI where its segment has it). ``shown`` is the value
    as the cards write it (unit and decimals), for a window of a single bucket drawn as values.
    """
    t_ = series_of(trends, kpis, segments)
    t_ = t_[t_["index"].notna()]
    return pd.DataFrame({
        "period_start": pd.to_datetime(t_["period_start"]).to_numpy(),
        "period": t_["period"].map(lambda p: fmt_period(p, lang)).to_numpy(),
        "series": (t_["segment"].map(lambda s: segment_label(s, lang)) + " · "
                   + t_["kpi"].map(lambda k: kpi_label(k, lang))).to_numpy(),
        "index": t_["index"].astype(float).to_numpy(),
        "value": t_["value"].astype(float).to_numpy(),
        "shown": [fmt_value(v, KPIS[k].unit, lang) for v, k in zip(t_["value"], t_["kpi"], strict=True)],
    })


def trend_frame(table: pd.DataFrame, kpi: str, targets: pd.DataFrame | None = None, lang: str = "fr",
                partial: dict[str, grain.PartialBucket] | None = None) -> pd.DataFrame:
    """One KPI per segment over the buckets, with the target that applies to each bucket.

    A stock, distinct, ratio or score target applies as it is to every bucket
    its period covers; a flow target is prorated to the bucket by days. ``partial`` (segment → its last
    bucket when the data stop inside it, see ``partial_buckets``) fills that bucket's ``note``.
    """
    rows = table[(table["kpi"] == kpi) & table["value"].notna()].sort_values("period_start")
    marks = {(seg, pb.period): pb.text(lang) for seg, pb in (partial or {}).items()}
    frame = pd.DataFrame({
        "period_start": pd.to_datetime(rows["period_start"]).to_numpy(),
        "period_end": pd.to_datetime(rows["period_end"]).to_numpy(),
        "period": rows["period"].map(lambda p: fmt_period(p, lang)).to_numpy(),
        "segment": rows["segment"].to_numpy(),
        "series": rows["segment"].map(lambda s: segment_label(s, lang)).to_numpy(),
        "value": rows["value"].astype(float).to_numpy(),
        "note": [marks.get((s, p)) for s, p in zip(rows["segment"], rows["period"], strict=True)],
    })
    frame["target"] = np.nan
    if targets is None or targets.empty or frame.empty:
        return frame
    mine = targets[(targets["kpi"] == kpi) & targets["entity"].isna()]
    flow = KPIS[kpi].aggregation == "flow"
    for tg in mine.itertuples(index=False):
        t_start, t_end = pd.Timestamp(tg.period_start), pd.Timestamp(tg.period_end)
        days = (t_end - t_start).days + 1
        inside = (frame["segment"] == tg.segment) & (frame["period_end"] >= t_start) & (frame["period_start"] <= t_end)
        if flow:
            lo = frame["period_start"].where(frame["period_start"] > t_start, t_start)
            hi = frame["period_end"].where(frame["period_end"] < t_end, t_end)
            overlap = (hi - lo).dt.days + 1
            frame.loc[inside, "target"] = tg.value * overlap[inside] / days
        else:
            frame.loc[inside & (frame["period_end"] <= t_end), "target"] = tg.value
    return frame


def world_trend_frame(table: pd.DataFrame, kpi: str, targets: pd.DataFrame | None = None,
                      lang: str = "fr", partial: dict[str, grain.PartialBucket] | None = None) -> pd.DataFrame:
    """``trend_frame`` of each selected segment, without the merged ``"ALL"`` rows a multi-segment view carries."""
    return trend_frame(table[table["segment"] != "ALL"], kpi, targets, lang, partial)


def reputation_trend_frame(table: pd.DataFrame, lang: str = "fr") -> pd.DataFrame:
    """The sentiment score outside (B2C, B2B: brand mentions) and inside (B2E: the social network's messages),
    one series each, on the same scale, for ``charts.trend``.

        >>> table = pd.DataFrame({"period": ["2026-09"] * 2, "period_start": pd.to_datetime(["2026-09-01"] * 2),
        ...     "segment": ["B2C", "B2E"], "kpi": ["sentiment_score", "esn_sentiment_score"], "value": [0.2, -0.1]})
        >>> reputation_trend_frame(table, "en")[["series", "value"]].values.tolist()
        [['Sentiment score — B2C', 0.2], ['Internal sentiment score — B2E', -0.1]]
    """
    rows = table[(table["segment"] != "ALL") & table["kpi"].isin(list(REPUTATION_SENTIMENT.values()))
                 & table["value"].notna()]
    series = [f"{kpi_label(k, lang)} — {s}" for k, s in zip(rows["kpi"], rows["segment"], strict=True)]
    return pd.DataFrame({"period_start": rows["period_start"].to_numpy(), "period": rows["period"].to_numpy(),
                         "series": series, "value": rows["value"].astype(float).to_numpy()})


def chart_grain(view, kpi: str, segments: tuple[str, ...]) -> str:
    """The grain a KPI's trend can honestly be drawn at: the view's, or the coarsest native grain of the
    segments' data when that is coarser (monthly data at week grain: by month, never invented weeks)."""
    natives = [finer_than_data(view, s, kpi) for s in segments]
    coarse = [g for g in natives if g is not None]
    return max(coarse, key=GRAINS.index) if coarse else view.grain


TREND_KPIS = tuple(dict.fromkeys(k for st in FUNNEL for k in (st.external, st.internal)))
"""The KPIs of the Vue CDO's indexed trends (each funnel stage's external and internal KPI), as ``cdo_view``'s."""


def trends_grain(view, segments: tuple[str, ...]) -> str:
    """The grain of the Vue CDO's indexed trends: the view's, or the finest native grain of its KPIs when that
    is coarser (monthly data at week grain: by month; a quarterly survey among them shows in its quarter's
    last month, as at month grain)."""
    natives = [facts[0] for kpi in TREND_KPIS for s in segments if (facts := _data_facts(view, s, kpi))]
    return grain.coarser(view.grain, min(natives, key=GRAINS.index)) if natives else view.grain


def partial_buckets(view, kpi: str, segments: tuple[str, ...], at: str | None = None) -> dict[str, grain.PartialBucket]:
    """Segment → the window's last bucket (at grain ``at``, by default the view's) when the KPI's data stop
    inside it; segments whose last bucket is complete are left out."""
    out = {}
    for segment in segments:
        facts = _data_facts(view, segment, kpi)
        if facts is None:
            continue
        _, days, end, spread = facts
        pb = grain.partial_bucket(end, view.period_start, _asked_end(view), at or view.grain, days,
                                  view.fiscal_start, spread)
        if pb is not None:
            out[segment] = pb
    return out


def kpis_with_values(table: pd.DataFrame, candidates: tuple[str, ...]) -> list[str]:
    """The candidates, in their order, that have at least one value in a KPI table (what a picker offers).

        >>> table = pd.DataFrame({"kpi": ["clicks", "cost", "leads"], "value": [3.0, 1.0, None]})
        >>> kpis_with_values(table, ("clicks", "leads", "cost"))
        ['clicks', 'cost']
    """
    present = set(table.loc[table["value"].notna(), "kpi"])
    return [k for k in candidates if k in present]


def breakdown_frame(bd: pd.DataFrame, kpi: str, segment: str, dimension: str, position: str = "top") -> pd.DataFrame:
    """One KPI's top (or bottom) members for ``charts.breakdown``: name, value, share."""
    rows = bd[(bd["kpi"] == kpi) & (bd["segment"] == segment) & (bd["position"] == position)
              & (bd[dimension] != ALL)]  # "(all)" is the rows without this dimension, not a member
    return pd.DataFrame({"name": rows[dimension].astype(str).to_numpy(),
                         "value": rows["value"].astype(float).to_numpy(),
                         "share": rows["share"].astype(float).to_numpy()})


def _empty_breakdown() -> pd.DataFrame:
    return pd.DataFrame({"name": pd.Series(dtype=str), "value": pd.Series(dtype=float),
                         "share": pd.Series(dtype=float)})


def breakdown_or_fallback(bd: pd.DataFrame, kpi: str | None, segment: str, dimension: str,
                          fallback: str | None = None) -> tuple[str | None, pd.DataFrame]:
    """The KPI shown and its ``breakdown_frame``: ``kpi``'s, else ``fallback``'s when ``kpi`` has no member here.

        >>> bd = pd.DataFrame({"kpi": ["contributions"], "segment": ["B2E"], "position": ["top"],
        ...                    "initiative": ["Espace RH"], "value": [40.0], "share": [1.0]})
        >>> kpi, frame = breakdown_or_fallback(bd, "population", "B2E", "initiative", fallback="contributions")
        >>> kpi, frame["name"].tolist()
        ('contributions', ['Espace RH'])

    Campaigns and collaborative spaces have no population: their top list then
    ranks the world's fallback flow. An empty frame means nothing to show.
    """
    frame = breakdown_frame(bd, kpi, segment, dimension) if kpi else _empty_breakdown()
    if frame.empty and fallback:
        return fallback, breakdown_frame(bd, fallback, segment, dimension)
    return kpi, frame


def profile_frame(table: pd.DataFrame, segment: str = "B2E", lang: str = "fr") -> pd.DataFrame:
    """Participation profile (active users, readers, contributors) per bucket, when the data has them."""
    kpis = ("active_users", "readers", "contributors")
    rows = table[(table["segment"] == segment) & table["kpi"].isin(kpis) & table["value"].notna()]
    order = {k: i for i, k in enumerate(kpis)}
    rows = rows.sort_values(["period_start", "kpi"], key=lambda c: c.map(order) if c.name == "kpi" else c)
    return pd.DataFrame({"period_start": pd.to_datetime(rows["period_start"]).to_numpy(),
                         "period": rows["period"].map(lambda p: fmt_period(p, lang)).to_numpy(),
                         "series": rows["kpi"].map(lambda k: kpi_label(k, lang)).to_numpy(),
                         "value": rows["value"].astype(float).to_numpy()})


DETAIL_ROWS_SHOWN = 5000
"""Rows of the detail table shown on a page (the most recent first); its download holds every row."""


def detail_frame(observations: pd.DataFrame, batches: list[dict], lang: str = "fr") -> pd.DataFrame:
    """Every current observation with the import batch (and file) it came from, the most recent first."""
    files = {b["id"]: b["file"] for b in batches}
    obs = observations.sort_values(["period_start", "segment", "kpi"], ascending=[False, True, True])
    cols = ("Début", "Fin", "Segment", "Entité", "Canal", "Initiative", "Indicateur", "Valeur", "Lot", "Fichier") \
        if lang == "fr" else \
        ("Start", "End", "Segment", "Entity", "Channel", "Initiative", "KPI", "Value", "Batch", "File")
    return pd.DataFrame(dict(zip(cols, (
        pd.to_datetime(obs["period_start"]).dt.date.to_numpy(), pd.to_datetime(obs["period_end"]).dt.date.to_numpy(),
        obs["segment"].to_numpy(), obs["entity"].to_numpy(), obs["channel"].to_numpy(), obs["initiative"].to_numpy(),
        obs["kpi"].map(lambda k: kpi_label(k, lang)).to_numpy(), obs["value"].to_numpy(),
        obs["batch_id"].to_numpy(), obs["batch_id"].map(files).to_numpy()), strict=False)))


def table_frame(table: pd.DataFrame, lang: str = "fr") -> pd.DataFrame:
    """The KPI table labelled for display and export (raw numbers kept, units in a column)."""
    cols = ("Période", "Segment", "Indicateur", "Valeur", "Unité", "Base", "Remarque") if lang == "fr" else \
        ("Period", "Segment", "KPI", "Value", "Unit", "Basis", "Note")
    return pd.DataFrame(dict(zip(cols, (
        table["period"].map(lambda p: fmt_period(p, lang)).to_numpy(),
        table["segment"].map(lambda s: segment_label(s, lang)).to_numpy(),
        table["kpi"].map(lambda k: kpi_label(k, lang)).to_numpy(), table["value"].to_numpy(),
        table["unit"].to_numpy(), table["basis"].to_numpy(), table["reason"].to_numpy()), strict=False)))


def scorecard_frame(sc: pd.DataFrame, lang: str = "fr", names: dict[str, str] | None = None) -> pd.DataFrame:
    """The scorecard labelled for export: each KPI over the window (the cards' numbers), both comparisons,
    the target and the source behind a stock's headline."""
    fr = lang == "fr"
    cols = (("Segment", "Indicateur", "Du", "Au", "Valeur", "Unité", "Base", "Période précédente", "Évolution",
             "Même période N-1", "Évolution N-1", "Objectif", "Atteinte", "Statut", "Source", "Autres sources",
             "Remarque") if fr else
            ("Segment", "KPI", "From", "To", "Value", "Unit", "Basis", "Previous period", "Change",
             "Same period last year", "Change vs last year", "Target", "Attainment", "Status", "Source",
             "Other sources", "Note"))
    if sc.empty:
        return pd.DataFrame({c: [] for c in cols})
    sc = sc[sc["segment"].isin((*SEGMENTS, MERGED))]

    known = names or {}

    def named(value):
        return None if _missing(value) else ", ".join(known.get(o.strip()) or source_name(o.strip(), lang)
                                                      for o in value.split(","))

    return pd.DataFrame(dict(zip(cols, (
        sc["segment"].map(lambda s: segment_label(s, lang)).to_numpy(),
        sc["kpi"].map(lambda k: kpi_label(k, lang)).to_numpy(),
        sc["window_start"].dt.date.to_numpy(), sc["window_end"].dt.date.to_numpy(),
        sc["value"].to_numpy(), sc["unit"].to_numpy(), sc["basis"].to_numpy(),
        sc["previous"].to_numpy(), sc["change"].to_numpy(), sc["previous_year"].to_numpy(),
        sc["change_year"].to_numpy(), sc["target"].to_numpy(), sc["attainment"].to_numpy(),
        sc["status"].map(lambda v: t(_STATUS[v][1], lang) if isinstance(v, str) else None).to_numpy(),
        sc["source"].map(named).to_numpy(), sc["other_sources"].map(named).to_numpy(),
        sc["reason"].to_numpy()), strict=True)))


def by_source_frame(bs: pd.DataFrame, lang: str = "fr", names: dict[str, str] | None = None) -> pd.DataFrame:
    """``metrics.by_source`` labelled for display: the reference source starred, values formatted."""
    cols = ("Segment", "Indicateur", "Source", "Valeur", "Base / remarque") if lang == "fr" else \
        ("Segment", "KPI", "Source", "Value", "Basis / note")
    if bs.empty:
        return pd.DataFrame({c: [] for c in cols})
    note = [b if isinstance(b, str) else (r if isinstance(r, str) else "") for b, r in zip(bs["basis"], bs["reason"],
                                                                                             strict=True)]
    return pd.DataFrame(dict(zip(cols, (
        bs["segment"].map(lambda s: segment_label(s, lang)).to_numpy(),
        bs["kpi"].map(lambda k: kpi_label(k, lang)).to_numpy(),
        [("★ " if ref else "") + (names or {}).get(origin, name)
         for ref, origin, name in zip(bs["reference"], bs["origin"], bs["source_name"], strict=True)],
        [fmt_value(v, u, lang) if not _missing(v) else "—" for v, u in zip(bs["value"], bs["unit"], strict=True)],
        note), strict=True)))


def reference_choices(kpi_origins: pd.DataFrame, references: pd.DataFrame) -> pd.DataFrame:
    """The (segment, KPI) pairs whose headline needs a reference origin: a stock, distinct count or ratio of
    them held by more than one origin. Columns: segment, kpi, origins (a tuple), chosen (None: automatic).

        >>> held = pd.DataFrame({"segment": ["B2E", "B2E", "B2C"], "kpi": ["active_users"] * 2 + ["clicks"],
        ...                      "origin": ["interne_b2e", "m365_viva_engage_user_detail", "ga4"]})
        >>> choices = reference_choices(held, pd.DataFrame(columns=["segment", "kpi", "origin"]))
        >>> choices[["segment", "kpi", "chosen"]].to_dict("records"), choices.at[0, "origins"]
        ([{'segment': 'B2E', 'kpi': 'active_users', 'chosen': None}], ('interne_b2e', 'm365_viva_engage_user_detail'))
    """
    held = kpi_origins[kpi_origins["kpi"].isin(REFERENCED)]
    groups = held.groupby(["segment", "kpi"], sort=False)["origin"].agg(lambda o: tuple(sorted(set(o))))
    groups = groups[groups.map(len) > 1]
    chosen = {(r.segment, r.kpi): r.origin for r in references.itertuples(index=False)}
    out = pd.DataFrame({"segment": [s for s, _ in groups.index], "kpi": [k for _, k in groups.index],
                        "origins": list(groups.to_numpy()),
                        "chosen": [chosen.get(key) for key in groups.index]})
    return out.sort_values(["segment", "kpi"], key=lambda c: c.map(lambda v: str(v))).reset_index(drop=True) \
        if len(out) else out


def other_sources_of(observations: pd.DataFrame, origin: str, kpi_origins: pd.DataFrame) -> dict[str, tuple]:
    """Origins already holding the head counts and stocks a file brings under another origin, per segment:
    {segment: (kpis, origins)}. Such a file does not continue their series (two sources' head counts are never
    mixed), so the Importer says so before the import and offers their origin.

        >>> obs = pd.DataFrame({"segment": ["B2E", "B2E"], "kpi": ["population", "contributions"]})
        >>> held = pd.DataFrame({"segment": ["B2E"], "kpi": ["population"], "origin": ["usage-1"]})
        >>> other_sources_of(obs, "usage-2", held)
        {'B2E': (('population',), ('usage-1',))}
    """
    if observations is None or not len(observations) or kpi_origins is None or not len(kpi_origins):
        return {}
    mine = observations[["segment", "kpi"]].drop_duplicates()
    mine = mine[mine["kpi"].isin(REFERENCED)]
    held = kpi_origins[(kpi_origins["origin"] != origin) & kpi_origins["kpi"].isin(REFERENCED)]
    both = mine.merge(held[["segment", "kpi", "origin"]], on=["segment", "kpi"])
    return {seg: (tuple(dict.fromkeys(g["kpi"])), tuple(sorted(set(g["origin"]))))
            for seg, g in both.groupby("segment", sort=True)}


@dataclass(frozen=True)
class ExportContext:
    """What a page knows that its workbook's title block says: the page, its filters (``segments`` None: a page
    without filters), the import batches behind its sources, the moment of the export and who made it.

        >>> ctx = ExportContext("Vue CDO", segments=("B2E",), exported=datetime(2026, 11, 30, 9, 5))
        >>> export_heading(ctx, "fr", date(2025, 11, 1), date(2026, 10, 31)).lines[0]
        'Période : du 01/11/2025 au 31/10/2026'
    """

    page: str
    segments: tuple[str, ...] | None = None
    entities: tuple[str, ...] = ()
    channels: tuple[str, ...] = ()
    batches: tuple[dict, ...] = ()
    exported: datetime | None = None
    author: str | None = None


def export_heading(context: ExportContext, lang: str = "fr", start: date | None = None,
                   end: date | None = None) -> export.Heading:
    """The title block of a page's workbook: the window (``start``–``end``, the view's, as on the screen), the
    filters, the sources with the date their data reach, the export date (``context.exported``, else now) and
    its author."""
    lines = []
    if start is not None and end is not None:
        lines.append(t("export.window", lang, start=fmt_date(start, lang), end=fmt_date(end, lang)))
    if context.segments is not None:
        every = t("export.all", lang)
        lines.append(t("export.filters", lang, segments=", ".join(context.segments) or every,
                       entities=", ".join(context.entities) or every, channels=", ".join(context.channels) or every))
        lines.append(sources_line(list(context.batches), context.segments, lang, markdown=False)
                     or t("export.no_sources", lang))
    when = context.exported or datetime.now()
    exported = t("export.exported", lang, day=fmt_date(when.date(), lang), time=f"{when:%H:%M}")
    lines.append(exported + (t("export.by", lang, author=context.author) if context.author else ""))
    return export.Heading(f"Passerelle — {context.page}", tuple(lines))


def unit_label(unit: str, lang: str = "fr") -> str:
    """A unit as a reader names it: ``unit_label("count", "fr") == "nombre"``; ``%``, ``€``, ``×`` as they are."""
    try:
        return t(f"unit.{unit}", lang)
    except KeyError:
        return str(unit)


def unit_formats(frame: pd.DataFrame, lang: str, *, values: tuple[int, ...], changes: tuple[int, ...] = (),
             percents: tuple[int, ...] = (), dates: tuple[int, ...] = (), unit: int | None = None,
             units: list[str] | None = None) -> tuple[pd.DataFrame, dict]:
    """Number formats of an export frame, by column position: ``values`` in each row's unit (the ``unit``
    column's codes, or ``units``), ``changes`` in points for a % KPI (else its unit), ``percents`` as %,
    ``dates`` as dates. The unit column is rewritten in words."""
    cols = list(frame.columns)
    codes = list(units) if units is not None else [str(u) for u in frame.iloc[:, unit]] if unit is not None else []
    formats: dict[str, str | list[str]] = {cols[j]: codes for j in values}
    formats |= {cols[j]: ["pp" if u == "%" else u for u in codes] for j in changes}
    formats |= {cols[j]: "%" for j in percents} | {cols[j]: "date" for j in dates}
    if unit is not None:
        frame = frame.assign(**{cols[unit]: [unit_label(u, lang) for u in codes]})
    return frame, formats


def _scorecard_sheet(view, lang: str) -> tuple[pd.DataFrame, dict]:
    frame = scorecard_frame(view.scorecard, lang, view.meta.get("source_names"))
    # Segment, Indicateur, Du, Au, Valeur, Unité, Base, Période précédente, Évolution, Même période N-1,
    # Évolution N-1, Objectif, Atteinte, …
    return unit_formats(frame, lang, values=(4, 7, 9, 11), changes=(8, 10), percents=(12,), dates=(2, 3), unit=5)


def _targets_sheet(targets: pd.DataFrame, lang: str) -> tuple[pd.DataFrame, dict]:
    cols = ["Segment", "Indicateur", "Du", "Au", "Réalisé", "Objectif", "Unité", "Atteinte", "Statut"] \
        if lang == "fr" else ["Segment", "KPI", "From", "To", "Actual", "Target", "Unit", "Attainment", "Status"]
    if targets is None or targets.empty:
        return pd.DataFrame(columns=cols), {}
    order = {"red": 0, "amber": 1, "green": 2}
    rows = sorted(targets.itertuples(index=False), key=lambda r: (order.get(r.status, 3), r.segment, r.kpi))
    frame = pd.DataFrame([(segment_label(r.segment, lang), kpi_label(r.kpi, lang), pd.Timestamp(r.period_start).date(),
                           pd.Timestamp(r.period_end).date(), r.actual, r.target, KPIS[r.kpi].unit, r.attainment,
                           t(_STATUS[r.status][1], lang) if isinstance(r.status, str) else None) for r in rows],
                         columns=cols)
    return unit_formats(frame, lang, values=(4, 5), percents=(7,), dates=(2, 3), unit=6)


def _funnel_sheet(funnel: pd.DataFrame, lang: str) -> tuple[pd.DataFrame, dict]:
    cols = ["Étape", "Segment", "Indicateur", "Valeur", "Unité"] if lang == "fr" else \
        ["Stage", "Segment", "KPI", "Value", "Unit"]
    stages = {s.code: s.label(lang) for s in FUNNEL}
    rows = [(kpi_label(r.kpi, lang), segment_label(r.segment, lang),
             kpi_label(_WORLD_RATE[(r.kpi, r.segment == "B2E")], lang), r.value, r.unit) if r.stage == "rate" else
            (stages[r.stage], segment_label(r.segment, lang), kpi_label(r.kpi, lang), r.value, r.unit)
            for r in funnel.itertuples(index=False)]
    return unit_formats(pd.DataFrame(rows, columns=cols), lang, values=(3,), unit=4)


def _extra_sheet(frame: pd.DataFrame, lang: str) -> tuple[pd.DataFrame, dict]:
    """A page's own block (the detail of values): its values formatted by their KPI's unit."""
    kpi_col, value_col = ("Indicateur", "Valeur") if lang == "fr" else ("KPI", "Value")
    if kpi_col not in frame.columns or value_col not in frame.columns:
        return frame, {}
    unit_of = {k.label(lang): k.unit for k in KPIS.values()}
    cols = list(frame.columns)
    return unit_formats(frame, lang, values=(cols.index(value_col),),
                    units=[unit_of.get(str(label), "count") for label in frame[kpi_col]])


def view_workbook(view, lang: str = "fr", extra: dict[str, pd.DataFrame] | None = None,
                  context: ExportContext | None = None) -> bytes:
    """The whole view as a formatted Excel workbook, one sheet per block, the cards' numbers first ("Synthèse");
    every sheet opens on a title block stating the view's window (the screen's), the filters, the sources and
    the export date (``context``, from the page). Numbers are numbers, formatted by their unit."""
    fr = lang == "fr"
    sheets = {
        ("Synthèse" if fr else "Scorecard"): (t("export.scorecard", lang), _scorecard_sheet(view, lang)),
        t("export.objectives", lang): (t("export.objectives", lang), _targets_sheet(view.targets, lang)),
        t("export.funnel", lang): (t("export.funnel", lang), _funnel_sheet(view.funnel, lang)),
        ("Indicateurs" if fr else "KPIs"): (t("export.kpis", lang), unit_formats(
            table_frame(view.table, lang), lang, values=(3,), unit=4)),
        **{name: (name, _extra_sheet(frame, lang)) for name, frame in (extra or {}).items()},
    }
    context = context or ExportContext(t("nav.cdo", lang))
    return export.to_excel({name: frame for name, (_, (frame, _)) in sheets.items()},
                           block_formats={name: formats for name, (_, (_, formats)) in sheets.items()},
                           titles={name: title for name, (title, _) in sheets.items()},
                           heading=export_heading(context, lang, view.period_start, view.period_end))


def side_by_side_workbook(sbs: pd.DataFrame, lang: str = "fr", context: ExportContext | None = None,
                          start: date | None = None, end: date | None = None) -> bytes:
    """The side-by-side table (stage, external KPI and value, internal KPI and value) as Excel, values formatted
    by their unit, under the page's title block."""
    cols = ("Étape", "Externe", "Valeur externe", "Interne", "Valeur interne", "Unité") if lang == "fr" else \
        ("Stage", "External", "External value", "Internal", "Internal value", "Unit")
    frame = pd.DataFrame(dict(zip(cols, (sbs["stage_label"], sbs["external_label"], sbs["external_value"],
                                         sbs["internal_label"], sbs["internal_value"], sbs["unit"]), strict=False)))
    frame, formats = unit_formats(frame, lang, values=(2, 4), unit=5)
    name = t("nav.side_by_side", lang)
    return export.to_excel({name: frame}, formats=formats,
                           heading=export_heading(context or ExportContext(name), lang, start, end))


# --- internal e-reputation: topics and influencers (stored with the ESN batches, kpis.store.esn_terms) ----------


def month_window(start: date, end: date) -> tuple[date, date, tuple[date, date]]:
    """The months of a window (first day of ``start``'s month to ``end``) and the previous window of as many
    months just before it.

        >>> first, last, previous = month_window(date(2026, 9, 15), date(2026, 10, 31))
        >>> str(first), str(last), [str(d) for d in previous]     # two months, then the two before
        ('2026-09-01', '2026-10-31', ['2026-07-01', '2026-08-31'])
    """
    first = start.replace(day=1)
    months = (end.year - first.year) * 12 + end.month - first.month + 1
    before = (pd.Timestamp(first) - pd.DateOffset(months=months)).date()
    return first, end, (before, (pd.Timestamp(first) - pd.Timedelta(days=1)).date())


def topics_frame(terms: pd.DataFrame, start: date, end: date, lang: str = "fr", group: str = ALL,
                 n: int = 10, previous_covered: bool = True) -> pd.DataFrame:
    """« Sujets qui montent »: the ``n`` most telling terms of ``group`` (the network by default) in the window's
    months, with their messages, largest monthly distinct authors (always 5 or more: fewer are never stored),
    messages in the previous window of as many months and the change (``kpis.esn.topics.top_terms``); when no
    export covers the previous window (``previous_covered`` false), no previous count and no change: « — », not
    a 0 and « nouveau ».

    ``terms`` is ``Store.esn_terms`` over both windows; the frame's headers are in ``lang``.
    """
    from kpis.esn.topics import TermCount, top_terms

    first, last, previous = month_window(start, end)
    counts = [TermCount(r.month, r.grp, r.term, int(r.authors), int(r.messages)) for r in terms.itertuples()]
    rows = top_terms(counts, first, last, previous, group=group, n=n)
    cols = [t(f"rep.col_{c}", lang) for c in ("rank", "term", "messages", "authors", "previous", "change")]
    out = [[k, r["term"], r["messages"], r["authors"], r["previous"] if previous_covered else "—",
            "—" if not previous_covered else t("rep.new", lang) if not r["previous"] else fmt_change(
                (r["messages"] - r["previous"]) / r["previous"], "count", "relative", lang)]
           for k, r in enumerate(rows, start=1)]
    return pd.DataFrame(out, columns=cols)


def influencers(profiles: pd.DataFrame, end: date, lang: str = "fr", names: bool = False
                ) -> tuple[date | None, list[str]]:
    """« Influenceurs »: the profiles of the window's last month that has some (a reply graph's ranks cannot be
    added over months: they are the month's), as ``n°1 — Direction Industrie, 34 conversations lancées, 212
    réponses reçues`` (``kpis.esn.influence.profile_text``). A name kept at import is shown only with ``names``
    (the ``esn_names`` setting on when the page is shown)."""
    from kpis.esn.influence import Profile, profile_text

    shown = profiles[pd.to_datetime(profiles["month"]) <= pd.Timestamp(end)] if len(profiles) else profiles
    if not len(shown):
        return None, []
    month = max(shown["month"])
    rows = shown[shown["month"] == month].sort_values("rank")

    def text(values) -> list[str | None]:
        return [v if isinstance(v, str) and v else None for v in values]

    dept = text(rows["department"])
    who = text(rows["name"]) if names and "name" in rows.columns else [None] * len(rows)
    return month, [profile_text(Profile(int(r), d, int(th), int(re_), 0.0, n, int(m)), lang)
                   for r, d, th, re_, n, m in zip(rows["rank"], dept, rows["threads"], rows["replies"], who,
                                                  rows["mentions"], strict=True)]


def influencers_frame(profiles: pd.DataFrame, end: date, lang: str = "fr", names: bool = False) -> pd.DataFrame:
    """The ``influencers`` of the window as a table for the workbook: month and profile."""
    month, texts = influencers(profiles, end, lang, names)
    label = fmt_period(f"{month:%Y-%m}", lang) if month else ""
    return pd.DataFrame({t("rep.col_month", lang): [label] * len(texts), t("rep.col_profile", lang): texts})


# --- internal e-reputation: tracked subjects (stored with the ESN batches, kpis.store.esn_subjects) -------------


def subjects_table(subjects: list, lang: str = "fr") -> pd.DataFrame:
    """The tracked subjects for the Référentiel: code, French name, English name, synonyms."""
    cols = [t(f"subjects.col_{c}", lang) for c in ("code", "name_fr", "name_en", "synonyms")]
    return pd.DataFrame([[s.code, s.name_fr, s.name_en or "", ", ".join(s.synonyms)] for s in subjects], columns=cols)


def subjects_trend_frame(mentions: pd.DataFrame, subjects: list, start: date, end: date, lang: str = "fr",
                         group: str = ALL) -> pd.DataFrame:
    """Each tracked subject's sentiment score per month of the window, for ``charts.trend``: a month only when at
    least ``kpis.esn.subjects.MIN_AUTHORS`` distinct authors mentioned the subject in it (the panel's rule).

        >>> from kpis.esn.subjects import Subject
        >>> m = pd.DataFrame({"month": [date(2026, 4, 1), date(2026, 5, 1), date(2026, 6, 1)], "grp": ALL,
        ...                   "subject": "atlas", "messages": [10, 8, 3], "authors": [6, 5, 3],
        ...                   "positive": [6, 1, 3], "negative": [1, 5, 0], "neutral": [3, 2, 0]})
        >>> f = subjects_trend_frame(m, [Subject("atlas", "Projet Atlas")], date(2026, 1, 1), date(2026, 6, 30))
        >>> f[["period", "series", "value"]].values.tolist()     # (6 − 1)/10, (1 − 5)/8; June: 3 authors only
        [['2026-04', 'Projet Atlas', 0.5], ['2026-05', 'Projet Atlas', -0.5]]
    """
    from kpis.esn.subjects import MIN_AUTHORS

    first, last, _ = month_window(start, end)
    rows = []
    if len(mentions):
        mine = mentions[(mentions["grp"] == group) & (mentions["month"] >= first) & (mentions["month"] <= last)
                        & (mentions["authors"] >= MIN_AUTHORS)]
        names = {s.code: s.label(lang) for s in subjects}
        for r in mine.sort_values(["subject", "month"]).itertuples():
            if r.subject in names and (score := subject_score(r.positive, r.negative, r.messages)) is not None:
                rows.append((pd.Timestamp(r.month), f"{r.month:%Y-%m}", names[r.subject], score))
    return pd.DataFrame(rows, columns=["period_start", "period", "series", "value"])


def subject_score(positive: float, negative: float, messages: float) -> float | None:
    """A subject's sentiment score, by the catalog's formula of the internal sentiment score (``esn_sentiment_score``:
    (positive − negative) / messages), so that both are read on one scale.

        >>> subject_score(6, 2, 10)
        0.4
    """
    kpi = KPIS["esn_sentiment_score"]
    values = {"esn_positive_messages": positive, "esn_negative_messages": negative, "esn_messages": messages}
    denominator = values[kpi.denominator or "esn_messages"]
    if not denominator:
        return None
    return sum(sign * values[code] for sign, code in kpi.numerator) / denominator * kpi.scale


def _month_runs(months: list[date], lang: str) -> str:
    """Months as runs of consecutive ones: ``sept. 2025, nov. 2025 – janv. 2026``.

        >>> _month_runs([date(2025, 9, 1), date(2025, 11, 1), date(2025, 12, 1), date(2026, 1, 1)], "fr")
        'sept. 2025, nov. 2025 – janv. 2026'
    """
    runs: list[list[date]] = []
    for m in sorted(months):
        if runs and (runs[-1][-1].year * 12 + runs[-1][-1].month + 1 == m.year * 12 + m.month):
            runs[-1].append(m)
        else:
            runs.append([m])
    label = [fmt_period(f"{r[0]:%Y-%m}", lang) + (f" – {fmt_period(f'{r[-1]:%Y-%m}', lang)}" if len(r) > 1 else "")
             for r in runs]
    return ", ".join(label)


def subjects_frame(mentions: pd.DataFrame, subjects: list, months: list[date], start: date, end: date,
                   lang: str = "fr", group: str = ALL) -> tuple[pd.DataFrame, list[str]]:
    """« Sujets suivis »: per tracked subject, the messages of ``group`` mentioning it in the window's months,
    largest monthly distinct authors, messages in the previous window of as many months and the change, and its
    tone (positive and negative shares, sentiment score on the internal score's scale, ``subject_score``) when at
    least ``kpis.esn.subjects.MIN_AUTHORS`` distinct authors mentioned it in one month of the window (fewer: no
    tone). Also one note per subject that some counted months of the window (``months``: those whose messages
    are in the store) were imported before it was tracked.

    ``mentions`` is ``Store.esn_subjects`` over both windows; the frame's headers are in ``lang``.
    """
    from kpis.esn.subjects import MIN_AUTHORS

    first, last, previous = month_window(start, end)
    kpi = KPIS["esn_sentiment_score"]

    def months_between(lo: date, hi: date) -> pd.DataFrame:  # an empty frame's month column may not hold dates
        return mentions[(mentions["month"] >= lo) & (mentions["month"] <= hi)] if len(mentions) else mentions

    inside, before = months_between(first, last), months_between(*previous)
    rows, notes = [], []
    for s in subjects:
        mine = inside[(inside["subject"] == s.code) & (inside["grp"] == group)]
        n, pos, neg = (int(mine[c].sum()) for c in ("messages", "positive", "negative"))
        authors = int(mine["authors"].max()) if len(mine) else 0
        earlier: int | str = "—"  # no export of the previous window counted it: no number, not a 0
        change = "—"
        if len(before) and ((before["subject"] == s.code) & (before["grp"] == ALL)).any():
            earlier = int(before.loc[(before["subject"] == s.code) & (before["grp"] == group), "messages"].sum())
            if earlier:
                change = fmt_change((n - earlier) / earlier, "count", "relative", lang)
            elif n:
                change = t("rep.new", lang)
        if authors >= MIN_AUTHORS:
            tone = [fmt_value(pos / n, "%", lang), fmt_value(neg / n, "%", lang),
                    fmt_value(subject_score(pos, neg, n), kpi.unit, lang)]
        else:
            tone = [t("rep.subject_few", lang)] * 3
        rows.append([s.label(lang), n, authors, earlier, change, *tone])
        counted = set(inside.loc[(inside["subject"] == s.code) & (inside["grp"] == ALL), "month"])
        missing = [m for m in months if first <= m <= last and m not in counted]
        if missing:
            notes.append(t("rep.subject_untracked", lang, name=s.label(lang), months=_month_runs(missing, lang)))
    cols = [t(f"rep.col_{c}", lang) for c in ("subject", "messages", "authors", "previous", "change", "positive",
                                             "negative", "score")]
    return pd.DataFrame(rows, columns=cols), notes
