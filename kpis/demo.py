"""Demo data: the sample workbooks of the fictitious Groupe Horizon, imported as demo batches.

    >>> from kpis.store import Store
    >>> empty = Store(tmp_path / "demo.duckdb")
    >>> seed(empty)            # only the app calls this, and only on an empty store
    [1, 2, 3, 4]
    >>> [b["sample"] for b in empty.batches()]
    [True, True, True, True]

The store module and the command line never add data by themselves (DESIGN.md).
The social network's messages (``rse_messages.csv``) are imported like any ESN export: only their monthly
aggregates are stored. Demo batches carry ``sample=True``, so ``Store.delete_demo`` removes them in one call.
"""

from __future__ import annotations

from pathlib import Path

from kpis import ingest
from kpis.errors import DuplicateBatch
from kpis.targets import read_targets

__all__ = ["SAMPLE_DIR", "TARGETS_FILE", "seed"]

SAMPLE_DIR = Path(__file__).resolve().parent.parent / "sample_data"
TARGETS_FILE = "cibles.xlsx"
SAMPLE_PATTERNS = ("*.xlsx", "*.csv")


def seed(store, sample_dir: Path = SAMPLE_DIR, by: str = "demo") -> list[int]:
    """Import every sample workbook as a demo batch and load the sample targets; returns the batch ids."""
    ids = []
    for path in sorted(p for pattern in SAMPLE_PATTERNS for p in sample_dir.glob(pattern)):
        if path.name == TARGETS_FILE:
            continue
        result = ingest.check_file(path)
        if not result.importable:
            continue
        try:
            # the structural origin, as a re-import of a copy gets: a corrected copy supersedes the demo batch
            outcome = store.import_batch(**result.batch(imported_by=by, sample=True))
        except DuplicateBatch:
            continue
        ids.append(outcome.batch_id)
    targets_path = sample_dir / TARGETS_FILE
    if targets_path.exists():
        targets, _ = read_targets(targets_path.read_bytes(), targets_path.name)
        if len(targets):
            store.set_targets(targets, by=by, sample=True)
    return ids
