"""Stage 4: which segment (B2C, B2B, B2E) each row belongs to.

A Segment column says it per row (blank cells take the caller's choice); else
the caller's choice applies; else a sheet of internal-only KPIs is B2E. B2C and
B2B are never guessed: the user is asked.

    >>> segment_by_kpis({"contributions", "population"}), segment_by_kpis({"clicks"})
    ('B2E', None)
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable

import numpy as np

from kpis import catalog
from kpis.ingest.cells import segment_cell
from kpis.ingest.columns import roles
from kpis.ingest.issues import IssueLog
from kpis.ingest.results import Column
from kpis.ingest.table import SheetTable
from kpis.model import SEGMENTS

__all__ = ["SheetSegments", "sheet_segments", "segment_by_kpis", "segment_undecided"]


@dataclass(frozen=True)
class SheetSegments:
    """The segment of each body row, the rows rejected for an unknown one, the segments of the kept rows."""

    values: np.ndarray
    bad: np.ndarray
    found: list[str]


def sheet_segments(table: SheetTable, columns: list[Column], excluded: np.ndarray, codes: np.ndarray | None,
                   caller: str | None, log: IssueLog) -> SheetSegments | None:
    """The rows' segments, or None with a sheet error (undecided, missing, in conflict with the caller's)."""
    found_codes = codes[~excluded] if codes is not None else [c.kpi for c in roles(columns, "kpi")]
    kpis = {str(k) for k in found_codes if k}
    fallback = caller or segment_by_kpis(kpis)
    seg_cols = roles(columns, "segment")
    if not seg_cols:
        if fallback is None:
            segment_undecided(log)
            return None
        return SheetSegments(np.full(table.n, fallback, dtype=object), np.zeros(table.n, dtype=bool), [fallback])
    c = seg_cols[0]
    values = table.column_map(c.index, segment_cell)
    live = ~excluded
    blank, unknown = live & (values == ""), live & (values == "?")
    found = set(values[live & ~blank & ~unknown])
    if caller and found - {caller}:
        others = ", ".join(sorted(found - {caller}))
        log.add("segment_conflict", "error",
                f"La colonne {c.letter} ({c.header}) indique {others} alors que le segment choisi est {caller} "
                ": retirez --segment ou corrigez la colonne.",
                f"Column {c.letter} ({c.header}) says {others} while the chosen segment is {caller}: drop "
                "--segment or correct the column.")
        return None
    bad = log.reject(unknown, table.numbers, "segment_unknown",
                     "Segment non reconnu (attendu B2C, B2B ou B2E, ou Grand public, Professionnels, "
                     "Collaborateurs…) : ligne rejetée.",
                     "Unknown segment (expected B2C, B2B or B2E, or consumer, business, employees…): "
                     "row rejected.", c.letter)
    if blank.any() and not _fill_blank(c, int(blank.sum()), fallback, log):
        return None
    values = np.where(blank, np.array(fallback, dtype=object), values)
    return SheetSegments(values, bad, sorted(set(values[live & ~bad]), key=SEGMENTS.index))


def _fill_blank(c: Column, count: int, fallback: str | None, log: IssueLog) -> bool:
    if fallback is None:
        log.add("segment_missing", "error",
                f"{count} ligne(s) sans segment en colonne {c.letter} : choisissez le segment (--segment ou "
                "l'écran d'import) ou complétez la colonne.",
                f"{count} row(s) without a segment in column {c.letter}: choose the segment (--segment or "
                "the import screen) or fill in the column.", None, c.letter)
        return False
    log.add("segment_blank", "warning", f"{count} ligne(s) sans segment : {fallback} appliqué.",
            f"{count} row(s) without a segment: {fallback} applied.", None, c.letter)
    return True


def segment_undecided(log: IssueLog) -> None:
    """Report that the segment must be chosen."""
    log.add("segment_undecided", "error",
            "Le fichier ne dit pas s'il s'agit de B2C, B2B ou B2E : choisissez le segment (--segment ou "
            "l'écran d'import) ou ajoutez une colonne Segment.",
            "The file does not say whether it is B2C, B2B or B2E: choose the segment (--segment or the "
            "import screen) or add a Segment column.")


def segment_by_kpis(kpis: Iterable[str]) -> str | None:
    """B2E when the KPIs include internal-only ones and no external-only one (B2C/B2B never guessed)."""
    worlds = {catalog.exclusive_world(k) for k in kpis if not k.startswith("nps_")}
    return "B2E" if "internal" in worlds and "external" not in worlds else None
