"""Ingestion: a team's export (xlsx, xlsm, xls, ods, csv) → tidy observations and a report.

    result = check_file("campagnes.xlsx", segment="B2C")
    result.importable, result.rows_kept        # (True, 118)
    store.import_batch(**result.batch(imported_by="cdo"))

The stages, each a module of this package, in the order a file meets them:

- ``gate``: size, type and container checks before any parser runs;
- ``sandbox``: workbooks are parsed in a limited child process (``readers``);
- ``exports``: a known vendor export is recognised and rewritten for reading;
- ``layouts``: a two-level header or a pivot table is flattened into a wide table;
- ``sheet``: header, columns (``mapping`` for ``--map``: a header, ``header#2`` or a letter), layout, ``periods``,
  segments, values (``parsing`` for numbers and dates in French or English);
- ``observations``: the kept values become tidy observations.

Every problem becomes an ``Issue`` (``issues``) with its sheet, row and column;
a file that cannot be read at all raises nothing here: it yields a file-level issue.

The names below are loaded on first use, so that the sandbox's child process,
which imports ``kpis.ingest.readers``, never loads pandas.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

__all__ = [
    "PARSER_VERSION",
    "Column",
    "FileResult",
    "Issue",
    "IssueLog",
    "SheetResult",
    "Target",
    "check_bytes",
    "check_file",
    "column_letter",
    "header_key",
    "parse_target",
]

_HOMES = {
    "PARSER_VERSION": "results", "Column": "results", "FileResult": "results", "SheetResult": "results",
    "Issue": "issues", "IssueLog": "issues", "column_letter": "issues",
    "Target": "mapping", "parse_target": "mapping", "header_key": "mapping",
    "check_bytes": "check", "check_file": "check",
}

if TYPE_CHECKING:  # what type checkers and readers see; at run time __getattr__ loads them
    from kpis.ingest.check import check_bytes, check_file
    from kpis.ingest.issues import Issue, IssueLog, column_letter
    from kpis.ingest.mapping import Target, header_key, parse_target
    from kpis.ingest.results import PARSER_VERSION, Column, FileResult, SheetResult


def __getattr__(name: str):
    if name not in _HOMES:
        raise AttributeError(f"module 'kpis.ingest' has no attribute {name!r}")
    value = getattr(importlib.import_module(f"kpis.ingest.{_HOMES[name]}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
