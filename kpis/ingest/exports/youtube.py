"""YouTube Studio analytics exports (advanced mode, "Export current view" as CSV or Google Sheets).

What the export is (looked up before writing this module):

- YouTube Studio's advanced mode exports a zip of three tables: ``Table data.csv`` (the table as shown,
  a ``Total`` row first), ``Chart data.csv`` (the chart's metric per day and per item) and ``Totals.csv``
  (the chart's metric per day). The table's first column is the dimension chosen (``Date``, or ``Content``
  with ``Video title``, ``Video publish time``, ``Duration``); the metrics keep the names of the Reach and
  Engagement tabs: ``Views``, ``Watch time (hours)``, ``Subscribers`` (gained minus lost), ``Impressions``,
  ``Impressions click-through rate (%)``, and when added ``Subscribers gained`` and ``Subscribers lost``
  (public notes on the export in the code corpus: "Impressions click-through rate (%): the percentage of
  impressions that resulted in views"; the Studio guides: "Views — total video plays", "Watch time (hours)").
- The French interface writes ``Vues``, ``Durée de visionnage (heures)``, ``Abonnés``, ``Impressions``,
  ``Taux de clics des impressions (%)``, ``Contenu``, ``Titre de la vidéo``, ``Abonnés obtenus``, ``Abonnés
  perdus`` (as the French Studio labels its metrics; no French export was at hand to check).

How it is read: per day (``Date``), views are video views, watch time hours, impressions impressions, gained
and lost subscribers new and lost followers (channel ``YouTube``); the net ``Subscribers`` and every rate or
average are not imported (the view rate is recomputed from views and impressions). Chart data gives one metric
per day and video: the video title is the initiative. The ``Total`` row is dropped. A table by content has no
dates: recognised and not imported, with what to export instead.
"""

from __future__ import annotations

import numpy as np

from kpis.catalog import fold
from kpis.ingest.exports.base import (
    CHANNEL_HEADER,
    Recognised,
    Rewrite,
    empty_sheet,
    first_of,
    header_index,
    is_blank,
    locale_convention,
    map_kpis,
    sheet_issue,
)
from kpis.ingest.readers import RawSheet

FORMAT = "youtube_studio"
YOUTUBE_CHANNEL = "YouTube"
YOUTUBE_KPIS = (
    ("views", "video_views"), ("vues", "video_views"),
    ("watch time hours", "watch_time_hours"), ("duree de visionnage heures", "watch_time_hours"),
    ("impressions", "impressions"),
    ("subscribers gained", "new_followers"), ("abonnes obtenus", "new_followers"),
    ("abonnes gagnes", "new_followers"),
    ("subscribers lost", "lost_followers"), ("abonnes perdus", "lost_followers"),
)
_METRICS = ("views", "vues", "watch time hours", "duree de visionnage heures")
_CONTENT = ("content", "contenu")
_TITLES = ("video title", "titre de la video")
_FRENCH = frozenset({"vues", "contenu", "duree de visionnage heures", "abonnes", "titre de la video"})
_STUDIO_ONLY = ("watch time hours", "duree de visionnage heures", "impressions click through rate",
                "taux de clics des impressions", "video publish time", "heure de publication de la video",
                "video title", "titre de la video")
"""Headers only YouTube Studio writes: with a views or watch time column they make the sheet a Studio export."""


def youtube_studio(sheet: RawSheet) -> Recognised | None:
    for i, row in enumerate(sheet.rows[:3]):
        index = header_index(row)
        first = fold(row[0]) if row and isinstance(row[0], str) else ""
        if not any(m in index for m in _METRICS) or not any(h in index for h in _STUDIO_ONLY):
            continue
        if first == "date":  # Table data by date, or Chart data (Date, Content, Video title…, one metric)
            return _by_date(sheet, i, index)
        if first in _CONTENT:
            return Recognised(FORMAT, empty_sheet(sheet), {}, None, (YOUTUBE_CHANNEL,), issues=[sheet_issue(
                sheet, "youtube_by_content", "info",
                "Tableau YouTube Studio par contenu, sans date : non importé. Exportez la vue par date (ou le "
                "fichier « Chart data ») pour dater les vues.",
                "YouTube Studio table by content, without dates: not imported. Export the view by date (or the "
                "\"Chart data\" file) to date the views.", sheet.row_numbers[i])])
    return None


def _by_date(sheet: RawSheet, i: int, index: dict[str, int]) -> Recognised:
    rw = Rewrite(sheet, i)
    french = bool(_FRENCH & index.keys())
    convention = locale_convention(rw, YOUTUBE_KPIS, "fr" if french else "en")
    map_kpis(rw, YOUTUBE_KPIS, convention)
    for h in rw.header:  # net subscribers, rates, averages, publish time, duration, video ids: not imported
        if isinstance(h, str) and h.strip() and h not in rw.maps:
            rw.maps[h] = "ignore"
    rw.maps[rw.header[index["date"]]] = "period:day"
    title = first_of(index, *_TITLES)
    if title is not None:
        rw.maps[rw.header[title]] = "initiative"
    date_col = index["date"]
    total = np.array([isinstance(r[date_col], str) and fold(r[date_col]) == "total" for r in rw.body], dtype=bool)
    issues = [sheet_issue(sheet, "total_row", "info", "Ligne « Total » de YouTube Studio : non importée.",
                          "YouTube Studio \"Total\" row: not imported.", rw.numbers[k + 1])
              for k in np.flatnonzero(total)]
    rw.keep(~total)
    if title is not None:  # Chart data: an item without a title is the channel's own row
        rw.replace(title, [c if not is_blank(c) else "(chaîne)" for c in rw.column(title)])
    rw.add(CHANNEL_HEADER, "channel", YOUTUBE_CHANNEL)
    return Recognised(FORMAT, rw.sheet(), rw.maps, None, (YOUTUBE_CHANNEL,), convention, issues=issues)
