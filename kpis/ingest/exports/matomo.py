"""Matomo (ex-Piwik) "Visits overview" exports, English and French interface.

What the export is (looked up before writing this module):

- Matomo's CSV renderer (``core/DataTable/Renderer/Csv.php`` in matomo-org/matomo): comma-separated, one
  header record, converted to UTF-16LE with a BOM by default (``convertToUnicode``) so that Excel opens it;
  a report over several periods gets the period key as its first column (``date``, translated ``Date``).
- The metric names of the Visits Summary (Matomo's API metadata, ``VisitsSummary.get``): ``nb_visits``
  "Visits", ``nb_uniq_visitors`` "Unique visitors", ``nb_actions`` "Actions", ``max_actions`` "Maximum
  actions in one visit", ``bounce_count`` "Bounces", ``sum_visit_length`` "Total time spent by visitors (in
  seconds)", ``nb_visits_converted`` "Visits with Conversions", ``nb_actions_per_visit`` "Actions per Visit",
  ``avg_time_on_site`` "Avg. Visit Duration (in seconds)", ``bounce_rate`` "Bounce Rate"; ``nb_users``
  "Users" (logged-in user ids). Their French names (``lang/fr.json``): "Visites", "Visiteurs uniques",
  "Actions", "Nombre maximum d'actions en une visite", "Rebonds", "Temps total passé par les visiteurs (en
  secondes)", "Visites avec Conversions", "Actions par visite", "Taux de rebond", "Utilisateurs".
- Unique visitors exist for days (and for weeks and months when the instance processes them); Matomo never
  sums them over days, nor does Passerelle (a distinct count: the mean of the native periods).

How it is read: visits are sessions and unique visitors unique visitors (channel ``web``); actions,
bounces, users (logged-in ids, not active users), visit lengths and every rate or average are not imported.
A week is written ``2026-08-31,2026-09-06``: it becomes a start and an end column. An export of one date range
without a Date column does not say its dates: refused with what to export instead.
"""

from __future__ import annotations

from kpis.catalog import fold
from kpis.ingest import parsing
from kpis.ingest.exports.base import (
    CHANNEL_HEADER,
    END_HEADER,
    START_HEADER,
    Recognised,
    Rewrite,
    cell_text,
    empty_sheet,
    find_header,
    first_of,
    is_blank,
    locale_convention,
    map_kpis,
    sheet_issue,
)
from kpis.ingest.readers import RawSheet

FORMAT = "matomo"
MATOMO_CHANNEL = "web"
MATOMO_KPIS = (
    ("visits", "sessions"), ("visites", "sessions"), ("nb visits", "sessions"),
    ("unique visitors", "unique_visitors"), ("visiteurs uniques", "unique_visitors"),
    ("nb uniq visitors", "unique_visitors"),
    ("pageviews", "page_views"), ("nb pageviews", "page_views"), ("total des pages vues", "page_views"),
)
MATOMO_REQUIRED = (
    ("visits", "visites", "nb visits"),
    ("actions", "nb actions"),
    ("maximum actions in one visit", "nombre maximum d actions en une visite", "max actions", "bounces", "rebonds",
     "bounce count"),
)
MATOMO_FRENCH = frozenset({"visites", "visiteurs uniques", "rebonds", "utilisateurs", "actions par visite"})


def matomo(sheet: RawSheet) -> Recognised | None:
    found = find_header(sheet, MATOMO_REQUIRED, 3)
    if found is None:
        return None
    i, index = found
    rw = Rewrite(sheet, i)
    french = bool(MATOMO_FRENCH & index.keys())
    convention = locale_convention(rw, MATOMO_KPIS, "fr" if french else "en")
    map_kpis(rw, MATOMO_KPIS, convention)
    for h in rw.header:  # "Visites avec Conversions", "Utilisateurs": Matomo's meanings, not the catalog's
        if isinstance(h, str) and h.strip() and h not in rw.maps and fold(h) not in ("date", "label", "libelle"):
            rw.maps[h] = "ignore"
    date_col = first_of(index, "date")
    if date_col is None:
        return Recognised(FORMAT, empty_sheet(sheet), {}, None, (MATOMO_CHANNEL,), convention, issues=[sheet_issue(
            sheet, "matomo_no_date", "error",
            "Export Matomo sans colonne Date : la période couverte n'est pas dans le fichier. Exportez le "
            "rapport par jour, semaine ou mois (la colonne Date apparaît alors).",
            "Matomo export without a Date column: the period covered is not in the file. Export the report by "
            "day, week or month (the Date column then appears).", sheet.row_numbers[i])])
    cells = rw.column(date_col)
    if any(isinstance(c, str) and "," in c for c in cells):  # weeks and ranges: "2026-08-31,2026-09-06"
        starts, ends = zip(*(_bounds(c) for c in cells), strict=True) if cells else ((), ())
        rw.maps[rw.header[date_col]] = "ignore"
        rw.add(START_HEADER, "period_start", list(starts))
        rw.add(END_HEADER, "period_end", list(ends))
    else:
        rw.maps[rw.header[date_col]] = "period"
    rw.add(CHANNEL_HEADER, "channel", MATOMO_CHANNEL)
    return Recognised(FORMAT, rw.sheet(), rw.maps, None, (MATOMO_CHANNEL,), convention)


def _bounds(cell: object) -> tuple[object, object]:
    """``"2026-08-31,2026-09-06"`` → (31 Aug, 6 Sep); anything else stays as it is for ingestion to report."""
    text = cell_text(cell)
    parts = [p.strip() for p in text.split(",")]
    if len(parts) == 2 and not any(is_blank(p) for p in parts):
        days, bad = parsing.parse_dates(parts)
        if not bad.any():
            return days[0].astype(object), days[1].astype(object)
    return cell, cell
