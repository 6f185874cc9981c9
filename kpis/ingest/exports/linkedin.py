"""LinkedIn page analytics (visitors, followers, content) and their companion sheets."""

from __future__ import annotations

import re

from kpis.catalog import fold
from kpis.ingest.exports.base import (
    CHANNEL_HEADER,
    Recognised,
    Rewrite,
    empty_sheet,
    find_header,
    is_blank,
    locale_convention,
    map_kpis,
    rewrite_dates,
    sheet_issue,
)
from kpis.ingest.readers import RawSheet

LINKEDIN_CHANNEL = "social"
LINKEDIN_VISITORS_KPIS = (("total page views total", "page_views"), ("total unique visitors total", "unique_visitors"))
LINKEDIN_FOLLOWERS_KPIS = (("total followers", "new_followers"),)
LINKEDIN_CONTENT_KPIS = (("impressions total", "impressions"), ("clicks total", "clicks"),
                         ("reactions total", "reactions"), ("comments total", "comments"),
                         ("reposts total", "reposts"), ("shares total", "reposts"))
LINKEDIN_BREAKDOWNS = frozenset({"location", "job function", "seniority", "industry", "company size",
                                 "country region", "function"})


def linkedin(sheet: RawSheet) -> Recognised | None:
    for fmt, required, kpis in (
        ("linkedin_visitors", (("date",), ("total page views total",), ("total unique visitors total",)),
         LINKEDIN_VISITORS_KPIS),
        ("linkedin_followers", (("date",), ("total followers",), ("organic followers",), ("sponsored followers",)),
         LINKEDIN_FOLLOWERS_KPIS),
        ("linkedin_content", (("date",), ("impressions total",), ("impressions organic",),
                              ("impressions sponsored",), ("clicks total",)), LINKEDIN_CONTENT_KPIS),
    ):
        found = find_header(sheet, required)
        if found is None:
            continue
        i, index = found
        rw = Rewrite(sheet, i)
        convention = locale_convention(rw, kpis, "en")
        map_kpis(rw, kpis, convention)
        for h in rw.header:  # (organic), (sponsored), unique impressions: reported as ignored, not guessed
            if isinstance(h, str) and h.strip() and h not in rw.maps and re.search(
                    r"\b(organic|sponsored|desktop|mobile|auto invited)\b", fold(h)):
                rw.maps[h] = "ignore"
        date_col = index["date"]
        rewrite_dates(rw, date_col, "mdy")
        rw.maps[rw.header[date_col]] = "period:day"
        rw.add(CHANNEL_HEADER, "channel", LINKEDIN_CHANNEL)
        return Recognised(fmt, rw.sheet(), rw.maps, None, (LINKEDIN_CHANNEL,), convention, "mdy")
    return _linkedin_companion(sheet)


def _linkedin_companion(sheet: RawSheet) -> Recognised | None:
    """Per-post and demographic sheets of the LinkedIn workbooks: recognised, deliberately not imported."""
    found = find_header(sheet, (("post title",), ("post link",), ("impressions",), ("created date",)))
    if found is not None:
        return Recognised("linkedin_content", empty_sheet(sheet), {}, None, (LINKEDIN_CHANNEL,), issues=[sheet_issue(
            sheet, "linkedin_per_post", "info",
            "Détail par publication LinkedIn : non importé, la feuille des métriques quotidiennes donne déjà ces "
            "totaux (ils seraient comptés deux fois).",
            "LinkedIn per-post detail: not imported, the daily metrics sheet already gives these totals (they "
            "would be counted twice).", sheet.row_numbers[found[0]])])
    for i, row in enumerate(sheet.rows[:3]):
        cells = [fold(c) for c in row if not is_blank(c)]
        if len(cells) == 2 and cells[0] in LINKEDIN_BREAKDOWNS and re.fullmatch(
                r"total (views|page views|followers)", cells[1]):
            fmt = "linkedin_followers" if "followers" in cells[1] else "linkedin_visitors"
            return Recognised(fmt, empty_sheet(sheet), {}, None, (LINKEDIN_CHANNEL,), issues=[sheet_issue(
                sheet, "linkedin_breakdown", "info",
                "Répartition LinkedIn sans date (lieu, fonction, secteur…) : non importée.",
                "LinkedIn breakdown without dates (location, function, industry…): not imported.",
                sheet.row_numbers[i])])
    return None
