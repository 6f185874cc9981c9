"""Recognise the exports teams really download, by their headers and layout, never the file name.

    >>> sheet = RawSheet("x", [["Report Refresh Date", "Report Date", "Liked", "Posted", "Read",
    ...                         "Report Period"], ["2026-09-30", "2026-09-29", "4", "2", "40", "7"]], [1, 2])
    >>> found = recognise(sheet)
    >>> found.format, found.segment, found.channels, found.maps["Posted"]
    ('m365_daily_counts', 'B2E', ('ESN',), 'contributions:en')

``recognise(raw)`` returns ``None`` for a sheet that is no known export (a
near miss included: one required header missing is enough), else a
``Recognised`` whose ``sheet`` and ``maps`` are all ingestion needs:

- ``sheet`` is the sheet to read, header first (title lines, comment blocks
  and blank-label grand totals removed; row numbers are the source's). What
  the format implies and the file does not say is written into it as
  constant columns appended on the right, so that the file's own columns
  keep their letters: ``Date de début`` / ``Date de fin`` (the file-level
  period), ``Canal`` (the channel), ``Segment`` (``B2E`` for Microsoft 365).
  Text dates whose order the format settles (LinkedIn ``MM/DD/YYYY``,
  Google Ads in US English) are rewritten as dates.
- ``maps`` forces every column the format knows (header text → a ``--map``
  target): its KPI columns, suffixed ``:en``/``:fr`` when the format's
  locale settles ambiguous numbers (``1,103``), its dimensions, and
  ``ignore`` for every other column the catalog would have taken as a KPI
  (LinkedIn ``(organic)``/``(sponsored)``, Meta ``Reach`` and ``Results``,
  Google Ads ``All conv.``). A user's ``--map`` wins over them.
- Per-user and per-group Microsoft 365 reports are aggregated here: the
  returned sheet has one row per report window (× breakdown), no user
  principal name, display name or id. A breakdown describing fewer than
  ``MIN_GROUP_SIZE`` people is folded into ``"(other)"``. ``issues`` quote
  row numbers and column letters only, never a cell.
- Enterprise social network message exports (``esn``) are read, scored for tone and aggregated by month ×
  group (``kpis.esn``); no author, text or id leaves the recogniser.
- A sheet with no rows means "deliberately not imported" (LinkedIn
  per-post and demographic sheets, which would count twice or have no
  date); ``issues`` say why.

``segment``, ``channels``, ``number_convention``, ``date_order`` and ``period``
are already applied to ``sheet`` and ``maps``; they are there for the
Importer page to show what the format implies.
"""
from __future__ import annotations

from typing import Callable

from kpis.ingest.exports.base import MIN_GROUP_SIZE, Recognised
from kpis.ingest.exports.crm import hubspot_deals, salesforce_opportunities
from kpis.ingest.exports.email_campaigns import hubspot_email, mailchimp
from kpis.ingest.exports.esn import EsnOptions, esn_messages
from kpis.ingest.exports.ga4 import ga4
from kpis.ingest.exports.google_ads import google_ads
from kpis.ingest.exports.instagram import instagram_content
from kpis.ingest.exports.linkedin import linkedin
from kpis.ingest.exports.m365 import (
    daily_counts,
    sharepoint_sites,
    teams_team_activity,
    teams_user_activity,
    viva_groups,
    viva_user_detail,
)
from kpis.ingest.exports.matomo import matomo
from kpis.ingest.exports.meta import meta_ads
from kpis.ingest.exports.search_console import search_console
from kpis.ingest.exports.youtube import youtube_studio
from kpis.ingest.readers import RawSheet

__all__ = ["Recognised", "recognise", "EsnOptions", "FORMATS", "MIN_GROUP_SIZE", "RECOGNISERS"]

RECOGNISERS: tuple[Callable[[RawSheet], Recognised | None], ...] = (
    viva_user_detail, teams_user_activity, teams_team_activity, viva_groups, sharepoint_sites, daily_counts,
    esn_messages, google_ads, ga4, meta_ads, linkedin, search_console, matomo, mailchimp, hubspot_email,
    salesforce_opportunities, hubspot_deals, youtube_studio, instagram_content,
)
"""Tried in order; the first that recognises a sheet wins (the Microsoft 365 ones are the most specific)."""

FORMATS = (
    "google_ads_campaign", "ga4", "linkedin_visitors", "linkedin_followers", "linkedin_content", "meta_ads",
    "m365_viva_engage_user_detail", "m365_viva_engage_groups", "m365_sharepoint_site_usage",
    "m365_teams_user_activity", "m365_daily_counts", "google_search_console", "matomo", "mailchimp_campaigns",
    "hubspot_email", "salesforce_opportunities", "hubspot_deals",
    "youtube_studio", "m365_teams_team_activity", "esn_viva_engage_messages", "esn_messages", "instagram_content",
)



def recognise(sheet: RawSheet, esn: EsnOptions | None = None) -> Recognised | None:
    """The known export this sheet is, rewritten for ingestion, or None (``esn``: how a social network's
    message export is read, from the settings).

        >>> recognise(RawSheet("x", [["Date", "Clics"], ["01/09/2026", "3"]], [1, 2])) is None
        True
    """
    for detect in RECOGNISERS:
        found = esn_messages(sheet, esn) if detect is esn_messages else detect(sheet)
        if found is not None:
            return found
    return None

