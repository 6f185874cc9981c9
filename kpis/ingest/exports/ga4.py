"""Google Analytics 4 exploration and report exports (comment block with the dates)."""

from __future__ import annotations

import re

import numpy as np

from kpis.catalog import fold, match_header
from kpis.ingest import parsing
from kpis.ingest.exports.base import (
    END_HEADER,
    START_HEADER,
    Recognised,
    Rewrite,
    cell_text,
    first_of,
    header_index,
    is_blank,
    locale_convention,
    map_kpis,
    sheet_issue,
    unlabelled_total_rows,
)
from kpis.ingest.readers import RawSheet

GA4_KPIS = (
    ("sessions", "sessions"), ("engaged sessions", "engaged_sessions"),
    ("sessions avec engagement", "engaged_sessions"), ("key events", "conversions"),
    ("evenements cles", "conversions"), ("conversions", "conversions"),
    ("active users", "active_users"), ("utilisateurs actifs", "active_users"),
    ("total users", "active_users"), ("nombre total d utilisateurs", "active_users"),
    ("utilisateurs totaux", "active_users"), ("users", "active_users"), ("utilisateurs", "active_users"),
    ("total revenue", "revenue"), ("revenu total", "revenue"), ("revenus totaux", "revenue"),
    ("views", "page_views"), ("vues", "page_views"),
)
_GA4_DATE = re.compile(r"^(start date|date de debut|end date|date de fin) (\d{8})$")
GA4_ENGLISH = frozenset({"sessions", "engaged sessions", "key events", "active users", "total users", "users",
                         "total revenue", "views", "engagement rate", "event count", "new users"}) - {"sessions"}
_NUMBER_LIKE = re.compile(r"^[\s\d.,%€$£+-]*$")


def _is_label_column(rw: Rewrite, j: int) -> bool:
    """A column of labels (channel group, date, page path…), as opposed to a column of numbers."""
    h = rw.header[j]
    if is_blank(h) or rw.maps.get(h) in ("channel", "period:day"):
        return not is_blank(h)
    if h in rw.maps or getattr(match_header(h), "role", None) in ("kpi", "ratio"):
        return False
    filled = [c for c in rw.column(j) if not is_blank(c)]
    texts = sum(isinstance(c, str) and not _NUMBER_LIKE.match(c) for c in filled)
    return texts * 2 > len(filled)


def ga4(sheet: RawSheet) -> Recognised | None:
    comments = list(sheet.comments)
    skip = 0
    while skip < len(sheet.rows) and isinstance(sheet.rows[skip][0] if sheet.rows[skip] else None, str) \
            and str(sheet.rows[skip][0]).startswith("#"):
        comments.append(" ".join(cell_text(c) for c in sheet.rows[skip]).lstrip("#").strip())
        skip += 1
    dates = {}
    for line in comments:
        m = _GA4_DATE.match(fold(line))
        if m:
            dates["start" if m[1] in ("start date", "date de debut") else "end"] = m[2]
    if set(dates) != {"start", "end"} or skip >= len(sheet.rows):
        return None
    index = header_index(sheet.rows[skip])
    if not any(name in index for name, _ in GA4_KPIS):
        return None
    days, bad = parsing.parse_dates([dates["start"], dates["end"]])
    if bad.any() or days[1] < days[0]:
        return None
    span = (days[0].astype(object), days[1].astype(object))
    rw = Rewrite(sheet, skip)
    issues = []
    gaps = [k for k in range(1, len(rw.numbers) - 1) if rw.numbers[k + 1] - rw.numbers[k] > 1]
    if gaps:  # another table follows, after a blank line and its own comment block
        cut = gaps[0]
        issues.append(sheet_issue(sheet, "ga4_other_tables", "info",
                             f"Seul le premier tableau de l'export GA4 est lu (lignes {rw.numbers[1]} à "
                             f"{rw.numbers[cut]}) ; les suivants sont ignorés.",
                             f"Only the first table of the GA4 export is read (rows {rw.numbers[1]} to "
                             f"{rw.numbers[cut]}); the following ones are ignored.", rw.numbers[cut + 1]))
        rw.keep([k < cut for k in range(len(rw.body))])
    english = bool(GA4_ENGLISH & index.keys())
    convention = locale_convention(rw, GA4_KPIS, "en" if english else None)
    map_kpis(rw, GA4_KPIS, convention)
    for h in rw.header:
        f = fold(h) if isinstance(h, str) else ""
        if "channel group" in f or "groupe de canaux" in f:
            rw.maps[h] = "channel"
    date_col = first_of(index, "date")
    if date_col is not None:
        rw.maps[rw.header[date_col]] = "period:day"
    labels = [j for j in range(rw.width) if _is_label_column(rw, j)]
    metric_cols = [j for j in range(rw.width) if j not in labels and not is_blank(rw.header[j])]
    totals = unlabelled_total_rows(rw, labels, metric_cols)
    for i in np.flatnonzero(totals):
        issues.append(sheet_issue(sheet, "total_row", "info", "Ligne de total GA4 (sans libellé) : non importée.",
                             "GA4 total row (no label): not imported.", rw.numbers[i + 1]))
    rw.keep(~totals)
    if date_col is None:
        rw.add(START_HEADER, "period_start", span[0])
        rw.add(END_HEADER, "period_end", span[1])
    return Recognised("ga4", rw.sheet(), rw.maps, None, (), convention, None, span, issues)
