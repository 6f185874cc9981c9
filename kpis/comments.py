"""Comments on a number (the committee's "check-in"): a KPI × segment (optionally entity) × period, a short text,
its author and date. Stored by ``Store.add_comment``; this module checks them and shapes them for the pages.

    >>> checked("clicks", "B2C", "2026-09-01", "2026-09-30", "  Campagne\\nde rentrée ", "cdo").text
    'Campagne de rentrée'
    >>> period_of("T3 2026")
    (datetime.date(2026, 7, 1), datetime.date(2026, 9, 30))

Pure functions: no Streamlit, no store.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pandas as pd

from kpis.catalog import KPIS
from kpis.errors import StoreError, UsageError
from kpis.i18n import fmt_date, t
from kpis.model import SEGMENTS
from kpis.text import clean_text

__all__ = ["COMMENT_MAX_CHARS", "Comment", "checked", "period_of", "frame", "on_card", "markers",
           "FRAME_COLUMNS"]

COMMENT_MAX_CHARS = 500
"""The longest comment: a short explanation beside a number, not a report."""

FRAME_COLUMNS = ("id", "kpi", "segment", "entity", "period_start", "period_end", "text", "author", "created_at")


@dataclass(frozen=True)
class Comment:
    kpi: str
    segment: str
    entity: str | None
    period_start: date
    period_end: date
    text: str
    author: str


def _day(value) -> date:
    try:
        return pd.Timestamp(value).date()
    except (ValueError, TypeError):
        raise StoreError(f"Date illisible : {value!r}.", f"Unreadable date: {value!r}.") from None


def checked(kpi: str, segment: str, period_start, period_end, text: str, author: str,
            entity: str | None = None) -> Comment:
    """The comment cleaned and checked: a catalog KPI of that segment, a period whose start is not after its end,
    a one-line text of 1 to ``COMMENT_MAX_CHARS`` characters, an author. A ``StoreError`` (French and English)
    says what is wrong."""
    if segment not in SEGMENTS:
        raise StoreError(f"Segment inconnu : {segment} (B2C, B2B ou B2E).",
                         f"Unknown segment: {segment} (B2C, B2B or B2E).")
    if kpi not in KPIS:
        raise StoreError(f"Indicateur inconnu du catalogue : {kpi}.", f"KPI not in the catalog: {kpi}.")
    if segment not in KPIS[kpi].segments:
        raise StoreError(f"{KPIS[kpi].label_fr} n'existe pas en {segment}.",
                         f"{KPIS[kpi].label_en} does not exist in {segment}.")
    start, end = _day(period_start), _day(period_end)
    if start > end:
        raise StoreError("La période commence après sa fin.", "The period starts after its end.")
    words = clean_text(text or "")
    if not words:
        raise StoreError("Le commentaire est vide.", "The comment is empty.")
    if len(words) > COMMENT_MAX_CHARS:
        raise StoreError(f"Commentaire trop long : {len(words)} caractères, {COMMENT_MAX_CHARS} au plus.",
                         f"Comment too long: {len(words)} characters, {COMMENT_MAX_CHARS} at most.")
    who = clean_text(author or "")
    if not who:
        raise StoreError("Auteur manquant.", "Author missing.")
    place = clean_text(entity) if entity else None
    return Comment(kpi, segment, place or None, start, end, words, who)


def period_of(text: str) -> tuple[date, date]:
    """A period as people write it (``2026-10``, ``oct. 2026``, ``T3 2026``, ``2026``, a day): its first and last
    days. Anything else is a ``UsageError``."""
    from kpis.ingest import parsing

    periods = parsing.parse_periods([text])
    if periods.bad[0] or pd.isna(periods.start[0]):
        raise UsageError(f"--period {text!r} : un mois (2026-10), un trimestre (T3 2026), une année (2026) ou un jour",
                         f"--period {text!r}: a month (2026-10), a quarter (Q3 2026), a year (2026) or a day")
    return pd.Timestamp(periods.start[0]).date(), pd.Timestamp(periods.end[0]).date()


def _period_words(start, end, lang: str) -> str:
    start, end = pd.Timestamp(start).date(), pd.Timestamp(end).date()
    return fmt_date(start, lang) if start == end else t("comments.period", lang, start=fmt_date(start, lang),
                                                         end=fmt_date(end, lang))


def frame(comments: pd.DataFrame, lang: str = "fr") -> pd.DataFrame:
    """The comments labelled for a page, a workbook or the deck: n°, KPI, segment, entity, period, comment,
    author, date."""
    cols = [t(f"comments.col.{c}", lang) for c in ("id", "kpi", "segment", "entity", "period", "text", "author",
                                                   "date")]
    if comments is None or comments.empty:
        return pd.DataFrame(columns=cols)
    rows = [(int(r.id), KPIS[r.kpi].label(lang), r.segment, r.entity if isinstance(r.entity, str) else "",
             _period_words(r.period_start, r.period_end, lang), r.text, r.author,
             fmt_date(pd.Timestamp(r.created_at).date(), lang)) for r in comments.itertuples(index=False)]
    return pd.DataFrame(rows, columns=cols)


def on_card(comments: pd.DataFrame | None, segment: str, kpi: str) -> list[str]:
    """The texts of a card's comments ("text — author"), oldest first: those on this KPI and segment."""
    if comments is None or comments.empty:
        return []
    mine = comments[(comments["segment"] == segment) & (comments["kpi"] == kpi)]
    return [f"{r.text} — {r.author}" for r in mine.itertuples(index=False)]


def markers(comments: pd.DataFrame | None, kpi: str, segments: tuple[str, ...], lang: str = "fr",
            series: dict[str, str] | None = None) -> pd.DataFrame:
    """Where a trend chart marks a comment: one row per comment on ``kpi`` in ``segments``, at the start of its
    period (``period_start``), with ``series`` (the chart's series name of its segment), ``label`` (the text with
    its author and period, for the tooltip)."""
    cols = ["period_start", "series", "label"]
    if comments is None or comments.empty:
        return pd.DataFrame({c: pd.Series(dtype="datetime64[ns]" if c == "period_start" else object) for c in cols})
    mine = comments[(comments["kpi"] == kpi) & comments["segment"].isin(segments)]
    names = series or {}
    return pd.DataFrame({
        "period_start": pd.to_datetime(mine["period_start"]).to_numpy(),
        "series": [names.get(s, s) for s in mine["segment"]],
        "label": [f"{r.text} — {r.author} ({_period_words(r.period_start, r.period_end, lang)})"
                  for r in mine.itertuples(index=False)],
    }, columns=cols)
