"""One sheet of a file → a ``SheetResult``, stage by stage, top to bottom.

    >>> raw = RawSheet("Campagnes", [["Date", "Clics", "Campagne"], ["01/09/2026", "3", "A"]], [1, 2])
    >>> res = read_sheet(raw, "B2C", {}, [])
    >>> res.layout, res.rows["kept"], res.totals
    ('wide', 1, {'clicks': 3.0})

The stages, each a module of ``kpis.ingest`` taking what it needs and
writing its problems to the sheet's ``IssueLog``: ``header`` (where the
table starts, its layout), ``columns`` (what each column is), ``rows``
(totals, a long sheet's KPI per row, repeated rows), ``groups`` (labels
printed once per group filled down), ``periods``, ``segments``,
``dimensions``, ``values``, ``meaning`` (doubtful KPI columns become
questions) and ``observations`` (the conclusion). The crosstab layout has its
own reader, ``crosstab``.
"""

from __future__ import annotations

import numpy as np

from kpis.ingest.cells import cell_text
from kpis.ingest.columns import SAMPLE_ROWS, map_columns, roles, unknown_columns
from kpis.ingest.crosstab import read_crosstab
from kpis.ingest.dimensions import dimensions_and_key, sheet_currency
from kpis.ingest.groups import fill_group_labels
from kpis.ingest.header import find_header
from kpis.ingest.issues import IssueLog
from kpis.ingest.mapping import Target, map_keys
from kpis.ingest.meaning import question_columns
from kpis.ingest.observations import Units, conclude
from kpis.ingest.people import count_people, flag_targets, per_person, repeated_people
from kpis.ingest.periods import grain_of, reject_periods, sheet_periods
from kpis.ingest.readers import RawSheet
from kpis.ingest.results import SheetResult
from kpis.ingest.rows import long_codes, non_data_rows, report_split, shared_rows
from kpis.ingest.segments import sheet_segments
from kpis.ingest.table import SheetTable
from kpis.ingest.values import picks
from kpis.ingest.windows import PeriodWindow, own_matches, rolling_windows, stated_days, window_targets

__all__ = ["read_sheet"]


def read_sheet(raw: RawSheet, segment: str | None, forced: dict[str, Target], remembered: list,
               window: PeriodWindow | None = None) -> SheetResult:
    """Read one sheet. ``segment`` is the caller's choice when the file does not say; ``forced`` maps folded
    header texts to ``--map`` targets; ``remembered`` holds the mappings saved by the app; ``window`` turns on
    rolling windows (``kpis.ingest.windows``) with the caller's ``--window-days``, None for a recognised export
    that dates its own rows."""
    res, log = SheetResult(sheet=raw.name), IssueLog(raw.name)
    res.issues = log.issues
    for w in raw.meta.get("warnings", ()):  # what the gate and the reader noticed: formulas, errors, hidden rows
        log.add(w.code, w.severity, w.message_fr, w.message_en, w.row, w.column)
    if raw.hidden:
        log.add("hidden_sheet", "info", "Feuille masquée : lue comme les autres.",
                "Hidden sheet: read like the others.")
    own = {**flag_targets(raw.rows), **window_targets(raw.rows)} if window is not None else {}  # generic sheets
    decided = forced.keys() | {k for m in remembered for h in m.mapping for k in map_keys(h)}  # caller's, remembered
    own = {h: t for h, t in own.items() if h not in decided}  # yes/no flags, refresh dates, day counts
    header = find_header(raw.rows, {**own, **forced}, remembered)  # the caller's maps win
    if header.index is None:
        res.status = "skipped"
        log.add("no_table", "info", "Aucun tableau reconnu dans cette feuille : ignorée.",
                "No table found in this sheet: skipped.")
        return res
    res.header_row, res.layout = raw.row_numbers[header.index], header.layout
    head = raw.rows[header.index]
    res.headers = [cell_text(h) for h in head]
    body, numbers = raw.rows[header.index + 1:], raw.row_numbers[header.index + 1:]
    if header.layout == "crosstab":
        width = max([len(head)] + [len(r) for r in body[:SAMPLE_ROWS]])
        return read_crosstab(res, head, SheetTable.from_rows(body, numbers, width), segment, log)
    res.columns = own_matches(map_columns(head, body, header.forced, log), own)
    res.unknown_columns = unknown_columns(res.columns, body)
    table = SheetTable.from_rows(body, numbers, max([c.index + 1 for c in res.columns] + [0]))
    stated = stated_days(raw.name, raw.rows[:header.index]) if window is not None else None
    return _read_table(res, table, segment, log, window, stated)


def _read_table(res: SheetResult, table: SheetTable, segment: str | None, log: IssueLog,
                window: PeriodWindow | None = None, stated: int | None = None) -> SheetResult:
    """The wide and long layouts: one row per period × dimensions (× KPI in a long sheet)."""
    columns, n = res.columns, table.n
    long_ok = bool(roles(columns, "long_kpi")) and bool(roles(columns, "long_value"))
    res.layout = "long" if res.layout == "long" and long_ok else "wide"
    if not roles(columns, "kpi") and res.layout != "long":
        _no_kpi_column(res.unknown_columns, log)
        return res.count_rows(n, np.zeros(n, bool), np.zeros(n, bool))
    dropped = non_data_rows(table, columns)
    groups = fill_group_labels(table, columns, dropped, log)  # a formatted report's labels printed once per group
    table, dropped, rejected = groups.table, groups.dropped, groups.rejected
    codes = people = None
    if res.layout == "long":
        codes, dropped, unknown = long_codes(table, columns, dropped, log)
        rejected |= unknown
    else:  # people: a per-person sheet's yes/no flags, counted (None: not one row per person)
        table, people, flags_rejected = per_person(table, columns, dropped, log)
        rejected |= flags_rejected
    periods = sheet_periods(table, columns, ~dropped, log)
    if periods is None:
        return res.count_rows(n, dropped, rejected)
    rejected |= reject_periods(table, periods.bad & ~dropped & ~rejected, periods.letter, log)
    if window is not None:
        rolling = rolling_windows(periods, table, columns, ~(dropped | rejected), window, stated, log)
        if rolling.periods is None:
            return res.count_rows(n, dropped, rejected)
        periods, res.window, rejected = rolling.periods, rolling.window, rejected | rolling.rejected
    segments = sheet_segments(table, columns, dropped | rejected, codes, segment, log)
    if segments is None:
        return res.count_rows(n, dropped, rejected)
    res.segments = segments.found
    rejected |= segments.bad
    extra = ([segments.values] if len(segments.found) > 1 else []) + ([codes] if codes is not None else [])
    dims, key = dimensions_and_key(table, columns, periods.starts, periods.ends, extra, log)
    if people is None:
        repeats, split, split_rows = shared_rows(table, columns, key, ~(dropped | rejected), log)
    else:
        repeats, split = repeated_people(people, table, periods, ~(dropped | rejected), log), []
        split_rows = np.zeros(n, dtype=bool)
    rejected |= repeats
    live = ~(dropped | rejected)
    res.grain = grain_of(periods.grains[live])
    res.currency = sheet_currency(table, columns, log)
    kept = picks(table, columns, live, codes, log)
    if split:
        report_split(split, split_rows, kept, log)
    if codes is None:
        res.questions = question_columns(res.sheet, columns, kept, periods.starts, segments.values, dims,
                                         segments.found)
        for q in res.questions:
            log.add("meaning_questioned", "warning", q.message_fr, q.message_en, None, q.column)
    units = Units(table.numbers, key, periods.starts, periods.ends, segments.values, dims)
    if people is not None:
        kept, units = count_people(people, kept, units, live, log)
    res.conclude(conclude(kept, units, log, sum_flows=bool(split)))
    return res.count_rows(n, dropped, rejected)


def _no_kpi_column(unknown: list[dict], log: IssueLog) -> None:
    close = [u for u in unknown if u["closest"]]
    hint = "; ".join(f"{u['header']} → {', '.join(u['closest'])}" for u in close)
    log.add("no_kpi_column", "error",
            "Aucune colonne d'indicateur reconnue dans cette feuille."
            + (f" Noms proches : {hint}." if hint else "")
            + " Associez les colonnes avec --map \"EN-TÊTE=code_kpi\" ou dans l'écran d'import.",
            "No KPI column recognised in this sheet."
            + (f" Closest names: {hint}." if hint else "")
            + " Map the columns with --map \"HEADER=kpi_code\" or on the import screen.")
