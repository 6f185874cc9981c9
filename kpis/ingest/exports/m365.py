"""Microsoft 365 usage reports: per-user and per-group reports aggregated here, daily counts (SharePoint pages
viewed per day among them)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Sequence

import numpy as np

from kpis.catalog import KPIS, fold, match_header
from kpis.ingest import parsing
from kpis.ingest.exports.base import (
    CHANNEL_HEADER,
    END_HEADER,
    SEGMENT_HEADER,
    START_HEADER,
    Recognised,
    Rewrite,
    cell_text,
    find_header,
    fold_small,
    is_blank,
    map_kpis,
    sheet_issue,
)
from kpis.ingest.readers import RawSheet
from kpis.ingest.windows import day_counts, window_bounds
from kpis.model import ALL

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
            self.issues.append(
                sheet_issue(self.sheet, "m365_cell", severity, fr, en, self.numbers[i], self.index[name]))

    def windows(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(start, end, ok): the report window of each row, refresh − period + 1 … refresh."""
        refresh, bad_refresh = self.days("report refresh date")
        period, bad_period = day_counts(self.cells("report period"))
        bad = bad_refresh | np.isnat(refresh)
        self._warn(bad, "report refresh date", "Date d'actualisation du rapport illisible : ligne non comptée.",
                   "Unreadable report refresh date: row not counted.", "error")
        wrong = ~bad & (bad_period | np.isnan(period))
        self._warn(wrong, "report period", "Période du rapport illisible (7, 30, 90 ou 180 jours attendus) : "
                   "ligne non comptée.", "Unreadable report period (7, 30, 90 or 180 days expected): row not "
                   "counted.", "error")
        ok = ~bad & ~wrong
        start, end = window_bounds(np.where(ok, refresh, np.datetime64("NaT", "D")), period)
        return start, end, ok

    def active(self, end: np.ndarray, start: np.ndarray) -> np.ndarray:
        """Rows whose last activity date lies inside their window (unreadable: not active, a warning)."""
        last, bad = self.days("last activity date")
        self._warn(bad, "last activity date", "Date de dernière activité illisible : utilisateur compté inactif.",
                   "Unreadable last activity date: counted as inactive.")
        return ~np.isnat(last) & (last >= start) & (last <= end)

    def breakdown(self, standard: frozenset[str]) -> tuple[list[tuple], list[str]]:
        """Labels per row of the columns a team added that name an entity exactly (Department, Site, Pays…),
        and their headers; the report's own columns never are."""
        dims = [(j, cell_text(self.header[j])) for name, j in self.index.items() if name not in standard
                and (m := match_header(name)) is not None and m.role == "entity" and m.match == "exact"]
        dims.sort()
        labels = [tuple(cell_text(r[j]) if j < len(r) and not is_blank(r[j]) else ALL for j, _ in dims)
                  for r in self.body]
        return labels, [h for _, h in dims]


def _aggregate(pr: _PerRow, channel: str, start: np.ndarray, end: np.ndarray, ok: np.ndarray,
               values: dict[str, np.ndarray], people: np.ndarray,
               labels: list[tuple] | None = None) -> tuple[list[list], list[int], list[str]]:
    """One row per window × label: the sum of each KPI's per-row values; the first source row numbers it."""
    labels = labels if labels is not None else [()] * len(pr.body)
    windows = [(s, e) for s, e in zip(start.tolist(), end.tolist(), strict=False)]
    kept = [i for i in range(len(pr.body)) if ok[i]]
    folded = fold_small([labels[i] for i in kept], people[kept], [windows[i] for i in kept])
    groups: dict[tuple, list] = {}
    for i, lab in zip(kept, folded, strict=False):
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
        for row, number in zip(body, nums, strict=False):
            values = dict(zip(ks, row[fixed:], strict=False))
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
    found = find_header(sheet, [(r,) for r in required], 3)
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
        if not ok[i] or is_blank(cell):
            continue
        key = (str(cell).strip().lower(), end[i])
        if key in seen:
            ok[i] = False
            pr.issues.append(sheet_issue(pr.sheet, "m365_repeat", "warning",
                                    f"Même personne ou même espace qu'à la ligne {seen[key]} : non compté deux fois.",
                                    f"Same person or space as row {seen[key]}: not counted twice.", pr.numbers[i]))
        else:
            seen[key] = pr.numbers[i]
    return ok


VIVA_USER_HEADERS = ("report refresh date", "user principal name", "last activity date", "posted count",
                     "read count", "liked count", "report period")
VIVA_USER_STANDARD = frozenset(VIVA_USER_HEADERS) | {"display name", "user state", "state change date",
                                                      "assigned products", "user id", "is deleted", "deleted date"}


def viva_user_detail(sheet: RawSheet) -> Recognised | None:
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


def teams_user_activity(sheet: RawSheet) -> Recognised | None:
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


def viva_groups(sheet: RawSheet) -> Recognised | None:
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
    names = [(cell_text(c) or ALL,) for c in pr.cells("group display name")]
    per_group = _aggregate(pr, "ESN", start, end, ok, {"contributions": posted, "reactions": liked},
                           members, names)
    return _m365_sheet(pr, "m365_viva_engage_groups", "ESN", [spaces, per_group], [INITIATIVE_HEADER], "initiative")


TEAMS_TEAM_HEADERS = ("report refresh date", "team name", "last activity date", "active users", "active channels",
                      "post messages", "reply messages", "report period")
"""Microsoft Graph ``getTeamsTeamActivityDetail`` (learn.microsoft.com): Report Refresh Date, Team Name, Team Id,
Team Type, Last Activity Date, Report Period, Active Users, Active Channels, Guests, Reactions, Meetings
Organized, Post Messages, Reply Messages, Channel Messages, Urgent Messages, Mentions, Active Shared Channels,
Active External Users — one row per team, licensed and unlicensed users alike."""


def teams_team_activity(sheet: RawSheet) -> Recognised | None:
    """Teams by team: the teams and the active ones overall, messages (posts and replies, as in the user report:
    Channel Messages would count them again) and reactions per team, a team with fewer than five active users
    folded into (other)."""
    pr = _per_row(sheet, TEAMS_TEAM_HEADERS)
    if pr is None:
        return None
    start, end, ok = pr.windows()
    ok = _repeats(pr, "team id" if "team id" in pr.index else "team name", end, ok)
    spaces = _aggregate(pr, "Teams", start, end, ok, {
        "spaces": np.ones(len(pr.body)),
        "active_spaces": pr.active(end, start).astype(float),
    }, np.ones(len(pr.body)), [(ALL,)] * len(pr.body))
    names = [(cell_text(c) or ALL,) for c in pr.cells("team name")]
    per_team = _aggregate(pr, "Teams", start, end, ok, {
        "contributions": pr.count("post messages", "reply messages"), "reactions": pr.count("reactions")},
        pr.count("active users"), names)
    return _m365_sheet(pr, "m365_teams_team_activity", "Teams", [spaces, per_team], [INITIATIVE_HEADER],
                       "initiative")


SHAREPOINT_HEADERS = ("report refresh date", "is deleted", "last activity date", "file count", "page view count",
                      "report period")


def sharepoint_sites(sheet: RawSheet) -> Recognised | None:
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
SHAREPOINT_PAGES = ("site type", "page view count")
"""Microsoft Graph ``getSharePointSiteUsagePages`` (learn.microsoft.com, "the number of pages viewed across all
sites"): Report Refresh Date, Site Type, Page View Count, Report Date, Report Period — one row per day; the CLI for
Microsoft 365 (pnp/cli-microsoft365, ``docs/docs/cmd/spo/report/report-siteusagepages.mdx``) shows its real output,
``2022-11-26,All,14,2022-11-26,7``."""


def daily_counts(sheet: RawSheet) -> Recognised | None:
    found = find_header(sheet, [(r,) for r in DAILY_REQUIRED], 3)
    if found is None:
        return None
    i, index = found
    products = [p for p in M365_CHANNELS if p in index]
    if all(h in index for h in SHAREPOINT_PAGES) and not products:
        return _sharepoint_pages(sheet, i, index)
    if all(v in index for v in VIVA_DAILY) and not products:
        rw = Rewrite(sheet, i)
        map_kpis(rw, (("posted", "contributions"), ("liked", "reactions")), "en")
        for name, target in (("read", "ignore"), ("report refresh date", "ignore"), ("report period", "ignore"),
                             ("report date", "period:day")):
            rw.maps[rw.header[index[name]]] = target
        rw.add(SEGMENT_HEADER, "segment", M365_SEGMENT)
        rw.add(CHANNEL_HEADER, "channel", "ESN")
        return Recognised("m365_daily_counts", rw.sheet(), rw.maps, M365_SEGMENT, ("ESN",), "en")
    if len(products) < 2 or any(fold(h) not in M365_CHANNELS and fold(h) not in DAILY_REQUIRED
                                for h in sheet.rows[i] if not is_blank(h)):
        return None
    header_row = sheet.rows[i]
    rows, numbers = [], []
    label = KPIS["active_users"].label_fr
    for row, number in zip(sheet.rows[i + 1:], sheet.row_numbers[i + 1:], strict=False):
        day = row[index["report date"]] if index["report date"] < len(row) else ""
        for p in products:
            j = index[p]
            rows.append([day, M365_SEGMENT, M365_CHANNELS[p], row[j] if j < len(row) else ""])
            numbers.append(number)
    header = [cell_text(header_row[index["report date"]]), SEGMENT_HEADER, CHANNEL_HEADER, label]
    out = RawSheet(sheet.name, [header] + rows, [sheet.row_numbers[i]] + numbers, sheet.hidden, [],
                   dict(sheet.meta))
    maps = {header[0]: "period:day", SEGMENT_HEADER: "segment", CHANNEL_HEADER: "channel",
            label: "active_users:en"}
    channels = tuple(dict.fromkeys(M365_CHANNELS[p] for p in products if M365_CHANNELS[p] != ALL))
    return Recognised("m365_daily_counts", out, maps, M365_SEGMENT, channels, "en")


def _sharepoint_pages(sheet: RawSheet, i: int, index: dict[str, int]) -> Recognised:
    """SharePoint pages viewed per day across all sites (channel intranet). Only ``All`` rows are read: a row of
    another site type would count again pages that ``All`` already counts (no such row has been seen; said if met)."""
    rw = Rewrite(sheet, i)
    kind = rw.column(index["site type"])
    other = np.array([not (isinstance(c, str) and fold(c) == "all") for c in kind], dtype=bool)
    issues = [sheet_issue(sheet, "sharepoint_site_type", "info",
                          "Ligne d'un type de site autre que « All » : non importée (« All » compte déjà toutes les "
                          "pages vues).", "Row of a site type other than \"All\": not imported (\"All\" already counts "
                          "every page viewed).", rw.numbers[k + 1], index["site type"]) for k in np.flatnonzero(other)]
    rw.keep(~other)
    map_kpis(rw, (("page view count", "page_views"),), "en")
    for name, target in (("site type", "ignore"), ("report refresh date", "ignore"), ("report period", "ignore"),
                         ("report date", "period:day")):
        rw.maps[rw.header[index[name]]] = target
    rw.add(SEGMENT_HEADER, "segment", M365_SEGMENT)
    rw.add(CHANNEL_HEADER, "channel", "intranet")
    return Recognised("m365_daily_counts", rw.sheet(), rw.maps, M365_SEGMENT, ("intranet",), "en", issues=issues)
