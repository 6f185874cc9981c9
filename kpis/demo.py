"""Demo data: the sample workbooks of the fictitious Groupe Horizon, imported as demo batches.

    >>> from kpis.store import Store
    >>> empty = Store(tmp_path / "demo.duckdb")
    >>> seed(empty)            # only the app calls this, and only on an empty store
    [1, 2, 3, 4]
    >>> [b["sample"] for b in empty.batches()]
    [True, True, True, True]

The store module and the command line never add data by themselves (DESIGN.md).
The social network's messages (``rse_messages.csv``) are imported like any ESN export: only their monthly
aggregates are stored, with the mentions of the two tracked subjects the demo adds first (``DEMO_SUBJECTS``:
« Projet Atlas » sours in May 2026, « Nouvel intranet » wins people over in June). Demo batches, targets and
subjects carry ``sample=True``, so ``Store.delete_demo`` removes them in one call.

    >>> mentions = empty.esn_subjects()
    >>> [s.code for s in empty.subjects()], int((mentions["grp"] == "(all)").sum())   # 12 months × 2 subjects
    (['atlas', 'intranet'], 24)
"""

from __future__ import annotations

from pathlib import Path

from kpis import ingest
from kpis.errors import DuplicateBatch
from kpis.esn.subjects import Subject
from kpis.targets import read_targets

__all__ = ["SAMPLE_DIR", "TARGETS_FILE", "DEMO_SUBJECTS", "seed"]

SAMPLE_DIR = Path(__file__).resolve().parent.parent / "sample_data"
TARGETS_FILE = "cibles.xlsx"
SAMPLE_PATTERNS = ("*.xlsx", "*.csv")
DEMO_SUBJECTS = (Subject("atlas", "Projet Atlas", "Atlas project", ("Atlas",)),
                 Subject("intranet", "Nouvel intranet", "New intranet", ("intranet",)))
"""The subjects the demo's social network export is read for (``sample_data/README.md``: their tone changes)."""


def seed(store, sample_dir: Path = SAMPLE_DIR, by: str = "demo") -> list[int]:
    """Track the demo's subjects, import every sample workbook as a demo batch and load the sample targets;
    returns the batch ids."""
    tracked = {s.code for s in store.subjects()}
    for subject in DEMO_SUBJECTS:
        if subject.code not in tracked:
            store.add_subject(subject, by=by, sample=True)
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
