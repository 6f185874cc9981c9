"""Stage 5: entity, channel and initiative labels per row, the row key they make, and the currency.

Several columns for one dimension (brand and country) are joined with `` · ``;
a blank label is ``(all)``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from kpis.catalog import KPIS
from kpis.ingest import parsing
from kpis.ingest.cells import cell_text, group_codes
from kpis.ingest.columns import roles
from kpis.ingest.issues import IssueLog
from kpis.ingest.results import Column
from kpis.ingest.table import SheetTable
from kpis.model import ALL, DIMENSIONS

__all__ = ["ENTITY_JOIN", "REPORTING_CURRENCY", "dimensions_and_key", "sheet_currency"]

ENTITY_JOIN = " · "
"""Several entity (or channel, initiative) columns, such as brand and country, are joined."""

REPORTING_CURRENCY = "EUR"
"""Amounts in another currency are kept as they are, with a warning."""


def dimensions_and_key(table: SheetTable, columns: list[Column], starts: np.ndarray, ends: np.ndarray,
                       extra: list[np.ndarray], log: IssueLog) -> tuple[dict[str, np.ndarray], np.ndarray]:
    """Entity, channel and initiative labels, and a group key per row: period × dimensions × ``extra``
    (segments when they vary, a long sheet's KPI codes). Rows with the same key share a period and every
    dimension."""
    dims, codes = {}, []
    for d in DIMENSIONS:
        dims[d], code = _dimension(table, columns, d, log)
        codes.append(code)
    return dims, group_codes([starts, ends, *codes, *extra], table.n)


def _dimension(table: SheetTable, columns: list[Column], role: str, log: IssueLog) -> tuple[np.ndarray, np.ndarray]:
    """Labels of a dimension, several columns joined (brand · country), ``(all)`` when blank; and a code
    per row, equal when the labels are (cheap to group on)."""
    dcols = roles(columns, role)
    if not dcols:
        return np.full(table.n, ALL, dtype=object), np.zeros(table.n, dtype=np.int64)
    if len(dcols) == 1:
        return table.column_labels(dcols[0].index, lambda v: cell_text(v) or ALL)
    joined = table.column_map(dcols[0].index, cell_text)
    for c in dcols[1:]:
        more = table.column_map(c.index, cell_text)
        joined = np.where(joined == "", more, np.where(more == "", joined, joined + ENTITY_JOIN + more))
    names = " + ".join(c.header for c in dcols)
    log.add("dimension_joined", "info",
            f"{len(dcols)} colonnes décrivent « {role} » ({names}) : valeurs jointes par « · ».",
            f"{len(dcols)} columns describe '{role}' ({names}): values joined with ' · '.")
    labels = np.where(joined == "", ALL, joined).astype(object)
    return labels, pd.factorize(labels)[0]


def sheet_currency(table: SheetTable, columns: list[Column], log: IssueLog) -> str | None:
    """The sheet's currency (a currency column, or € columns' headers and cells); warns when not EUR."""
    found = []
    for c in roles(columns, "currency"):
        found += sorted(set(table.column_map(c.index, lambda v: cell_text(v).upper())) - {""})
    for c in roles(columns, "kpi"):
        if c.kpi and KPIS[c.kpi].unit == "€":
            found.append(parsing.currency_of([c.header]) or parsing.currency_of(table.cells[c.index][:500]))
    found = [f for f in dict.fromkeys(found) if f]
    if len(found) > 1:
        log.add("several_currencies", "warning",
                f"Plusieurs devises dans la feuille ({', '.join(found)}) : les montants sont gardés tels quels.",
                f"Several currencies in the sheet ({', '.join(found)}): amounts are kept as they are.")
    if not found:
        return None
    if found[0] != REPORTING_CURRENCY:
        log.add("currency_not_eur", "warning",
                f"Montants en {found[0]}, pas en EUR : ils sont gardés tels quels (pas de conversion).",
                f"Amounts in {found[0]}, not EUR: they are kept as they are (no conversion).")
    return found[0]
