"""Rolling windows: values that cover the N days ending on a date ("Report Period" = 30 and a refresh date).

    >>> ends = np.array(["2026-09-30"], "datetime64[D]")
    >>> window_bounds(ends, np.array([30.0]))[0].tolist()
    [datetime.date(2026, 9, 1)]
    >>> stated_days("Activité des équipes", [["Teams — 28 derniers jours"]])
    28

A sheet gives its window in one of three ways, in this order: a column of
day counts beside an end date (``window_days`` role, per row); the caller's
``PeriodWindow`` (``--window-days N``); a window stated in the title rows
above the header or in the sheet's name (``Last 28 days``, ``28 derniers
jours``). The window applies to rows dated by one day: the end date column
(a refresh date, ``Date de fin``) or a single date column holding the same
date on every row. A sheet dated by a refresh or report date that is the
same on every row, with no window found, is not read as one day: the user
is asked for the window, unless every KPI of the sheet is a stock (a stock
at a date is one day's value). Ordinary daily sheets (dates that vary in a
``Date`` column) stay daily whatever the title says.

Microsoft 365 exports (``kpis.ingest.exports.m365``) compute their windows
with ``day_counts`` and ``window_bounds`` too.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import date
from typing import Sequence

import numpy as np

from kpis.catalog import KPIS, fold
from kpis.ingest import parsing
from kpis.ingest.columns import roles
from kpis.ingest.issues import IssueLog
from kpis.ingest.mapping import Target
from kpis.ingest.periods import SheetPeriods
from kpis.ingest.results import Column
from kpis.ingest.table import SheetTable

__all__ = ["MAX_WINDOW_DAYS", "PeriodWindow", "Windows", "day_counts", "window_bounds", "window_targets",
           "own_matches", "stated_days", "rolling_windows", "window_message"]

MAX_WINDOW_DAYS = 366
"""A window longer than a year is no rolling window: the cell is reported."""

USUAL_WINDOWS = frozenset({7, 14, 28, 30, 31, 60, 90, 91, 180, 365})
"""The day counts a bare ``Période`` column must hold to be read as window lengths (not month numbers)."""

WINDOW_DAYS_HEADERS = frozenset(fold(h) for h in (
    "Report Period", "Reporting period", "Période du rapport", "Période de reporting", "Durée de la période",
    "Durée (jours)", "Période (jours)", "Period (days)", "Period length", "Window", "Window (days)",
    "Fenêtre", "Fenêtre (jours)", "Nombre de jours", "Number of days"))
"""Headers of a column of window lengths in days."""

BARE_PERIOD_HEADERS = frozenset(fold(h) for h in ("Période", "Period"))
"""Window lengths too when the column holds only usual day counts and an end date sits beside it."""

REFRESH_HEADERS = frozenset(fold(h) for h in (
    "Report Refresh Date", "Refresh Date", "Date d'actualisation", "Date d'actualisation du rapport",
    "Date de mise à jour", "Date de rafraîchissement", "Last refreshed", "Snapshot date", "Date de l'instantané",
    "Date d'instantané", "Date d'extraction", "Extraction date", "Export date", "Date d'export", "As of",
    "Data as of", "Données au"))
"""Headers of a date that ends a report's window (never the day the values happened)."""

REPORT_DATE_HEADERS = REFRESH_HEADERS | frozenset(fold(h) for h in ("Report date", "Date du rapport",
                                                                    "Date de rapport"))
"""Dates that, the same on every row with no window found, make the sheet ask for its window."""

END_HEADERS = frozenset(fold(h) for h in ("Date de fin", "End date", "Date", "Jour", "Day"))
"""Other headers that may end a window given by a column of day counts."""

_STATED = [re.compile(p) for p in (
    r"\b(?:last|past|previous|trailing|rolling)\s+(\d{1,3})\s+days?\b",
    r"\b(\d{1,3})\s+derniers\s+jours\b",
    r"\bderniers\s+(\d{1,3})\s+jours\b",
    r"\b(\d{1,3})\s+jours\s+glissants\b",
    r"\b(\d{1,3})\s+days?\s+rolling\b",
)]
"""A window stated in words, matched on folded text (``Last 28 days``, ``28 derniers jours``)."""

_NAT = np.datetime64("NaT", "D")


@dataclass(frozen=True)
class PeriodWindow:
    """The caller's word on rolling windows: ``days`` (``--window-days N``) for sheets whose dates end a window
    the file does not state; None to let the file say (or to be asked)."""

    days: int | None = None

    def __post_init__(self):
        if self.days is not None and not 1 <= self.days <= MAX_WINDOW_DAYS:
            from kpis.errors import UsageError

            raise UsageError(f"--window-days attend un nombre de jours entre 1 et {MAX_WINDOW_DAYS}, reçu {self.days}.",
                             f"--window-days expects a number of days from 1 to {MAX_WINDOW_DAYS}, got {self.days}.")


# --- shared with the Microsoft 365 recognisers --------------------------------------------------


def day_counts(cells: Sequence) -> tuple[np.ndarray, np.ndarray]:
    """Window lengths (NaN where blank or wrong) and the mask of cells that are no whole number of days from 1
    to ``MAX_WINDOW_DAYS``.

        >>> values, bad = day_counts(["30", 7, "trente", "", 0])
        >>> values.tolist()[:2], bad.tolist()
        ([30.0, 7.0], [False, False, True, False, True])
    """
    values, bad = parsing.parse_numbers(list(cells), "en")
    known = ~np.isnan(values)
    bad = bad | (known & ((values < 1) | (values > MAX_WINDOW_DAYS) | (values != np.floor(values))))
    return np.where(bad, np.nan, values), bad


def window_bounds(ends: np.ndarray, days: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(start, end) of the window of ``days`` days ending on each date: end − days + 1 … end (NaT where either
    is missing)."""
    ok = ~np.isnat(ends) & ~np.isnan(days)
    n = np.where(ok, days, 1).astype(np.int64)
    end = np.where(ok, ends.astype("datetime64[D]"), _NAT)
    return end - (n - 1), end


# --- before the header is read: what the window columns are -------------------------------------


def window_targets(rows: list[list], search: int = 30, sample: int = 200) -> dict[str, Target]:
    """Forced meanings (folded header → Target) for the window columns of the first header-like row that has
    them: refresh dates end a period (read as days), day-count columns are ``window_days``. The caller's maps
    are applied over these.

        >>> sorted(window_targets([["Report Refresh Date", "Report Period", "Posts"], ["2026-09-30", 30, 4]]))
        ['report period', 'report refresh date']
    """
    for i, row in enumerate(rows[:search]):
        folded = [fold(c) if isinstance(c, str) else "" for c in row]
        out: dict[str, Target] = {f: Target("period_end", grain="day") for f in folded if f in REFRESH_HEADERS}
        has_end = bool(out) or any(f in END_HEADERS for f in folded)
        for j, f in enumerate(folded):
            if f in WINDOW_DAYS_HEADERS or (f in BARE_PERIOD_HEADERS and has_end and _usual_days(rows, i, j, sample)):
                out[f] = Target("window_days")
        if out:
            return out
    return {}


def own_matches(columns: list[Column], own: dict[str, Target]) -> list[Column]:
    """The columns given a meaning by ``window_targets`` (not by the caller) said to match their header exactly."""
    for c in columns:
        if fold(c.header) in own and c.match == "mapped":
            c.match = "exact"
    return columns


def _usual_days(rows: list[list], i: int, j: int, sample: int) -> bool:
    cells = [r[j] for r in rows[i + 1:i + 1 + sample] if j < len(r)]
    values, bad = parsing.parse_numbers(cells, "en")
    known = values[~np.isnan(values)]
    return bool(len(known)) and not bad.any() and all(v in USUAL_WINDOWS for v in known.tolist())


def stated_days(name: str, title_rows: list[list]) -> int | None:
    """The window stated in the sheet's name or the rows above its header, when they state exactly one."""
    texts = [name] + [c for r in title_rows for c in r if isinstance(c, str)]
    found = {int(m.group(1)) for t in texts for p in _STATED for m in p.finditer(fold(t))}
    found = {d for d in found if 1 <= d <= MAX_WINDOW_DAYS}
    return found.pop() if len(found) == 1 else None


# --- after the periods are read: the windows ----------------------------------------------------


@dataclass(frozen=True)
class Windows:
    """The outcome of ``rolling_windows``: the periods (None when the window must be asked for), the rows
    rejected for an unreadable window length, and what was understood (None when no window applies)."""

    periods: SheetPeriods | None
    rejected: np.ndarray
    window: dict | None = None


def rolling_windows(periods: SheetPeriods, table: SheetTable, columns: list[Column], live: np.ndarray,
                    option: PeriodWindow, stated: int | None, log: IssueLog) -> Windows:
    """The sheet's periods turned into rolling windows where the sheet (or the caller) gives one, as they were
    when none applies, or None with a sheet error when the window must be asked for."""
    source = _dating_column(columns)
    days_cols = roles(columns, "window_days")
    none = np.zeros(table.n, dtype=bool)
    ok = live & ~periods.bad
    if source is None or not ok.any() or (periods.grains[ok] != "day").any():
        for c in days_cols:
            c.role, c.reason = "ignored", "window length: the rows are not dated by one day"
        _option_unused(option, log)
        return Windows(periods, none)
    ends = periods.ends
    same = len(np.unique(ends[ok])) == 1
    reported = fold(source.header) in REPORT_DATE_HEADERS
    if days_cols:
        c = days_cols[0]
        days, bad = day_counts(table.cells[c.index])
        bad |= ok & np.isnan(days)
        rejected = log.reject(bad & ok, table.numbers, "window_days_unreadable",
                   f"Durée de la période illisible dans « {c.header} » (un nombre de jours attendu : 7, 28, 30, 90…) : "
                   "ligne rejetée.", f"Unreadable period length in '{c.header}' (a number of days expected: 7, 28, 30, "
                   "90…): row rejected.", c.letter)
        return _windowed(periods, days, rejected, ok, "column", c.header, log)
    n = option.days or stated
    if n is not None and (reported or same) and source.grain in (None, "day"):
        return _windowed(periods, np.full(table.n, float(n)), none, ok, "option" if option.days else "title",
                         None, log)
    if reported and same and not _only_stocks(columns):
        day = _as_date(ends[ok][0])
        log.add("window_unknown", "error",
                f"Toutes les lignes portent la même date « {source.header} » ({day:%d/%m/%Y}) et rien n'indique sur "
                "combien de jours portent les valeurs : ce n'est sans doute pas une seule journée. Indiquez la "
                "période (par exemple 28 jours se terminant à cette date) avec l'option --window-days 28, ou "
                "ajoutez au fichier une colonne « Période du rapport » (nombre de jours).",
                f"Every row has the same '{source.header}' ({day.isoformat()}) and nothing says how many days the "
                "values cover: it is probably not a single day. Give the period (e.g. 28 days ending on that "
                "date) with the --window-days 28 option, or add a 'Report Period' column (number of days) to the "
                "file.", None, source.letter)
        return Windows(None, none)
    _option_unused(option, log)
    return Windows(periods, none)


def _option_unused(option: PeriodWindow, log: IssueLog) -> None:
    if option.days:
        log.add("window_option_unused", "info",
                "--window-days ignoré pour cette feuille : ses dates datent chacune leurs valeurs (un jour, un mois…).",
                "--window-days ignored for this sheet: each of its dates dates its own values (a day, a month…).")


def _as_date(day: np.datetime64) -> date:
    return day.astype("datetime64[D]").astype(object)


def _dating_column(columns: list[Column]) -> Column | None:
    """The single column dating each row by one day: the period column, else an end date without a start."""
    period, start, end = roles(columns, "period"), roles(columns, "period_start"), roles(columns, "period_end")
    if start:
        return None
    found = period or end
    return found[0] if found else None


def _only_stocks(columns: list[Column]) -> bool:
    kinds = {KPIS[c.kpi].aggregation for c in roles(columns, "kpi") if c.kpi}
    return bool(kinds) and kinds <= {"stock"}


def _windowed(periods: SheetPeriods, days: np.ndarray, bad: np.ndarray, ok: np.ndarray, source: str,
              header: str | None, log: IssueLog) -> Windows:
    starts, ends = window_bounds(np.where(bad, _NAT, periods.ends), days)
    good = ok & ~bad
    lengths = sorted({int(d) for d in days[good]})
    last = sorted({str(e) for e in ends[good]})
    window = {"days": lengths, "ends": last, "source": source, "column": header}
    fr, en = window_message(window)
    log.add("rolling_window", "info", fr, en)
    grains = np.where(good, "range", periods.grains)
    windowed = replace(periods, starts=np.where(good, starts, periods.starts), ends=np.where(good, ends, periods.ends),
                       grains=grains)
    return Windows(windowed, bad, window)


def window_message(window: dict) -> tuple[str, str]:
    """What ``check`` says it understood.

        >>> window_message({"days": [28], "ends": ["2026-09-30"], "source": "column", "column": "Report Period"})[0]
        'Période : 28 jours se terminant le 30/09/2026 (colonne « Report Period »)'
    """
    days = window["days"]
    ends = [date.fromisoformat(e) for e in window["ends"]]
    n_fr = " ou ".join(map(str, days)) + " jours"
    n_en = " or ".join(map(str, days)) + " days"
    if len(ends) == 1:
        end_fr, end_en = f"se terminant le {ends[0]:%d/%m/%Y}", f"ending {ends[0].isoformat()}"
    else:
        end_fr = f"se terminant entre le {ends[0]:%d/%m/%Y} et le {ends[-1]:%d/%m/%Y}"
        end_en = f"ending from {ends[0].isoformat()} to {ends[-1].isoformat()}"
    how_fr, how_en = {"column": (f"colonne « {window['column']} »", f"column '{window['column']}'"),
                      "option": ("option --window-days", "option --window-days"),
                      "title": ("indiqué dans le titre ou le nom de la feuille", "stated in the title or sheet name")
                      }[window["source"]]
    return f"Période : {n_fr} {end_fr} ({how_fr})", f"Period: {n_en} {end_en} ({how_en})"
