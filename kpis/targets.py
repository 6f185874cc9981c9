r"""Targets sheets: KPI × segment × optional entity × period → target value.

    >>> data = "KPI;Segment;Période;Cible\nClics;Grand public;T3 2026;500\nClics;B2X;2026;1\n".encode()
    >>> frame, issues = read_targets(data, "cibles.csv")
    >>> frame.columns.tolist()
    ['kpi', 'segment', 'entity', 'period_start', 'period_end', 'grain', 'value']
    >>> frame[["kpi", "segment", "period_start", "period_end", "grain", "value"]]
          kpi segment period_start period_end    grain  value
    0  clicks     B2C   2026-07-01 2026-09-30  quarter  500.0
    >>> [(i.row, i.column, i.message_en) for i in issues]
    [(3, 'B', 'Expected segment: B2C, B2B or B2E.')]

A targets sheet has the columns ``KPI`` (code or label, French or English),
``Segment`` (B2C, B2B, B2E or words such as "Grand public"), optionally
``Entité``, ``Période`` (``2026``, ``T3 2026``, ``2026-10``…) and ``Cible``
(rates as fractions or with a ``%`` sign). Bad rows are reported with their
row and column and left out; the rest is returned for ``Store.set_targets``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from kpis.catalog import KPIS, fold, on_change, segment_of
from kpis.errors import FileRejected
from kpis.ingest import parsing
from kpis.ingest.issues import Issue, column_letter
from kpis.ingest.readers import read_file
from kpis.model import SEGMENTS

__all__ = ["read_targets", "is_targets_sheet", "TARGET_COLUMNS"]

TARGET_COLUMNS = ("kpi", "segment", "entity", "period_start", "period_end", "grain", "value")
_HEADERS = {
    "kpi": ("kpi", "indicateur", "indicator", "code"),
    "segment": ("segment",),
    "entity": ("entite", "entity", "marque", "brand", "direction", "bu"),
    "period": ("periode", "period", "annee", "year", "mois", "month", "trimestre", "quarter"),
    "value": ("cible", "target", "objectif", "objective", "valeur cible"),
}
_KPI_NAMES: dict[str, str] = {}


@on_change
def _derive() -> None:
    """KPI names a target sheet may use (code, French and English labels), again after ``catalog.install``."""
    _KPI_NAMES.clear()
    _KPI_NAMES.update({fold(name): code for code, k in KPIS.items() for name in (code, k.label_fr, k.label_en)})


_derive()


def _roles(header: list) -> dict[str, int]:
    roles = {}
    for j, cell in enumerate(header):
        folded = fold(cell) if isinstance(cell, str) else ""
        for role, names in _HEADERS.items():
            if folded in names and role not in roles:
                roles[role] = j
    return roles


def is_targets_sheet(header: list) -> bool:
    """A header with KPI, segment, period and target columns."""
    return {"kpi", "segment", "period", "value"} <= set(_roles(header))


def read_targets(data: bytes, name: str) -> tuple[pd.DataFrame, list[Issue]]:
    """Every valid target of every targets sheet in the file, and the issues found."""
    issues: list[Issue] = []
    try:
        sheets = read_file(data, name)
    except FileRejected as exc:
        return pd.DataFrame(columns=TARGET_COLUMNS), [Issue("file_rejected", "error", exc.message_fr, exc.message_en)]
    frames = []
    for sheet in sheets:
        for i, row in enumerate(sheet.rows[:20]):
            if is_targets_sheet(row):
                frames.append(_read_sheet(sheet, i, _roles(row), issues))
                break
    if not frames:
        issues.append(Issue("no_targets", "error",
                            "Aucune feuille d'objectifs (colonnes KPI, Segment, Période, Cible) dans ce fichier.",
                            "No targets sheet (columns KPI, Segment, Period, Target) in this file."))
        return pd.DataFrame(columns=TARGET_COLUMNS), issues
    return pd.concat(frames, ignore_index=True), issues


def _read_sheet(sheet, header_index: int, roles: dict[str, int], issues: list[Issue]) -> pd.DataFrame:
    body = sheet.rows[header_index + 1:]
    numbers = sheet.row_numbers[header_index + 1:]

    def cells(role):
        j = roles.get(role)
        return [r[j] if j is not None and j < len(r) else "" for r in body]

    def problem(row, role, fr, en):
        issues.append(Issue("target_invalid", "error", fr, en, sheet.name, row, column_letter(roles[role])))

    periods = parsing.parse_periods(cells("period"))
    values, bad_values = parsing.parse_numbers(cells("value"), parsing.number_convention(cells("value")))
    records = []
    rows = zip(cells("kpi"), cells("segment"), cells("entity"), strict=True)
    for i, (kpi_cell, seg_cell, ent_cell) in enumerate(rows):
        row = numbers[i]
        kpi = _KPI_NAMES.get(fold(kpi_cell)) if str(kpi_cell).strip() else None
        segment = str(seg_cell).strip().upper() if str(seg_cell).strip().upper() in SEGMENTS else segment_of(seg_cell)
        if kpi is None:
            problem(row, "kpi", "Indicateur inconnu du catalogue : objectif ignoré.",
                    "KPI not in the catalog: target ignored.")
        elif segment is None:
            problem(row, "segment", "Segment attendu : B2C, B2B ou B2E.", "Expected segment: B2C, B2B or B2E.")
        elif segment not in KPIS[kpi].segments:
            problem(row, "segment", f"{KPIS[kpi].label_fr} n'existe pas en {segment}.",
                    f"{KPIS[kpi].label_en} does not exist in {segment}.")
        elif periods.bad[i] or np.isnat(periods.start[i]) or periods.grain[i] not in ("month", "quarter", "year"):
            problem(row, "period", "Période attendue : une année (2026), un trimestre (T3 2026) ou un mois (2026-10).",
                    "Expected period: a year (2026), a quarter (Q3 2026) or a month (2026-10).")
        elif bad_values[i] or np.isnan(values[i]):
            problem(row, "value", "Cible illisible : un nombre est attendu.",
                    "Unreadable target: a number is expected.")
        else:
            if isinstance(ent_cell, str):
                entity = ent_cell.strip()
            else:
                entity = "" if ent_cell in ("", None) else str(ent_cell)
            records.append((kpi, segment, entity or None, pd.Timestamp(periods.start[i]), pd.Timestamp(periods.end[i]),
                            periods.grain[i], float(values[i])))
    return pd.DataFrame.from_records(records, columns=TARGET_COLUMNS)


def editor_number(cell: object) -> float:
    """A number as a person types it in the target editor: ``70,46``, ``70.46``, ``1 200``, ``1,200.5``, ``70 %``.

        >>> editor_number("70,46"), editor_number("70.46"), editor_number("1\u202f200"), editor_number("1,200.5")
        (70.46, 70.46, 1200.0, 1200.5)

    NaN when it is not a number.
    """
    if isinstance(cell, (int, float, np.number)) and not isinstance(cell, bool):
        return float(cell)
    text = "".join(str(cell or "").split()).replace("\u202f", "").replace("\xa0", "").rstrip("%€")
    text = text.replace(",", "") if "," in text and "." in text else text.replace(",", ".")
    try:
        return float(text)
    except ValueError:
        return float("nan")


def editor_value(kpi: str, value: float) -> float:
    """A stored target as the editor shows it: a rate (unit ``%``) in percent, anything else as it is.

        >>> editor_value("active_space_rate", 0.7046), editor_value("clicks", 2000.0)
        (70.46, 2000.0)
    """
    return round(value * 100, 10) if KPIS[kpi].unit == "%" else value


def from_editor(original: pd.DataFrame, edited: pd.DataFrame) -> tuple[pd.DataFrame, list[str]]:
    """What to save after the Référentiel's table editor: the rows added, modified or removed, nothing else.

    Both frames have the editor's columns (kpi, segment, entity, period, value; a unit column is ignored;
    see ``kpis.reports.targets_frame``). The KPI is a label (French or English) or a code; the value is as
    the editor shows it: a rate in percent (``70,46`` or ``70.46`` is stored as 0.7046). Rows removed from
    the editor come back with a NaN value, which ``Store.set_targets`` treats as a deletion; unchanged rows
    are left out, so the count saved is the count changed. Rows that cannot be read are left out and
    described (French and English together).

        >>> before = pd.DataFrame({"kpi": ["Clics", "cpa", "ctr"], "segment": ["B2C", "B2C", "B2C"],
        ...                        "entity": [None, None, None], "period": ["2026", "2026", "2026"],
        ...                        "value": ["2000", "30", "2,5"]})
        >>> after = before.iloc[[0, 2]].assign(value=["2400", "2,5"])   # clicks raised, cpa removed, ctr kept
        >>> frame, problems = from_editor(before, after)
        >>> problems
        []
        >>> frame[["kpi", "period_start", "period_end", "value"]]      # NaN: delete the cpa target
              kpi period_start period_end   value
        0  clicks   2026-01-01 2026-12-31  2400.0
        1     cpa   2026-01-01 2026-12-31     NaN
    """
    def parse(frame: pd.DataFrame) -> tuple[pd.DataFrame, list[str]]:
        frame = frame.dropna(how="all")
        if frame.empty:
            return pd.DataFrame(columns=TARGET_COLUMNS), []
        periods = parsing.parse_periods([str(p) if p is not None else "" for p in frame["period"]])
        records, problems = [], []
        for i, rec in enumerate(frame.itertuples(index=False)):
            kpi = _KPI_NAMES.get(fold(rec.kpi)) if isinstance(rec.kpi, str) else None
            segment = str(rec.segment).strip().upper() if isinstance(rec.segment, str) else ""
            bad_period = (periods.bad[i] or np.isnat(periods.start[i])
                          or periods.grain[i] not in ("month", "quarter", "year"))
            number = editor_number(rec.value)
            if kpi is None or segment not in SEGMENTS or bad_period or np.isnan(number):
                problems.append(f"ligne {i + 1} / row {i + 1}: {rec.kpi} {rec.segment} {rec.period} {rec.value}")
                continue
            if KPIS[kpi].unit == "%":
                number = round(number / 100, 12)
            entity = str(rec.entity).strip() if isinstance(rec.entity, str) and rec.entity.strip() else None
            records.append((kpi, segment, entity, pd.Timestamp(periods.start[i]), pd.Timestamp(periods.end[i]),
                            periods.grain[i], number))
        return pd.DataFrame.from_records(records, columns=TARGET_COLUMNS), problems

    before, _ = parse(original)
    after, problems = parse(edited)
    key = ["kpi", "segment", "entity", "period_start", "period_end"]

    def keys(frame: pd.DataFrame) -> list[tuple]:
        return [tuple(r) for r in frame[key].astype(object).where(frame[key].notna(), None).to_numpy().tolist()]

    was = dict(zip(keys(before), before["value"], strict=True))
    kept = set(keys(after))
    changed = [k not in was or not np.isclose(v, was[k], rtol=1e-9, atol=0)
               for k, v in zip(keys(after), after["value"], strict=True)]
    after = after[changed]
    removed = before[[k not in kept for k in keys(before)]].assign(value=np.nan)
    return (pd.concat([after, removed], ignore_index=True) if len(removed) else after.reset_index(drop=True)), problems
