"""Recognise the exports teams really download, by their headers and layout, never the file name.

    >>> sheet = RawSheet("x", [["Report Refresh Date", "Report Date", "Liked", "Posted", "Read",
    ...                         "Report Period"], ["2026-09-30", "2026-09-29", "4", "2", "40", "7"]], [1, 2])
    >>> found = recognise(sheet)
    >>> found.format, found.segment, found.channels, found.maps["Posted"]
    ('m365_daily_counts', 'B2E', ('ESN',), 'contributions')

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
- A sheet with no rows means "deliberately not imported" (LinkedIn
  per-post and demographic sheets, which would count twice or have no
  date); ``issues`` say why.

``segment``, ``channels``, ``number_convention``, ``date_order`` and ``period``
are already applied to ``sheet`` and ``maps``; they are there for the
Importer page to show what the format implies.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from typing import Callable, Sequence

import numpy as np

from kpis import ingest, parsing
from kpis.catalog import KPIS, fold, match_header
from kpis.model import ALL, OTHER
from kpis.readers import RawSheet

__all__ = ["Recognised", "recognise", "FORMATS", "MIN_GROUP_SIZE"]

MIN_GROUP_SIZE = 5
"""A breakdown of per-user rows describing fewer people is folded into ``"(other)"``."""

HEADER_SEARCH_ROWS = 12
"""A format's header is looked for in the first rows (title lines, note rows above it)."""

CONVENTION_SAMPLE = 5000
"""Cells per KPI column that vote on the number convention (exports write every row the same way)."""

START_HEADER, END_HEADER, CHANNEL_HEADER, SEGMENT_HEADER = "Date de début", "Date de fin", "Canal", "Segment"

FORMATS = (
    "google_ads_campaign", "ga4", "linkedin_visitors", "linkedin_followers", "linkedin_content", "meta_ads",
    "m365_viva_engage_user_detail", "m365_viva_engage_groups", "m365_sharepoint_site_usage",
    "m365_teams_user_activity", "m365_daily_counts",
)


@dataclass
class Recognised:
    """A sheet recognised as a known export, rewritten so that ingestion reads it without a mapping."""

    format: str
    sheet: RawSheet
    maps: dict[str, str]
    segment: str | None = None  # "B2E" for Microsoft 365 (also a Segment column); None: the user is asked
    channels: tuple[str, ...] = ()  # channels the sheet carries ("search", "display"…; "ESN"); () for GA4's own
    number_convention: str | None = None  # "en"/"fr", applied as ":en"/":fr" on the KPI maps
    date_order: str | None = None  # "mdy"/"dmy", applied by rewriting text dates
    period: tuple[date, date] | None = None  # the file-level period (title line, comment block, report window)
    issues: list = field(default_factory=list)  # kpis.ingest.Issue, original row numbers, no personal data


def recognise(sheet: RawSheet) -> Recognised | None:
    """The known export this sheet is, rewritten for ingestion, or None.

        >>> recognise(RawSheet("x", [["Date", "Clics"], ["01/09/2026", "3"]], [1, 2])) is None
        True
    """
    for detect in _DETECTORS:
        found = detect(sheet)
        if found is not None:
            return found
    return None


# --- headers and cells ------------------------------------------------------------------------


def _index(row: Sequence) -> dict[str, int]:
    """Folded header text → its first column."""
    out: dict[str, int] = {}
    for j, cell in enumerate(row):
        if isinstance(cell, str) and cell.strip():
            out.setdefault(fold(cell), j)
    return out


def _find(index: dict[str, int], *names: str) -> int | None:
    for name in names:
        if name in index:
            return index[name]
    return None


def _header(sheet: RawSheet, required: Sequence[Sequence[str]], rows: int = HEADER_SEARCH_ROWS):
    """(row index, folded index) of the first row holding one of each group of folded headers."""
    for i, row in enumerate(sheet.rows[:rows]):
        index = _index(row)
        if all(any(name in index for name in group) for group in required):
            return i, index
    return None


_text = parsing.cell_text


def _blank(cell: object) -> bool:
    return parsing.is_missing(cell) or (isinstance(cell, str) and not cell.strip())


def _unique(header: list, name: str) -> str:
    """``name``, or ``name (format)`` when the file already has a column of that name."""
    taken = {fold(h) for h in header if isinstance(h, str)}
    return name if fold(name) not in taken else f"{name} (format)"


def _issue(sheet: RawSheet, code: str, severity: str, fr: str, en: str, row=None, column: int | None = None):
    return ingest.Issue(code, severity, fr, en, sheet.name, None if row is None else int(row),
                        None if column is None else ingest.column_letter(column))


# --- the rewritten sheet ----------------------------------------------------------------------


class _Rewrite:
    """The rows from the header down, copied (the source is never mutated), with constant columns added."""

    def __init__(self, sheet: RawSheet, header_idx: int):
        self.source = sheet
        self.header = list(sheet.rows[header_idx])
        body = sheet.rows[header_idx + 1:]
        self.width = max([len(self.header)] + [len(r) for r in body])
        self.header += [""] * (self.width - len(self.header))
        self.body = [r[:] if len(r) == self.width else list(r) + [""] * (self.width - len(r)) for r in body]
        self.numbers = list(sheet.row_numbers[header_idx:])
        self.maps: dict[str, str] = {}

    def column(self, j: int) -> list:
        return [r[j] for r in self.body]

    def replace(self, j: int, values: Sequence) -> None:
        for row, value in zip(self.body, values):
            row[j] = value

    def add(self, name: str, target: str, values) -> None:
        """Append a column (a constant or one value per body row) mapped to ``target``."""
        name = _unique(self.header, name)
        self.header.append(name)
        per_row = isinstance(values, (list, tuple, np.ndarray))
        for i, row in enumerate(self.body):
            row.append(values[i] if per_row else values)
        self.maps[name] = target

    def keep(self, mask: Sequence[bool]) -> None:
        self.body = [r for r, k in zip(self.body, mask) if k]
        self.numbers = self.numbers[:1] + [n for n, k in zip(self.numbers[1:], mask) if k]

    def sheet(self) -> RawSheet:
        return RawSheet(self.source.name, [self.header] + self.body, self.numbers, self.source.hidden,
                        [], dict(self.source.meta))


def _empty(sheet: RawSheet) -> RawSheet:
    return RawSheet(sheet.name, [], [], sheet.hidden, [], dict(sheet.meta))


def _kpi_maps(rw: _Rewrite, kpis: Sequence[tuple[str, str]], convention: str | None) -> None:
    """Map the format's KPI columns (the first header found per KPI wins) and ignore every other KPI-like one.

    ``kpis`` lists (folded header, KPI code) in order of preference.
    """
    index = _index(rw.header)
    taken: set[str] = set()
    for name, kpi in kpis:
        j = index.get(name)
        if j is None or kpi in taken or rw.header[j] in rw.maps:
            continue
        taken.add(kpi)
        rw.maps[rw.header[j]] = f"{kpi}:{convention}" if convention else kpi
    for h in rw.header:
        if isinstance(h, str) and h.strip() and h not in rw.maps:
            m = match_header(h)
            if m is not None and m.role == "kpi":
                rw.maps[h] = "ignore"


def _locale_convention(rw: _Rewrite, kpis: Sequence[tuple[str, str]], default: str | None) -> str | None:
    """What the KPI columns' strings say (``2,144.69`` en, ``12,5`` fr; a sample of each), else the locale's."""
    index = _index(rw.header)
    cells = [c for name, _ in kpis if name in index for c in rw.column(index[name])[:CONVENTION_SAMPLE]
             if isinstance(c, str)]
    return parsing.number_convention(cells) or default


def _rewrite_dates(rw: _Rewrite, j: int, order: str) -> None:
    """Text dates of column j read in ``order`` become dates; unreadable cells stay for ingestion to report."""
    cells = rw.column(j)
    days, bad = parsing.parse_dates(cells, order=order)
    rw.replace(j, [c if (b or d is None) else d for c, d, b in zip(cells, days.astype(object).tolist(), bad)])


def _rows_with_labels_blank(rw: _Rewrite, label_cols: list[int], metric_cols: list[int]) -> np.ndarray:
    """Rows with every label blank and a number: a grand-total row without a label."""
    out = np.zeros(len(rw.body), dtype=bool)
    if not label_cols:
        return out
    for i, row in enumerate(rw.body):
        out[i] = all(_blank(row[j]) for j in label_cols) and any(not _blank(row[j]) for j in metric_cols)
    return out


# --- Google Ads -------------------------------------------------------------------------------

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
    if _blank(cell):
        return ""
    folded = fold(cell)
    for word, channel in GOOGLE_ADS_CHANNELS:
        if re.search(rf"\b{word}\b", folded):
            return channel
    return folded


def _google_ads(sheet: RawSheet) -> Recognised | None:
    found = _header(sheet, (("campaign", "campagne"), ("impr",), ("clicks", "clics"), ("cost", "cout")), 6)
    if found is None or found[0] < 1:
        return None
    i, index = found
    line = [c for c in sheet.rows[i - 1] if not _blank(c)]
    period = _date_range(line[0]) if len(line) == 1 else None
    if period is None:
        return None
    span, order = period
    french = len(GOOGLE_ADS_FRENCH & index.keys()) >= 2
    rw = _Rewrite(sheet, i)
    issues = []
    convention = _locale_convention(rw, GOOGLE_ADS_KPIS, "fr" if french else "en")
    _kpi_maps(rw, GOOGLE_ADS_KPIS, convention)
    for name, role in (("campaign", "initiative"), ("campagne", "initiative"), ("currency code", "currency"),
                       ("code de la devise", "currency")):
        if name in index:
            rw.maps[rw.header[index[name]]] = role
    kind = _find(index, "campaign type", "type de campagne")
    if kind is not None:
        cells = rw.column(kind)
        channel_of = {c: _google_ads_channel(c) for c in set(map(_text, cells))}
        rw.replace(kind, [channel_of[_text(c)] for c in cells])
        rw.maps[rw.header[kind]] = "channel"
        channels = tuple(sorted({c for c in rw.column(kind) if c}))
    else:
        rw.add(CHANNEL_HEADER, "channel", DEFAULT_GOOGLE_ADS_CHANNEL)
        channels = (DEFAULT_GOOGLE_ADS_CHANNEL,)
    day = _find(index, *GOOGLE_ADS_PERIODS)
    if day is not None:
        if order and fold(rw.header[day]) in ("day", "jour", "date"):
            _rewrite_dates(rw, day, order)
    elif span is not None:
        rw.add(START_HEADER, "period_start", span[0])
        rw.add(END_HEADER, "period_end", span[1])
    else:
        issues.append(_issue(sheet, "all_time_report", "error",
                             "Rapport Google Ads « Toute la période » sans colonne Jour : les valeurs ne peuvent pas "
                             "être datées. Téléchargez-le à nouveau avec une plage de dates ou segmenté par jour.",
                             "Google Ads 'All time' report without a Day column: the values cannot be dated. "
                             "Download it again with a date range or segmented by day.", sheet.row_numbers[i - 1]))
    return Recognised("google_ads_campaign", rw.sheet(), rw.maps, None, channels, convention,
                      order if day is not None else None, span, issues)


# --- Google Analytics 4 -----------------------------------------------------------------------

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


def _is_label_column(rw: _Rewrite, j: int) -> bool:
    """A column of labels (channel group, date, page path…), as opposed to a column of numbers."""
    h = rw.header[j]
    if _blank(h) or rw.maps.get(h) in ("channel", "period:day"):
        return not _blank(h)
    if h in rw.maps or getattr(match_header(h), "role", None) in ("kpi", "ratio"):
        return False
    filled = [c for c in rw.column(j) if not _blank(c)]
    texts = sum(isinstance(c, str) and not _NUMBER_LIKE.match(c) for c in filled)
    return texts * 2 > len(filled)


def _ga4(sheet: RawSheet) -> Recognised | None:
    comments = list(sheet.comments)
    skip = 0
    while skip < len(sheet.rows) and isinstance(sheet.rows[skip][0] if sheet.rows[skip] else None, str) \
            and str(sheet.rows[skip][0]).startswith("#"):
        comments.append(" ".join(_text(c) for c in sheet.rows[skip]).lstrip("#").strip())
        skip += 1
    dates = {}
    for line in comments:
        m = _GA4_DATE.match(fold(line))
        if m:
            dates["start" if m[1] in ("start date", "date de debut") else "end"] = m[2]
    if set(dates) != {"start", "end"} or skip >= len(sheet.rows):
        return None
    index = _index(sheet.rows[skip])
    if not any(name in index for name, _ in GA4_KPIS):
        return None
    days, bad = parsing.parse_dates([dates["start"], dates["end"]])
    if bad.any() or days[1] < days[0]:
        return None
    span = (days[0].astype(object), days[1].astype(object))
    rw = _Rewrite(sheet, skip)
    issues = []
    gaps = [k for k in range(1, len(rw.numbers) - 1) if rw.numbers[k + 1] - rw.numbers[k] > 1]
    if gaps:  # another table follows, after a blank line and its own comment block
        cut = gaps[0]
        issues.append(_issue(sheet, "ga4_other_tables", "info",
                             f"Seul le premier tableau de l'export GA4 est lu (lignes {rw.numbers[1]} à "
                             f"{rw.numbers[cut]}) ; les suivants sont ignorés.",
                             f"Only the first table of the GA4 export is read (rows {rw.numbers[1]} to "
                             f"{rw.numbers[cut]}); the following ones are ignored.", rw.numbers[cut + 1]))
        rw.keep([k < cut for k in range(len(rw.body))])
    english = bool(GA4_ENGLISH & index.keys())
    convention = _locale_convention(rw, GA4_KPIS, "en" if english else None)
    _kpi_maps(rw, GA4_KPIS, convention)
    for h in rw.header:
        f = fold(h) if isinstance(h, str) else ""
        if "channel group" in f or "groupe de canaux" in f:
            rw.maps[h] = "channel"
    date_col = _find(index, "date")
    if date_col is not None:
        rw.maps[rw.header[date_col]] = "period:day"
    labels = [j for j in range(rw.width) if _is_label_column(rw, j)]
    metric_cols = [j for j in range(rw.width) if j not in labels and not _blank(rw.header[j])]
    totals = _rows_with_labels_blank(rw, labels, metric_cols)
    for i in np.flatnonzero(totals):
        issues.append(_issue(sheet, "total_row", "info", "Ligne de total GA4 (sans libellé) : non importée.",
                             "GA4 total row (no label): not imported.", rw.numbers[i + 1]))
    rw.keep(~totals)
    if date_col is None:
        rw.add(START_HEADER, "period_start", span[0])
        rw.add(END_HEADER, "period_end", span[1])
    return Recognised("ga4", rw.sheet(), rw.maps, None, (), convention, None, span, issues)


# --- LinkedIn page analytics --------------------------------------------------------------------

LINKEDIN_CHANNEL = "social"
LINKEDIN_VISITORS_KPIS = (("total page views total", "page_views"), ("total unique visitors total", "unique_visitors"))
LINKEDIN_FOLLOWERS_KPIS = (("total followers", "new_followers"),)
LINKEDIN_CONTENT_KPIS = (("impressions total", "impressions"), ("clicks total", "clicks"),
                         ("reactions total", "reactions"), ("comments total", "comments"),
                         ("reposts total", "reposts"), ("shares total", "reposts"))
LINKEDIN_BREAKDOWNS = frozenset({"location", "job function", "seniority", "industry", "company size",
                                 "country region", "function"})


def _linkedin(sheet: RawSheet) -> Recognised | None:
    for fmt, required, kpis in (
        ("linkedin_visitors", (("date",), ("total page views total",), ("total unique visitors total",)),
         LINKEDIN_VISITORS_KPIS),
        ("linkedin_followers", (("date",), ("total followers",), ("organic followers",), ("sponsored followers",)),
         LINKEDIN_FOLLOWERS_KPIS),
        ("linkedin_content", (("date",), ("impressions total",), ("impressions organic",),
                              ("impressions sponsored",), ("clicks total",)), LINKEDIN_CONTENT_KPIS),
    ):
        found = _header(sheet, required)
        if found is None:
            continue
        i, index = found
        rw = _Rewrite(sheet, i)
        convention = _locale_convention(rw, kpis, "en")
        _kpi_maps(rw, kpis, convention)
        for h in rw.header:  # (organic), (sponsored), unique impressions: reported as ignored, not guessed
            if isinstance(h, str) and h.strip() and h not in rw.maps and re.search(
                    r"\b(organic|sponsored|desktop|mobile|auto invited)\b", fold(h)):
                rw.maps[h] = "ignore"
        date_col = index["date"]
        _rewrite_dates(rw, date_col, "mdy")
        rw.maps[rw.header[date_col]] = "period:day"
        rw.add(CHANNEL_HEADER, "channel", LINKEDIN_CHANNEL)
        return Recognised(fmt, rw.sheet(), rw.maps, None, (LINKEDIN_CHANNEL,), convention, "mdy")
    return _linkedin_companion(sheet)


def _linkedin_companion(sheet: RawSheet) -> Recognised | None:
    """Per-post and demographic sheets of the LinkedIn workbooks: recognised, deliberately not imported."""
    found = _header(sheet, (("post title",), ("post link",), ("impressions",), ("created date",)))
    if found is not None:
        return Recognised("linkedin_content", _empty(sheet), {}, None, (LINKEDIN_CHANNEL,), issues=[_issue(
            sheet, "linkedin_per_post", "info",
            "Détail par publication LinkedIn : non importé, la feuille des métriques quotidiennes donne déjà ces "
            "totaux (ils seraient comptés deux fois).",
            "LinkedIn per-post detail: not imported, the daily metrics sheet already gives these totals (they "
            "would be counted twice).", sheet.row_numbers[found[0]])])
    for i, row in enumerate(sheet.rows[:3]):
        cells = [fold(c) for c in row if not _blank(c)]
        if len(cells) == 2 and cells[0] in LINKEDIN_BREAKDOWNS and re.fullmatch(
                r"total (views|page views|followers)", cells[1]):
            fmt = "linkedin_followers" if "followers" in cells[1] else "linkedin_visitors"
            return Recognised(fmt, _empty(sheet), {}, None, (LINKEDIN_CHANNEL,), issues=[_issue(
                sheet, "linkedin_breakdown", "info",
                "Répartition LinkedIn sans date (lieu, fonction, secteur…) : non importée.",
                "LinkedIn breakdown without dates (location, function, industry…): not imported.",
                sheet.row_numbers[i])])
    return None


# --- Meta Ads Manager -----------------------------------------------------------------------------

META_CHANNEL = "social"
META_KPIS = (("impressions", "impressions"), ("link clicks", "clicks"), ("clics sur un lien", "clicks"))
META_FRENCH = frozenset({"debut des rapports", "fin des rapports", "nom de la campagne", "couverture"})
META_IGNORE = frozenset({"reach", "couverture", "results", "resultats", "result indicator",
                         "indicateur de resultats", "result type", "type de resultat", "starts", "ends", "debut",
                         "fin", "ad set name", "nom de l ensemble de publicites", "ad name", "nom de la publicite",
                         "clicks all", "clics tous"})


def _meta_ads(sheet: RawSheet) -> Recognised | None:
    found = _header(sheet, (("reporting starts", "debut des rapports"), ("reporting ends", "fin des rapports"),
                            ("impressions",)))
    if found is None:
        return None
    i, index = found
    spent = [h for h in index if h.startswith(("amount spent", "montant depense"))]
    if not spent:
        return None
    rw = _Rewrite(sheet, i)
    kpis = META_KPIS + tuple((h, "cost") for h in spent)
    french = bool(META_FRENCH & index.keys())
    convention = _locale_convention(rw, kpis, "fr" if french else "en")
    for name in META_IGNORE & index.keys():
        rw.maps[rw.header[index[name]]] = "ignore"
    _kpi_maps(rw, kpis, convention)
    for name, role in (("reporting starts", "period_start"), ("debut des rapports", "period_start"),
                       ("reporting ends", "period_end"), ("fin des rapports", "period_end"),
                       ("campaign name", "initiative"), ("nom de la campagne", "initiative")):
        if name in index:
            rw.maps[rw.header[index[name]]] = role
    for h in rw.header:  # Campaign delivery, Attribution setting…: attributes, not a second campaign or period
        if isinstance(h, str) and h.strip() and h not in rw.maps and getattr(match_header(h), "role", None) in (
                "initiative", "period", "period_start", "period_end"):
            rw.maps[h] = "ignore"
    has_channel = any(getattr(match_header(h), "role", None) == "channel" for h in rw.header
                      if isinstance(h, str) and h not in rw.maps)
    if not has_channel:
        rw.add(CHANNEL_HEADER, "channel", META_CHANNEL)
    return Recognised("meta_ads", rw.sheet(), rw.maps, None, () if has_channel else (META_CHANNEL,), convention)


# --- Microsoft 365 usage reports -----------------------------------------------------------------

M365_SEGMENT = "B2E"
M365_CHANNELS = {"yammer": "ESN", "viva engage": "ESN", "sharepoint": "intranet", "teams": "Teams",
                 "exchange": "email", "onedrive": "OneDrive", "skype for business": "Skype", "office 365": ALL,
                 "microsoft 365": ALL}
DELETED_STATES = frozenset({"deleted", "supprime"})


@dataclass
class _PerRow:
    """One M365 detail report parsed row by row: what each row adds to its group."""

    sheet: RawSheet
    header: list
    header_number: int
    index: dict[str, int]
    body: list[list]
    numbers: list[int]
    issues: list = field(default_factory=list)

    def cells(self, name: str) -> list:
        j = self.index[name]
        return [r[j] if j < len(r) else "" for r in self.body]

    def flag(self, name: str) -> np.ndarray:
        """True/False/Yes/No column as bools (missing or unreadable: False, a warning for unreadable)."""
        if name not in self.index:
            return np.zeros(len(self.body), dtype=bool)
        values, bad = parsing.parse_bools(self.cells(name))
        self._warn(bad, name, "Valeur oui/non illisible : lue comme non.", "Unreadable yes/no value: read as no.")
        return np.array([v is True for v in values], dtype=bool)

    def count(self, *names: str) -> np.ndarray:
        """The sum of count columns (missing: 0; unreadable: 0 with a warning)."""
        total = np.zeros(len(self.body))
        for name in names:
            if name not in self.index:
                continue
            values, bad = parsing.parse_numbers(self.cells(name), "en")
            self._warn(bad, name, "Nombre illisible : lu comme 0.", "Unreadable number: read as 0.")
            total += np.nan_to_num(values)
        return total

    def days(self, name: str) -> tuple[np.ndarray, np.ndarray]:
        cells = self.cells(name)
        return parsing.parse_dates(cells, order=parsing.date_order(cells) or "mdy")

    def _warn(self, bad: np.ndarray, name: str, fr: str, en: str, severity: str = "warning") -> None:
        for i in np.flatnonzero(bad):
            self.issues.append(_issue(self.sheet, "m365_cell", severity, fr, en, self.numbers[i], self.index[name]))

    def windows(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(start, end, ok): the report window of each row, refresh − period + 1 … refresh."""
        refresh, bad_refresh = self.days("report refresh date")
        period, bad_period = parsing.parse_numbers(self.cells("report period"), "en")
        bad = bad_refresh | np.isnat(refresh)
        self._warn(bad, "report refresh date", "Date d'actualisation du rapport illisible : ligne non comptée.",
                   "Unreadable report refresh date: row not counted.", "error")
        wrong = ~bad & (bad_period | np.isnan(period) | (period < 1) | (period != np.floor(period)))
        self._warn(wrong, "report period", "Période du rapport illisible (7, 30, 90 ou 180 jours attendus) : "
                   "ligne non comptée.", "Unreadable report period (7, 30, 90 or 180 days expected): row not "
                   "counted.", "error")
        ok = ~bad & ~wrong
        days = np.where(ok, np.nan_to_num(period), 1).astype(np.int64)
        end = np.where(ok, refresh, np.datetime64("NaT", "D"))
        return end - (days - 1), end, ok

    def active(self, end: np.ndarray, start: np.ndarray) -> np.ndarray:
        """Rows whose last activity date lies inside their window (unreadable: not active, a warning)."""
        last, bad = self.days("last activity date")
        self._warn(bad, "last activity date", "Date de dernière activité illisible : utilisateur compté inactif.",
                   "Unreadable last activity date: counted as inactive.")
        return ~np.isnat(last) & (last >= start) & (last <= end)

    def breakdown(self, standard: frozenset[str]) -> tuple[list[tuple], list[str]]:
        """Labels per row of the columns a team added that name an entity exactly (Department, Site, Pays…),
        and their headers; the report's own columns never are."""
        dims = [(j, _text(self.header[j])) for name, j in self.index.items() if name not in standard
                and getattr(match_header(name), "role", None) == "entity" and match_header(name).match == "exact"]
        dims.sort()
        labels = [tuple(_text(r[j]) if j < len(r) and not _blank(r[j]) else ALL for j, _ in dims) for r in self.body]
        return labels, [h for _, h in dims]


def _fold_small(labels: list[tuple], people: np.ndarray, windows: list) -> list[tuple]:
    """Labels of groups describing fewer than MIN_GROUP_SIZE people become (other), per window.

    When (other) is itself too small, the next smallest groups join it, so that no published group —
    (other) included — describes fewer than MIN_GROUP_SIZE people (unless the whole window does).
    """
    out = list(labels)
    if not labels or all(all(v == ALL for v in lab) for lab in labels):
        return out
    width = len(labels[0])
    other = (OTHER,) * width
    for w in set(windows):
        rows = [i for i, x in enumerate(windows) if x == w]
        sizes: dict[tuple, float] = {}
        for i in rows:
            sizes[out[i]] = sizes.get(out[i], 0) + people[i]
        small = {lab for lab, n in sizes.items() if n < MIN_GROUP_SIZE}
        folded = sum(sizes[lab] for lab in small)
        rest = sorted((n, lab) for lab, n in sizes.items() if lab not in small)
        while small and folded < MIN_GROUP_SIZE and rest:
            n, lab = rest.pop(0)
            small.add(lab)
            folded += n
        for i in rows:
            if out[i] in small:
                out[i] = other
    return out


def _aggregate(pr: _PerRow, channel: str, start: np.ndarray, end: np.ndarray, ok: np.ndarray,
               values: dict[str, np.ndarray], people: np.ndarray,
               labels: list[tuple] | None = None) -> tuple[list[list], list[int], list[str]]:
    """One row per window × label: the sum of each KPI's per-row values; the first source row numbers it."""
    labels = labels if labels is not None else [()] * len(pr.body)
    windows = [(s, e) for s, e in zip(start.tolist(), end.tolist())]
    kept = [i for i in range(len(pr.body)) if ok[i]]
    folded = _fold_small([labels[i] for i in kept], people[kept], [windows[i] for i in kept])
    groups: dict[tuple, list] = {}
    for i, lab in zip(kept, folded):
        key = (windows[i], lab)
        if key not in groups:
            groups[key] = [pr.numbers[i], {k: 0.0 for k in values}]
        for k, v in values.items():
            groups[key][1][k] += float(v[i])
    rows, numbers = [], []
    for ((s, e), lab), (number, sums) in sorted(groups.items(), key=lambda kv: kv[1][0]):
        rows.append([s, e, M365_SEGMENT, channel, *lab, *(sums[k] for k in values)])
        numbers.append(number)
    return rows, numbers, list(values)


def _m365_sheet(pr: _PerRow, fmt: str, channel: str, parts: list[tuple[list[list], list[int], list[str]]],
                label_headers: Sequence[str], label_role: str) -> Recognised:
    """The aggregated sheet: period, segment, channel, labels, then one column per KPI (blank where not given)."""
    kpis = list(dict.fromkeys(k for _, _, ks in parts for k in ks))
    header = [START_HEADER, END_HEADER, SEGMENT_HEADER, CHANNEL_HEADER, *label_headers,
              *(KPIS[k].label_fr for k in kpis)]
    maps = {START_HEADER: "period_start", END_HEADER: "period_end", SEGMENT_HEADER: "segment",
            CHANNEL_HEADER: "channel", **{h: label_role for h in label_headers},
            **{KPIS[k].label_fr: k for k in kpis}}
    rows, numbers = [], []
    fixed = 4 + len(label_headers)
    for body, nums, ks in parts:
        for row, number in zip(body, nums):
            values = dict(zip(ks, row[fixed:]))
            rows.append(row[:fixed] + [values.get(k, "") for k in kpis])
            numbers.append(number)
    order = sorted(range(len(rows)), key=lambda r: numbers[r])
    sheet = RawSheet(pr.sheet.name, [header] + [rows[r] for r in order],
                     [pr.header_number] + [numbers[r] for r in order], pr.sheet.hidden, [], dict(pr.sheet.meta))
    starts = [r[0] for r in rows]
    period = (min(starts), max(r[1] for r in rows)) if rows else None
    issues = sorted(pr.issues, key=lambda i: (i.row or 0, i.column or ""))
    return Recognised(fmt, sheet, maps, M365_SEGMENT, (channel,), None, None, period, issues)


def _per_row(sheet: RawSheet, required: Sequence[str]) -> _PerRow | None:
    found = _header(sheet, [(r,) for r in required], 3)
    if found is None:
        return None
    i, index = found
    return _PerRow(sheet, list(sheet.rows[i]), sheet.row_numbers[i], index, [list(r) for r in sheet.rows[i + 1:]],
                   list(sheet.row_numbers[i + 1:]))


def _repeats(pr: _PerRow, key_col: str, end: np.ndarray, ok: np.ndarray) -> np.ndarray:
    """The same user (or group) listed twice for one window: the repeat is not counted (no name quoted)."""
    if key_col not in pr.index:
        return ok
    seen: dict[tuple, int] = {}
    ok = ok.copy()
    for i, cell in enumerate(pr.cells(key_col)):
        if not ok[i] or _blank(cell):
            continue
        key = (str(cell).strip().lower(), end[i])
        if key in seen:
            ok[i] = False
            pr.issues.append(_issue(pr.sheet, "m365_repeat", "warning",
                                    f"Même personne ou même espace qu'à la ligne {seen[key]} : non compté deux fois.",
                                    f"Same person or space as row {seen[key]}: not counted twice.", pr.numbers[i]))
        else:
            seen[key] = pr.numbers[i]
    return ok


VIVA_USER_HEADERS = ("report refresh date", "user principal name", "last activity date", "posted count",
                     "read count", "liked count", "report period")
VIVA_USER_STANDARD = frozenset(VIVA_USER_HEADERS) | {"display name", "user state", "state change date",
                                                      "assigned products", "user id", "is deleted", "deleted date"}


def _viva_user_detail(sheet: RawSheet) -> Recognised | None:
    pr = _per_row(sheet, VIVA_USER_HEADERS)
    if pr is None:
        return None
    start, end, ok = pr.windows()
    ok = _repeats(pr, "user principal name", end, ok)
    state = [fold(c) for c in pr.cells("user state")] if "user state" in pr.index else [""] * len(pr.body)
    posted, read, liked = pr.count("posted count"), pr.count("read count"), pr.count("liked count")
    values = {
        "population": np.array([s not in DELETED_STATES for s in state], dtype=float),
        "active_users": pr.active(end, start).astype(float),
        "readers": (read > 0).astype(float),
        "contributors": (posted > 0).astype(float),
        "contributions": posted,
        "reactions": liked,
    }
    labels, headers = pr.breakdown(VIVA_USER_STANDARD)
    part = _aggregate(pr, "ESN", start, end, ok, values, np.ones(len(pr.body)), labels)
    return _m365_sheet(pr, "m365_viva_engage_user_detail", "ESN", [part], headers, "entity")


TEAMS_USER_HEADERS = ("report refresh date", "user principal name", "last activity date", "post messages",
                      "reply messages", "is licensed", "report period")
TEAMS_USER_STANDARD = frozenset(TEAMS_USER_HEADERS) | {
    "user id", "is deleted", "deleted date", "assigned products", "team chat message count",
    "private chat message count", "call count", "meeting count", "meetings organized count",
    "meetings attended count", "has other action", "urgent messages", "tenant display name",
    "shared channel tenant display names", "display name"}


def _teams_user_activity(sheet: RawSheet) -> Recognised | None:
    pr = _per_row(sheet, TEAMS_USER_HEADERS)
    if pr is None or not ({"team chat message count", "private chat message count"} & pr.index.keys()):
        return None
    start, end, ok = pr.windows()
    ok = _repeats(pr, "user principal name", end, ok)
    licensed, deleted = pr.flag("is licensed"), pr.flag("is deleted")
    messages = pr.count("post messages", "reply messages")
    values = {
        "population": (licensed & ~deleted).astype(float),
        "active_users": pr.active(end, start).astype(float),
        "contributors": (messages > 0).astype(float),
        "contributions": messages,
    }
    labels, headers = pr.breakdown(TEAMS_USER_STANDARD)
    part = _aggregate(pr, "Teams", start, end, ok, values, np.ones(len(pr.body)), labels)
    return _m365_sheet(pr, "m365_teams_user_activity", "Teams", [part], headers, "entity")


VIVA_GROUP_HEADERS = ("report refresh date", "group display name", "is deleted", "last activity date",
                      "member count", "posted count", "read count", "liked count", "report period")
INITIATIVE_HEADER = "Espace"


def _viva_groups(sheet: RawSheet) -> Recognised | None:
    pr = _per_row(sheet, VIVA_GROUP_HEADERS)
    if pr is None:
        return None
    start, end, ok = pr.windows()
    ok = _repeats(pr, "group display name", end, ok)
    deleted = pr.flag("is deleted")
    posted, liked, members = pr.count("posted count"), pr.count("liked count"), pr.count("member count")
    spaces = _aggregate(pr, "ESN", start, end, ok, {
        "spaces": (~deleted).astype(float),
        "active_spaces": (posted > 0).astype(float),
    }, np.ones(len(pr.body)), [(ALL,)] * len(pr.body))
    names = [(_text(c) or ALL,) for c in pr.cells("group display name")]
    per_group = _aggregate(pr, "ESN", start, end, ok, {"contributions": posted, "reactions": liked},
                           members, names)
    return _m365_sheet(pr, "m365_viva_engage_groups", "ESN", [spaces, per_group], [INITIATIVE_HEADER], "initiative")


SHAREPOINT_HEADERS = ("report refresh date", "is deleted", "last activity date", "file count", "page view count",
                      "report period")


def _sharepoint_sites(sheet: RawSheet) -> Recognised | None:
    pr = _per_row(sheet, SHAREPOINT_HEADERS)
    if pr is None or not ({"site url", "site id"} & pr.index.keys()):
        return None
    start, end, ok = pr.windows()
    ok = _repeats(pr, "site url" if "site url" in pr.index else "site id", end, ok)
    deleted = pr.flag("is deleted")
    values = {
        "page_views": pr.count("page view count"),
        "spaces": (~deleted).astype(float),
        "active_spaces": pr.active(end, start).astype(float),
    }
    part = _aggregate(pr, "intranet", start, end, ok, values, np.ones(len(pr.body)))
    return _m365_sheet(pr, "m365_sharepoint_site_usage", "intranet", [part], [], "entity")


DAILY_REQUIRED = ("report refresh date", "report date", "report period")
VIVA_DAILY = ("liked", "posted", "read")


def _daily_counts(sheet: RawSheet) -> Recognised | None:
    found = _header(sheet, [(r,) for r in DAILY_REQUIRED], 3)
    if found is None:
        return None
    i, index = found
    products = [p for p in M365_CHANNELS if p in index]
    if all(v in index for v in VIVA_DAILY) and not products:
        rw = _Rewrite(sheet, i)
        _kpi_maps(rw, (("posted", "contributions"), ("liked", "reactions")), "en")
        for name, target in (("read", "ignore"), ("report refresh date", "ignore"), ("report period", "ignore"),
                             ("report date", "period:day")):
            rw.maps[rw.header[index[name]]] = target
        rw.add(SEGMENT_HEADER, "segment", M365_SEGMENT)
        rw.add(CHANNEL_HEADER, "channel", "ESN")
        return Recognised("m365_daily_counts", rw.sheet(), rw.maps, M365_SEGMENT, ("ESN",), "en")
    if len(products) < 2 or any(fold(h) not in M365_CHANNELS and fold(h) not in DAILY_REQUIRED
                                for h in sheet.rows[i] if not _blank(h)):
        return None
    header_row = sheet.rows[i]
    rows, numbers = [], []
    label = KPIS["active_users"].label_fr
    for row, number in zip(sheet.rows[i + 1:], sheet.row_numbers[i + 1:]):
        day = row[index["report date"]] if index["report date"] < len(row) else ""
        for p in products:
            j = index[p]
            rows.append([day, M365_SEGMENT, M365_CHANNELS[p], row[j] if j < len(row) else ""])
            numbers.append(number)
    header = [_text(header_row[index["report date"]]), SEGMENT_HEADER, CHANNEL_HEADER, label]
    out = RawSheet(sheet.name, [header] + rows, [sheet.row_numbers[i]] + numbers, sheet.hidden, [],
                   dict(sheet.meta))
    maps = {header[0]: "period:day", SEGMENT_HEADER: "segment", CHANNEL_HEADER: "channel",
            label: "active_users:en"}
    channels = tuple(dict.fromkeys(M365_CHANNELS[p] for p in products if M365_CHANNELS[p] != ALL))
    return Recognised("m365_daily_counts", out, maps, M365_SEGMENT, channels, "en")


_DETECTORS: tuple[Callable[[RawSheet], Recognised | None], ...] = (
    _viva_user_detail, _teams_user_activity, _viva_groups, _sharepoint_sites, _daily_counts,
    _google_ads, _ga4, _meta_ads, _linkedin,
)
