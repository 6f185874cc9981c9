"""Google Search Console performance exports (Search results), English and French interface.

What the export is (looked up before writing this module):

- Google's help, "Performance report (Search results)" (support.google.com/webmasters/answer/7576553): the
  report has four metrics, Clicks, Impressions, CTR and (average) Position, and tabs QUERIES, PAGES,
  COUNTRIES, DEVICES, SEARCH APPEARANCE and DATES; the EXPORT button writes one sheet (or one CSV of a zip) per
  tab. "About the data" (answer/17011364): CTR is clicks / impressions and the position is the topmost
  position, averaged; chart totals include anonymised queries that the QUERIES table never lists.
- A public schema of the standard export (code corpus, "Google Search Console Schema"): sheets ``Queries``,
  ``Pages``, ``Countries``, ``Devices``, ``Search appearance``, ``Dates``; first columns ``Top queries``,
  ``Top pages``, ``Country``, ``Device``, ``Search Appearance``, ``Date``; then ``Clicks``, ``Impressions``,
  ``CTR`` (``2.5%``), ``Position`` (``8.3``). The workbook also has a ``Filters`` sheet (``Filter`` /
  ``Value``: ``Search type`` ``Web``, ``Date`` ``Last 3 months``). The French interface writes ``Requêtes
  les plus fréquentes``, ``Pages les plus populaires``, ``Pays``, ``Appareil``, ``Clics``, ``Filtre`` /
  ``Valeur``.

How it is read:

- ``Dates``: one row per day; clicks and impressions are flows (channel ``organic search``, apart from Google
  Ads' paid ``search``); CTR and Position are a ratio and an average: never imported (the dashboard recomputes
  the CTR from clicks and impressions; an average position cannot be pooled without its weights).
- The breakdown sheets have no date and cover the same clicks as ``Dates`` (less the anonymised queries):
  recognised and deliberately not imported, so nothing is counted twice. ``Filters`` likewise.
- A comparison export (``Last 28 days Clicks`` / ``Previous 28 days Clicks`` in one row) dates the previous
  period's values on the current period's days: recognised and refused with an error saying what to download.
"""

from __future__ import annotations

import re

from kpis.catalog import fold
from kpis.ingest.exports.base import (
    CHANNEL_HEADER,
    Recognised,
    Rewrite,
    empty_sheet,
    find_header,
    header_index,
    is_blank,
    locale_convention,
    map_kpis,
    sheet_issue,
)
from kpis.ingest.readers import RawSheet

FORMAT = "google_search_console"
SEARCH_CONSOLE_CHANNEL = "organic search"
SEARCH_CONSOLE_KPIS = (("clicks", "clicks"), ("clics", "clicks"), ("impressions", "impressions"))
SEARCH_CONSOLE_FRENCH = frozenset({"clics", "pays", "appareil", "filtre", "valeur", "requetes les plus frequentes",
                                   "pages les plus populaires"})
_METRICS = (("clicks", "clics"), ("impressions",), ("ctr",), ("position",))
BREAKDOWNS = {
    "top queries": "queries", "requetes les plus frequentes": "queries", "requetes principales": "queries",
    "top pages": "pages", "pages les plus populaires": "pages", "pages principales": "pages",
    "country": "countries", "pays": "countries", "device": "devices", "appareil": "devices",
    "search appearance": "appearance", "apparence dans les resultats de recherche": "appearance",
}
_COMPARISON = re.compile(r"^(last|previous|derniers?|dernieres?|precedents?|precedentes?)\b.*\b(clicks|clics)$")


def search_console(sheet: RawSheet) -> Recognised | None:
    found = find_header(sheet, (("date",), *_METRICS), 3)
    if found is not None:
        return _dates(sheet, *found)
    for i, row in enumerate(sheet.rows[:3]):
        index = header_index(row)
        if any(_COMPARISON.match(h) for h in index) and "date" in index:
            return _comparison(sheet, i)
        first = fold(row[0]) if row and isinstance(row[0], str) else ""
        if first in BREAKDOWNS and all(any(m in index for m in group) for group in _METRICS):
            return _skipped(sheet, i, "search_console_breakdown",
                            "Répartition Search Console sans date (requêtes, pages, pays, appareils…) : non "
                            "importée. La feuille Dates donne déjà ces clics et impressions, jour par jour (ils "
                            "seraient comptés deux fois).",
                            "Search Console breakdown without dates (queries, pages, countries, devices…): not "
                            "imported. The Dates sheet already gives these clicks and impressions, day by day (they "
                            "would be counted twice).")
        if len(index) == 2 and set(index) in ({"filter", "value"}, {"filtre", "valeur"}) and _lists_search_type(
                sheet, i):
            return _skipped(sheet, i, "search_console_filters", "Filtres de l'export Search Console : non importés.",
                            "Filters of the Search Console export: not imported.")
    return None


def _dates(sheet: RawSheet, i: int, index: dict[str, int]) -> Recognised:
    rw = Rewrite(sheet, i)
    french = bool(SEARCH_CONSOLE_FRENCH & index.keys())
    convention = locale_convention(rw, SEARCH_CONSOLE_KPIS, "fr" if french else "en")
    map_kpis(rw, SEARCH_CONSOLE_KPIS, convention)
    rw.maps[rw.header[index["date"]]] = "period:day"
    for name in ("ctr", "position"):
        rw.maps[rw.header[index[name]]] = "ignore"
    rw.add(CHANNEL_HEADER, "channel", SEARCH_CONSOLE_CHANNEL)
    return Recognised(FORMAT, rw.sheet(), rw.maps, None, (SEARCH_CONSOLE_CHANNEL,), convention)


def _lists_search_type(sheet: RawSheet, i: int) -> bool:
    return any(row and isinstance(row[0], str) and fold(row[0]) in ("search type", "type de recherche")
               for row in sheet.rows[i + 1:i + 8])


def _skipped(sheet: RawSheet, i: int, code: str, fr: str, en: str) -> Recognised:
    return Recognised(FORMAT, empty_sheet(sheet), {}, None, (SEARCH_CONSOLE_CHANNEL,),
                      issues=[sheet_issue(sheet, code, "info", fr, en, sheet.row_numbers[i])])


def _comparison(sheet: RawSheet, i: int) -> Recognised:
    row = sheet.rows[i]
    j = next(j for j, h in enumerate(row) if not is_blank(h) and _COMPARISON.match(fold(h)))
    return Recognised(FORMAT, empty_sheet(sheet), {}, None, (SEARCH_CONSOLE_CHANNEL,), issues=[sheet_issue(
        sheet, "search_console_comparison", "error",
        "Export Search Console en mode comparaison : chaque ligne mêle deux périodes, les valeurs de la période "
        "précédente ne peuvent pas être datées. Exportez à nouveau sans comparaison (une seule plage de dates).",
        "Search Console export in comparison mode: each row mixes two periods, the previous period's values cannot "
        "be dated. Export again without a comparison (one date range).", sheet.row_numbers[i], j)])
