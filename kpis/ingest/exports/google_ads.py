"""Google Ads campaign reports (English and French interface, title line with the date range)."""

from __future__ import annotations

import re
from datetime import date

import numpy as np

from kpis.catalog import fold
from kpis.ingest import parsing
from kpis.ingest.exports.base import (
    CHANNEL_HEADER,
    END_HEADER,
    START_HEADER,
    Recognised,
    Rewrite,
    cell_text,
    find_header,
    first_of,
    is_blank,
    locale_convention,
    map_kpis,
    rewrite_dates,
    sheet_issue,
)
from kpis.ingest.readers import RawSheet

GOOGLE_ADS_KPIS = (
    ("impr", "impressions"), ("clicks", "clicks"), ("clics", "clicks"), ("cost", "cost"), ("cout", "cost"),
    ("conversions", "conversions"), ("conv value", "revenue"), ("valeur de conv", "revenue"),
)
GOOGLE_ADS_PERIODS = ("day", "jour", "date", "week", "semaine", "month", "mois", "quarter", "trimestre",
                      "year", "annee")
GOOGLE_ADS_FRENCH = frozenset({"campagne", "clics", "cout", "code de la devise", "jour", "mois", "semaine",
                               "type de campagne", "valeur de conv"})
ALL_TIME = frozenset({"all time", "toute la periode", "depuis le debut"})
_RANGE_SPLIT = re.compile(r"\s+[-–—]\s+")
GOOGLE_ADS_CHANNELS = (("search", "search"), ("recherche", "search"), ("display", "display"),
                       ("video", "video"), ("shopping", "shopping"), ("performance max", "performance max"),
                       ("demand gen", "demand gen"), ("application", "app"), ("app", "app"))
DEFAULT_GOOGLE_ADS_CHANNEL = "search"


def _date_range(text: object) -> tuple[tuple[date, date] | None, str | None] | None:
    """``"September 1, 2026 - September 30, 2026"`` → ((start, end), "mdy"); "All time" → (None, None)."""
    if not isinstance(text, str) or not text.strip():
        return None
    if fold(text) in ALL_TIME:
        return None, None
    parts = _RANGE_SPLIT.split(text.strip())
    if len(parts) not in (1, 2):
        return None
    days, bad = parsing.parse_dates(parts, order="dmy")
    if bad.any() or np.isnat(days).any() or days[-1] < days[0]:
        return None
    order = "mdy" if re.match(r"\s*[^\W\d]", parts[0]) else "dmy"
    return (days[0].astype(object), days[-1].astype(object)), order


def _google_ads_channel(cell: object) -> object:
    if is_blank(cell):
        return ""
    folded = fold(cell)
    for word, channel in GOOGLE_ADS_CHANNELS:
        if re.search(rf"\b{word}\b", folded):
            return channel
    return folded


def google_ads(sheet: RawSheet) -> Recognised | None:
    found = find_header(sheet, (("campaign", "campagne"), ("impr",), ("clicks", "clics"), ("cost", "cout")), 6)
    if found is None or found[0] < 1:
        return None
    i, index = found
    line = [c for c in sheet.rows[i - 1] if not is_blank(c)]
    period = _date_range(line[0]) if len(line) == 1 else None
    if period is None:
        return None
    span, order = period
    french = len(GOOGLE_ADS_FRENCH & index.keys()) >= 2
    rw = Rewrite(sheet, i)
    issues = []
    convention = locale_convention(rw, GOOGLE_ADS_KPIS, "fr" if french else "en")
    map_kpis(rw, GOOGLE_ADS_KPIS, convention)
    for name, role in (("campaign", "initiative"), ("campagne", "initiative"), ("currency code", "currency"),
                       ("code de la devise", "currency")):
        if name in index:
            rw.maps[rw.header[index[name]]] = role
    kind = first_of(index, "campaign type", "type de campagne")
    if kind is not None:
        cells = rw.column(kind)
        channel_of = {c: _google_ads_channel(c) for c in set(map(cell_text, cells))}
        rw.replace(kind, [channel_of[cell_text(c)] for c in cells])
        rw.maps[rw.header[kind]] = "channel"
        channels = tuple(sorted({c for c in rw.column(kind) if c}))
    else:
        rw.add(CHANNEL_HEADER, "channel", DEFAULT_GOOGLE_ADS_CHANNEL)
        channels = (DEFAULT_GOOGLE_ADS_CHANNEL,)
    day = first_of(index, *GOOGLE_ADS_PERIODS)
    if day is not None:
        if order and fold(rw.header[day]) in ("day", "jour", "date"):
            rewrite_dates(rw, day, order)
    elif span is not None:
        rw.add(START_HEADER, "period_start", span[0])
        rw.add(END_HEADER, "period_end", span[1])
    else:
        issues.append(sheet_issue(sheet, "all_time_report", "error",
                             "Rapport Google Ads « Toute la période » sans colonne Jour : les valeurs ne peuvent pas "
                             "être datées. Téléchargez-le à nouveau avec une plage de dates ou segmenté par jour.",
                             "Google Ads 'All time' report without a Day column: the values cannot be dated. "
                             "Download it again with a date range or segmented by day.", sheet.row_numbers[i - 1]))
    return Recognised("google_ads_campaign", rw.sheet(), rw.maps, None, channels, convention,
                      order if day is not None else None, span, issues)
