"""Persistence: import batches, observations, targets and remembered column mappings.

    >>> store = Store("data/passerelle.duckdb")              # created with its schema
    >>> outcome = store.import_batch(obs, file_name="ads.xlsx", sheets=["Feuil1"],
    ...                              sha256=digest, rows_read=2, rows_kept=2,
    ...                              rows_rejected=0, parser_version="1")
    >>> outcome.batch_id, outcome.rows_stored
    (1, 2)
    >>> store.native_totals(Filter(segments=("B2C",)), by=("channel",))
      period_start period_end segment          kpi channel    value  n
    0   2026-09-01 2026-09-30     B2C       clicks  search    210.0  1
    1   2026-09-01 2026-09-30     B2C  impressions  search  10000.0  1

**Backend and access model.** An embedded DuckDB file. DuckDB lets one
process write a file or several processes read it, never both, so every
operation opens a connection, does its work and closes it: reads open the file
read-only, writes read-write. A busy file is retried with a growing backoff
for ``lock_timeout`` seconds (``DEFAULT_LOCK_TIMEOUT``), then ``StoreLocked``.
Writers are serialised by ``fcntl.flock`` on ``<store>.lock`` before they open
the file, so two imports never race for an id.

**Data version.** ``data_version()`` never opens DuckDB: it reads the sidecar
``<store>.version`` (the ``counters.data_version`` row, rewritten after every
committed write: import, delete, targets, mappings, restore, migration) and
the size and modification time of the database file and its WAL. The stat
part makes it change even if a process dies between its commit and the
sidecar write. It is an opaque string: compare it for equality only.

**Current data ("latest batch wins", DESIGN.md).** Observations keep a
boolean ``is_current``. A *series* is origin × segment × entity × channel ×
initiative × KPI. For each series of a batch, its *coverage* is the union of
its observations' periods, merged into islands (touching periods merge: Jan
and Feb make one island). An older observation is superseded when it lies
entirely inside one island of a newer batch's series that *matches* it: same
origin, segment and KPI, and for each of entity, channel and initiative the
same value or ``"(all)"`` on either side. So a newer total (``"(all)"``)
supersedes older detail of every value inside its period, and newer detail
(``"FR"``) supersedes an older total inside its period even if other values
are missing from the newer file (DESIGN.md's rule, on purpose). Coverage is
per newer series, never pooled across series: an older total spanning Jan–Feb
is only partly covered by newer ``FR``/Jan plus ``DE``/Feb rows. Older
observations that overlap a newer matching island without lying inside it
are kept and reported as ``OverlapWarning``. A batch never supersedes its own
rows. An import only supersedes older rows (nothing is newer); a delete
re-evaluates the superseded rows older than the deleted batch(es) against the
remaining newer batches; ``recompute_current()`` does everything from scratch
and gives the same answer.

**Origins never summed silently (DESIGN.md).** Before a batch is stored, its
series (segment × entity × channel × initiative × KPI, exactly) are compared
with the current observations of *other* origins over overlapping periods
(``overlaps``). Any such overlap refuses the import with ``OverlapConflict``
naming each batch, its origin, the overlap and the size of the difference,
unless the caller says ``adds=True`` (different data, summed on purpose: the
batches it adds to are recorded in ``batches.adds_to``). A correction of
another origin's batch is imported under that batch's origin instead, and
supersedes it as above.

**Duplicates.** A batch whose SHA-256 of the file bytes or whose normalised
observations hash (``observations_hash``) equals an existing batch's is
refused with ``DuplicateBatch``; nothing is written.

**Portability.** Standard DDL/DML with ``?`` parameters; the DuckDB-only
parts (connecting and lock errors, registering a DataFrame for bulk insert,
Parquet COPY for backup) live in the ``_duckdb_*`` helpers of this module.

**Deleting is deliberate and reversible.** ``preview_delete(id)`` and
``preview_demo()`` say, without writing, what a deletion would do: the
batches (file, origin, rows, period), the older observations that become
current again (per KPI) and, for the demo, the targets and remembered
mappings it brought (``sample`` on batches, targets and mappings). A
deletion moves its rows into the ``deleted_*`` archive tables under one
*operation* id (the first id it writes in the ``deletions`` log; a demo
removal is one operation), so ``undelete(id)`` puts them back, in one
transaction, for ``UNDELETE_DAYS`` days; what is current is then recomputed
from scratch, as ``recompute_current()`` does. Archives older than that are
purged by the next deletion.

**Damage and backups.** Connections never auto-install or auto-load DuckDB
extensions, and a file without DuckDB's magic bytes is refused before DuckDB
opens it. A DuckDB error at open or read, or a file holding fewer committed
writes than ``<store>.version`` records (a deleted, cut or damaged WAL), raises
``StoreUnreadable`` naming the file and the newest automatic backup. Before
every deletion, demo removal, restore and migration the store's file and WAL
are copied to ``<store>.backups/`` (``AUTO_BACKUPS_KEPT`` kept). ``backup``
writes Parquet and a manifest with row counts and SHA-256s; ``restore_store``
verifies either kind into a new file and swaps it in only when every check
passed (``BackupRejected`` otherwise).

Errors: ``StoreLocked``, ``DuplicateBatch``, ``UnknownBatch``,
``SchemaTooNew``, ``NotImportable``, ``CannotUndelete``, ``OverlapConflict``, ``StoreUnreadable``,
``BackupRejected`` and ``StoreError`` (see ``kpis.errors``).
"""

from __future__ import annotations

import fcntl
import functools
import glob
import hashlib
import itertools
import json
import math
import os
import shutil
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any, TypeVar

import duckdb
import numpy as np
import pandas as pd

from kpis import catalog
from kpis.catalog import MATCH_BY_CHANNEL, MATCH_SEPARATOR, MATCHED, MATCHED_PARTS
from kpis.custom import Definition, changes, validate
from kpis.errors import (
    BackupRejected,
    CannotUndelete,
    DuplicateBatch,
    KpiInUse,
    NotImportable,
    OverlapConflict,
    SchemaTooNew,
    StoreError,
    StoreLocked,
    StoreUnreadable,
    UnknownBatch,
    UnknownKpi,
)
from kpis.model import ALL, DIMENSIONS, OBS_COLUMNS, SEGMENTS, Filter

__all__ = [
    "Store",
    "restore_store",
    "latest_backup",
    "ImportOutcome",
    "DeleteOutcome",
    "DeletionPreview",
    "UndeleteOutcome",
    "OverlapWarning",
    "Overlap",
    "RememberedMapping",
    "observations_hash",
    "fold_headers",
    "SCHEMA_VERSION",
    "DEFAULT_LOCK_TIMEOUT",
    "UNDELETE_DAYS",
    "AUTO_BACKUPS_KEPT",
]

SCHEMA_VERSION = 12
"""Version 1 had no ``obs_hash``/``parser_version`` on batches and no column mappings; version 5 adds the
``sample`` flag of targets and mappings, the deletion log's operation and undo columns, and the archives;
version 6 adds ``batches.adds_to``; version 7 the reference origins and the origin of ``entity_totals``;
version 8 the access grants and the audit trail; version 9 the organisation's KPIs (``custom_kpis``)
and the history of their definitions (``kpi_history``); version 10 the comments on the numbers; version 11
the social network's topics and influencer profiles (``esn_terms``, ``esn_profiles``) and their archives; version
12 the tracked subjects (``subjects``), their mentions (``esn_subjects``, archived) and a profile's ``name``."""

DEFAULT_LOCK_TIMEOUT = 10.0
"""Seconds a busy store is retried before ``StoreLocked``."""

UNDELETE_DAYS = 30
"""Days during which a deletion can be undone (``Store.undelete``); its archive is purged afterwards."""

AUTO_BACKUPS_KEPT = 5
"""Automatic backups kept in ``<store>.backups/``: one is written before each deletion, demo removal, restore
and schema migration, and the oldest beyond this number are removed."""

_DUCKDB_CONFIG: dict[str, str | bool | int | float | list[str]] = {
    "autoinstall_known_extensions": False, "autoload_known_extensions": False}
"""Every connection: DuckDB never downloads nor loads an extension on its own (an SQLite file given as the
store used to make it fetch one over the network)."""

_DUCKDB_MAGIC = (8, b"DUCK")
"""Offset and bytes every DuckDB database file holds; anything else is refused before DuckDB opens it."""

VALUE_DIGITS = 10
"""Significant digits kept when hashing values (relative rounding ~1e-9)."""

ARCHIVES = {"deleted_batches": "batches", "deleted_observations": "observations", "deleted_targets": "targets",
            "deleted_mappings": "column_mappings", "deleted_esn_terms": "esn_terms",
            "deleted_esn_profiles": "esn_profiles", "deleted_esn_subjects": "esn_subjects",
            "deleted_subjects": "subjects"}
"""Archive table -> the table whose rows it keeps (same columns plus ``operation``), for ``undelete``."""

TABLES = ("schema_version", "counters", "batches", "observations", "deletions", "targets", "column_mappings",
          "reference_origins", "grants", "audit", "custom_kpis", "kpi_history", "comments", "esn_terms",
          "esn_profiles", "subjects", "esn_subjects", *ARCHIVES)
"""Every table, in dependency order (backup, restore and tests walk them)."""

DERIVED_TABLES = ("entity_totals", "label_values")
"""Rebuilt from the observations after every write: neither backed up nor compared."""

TARGET_GRAINS = ("month", "quarter", "year", "range")

STATUS_CURRENT, STATUS_PARTLY, STATUS_SUPERSEDED = "current", "partly superseded", "superseded"


# Table key used to order rows deterministically (backup, restore, comparisons).
_ORDER = {
    "schema_version": "version",
    "counters": "name",
    "batches": "id",
    "observations": "batch_id, row_no",
    "deletions": "id",
    "targets": "kpi, segment, entity, period_start, period_end",
    "column_mappings": "headers_key",
    "reference_origins": "segment, kpi",
    "grants": "id",
    "audit": "id",
    "custom_kpis": "code",
    "kpi_history": "code, version",
    "comments": "id",
    "esn_terms": "batch_id, month, grp, term",
    "esn_profiles": "batch_id, month, rank",
    "subjects": "code",
    "esn_subjects": "batch_id, month, subject, grp",
    "deleted_esn_subjects": "operation, batch_id, month, subject, grp",
    "deleted_subjects": "operation, code",
    "deleted_esn_terms": "operation, batch_id, month, grp, term",
    "deleted_esn_profiles": "operation, batch_id, month, rank",
    "deleted_batches": "operation, id",
    "deleted_observations": "operation, batch_id, row_no",
    "deleted_targets": "operation, kpi, segment, entity, period_start, period_end",
    "deleted_mappings": "operation, headers_key",
    "entity_totals": "period_start, period_end, segment, kpi, entity, origin",
    "label_values": "segment, dimension, value",
}

_DDL = {
    "schema_version": """CREATE TABLE schema_version (
        version INTEGER NOT NULL,
        migrated_at TIMESTAMP NOT NULL)""",
    "counters": """CREATE TABLE counters (
        name VARCHAR PRIMARY KEY,
        value BIGINT NOT NULL)""",
    "batches": """CREATE TABLE batches (
        id INTEGER PRIMARY KEY,
        file_name VARCHAR NOT NULL,
        sheets VARCHAR NOT NULL,
        origin VARCHAR NOT NULL,
        sha256 VARCHAR,
        imported_at TIMESTAMP NOT NULL,
        imported_by VARCHAR NOT NULL,
        rows_read INTEGER,
        rows_kept INTEGER,
        rows_rejected INTEGER,
        observations INTEGER NOT NULL,
        segments VARCHAR NOT NULL,
        period_start DATE,
        period_end DATE,
        sample BOOLEAN NOT NULL,
        obs_hash VARCHAR,
        parser_version VARCHAR,
        adds_to VARCHAR)""",
    "observations": """CREATE TABLE observations (
        batch_id INTEGER NOT NULL,
        row_no INTEGER NOT NULL,
        period_start DATE NOT NULL,
        period_end DATE NOT NULL,
        segment VARCHAR NOT NULL,
        entity VARCHAR NOT NULL,
        channel VARCHAR NOT NULL,
        initiative VARCHAR NOT NULL,
        kpi VARCHAR NOT NULL,
        value DOUBLE PRECISION NOT NULL,
        is_current BOOLEAN NOT NULL)""",
    "deletions": """CREATE TABLE deletions (
        id INTEGER PRIMARY KEY,
        batch_id INTEGER,
        file_name VARCHAR NOT NULL,
        origin VARCHAR NOT NULL,
        sample BOOLEAN NOT NULL,
        deleted_at TIMESTAMP NOT NULL,
        deleted_by VARCHAR NOT NULL,
        rows_removed INTEGER NOT NULL,
        rows_restored INTEGER NOT NULL,
        operation INTEGER,
        targets_removed INTEGER,
        mappings_removed INTEGER,
        undone_at TIMESTAMP,
        undone_by VARCHAR)""",
    "targets": """CREATE TABLE targets (
        kpi VARCHAR NOT NULL,
        segment VARCHAR NOT NULL,
        entity VARCHAR,
        period_start DATE NOT NULL,
        period_end DATE NOT NULL,
        grain VARCHAR NOT NULL,
        value DOUBLE PRECISION NOT NULL,
        set_by VARCHAR NOT NULL,
        set_at TIMESTAMP NOT NULL,
        sample BOOLEAN)""",
    "column_mappings": """CREATE TABLE column_mappings (
        headers_key VARCHAR PRIMARY KEY,
        headers VARCHAR NOT NULL,
        mapping VARCHAR NOT NULL,
        saved_by VARCHAR NOT NULL,
        saved_at TIMESTAMP NOT NULL,
        sample BOOLEAN)""",
    "reference_origins": """CREATE TABLE reference_origins (
        segment VARCHAR NOT NULL,
        kpi VARCHAR NOT NULL,
        origin VARCHAR NOT NULL,
        set_by VARCHAR NOT NULL,
        set_at TIMESTAMP NOT NULL,
        PRIMARY KEY (segment, kpi))""",
    "grants": """CREATE TABLE grants (
        id INTEGER PRIMARY KEY,
        role VARCHAR NOT NULL,
        segments VARCHAR NOT NULL,
        entities VARCHAR NOT NULL,
        email VARCHAR,
        grp VARCHAR,
        granted_by VARCHAR NOT NULL,
        granted_at TIMESTAMP NOT NULL)""",
    "audit": """CREATE TABLE audit (
        id INTEGER PRIMARY KEY,
        done_at TIMESTAMP NOT NULL,
        who VARCHAR NOT NULL,
        action VARCHAR NOT NULL,
        segments VARCHAR NOT NULL,
        detail VARCHAR NOT NULL)""",
    "custom_kpis": """CREATE TABLE custom_kpis (
        code VARCHAR PRIMARY KEY,
        definition VARCHAR NOT NULL,
        version INTEGER NOT NULL,
        created_by VARCHAR NOT NULL,
        created_at TIMESTAMP NOT NULL,
        updated_by VARCHAR NOT NULL,
        updated_at TIMESTAMP NOT NULL)""",
    "kpi_history": """CREATE TABLE kpi_history (
        code VARCHAR NOT NULL,
        version INTEGER NOT NULL,
        action VARCHAR NOT NULL,
        changed_by VARCHAR NOT NULL,
        changed_at TIMESTAMP NOT NULL,
        changes VARCHAR NOT NULL,
        observations BIGINT NOT NULL,
        targets BIGINT NOT NULL,
        PRIMARY KEY (code, version))""",
    "comments": """CREATE TABLE comments (
        id INTEGER PRIMARY KEY,
        kpi VARCHAR NOT NULL,
        segment VARCHAR NOT NULL,
        entity VARCHAR,
        period_start DATE NOT NULL,
        period_end DATE NOT NULL,
        text VARCHAR NOT NULL,
        author VARCHAR NOT NULL,
        created_at TIMESTAMP NOT NULL,
        removed_at TIMESTAMP,
        removed_by VARCHAR)""",
    "esn_terms": """CREATE TABLE esn_terms (
        batch_id INTEGER NOT NULL,
        month DATE NOT NULL,
        grp VARCHAR NOT NULL,
        term VARCHAR NOT NULL,
        authors INTEGER NOT NULL,
        messages INTEGER NOT NULL)""",
    "esn_profiles": """CREATE TABLE esn_profiles (
        batch_id INTEGER NOT NULL,
        month DATE NOT NULL,
        rank INTEGER NOT NULL,
        department VARCHAR,
        threads INTEGER NOT NULL,
        replies INTEGER NOT NULL,
        score DOUBLE PRECISION NOT NULL,
        name VARCHAR,
        mentions INTEGER NOT NULL DEFAULT 0)""",
    "subjects": """CREATE TABLE subjects (
        code VARCHAR PRIMARY KEY,
        name_fr VARCHAR NOT NULL,
        name_en VARCHAR,
        synonyms VARCHAR NOT NULL,
        created_by VARCHAR NOT NULL,
        created_at TIMESTAMP NOT NULL,
        sample BOOLEAN NOT NULL DEFAULT FALSE)""",
    "esn_subjects": """CREATE TABLE esn_subjects (
        batch_id INTEGER NOT NULL,
        month DATE NOT NULL,
        grp VARCHAR NOT NULL,
        subject VARCHAR NOT NULL,
        messages INTEGER NOT NULL,
        authors INTEGER NOT NULL,
        positive INTEGER NOT NULL,
        negative INTEGER NOT NULL,
        neutral INTEGER NOT NULL)""",
    **{archive: f"CREATE TABLE {archive} AS SELECT *, CAST(NULL AS INTEGER) AS operation FROM {source} WHERE FALSE"
       for archive, source in ARCHIVES.items()},
    "entity_totals": """CREATE TABLE entity_totals (
        period_start DATE NOT NULL,
        period_end DATE NOT NULL,
        segment VARCHAR NOT NULL,
        kpi VARCHAR NOT NULL,
        entity VARCHAR NOT NULL,
        origin VARCHAR NOT NULL,
        sm DOUBLE PRECISION NOT NULL,
        mx DOUBLE PRECISION NOT NULL,
        n BIGINT NOT NULL)""",
    "label_values": """CREATE TABLE label_values (
        segment VARCHAR NOT NULL,
        dimension VARCHAR NOT NULL,
        value VARCHAR NOT NULL)""",
}
"""``entity_totals`` is derived: the current observations summed (``sm``) and
maxed (``mx``) over channels and initiatives per native period, segment, KPI,
entity and origin (plus the matched parts of the ratios, ``catalog.MATCHED``),
rebuilt in the transaction of every write that changes what is current.
``native_totals`` reads it when no channel or initiative is involved (the CDO
view's case), 5 million rows becoming a few tens of thousands.
``label_values`` (derived too) lists the entities, channels, initiatives and
KPIs present per segment, for the filter widgets. The ``deleted_*`` archives
(``ARCHIVES``) take their columns from the table they keep, plus ``operation``.
``deletions.batch_id`` is empty for a demo removal that only took targets or mappings.
``grants`` gives a role over segments (comma-separated, and optionally entities) to an e-mail address or a
group claim (``kpis.access``); ``audit`` records who did what and when: every import, deletion, undo, restore,
target change, reference choice and grant change, with the segments it touched.
``reference_origins`` holds the origin a person chose as the headline source of a stock, distinct count or
ratio of stocks in a segment (``Store.set_reference_origin``); without one, the metrics take the origin
that covers the selected window best.
``custom_kpis`` holds the organisation's own KPIs, one JSON definition each (``kpis.custom.Definition``);
``kpi_history`` one row per creation, edit or removal: who, when, what changed (field -> [before, after],
JSON) and how many observations and targets held the KPI then.
``comments`` holds the comments on a number (KPI × segment, optionally
entity, × period; ``Store.add_comment``); a removed one keeps its row with ``removed_at`` and ``removed_by``, so
an id is never given twice.
``esn_terms`` and ``esn_profiles`` hold what a social network export leaves of its words and its reply graph
(``kpis.esn.topics.TermCount``, ``kpis.esn.influence.Profile``), written with their batch: per month × group
(``grp``, ``"(all)"`` for the network) each term used by at least 5 distinct authors, with its authors and
messages; per month the best-ranked people as profiles (rank, department or none, conversations started,
replies received, PageRank score), never an id or e-mail, and a name only when the ``esn_names`` setting was
on at import and the month had at least 5 authors. A month of a batch counts only while the batch
has a current observation starting in it (``Store.esn_terms``, ``Store.esn_profiles``), so a later export
of the same months supersedes them like the batch's observations.
``subjects`` holds the tracked subjects of the social network (``kpis.esn.subjects.Subject``: code, French and
English names, synonyms as a JSON list, who created it and when); ``esn_subjects`` their mentions, written with
the batch like ``esn_terms``: per month × group (and ``"(all)"``) and subject, the messages mentioning it, their
distinct authors and positive / negative / neutral messages; every subject tracked at import has a row under
``"(all)"`` for every month of the export, 0 when not mentioned."""


# --- values returned -------------------------------------------------------


@dataclass(frozen=True)
class OverlapWarning:
    """Older observations that a new batch only partly covers: kept, not superseded."""

    batch_id: int
    rows: int
    kpis: tuple[str, ...]
    message_fr: str
    message_en: str

    def message(self, lang: str = "fr") -> str:
        return self.message_fr if lang == "fr" else self.message_en


@dataclass(frozen=True)
class Overlap:
    """An earlier batch of another origin whose current values share series and periods with a new file.

    ``rows`` of that batch overlap ``file_rows`` of the file, between ``period_start`` and ``period_end``;
    their totals are ``batch_total`` and ``file_total``. Of the values with the very same period,
    ``same`` are equal and ``different`` are not.
    """

    batch_id: int
    origin: str
    file_name: str
    period_start: str
    period_end: str
    kpis: tuple[str, ...]
    rows: int
    file_rows: int
    batch_total: float
    file_total: float
    same: int
    different: int

    @property
    def difference(self) -> float:
        return self.file_total - self.batch_total

    def message(self, lang: str = "fr") -> str:
        from kpis.i18n import fmt_value

        total, mine = (fmt_value(v, "count", lang) for v in (self.batch_total, self.file_total))
        gap = ("-" if self.difference < 0 else "+") + fmt_value(abs(self.difference), "count", lang)
        kpis = ", ".join(self.kpis)
        if lang == "fr":
            return (f"Le lot n° {self.batch_id} ({self.file_name}, origine « {self.origin} ») a déjà {self.rows} "
                    f"valeur(s) des mêmes séries du {self.period_start} au {self.period_end} ({kpis}) : total "
                    f"{total} dans le lot, {mine} dans ce fichier (écart {gap}) ; {self.same} valeur(s) identique(s), "
                    f"{self.different} différente(s).")
        return (f"Batch {self.batch_id} ({self.file_name}, origin '{self.origin}') already holds {self.rows} "
                f"value(s) of the same series from {self.period_start} to {self.period_end} ({kpis}): total "
                f"{total} in the batch, {mine} in this file (difference {gap}); {self.same} value(s) equal, "
                f"{self.different} different.")


@dataclass(frozen=True)
class ImportOutcome:
    """What ``Store.import_batch`` did."""

    batch_id: int
    imported_at: datetime
    rows_stored: int
    rows_superseded: int
    warnings: tuple[OverlapWarning, ...] = ()


@dataclass(frozen=True)
class DeleteOutcome:
    """What ``Store.delete_batch`` / ``delete_demo`` did; ``deletion_id`` is what ``undelete`` takes."""

    batch_ids: tuple[int, ...]
    rows_removed: int
    rows_restored: int
    targets_removed: int = 0
    mappings_removed: int = 0
    deletion_id: int | None = None


@dataclass(frozen=True)
class DeletionPreview:
    """What a deletion would do, computed without writing (``preview_delete``, ``preview_demo``).

    ``batches``: one dict per batch (id, file, origin, rows, period_start, period_end, sample);
    ``restored_by_kpi``: KPI -> older observations that become current again;
    ``restored_from``: batch id -> how many of them it holds.
    """

    batches: tuple[dict, ...]
    rows_removed: int
    rows_restored: int
    restored_by_kpi: dict[str, int] = field(default_factory=dict, hash=False)
    restored_from: dict[int, int] = field(default_factory=dict, hash=False)
    targets: int = 0
    mappings: int = 0

    @property
    def empty(self) -> bool:
        return not self.batches and not self.targets and not self.mappings


@dataclass(frozen=True)
class UndeleteOutcome:
    """What ``Store.undelete`` put back."""

    deletion_id: int
    batch_ids: tuple[int, ...]
    rows_back: int
    targets_back: int
    mappings_back: int


@dataclass(frozen=True)
class RememberedMapping:
    """A header set (folded, sorted) and the meaning the user gave its columns."""

    headers: tuple[str, ...]
    mapping: dict[str, str] = field(hash=False)
    saved_by: str = ""
    saved_at: datetime | None = None


# --- pure helpers ----------------------------------------------------------


def fold_headers(headers: Sequence[object]) -> tuple[str, ...]:
    """The key of a header set, as ingestion computes it (``kpis.ingest.mapping.header_key``).

    >>> fold_headers([" Clics", "Date", None, ""])
    ('clics', 'date')
    """
    from kpis.ingest.mapping import header_key

    return header_key(headers)


def observations_hash(observations: pd.DataFrame) -> str:
    """A hash of the observations independent of row order, dtypes and float noise.

    Same rows in another order, counts read as integers instead of floats:

    >>> observations_hash(obs) == observations_hash(obs.iloc[::-1].astype({"value": "int64"}))
    True

    Dates are compared as days, strings as text, values rounded to
    ``VALUE_DIGITS`` significant digits. Each row is mixed into a 64-bit
    integer with fixed integer arithmetic (splitmix64), the row hashes are
    sorted and hashed with SHA-256 together with the sorted distinct labels: the
    digest depends on no pandas or DuckDB hashing and so stays stable across
    versions.
    """
    return _hash_encoded(_encode(_normalise(observations)))


_LABELS = ("segment", *DIMENSIONS, "kpi")


def _encode(frame: pd.DataFrame) -> dict:
    """Integer columns of a normalised frame: days, sorted label codes, rounded values."""
    enc = {
        "period_start": frame["period_start"].to_numpy(dtype="datetime64[D]").astype("<i8"),
        "period_end": frame["period_end"].to_numpy(dtype="datetime64[D]").astype("<i8"),
        "labels": {},
    }
    for col in _LABELS:
        codes, uniques = pd.factorize(frame[col], sort=True)
        enc[col] = codes.astype("<i8")
        enc["labels"][col] = [str(u) for u in uniques]
    enc["mantissa"], enc["exponent"] = _round_relative(frame["value"].to_numpy(dtype="float64"))
    return enc


def _mix(h: np.ndarray) -> np.ndarray:
    """splitmix64 finaliser on uint64 (wrapping arithmetic)."""
    with np.errstate(over="ignore"):
        h = (h ^ (h >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
        h = (h ^ (h >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
        return h ^ (h >> np.uint64(31))


def _hash_encoded(enc: dict) -> str:
    digest = hashlib.sha256(b"passerelle-observations-v1")
    digest.update(json.dumps(enc["labels"], ensure_ascii=False, sort_keys=True).encode())
    h = np.full(len(enc["period_start"]), 0x9E3779B97F4A7C15, dtype=np.uint64)
    with np.errstate(over="ignore"):
        for col in ("period_start", "period_end", *_LABELS, "mantissa", "exponent"):
            h = _mix(h ^ enc[col].astype(np.uint64)) + np.uint64(0x9E3779B97F4A7C15)
    digest.update(np.sort(h).astype("<u8").tobytes())
    return digest.hexdigest()


def _round_relative(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(mantissa, exponent) integers with ``VALUE_DIGITS`` significant digits."""
    out_m = np.zeros(len(values), dtype="<i8")
    out_e = np.zeros(len(values), dtype="<i8")
    nonzero = np.isfinite(values) & (values != 0)
    v = values[nonzero]
    exp = np.floor(np.log10(np.abs(v))).astype("<i8") - (VALUE_DIGITS - 1)
    mant = np.rint(v / np.power(10.0, exp)).astype("<i8")
    carry = np.abs(mant) >= 10**VALUE_DIGITS  # 9.99999999999 rounded up to 10.0
    mant[carry] = np.rint(mant[carry] / 10).astype("<i8")
    exp[carry] += 1
    out_m[nonzero], out_e[nonzero] = mant, exp
    return out_m, out_e


def _normalise(observations: pd.DataFrame) -> pd.DataFrame:
    """The observations in the store's types; raises ``StoreError`` on a malformed frame."""
    missing = [c for c in OBS_COLUMNS if c not in observations.columns]
    if missing:
        raise StoreError(
            f"Observations incomplètes : colonnes manquantes {missing}",
            f"Malformed observations: missing columns {missing}",
        )
    frame = pd.DataFrame(
        {
            "period_start": pd.to_datetime(observations["period_start"]).dt.normalize().astype("datetime64[us]"),
            "period_end": pd.to_datetime(observations["period_end"]).dt.normalize().astype("datetime64[us]"),
            **{c: _text_column(observations[c]) for c in ("segment", *DIMENSIONS)},
            "kpi": _text_column(observations["kpi"]),
            "value": pd.to_numeric(observations["value"]).astype("float64"),
        }
    ).reset_index(drop=True)
    problems = []
    if frame["period_start"].isna().any() or frame["period_end"].isna().any():
        problems.append(("dates manquantes", "missing dates"))
    elif (frame["period_end"] < frame["period_start"]).any():
        problems.append(("fin de période avant le début", "period end before start"))
    if not np.isfinite(frame["value"].to_numpy()).all():
        problems.append(("valeurs non numériques", "non-finite values"))
    bad_segments = sorted(set(frame["segment"].unique()) - set(SEGMENTS))
    if bad_segments:
        problems.append((f"segments inconnus {bad_segments}", f"unknown segments {bad_segments}"))
    kinds = _kinds()
    derived = sorted(k for k in frame["kpi"].unique() if kinds.get(k) in ("ratio", "score"))
    if derived:
        problems.append((f"KPI calculés jamais stockés {derived}", f"derived KPIs are never stored {derived}"))
    if problems:
        raise StoreError(
            "Observations refusées : " + "; ".join(fr for fr, _ in problems),
            "Observations refused: " + "; ".join(en for _, en in problems),
        )
    return frame


def _text_column(column: pd.Series) -> pd.Series:
    """A column of labels as text, missing ones ``"(all)"``: a categorical built from the distinct
    values (a million repeated labels are converted once each, and DuckDB scans the codes)."""
    if not isinstance(column.dtype, pd.CategoricalDtype):
        column = column.fillna(ALL)
    if isinstance(column.dtype, pd.CategoricalDtype):
        codes, uniques = column.cat.codes.to_numpy(), column.cat.categories
        if (codes < 0).any():
            return column.astype(object).fillna(ALL).astype(str)
    else:
        codes, uniques = pd.factorize(column, use_na_sentinel=False)
    labels = np.array([str(u) for u in uniques], dtype=object)
    if len(set(labels)) < len(labels):  # 1 and "1" in one column: let pandas sort it out the slow way
        return column.astype(str)
    order = np.argsort(labels, kind="stable")  # categories in text order, as a sorted factorize sees them
    rank = np.empty(len(order), dtype=np.int64)
    rank[order] = np.arange(len(order))
    categorical = pd.Categorical.from_codes(rank[codes], categories=pd.Index(labels[order], dtype=object))
    return pd.Series(categorical.remove_unused_categories(), index=column.index)


def _kinds() -> dict[str, str]:
    """KPI code -> aggregation kind, from the catalog."""
    from kpis.catalog import KPIS

    return {code: kpi.aggregation for code, kpi in KPIS.items()}


def _utcnow() -> datetime:
    """Now in UTC as a naive timestamp (the store's TIMESTAMP columns are UTC)."""
    return datetime.now(timezone.utc).replace(tzinfo=None)


def _iso_z(ts) -> str:
    return pd.Timestamp(ts).strftime("%Y-%m-%dT%H:%M:%SZ")


def _iso_date(d) -> str | None:
    return None if d is None or pd.isna(d) else pd.Timestamp(d).strftime("%Y-%m-%d")


def _placeholders(values: Sequence) -> str:
    return ", ".join("?" for _ in values)


def _filter_sql(flt: Filter | None, alias: str = "") -> tuple[str, list]:
    """WHERE conditions (joined by AND) and parameters for a ``Filter``."""
    flt = flt or Filter()
    p = f"{alias}." if alias else ""
    conds, params = [], []
    if flt.start is not None:
        conds.append(f"{p}period_end >= ?")
        params.append(pd.Timestamp(flt.start).date())
    if flt.end is not None:
        conds.append(f"{p}period_end <= ?")
        params.append(pd.Timestamp(flt.end).date())
    for col, values in (
        ("segment", flt.segments),
        ("entity", flt.entities),
        ("channel", flt.channels),
        ("initiative", flt.initiatives),
        ("kpi", flt.kpis),
    ):
        if values:
            conds.append(f"{p}{col} IN ({_placeholders(values)})")
            params.extend(values)
    return " AND ".join(conds) or "TRUE", params


# --- the store -------------------------------------------------------------



T = TypeVar("T")

def _retried(read: Callable[..., T]) -> Callable[..., T]:
    """A store read run again when it failed while a write was committing (another process's commit can show a
    reader a half-written block: DuckDB's "Corrupted RLE"): a damaged store still fails, once no writer is at
    work and the data version has not moved, or after the store's lock timeout."""

    @functools.wraps(read)
    def run(self: Store, *args, **kwargs) -> T:
        deadline = time.monotonic() + self.lock_timeout
        while True:
            before = self._sidecar_version()
            try:
                return read(self, *args, **kwargs)
            except StoreUnreadable:
                moved = self._writer_active() or self._sidecar_version() != before
                if not moved or time.monotonic() >= deadline:
                    raise
            time.sleep(0.05)

    return run

class Store:
    """A Passerelle store in one DuckDB file (created with its schema on first use).

        >>> store = Store(tmp_path / "p.duckdb", lock_timeout=2)
        >>> store.batches()
        []
    """

    def __init__(self, path: str | os.PathLike, *, lock_timeout: float = DEFAULT_LOCK_TIMEOUT):
        self._setup(Path(path), lock_timeout)
        self._ensure_schema()
        self.activate()

    def _setup(self, path: Path, lock_timeout: float) -> None:
        """Name the files; opens nothing (``restore_store`` works on a store that cannot be opened)."""
        self.path = path
        self.lock_timeout = lock_timeout
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._lock_path = self.path.with_name(self.path.name + ".lock")
        self._version_path = self.path.with_name(self.path.name + ".version")
        self.backups_dir = self.path.with_name(self.path.name + ".backups")
        self._targets_cache: tuple[str, pd.DataFrame] | None = None  # (data version, targets)

    def __repr__(self) -> str:
        return f"Store({str(self.path)!r})"

    # --- connections, locks, transactions -----------------------------------

    @contextmanager
    def _read(self) -> Iterator[duckdb.DuckDBPyConnection]:
        con = self._duckdb_connect(read_only=True, deadline=time.monotonic() + self.lock_timeout)
        try:
            yield con
        except (duckdb.ParserException, duckdb.BinderException):
            raise  # a wrong query is a bug to see as such, not a damaged store
        except duckdb.Error as exc:  # a read the file cannot serve: a damaged block, a broken WAL
            raise self._unreadable(str(exc)) from None
        finally:
            con.close()

    @_retried
    def _read_frame(self, sql: str, params: Sequence[object] = ()) -> pd.DataFrame:
        """One query's result (read again when a commit got in the way: ``_retried``)."""
        with self._read() as con:
            return con.execute(sql, list(params)).df()

    @contextmanager
    def _write(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """Serialised read-write transaction; bumps the data version on commit."""
        deadline = time.monotonic() + self.lock_timeout
        with self._writer_lock(deadline):
            con = self._duckdb_connect(read_only=False, deadline=deadline)
            try:
                con.execute("BEGIN TRANSACTION")
                try:
                    self._install_kpis(con)  # what the write derives (matched parts, kinds) follows this store
                    yield con
                    con.execute("UPDATE counters SET value = value + 1 WHERE name = 'data_version'")
                    version = _scalar(con, "SELECT value FROM counters WHERE name = 'data_version'")
                    self._check_not_behind(version - 1)
                    con.execute("COMMIT")
                except BaseException as exc:
                    try:
                        con.execute("ROLLBACK")
                    except duckdb.Error:
                        pass  # a failed COMMIT has already rolled back
                    if isinstance(exc, duckdb.Error):
                        raise self._write_failed(exc) from None
                    raise
            finally:
                con.close()
            self._write_version_file(version)

    @contextmanager
    def _writer_lock(self, deadline: float) -> Iterator[None]:
        fd = os.open(self._lock_path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            delay = 0.01
            while True:
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except BlockingIOError:
                    if time.monotonic() >= deadline:
                        raise self._locked() from None
                    time.sleep(min(delay, max(deadline - time.monotonic(), 0.001)))
                    delay = min(delay * 2, 0.25)
            yield
        finally:
            os.close(fd)  # releases the flock

    def _duckdb_connect(self, *, read_only: bool, deadline: float) -> duckdb.DuckDBPyConnection:
        """Open the file, retrying while another process (or a differently opened
        connection of this process) holds it."""
        self._check_magic()
        delay = 0.01
        while True:
            try:
                con = duckdb.connect(str(self.path), read_only=read_only, config=_DUCKDB_CONFIG)
                con.execute("SET enable_progress_bar = false")
                return con
            except duckdb.Error as exc:
                text = str(exc)
                busy = isinstance(exc, (duckdb.IOException, duckdb.ConnectionException)) and (
                    "lock" in text.lower() or "different configuration" in text)
                if not busy and not self._writer_active():  # a write under way may show a half-written state
                    raise self._unreadable(text) from None
            if time.monotonic() >= deadline:
                raise self._locked()
            time.sleep(min(delay, max(deadline - time.monotonic(), 0.001)))
            delay = min(delay * 2, 0.25)

    def _writer_active(self) -> bool:
        """Whether a writer (this process or another) holds ``<store>.lock`` right now."""
        try:
            fd = os.open(self._lock_path, os.O_RDONLY)
        except OSError:
            return False
        try:
            fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
            return False
        except BlockingIOError:
            return True
        finally:
            os.close(fd)

    def _check_magic(self) -> None:
        """Refuse, before DuckDB sees it, a file that is not a DuckDB database (an SQLite file, a spreadsheet)."""
        offset, magic = _DUCKDB_MAGIC
        try:
            with open(self.path, "rb") as f:
                head = f.read(offset + len(magic))
        except FileNotFoundError:
            return  # a new store: DuckDB creates it
        except OSError as exc:
            raise self._unreadable(exc.strerror or str(exc)) from None
        if head[offset:] != magic:
            detail = "fichier vide" if not head else "ce n'est pas un fichier DuckDB"
            detail_en = "empty file" if not head else "not a DuckDB file"
            raise self._unreadable(detail_en, detail_fr=detail)

    def _sidecar_version(self) -> int:
        """The data version the last committed write left in ``<store>.version`` (0 when none)."""
        try:
            return int(self._version_path.read_text().strip() or 0)
        except (OSError, ValueError):
            return 0

    def _check_not_behind(self, version: int) -> None:
        """The file holds fewer committed writes than were acknowledged: its WAL was deleted, cut or damaged."""
        recorded = self._sidecar_version()
        if version < recorded:
            raise self._unreadable(
                f"{recorded - version} committed operation(s) missing: its write-ahead log "
                f"({self.path.name}.wal) was deleted, cut short or damaged",
                detail_fr=f"{recorded - version} opération(s) enregistrée(s) manquent : son journal "
                          f"({self.path.name}.wal) a été supprimé, tronqué ou endommagé",
                after=(f" Pour garder la base telle quelle malgré cette perte, supprimez {self._version_path}.",
                       f" To keep the store as it is despite this loss, delete {self._version_path}."))

    def _unreadable(self, detail: str, *, detail_fr: str | None = None,
                    after: tuple[str, str] = ("", "")) -> StoreUnreadable:
        """A damaged store: say which file, what DuckDB said, and which backup to restore."""
        backup = latest_backup(self.path)
        detail = detail.strip().splitlines()[0][:200] if detail.strip() else "?"
        if backup is not None:
            fr = (f"Restaurez la dernière sauvegarde automatique ({backup.name}) : "
                  f"python -m kpis restore {backup} --store {self.path}")
            en = (f"Restore the latest automatic backup ({backup.name}): "
                  f"python -m kpis restore {backup} --store {self.path}")
        else:
            fr = (f"Aucune sauvegarde automatique dans {self.backups_dir.name} : restaurez votre dernière "
                  f"sauvegarde (python -m kpis restore DOSSIER --store {self.path}).")
            en = (f"No automatic backup in {self.backups_dir.name}: restore your latest backup "
                  f"(python -m kpis restore DIR --store {self.path}).")
        return StoreUnreadable(
            f"La base {self.path} est endommagée ou illisible ({detail_fr or detail}). {fr}{after[0]}",
            f"The store {self.path} is damaged or unreadable ({detail}). {en}{after[1]}", backup)

    def _locked(self) -> StoreLocked:
        return StoreLocked(
            f"La base {self.path.name} est occupée par un autre traitement depuis plus de "
            f"{self.lock_timeout:g} s ; réessayez dans un instant.",
            f"The store {self.path.name} has been busy with another process for more than "
            f"{self.lock_timeout:g} s; try again in a moment.",
        )

    def _write_failed(self, exc: Exception) -> StoreError:
        """A write the database refused (full disk, I/O error): nothing of it was kept."""
        text = str(exc)
        if any(w in text.lower() for w in ("no space left", "disk full", "file too large", "errno 28", "errno 27")):
            return StoreError(
                f"Le disque de la base {self.path.name} est plein : rien n'a été enregistré, les données déjà "
                "importées sont intactes. Libérez de la place puis recommencez.",
                f"The disk of the store {self.path.name} is full: nothing was saved, the data already imported "
                "is intact. Free some space and try again.")
        if isinstance(exc, (duckdb.InternalException, duckdb.FatalException, duckdb.SerializationException)) or any(
                w in text.lower() for w in ("checksum", "corrupt", "invalidated", "replaying wal")):
            return self._unreadable(text)  # the write met damage while reading what it changes
        return StoreError(
            f"La base {self.path.name} n'a pas pu enregistrer l'opération ({text[:200]}) : rien n'a été modifié.",
            f"The store {self.path.name} could not save the operation ({text[:200]}): nothing was changed.")

    def _write_version_file(self, version: int) -> None:
        tmp = self._version_path.with_name(self._version_path.name + f".{os.getpid()}.tmp")
        try:
            tmp.write_text(str(version))
            os.replace(tmp, self._version_path)
        except OSError:
            pass  # a full disk: data_version() still changes, it also reads the database file's size and time

    def data_version(self) -> str:
        """An opaque token that changes after every committed write; never opens DuckDB.

        >>> v = store.data_version()
        >>> _ = store.delete_batch(3)
        >>> store.data_version() != v
        True
        """
        try:
            counter = self._version_path.read_text().strip()
        except FileNotFoundError:
            counter = "0"
        parts = [counter]
        for p in (self.path, self.path.with_name(self.path.name + ".wal")):
            try:
                st = p.stat()
                parts.append(f"{st.st_mtime_ns}-{st.st_size}")
            except FileNotFoundError:
                parts.append("-")
        return ":".join(parts)

    # --- schema -------------------------------------------------------------

    def _ensure_schema(self) -> None:
        if self.path.exists():
            with self._read() as con:
                version = _schema_version(con)
                if version is not None:
                    self._check_not_behind(_scalar(con, "SELECT value FROM counters WHERE name = 'data_version'"))
            if version == SCHEMA_VERSION:
                return
            if version is not None and version > SCHEMA_VERSION:
                raise _too_new(self.path, version)
        with self._write() as con:  # create or migrate, in one transaction
            version = _schema_version(con)
            if version is None:
                for ddl in _DDL.values():
                    con.execute(ddl)
                con.execute("INSERT INTO schema_version VALUES (?, ?)", [SCHEMA_VERSION, _utcnow()])
                # the data version carries on from a file removed by hand: caches keyed on it never see it go back
                con.execute("INSERT INTO counters VALUES ('data_version', ?), ('next_batch_id', 1)",
                            [self._sidecar_version()])
            elif version > SCHEMA_VERSION:
                raise _too_new(self.path, version)
            elif version < SCHEMA_VERSION:
                self._auto_backup(con, f"migration-{version}-to-{SCHEMA_VERSION}")
            while version is not None and version < SCHEMA_VERSION:
                _MIGRATIONS[version](con)
                version += 1
                con.execute("UPDATE schema_version SET version = ?, migrated_at = ?", [version, _utcnow()])

    def schema_version(self) -> int:
        """The schema version of the store's file (``SCHEMA_VERSION`` once opened: the constructor migrates)."""
        with self._read() as con:
            version = _schema_version(con)
        assert version is not None, "the constructor creates the schema"
        return version

    # --- import ---------------------------------------------------------------

    def import_batch(
        self,
        observations: pd.DataFrame,
        *,
        file_name: str,
        sheets: Sequence[str] = (),
        origin: str = "manual",
        sha256: str | None,
        rows_read: int | None = None,
        rows_kept: int | None = None,
        rows_rejected: int | None = None,
        imported_by: str = "local",
        sample: bool = False,
        parser_version: str = "",
        adds: bool = False,
        esn: dict[str, pd.DataFrame] | None = None,
    ) -> ImportOutcome:
        """Store one batch atomically and supersede what it replaces (latest batch wins).

            >>> out = store.import_batch(obs, file_name="ads.xlsx", sha256=digest, parser_version="1")
            >>> out.batch_id, out.rows_stored, out.rows_superseded   # September's clicks and impressions
            (4, 2, 2)

        Raises ``DuplicateBatch`` (same bytes or same observations as an earlier
        batch), ``OverlapConflict`` (its series hold values of another origin, see
        ``overlaps``; ``adds=True`` imports anyway and records the batches added to),
        ``NotImportable`` (no observations), ``StoreError`` (malformed frame).

        ``esn`` carries a social network export's topics, influencer profiles and tracked subjects' mentions
        (``{"esn_terms": frame, "esn_profiles": frame, "esn_subjects": frame}``, columns of the tables without
        ``batch_id``, a profile's ``name`` optional, from the recogniser
        ``kpis.ingest.exports.esn``): stored with the batch, in the same transaction.
        """
        if observations is None or len(observations) == 0:
            raise NotImportable(
                f"{file_name} : aucune observation à importer.",
                f"{file_name}: no observations to import.",
            )
        frame = _normalise(observations)
        enc = _encode(frame)
        obs_hash = _hash_encoded(enc)
        islands = _merge_periods(frame, enc)
        imported_at = _utcnow()
        segments = sorted(frame["segment"].unique())
        with self._write() as con:
            earlier = con.execute(
                "SELECT id, imported_at, file_name, sha256 FROM batches WHERE sha256 = ? OR obs_hash = ? "
                "ORDER BY id LIMIT 1",
                [sha256, obs_hash],
            ).fetchone()
            if earlier:
                raise _duplicate(file_name, earlier, same_bytes=sha256 is not None and earlier[3] == sha256)
            batch_id = _scalar(con, "SELECT value FROM counters WHERE name = 'next_batch_id'")
            con.execute("UPDATE counters SET value = value + 1 WHERE name = 'next_batch_id'")
            con.execute(
                """INSERT INTO batches (id, file_name, sheets, origin, sha256, imported_at, imported_by,
                       rows_read, rows_kept, rows_rejected, observations, segments, period_start, period_end,
                       sample, obs_hash, parser_version, adds_to)
                   VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, NULL)""",
                [
                    batch_id, file_name, json.dumps(list(sheets), ensure_ascii=False), origin, sha256,
                    imported_at, imported_by, rows_read, rows_kept, rows_rejected, len(frame),
                    json.dumps(segments), frame["period_start"].min().date(), frame["period_end"].max().date(),
                    bool(sample), obs_hash, parser_version,
                ],
            )
            _insert_observations(con, frame, batch_id)
            _insert_esn(con, esn or {}, int(batch_id))
            clashes = _overlaps(con, f"SELECT row_no AS rid, {', '.join(OBS_COLUMNS)} FROM observations "
                                     f"WHERE batch_id = {int(batch_id)}", origin)
            if clashes and not adds:
                raise _conflict(file_name, clashes)
            if clashes:
                con.execute("UPDATE batches SET adds_to = ? WHERE id = ?",
                            [json.dumps([c.batch_id for c in clashes]), batch_id])
            superseded, partial = _supersede_by(con, batch_id, origin, islands)
            warnings = _overlap_warnings(con, partial)
            _refresh_entity_totals(con)
            _audit(con, imported_by, "import", segments, batch=int(batch_id), file=file_name, values=len(frame),
                   superseded=int(superseded))
        return ImportOutcome(batch_id, imported_at, len(frame), superseded, warnings)

    @_retried
    def overlaps(self, observations: pd.DataFrame, origin: str) -> list[Overlap]:
        """The batches of *other* origins whose current values share series and periods with ``observations``.

            >>> store.overlaps(obs, "google_ads")[0].message("en")      # September's search clicks and impressions
            "Batch 1 (campagnes.xlsx, origin 'manual') already holds 2 value(s) of the same series from 2026-09-01
            to 2026-09-30 (clicks, impressions): total 10,200 in the batch, 10,210 in this file (difference +10);
            1 value(s) equal, 1 different."
            >>> store.overlaps(obs, "manual")                            # same origin: a correction, no overlap
            []

        Nothing is written: ``check`` and the Importer call it before anything is stored.
        """
        if observations is None or len(observations) == 0:
            return []
        frame = _normalise(observations)
        frame.insert(0, "rid", np.arange(len(frame), dtype="int64"))
        with self._read() as con:
            con.register("_incoming", frame)
            try:
                return _overlaps(con, "SELECT * FROM _incoming", origin)
            finally:
                _unregister(con)

    # --- delete ---------------------------------------------------------------

    def delete_batch(self, batch_id: int, by: str = "local") -> DeleteOutcome:
        """Delete one batch; rows it superseded become current again. Logged, and reversible with ``undelete``.

            >>> store.delete_batch(3, by="cdo")    # batch 2's September active users are current again
            DeleteOutcome(batch_ids=(3,), rows_removed=1, rows_restored=1, targets_removed=0, mappings_removed=0,
                          deletion_id=1)
        """
        with self._write() as con:
            if not _scalar(con, "SELECT COUNT(*) FROM batches WHERE id = ?", [batch_id]):
                raise _unknown_batch(batch_id)
            self._auto_backup(con, f"delete-batch-{batch_id}")
            segments = json.loads(_scalar(con, "SELECT segments FROM batches WHERE id = ?", [batch_id]))
            outcome = _delete(con, [batch_id], by)
            _refresh_entity_totals(con)
            _audit(con, by, "delete_batch", segments, batch=batch_id, values=outcome.rows_removed)
            return outcome

    def delete_demo(self, by: str = "local") -> DeleteOutcome:
        """Delete everything the demo brought, in one transaction: every batch, target and remembered
        mapping flagged ``sample``. One entry of the deletion log to undo."""
        with self._write() as con:
            ids = [r[0] for r in con.execute("SELECT id FROM batches WHERE sample ORDER BY id").fetchall()]
            self._auto_backup(con, "delete-demo")
            outcome = _delete(con, ids, by, demo=True)
            _refresh_entity_totals(con)
            _audit(con, by, "delete_demo", SEGMENTS, batches=list(outcome.batch_ids), values=outcome.rows_removed)
            return outcome

    @_retried
    def preview_delete(self, batch_id: int) -> DeletionPreview:
        """What ``delete_batch(batch_id)`` would do; nothing is written.

            >>> store.preview_delete(3).restored_by_kpi     # batch 2's September active users come back
            {'active_users': 1}
        """
        with self._read() as con:
            if not _scalar(con, "SELECT COUNT(*) FROM batches WHERE id = ?", [batch_id]):
                raise _unknown_batch(batch_id)
            return _preview(con, [batch_id], demo=False)

    @_retried
    def preview_demo(self) -> DeletionPreview:
        """What ``delete_demo()`` would do (``.empty`` when the store holds nothing from the demo)."""
        with self._read() as con:
            ids = [r[0] for r in con.execute("SELECT id FROM batches WHERE sample ORDER BY id").fetchall()]
            return _preview(con, ids, demo=True)

    def undelete(self, deletion_id: int, by: str = "local", *, max_age_days: int = UNDELETE_DAYS) -> UndeleteOutcome:
        """Put back what a deletion took (any id of its log entries), then recompute what is current.

            >>> out = store.delete_batch(2)
            >>> store.undelete(out.deletion_id).batch_ids
            (2,)

        Raises ``CannotUndelete`` when the id is unknown, already undone, older than
        ``max_age_days`` days, or when a batch imported since holds the same data.
        """
        with self._write() as con:
            outcome = _undelete(con, deletion_id, by, max_age_days)
            _recompute_current(con)
            _refresh_entity_totals(con)
            segments = sorted({s for (v,) in con.execute(
                f"SELECT segments FROM batches WHERE id IN ({_placeholders(outcome.batch_ids)})",
                list(outcome.batch_ids)).fetchall() for s in json.loads(v)}) if outcome.batch_ids else []
            _audit(con, by, "undelete", segments, deletion=deletion_id, batches=list(outcome.batch_ids))
            return outcome

    def recompute_current(self) -> int:
        """Recompute every row's current flag from scratch; returns the rows changed (0 when consistent)."""
        with self._write() as con:
            changed = _recompute_current(con)
            _refresh_entity_totals(con)
            return changed

    # --- batches listing ------------------------------------------------------

    @_retried
    def batches(self, details: bool = False) -> list[dict]:
        """Every batch, oldest first, as the ``batches --format json`` objects.

        ``status`` is "current", "partly superseded" or "superseded" from its rows'
        current flags. ``details=True`` adds sheets, rows read/rejected, observation
        counts, SHA-256 and parser version.
        """
        with self._read() as con:
            rows = con.execute(
                """SELECT b.id, b.file_name, b.origin, b.imported_at, b.imported_by, b.rows_kept, b.segments,
                          b.period_start, b.period_end, b.sample, b.sheets, b.rows_read, b.rows_rejected,
                          b.observations, b.sha256, b.parser_version, COALESCE(c.n_current, 0), b.adds_to
                   FROM batches b LEFT JOIN (
                       SELECT batch_id, COUNT(*) AS n_current FROM observations WHERE is_current GROUP BY batch_id
                   ) c ON c.batch_id = b.id
                   ORDER BY b.id"""
            ).fetchall()
        out = []
        for r in rows:
            n_obs, n_current = r[13], r[16]
            status = STATUS_CURRENT if n_current == n_obs else STATUS_SUPERSEDED if n_current == 0 else STATUS_PARTLY
            item = {
                "id": r[0],
                "file": r[1],
                "origin": r[2],
                "imported_at": _iso_z(r[3]),
                "imported_by": r[4],
                "rows_kept": r[5],
                "segments": json.loads(r[6]),
                "period_start": _iso_date(r[7]),
                "period_end": _iso_date(r[8]),
                "status": status,
                "sample": bool(r[9]),
            }
            if details:
                item.update(
                    sheets=json.loads(r[10]), rows_read=r[11], rows_rejected=r[12], observations=n_obs,
                    observations_current=n_current, sha256=r[14], parser_version=r[15],
                    adds_to=json.loads(r[17]) if r[17] else [],
                )
            out.append(item)
        return out

    @_retried
    def deletions(self, max_age_days: int = UNDELETE_DAYS) -> list[dict]:
        """The deletion log, oldest first; ``undoable`` says whether ``undelete(operation)`` would work now
        (not undone, at most ``max_age_days`` old, archive kept), ``undo_until`` until when.

            >>> _ = store.delete_batch(3)
            >>> [(d["id"], d["operation"], d["batch_id"], d["undoable"]) for d in store.deletions()]
            [(1, 1, 3, True)]
        """
        with self._read() as con:
            df = con.execute(
                f"""SELECT d.*, EXISTS (SELECT 1 FROM deleted_batches a WHERE a.operation = d.operation)
                           OR EXISTS (SELECT 1 FROM deleted_targets a WHERE a.operation = d.operation)
                           OR EXISTS (SELECT 1 FROM deleted_mappings a WHERE a.operation = d.operation) AS archived
                    FROM deletions d ORDER BY {_ORDER['deletions']}""").df()
        cutoff = _utcnow() - timedelta(days=max_age_days)
        out = []
        for rec in df.to_dict("records"):
            deleted_at = pd.Timestamp(rec["deleted_at"])
            undone = rec["undone_at"] is not None and not pd.isna(rec["undone_at"])
            out.append({
                **{k: v for k, v in rec.items() if k != "archived"},
                "batch_id": None if pd.isna(rec["batch_id"]) else int(rec["batch_id"]),
                "operation": int(rec["operation"]),
                "targets_removed": int(rec["targets_removed"] or 0),
                "mappings_removed": int(rec["mappings_removed"] or 0),
                "deleted_at": _iso_z(deleted_at),
                "sample": bool(rec["sample"]),
                "undone_at": _iso_z(rec["undone_at"]) if undone else None,
                "undone_by": rec["undone_by"] if undone else None,
                "undo_until": _iso_z(deleted_at + pd.Timedelta(days=max_age_days)),
                "undoable": bool(rec["archived"]) and not undone and deleted_at >= cutoff,
            })
        return out

    # --- targets and mappings ---------------------------------------------------

    def set_targets(self, targets: pd.DataFrame, by: str = "local", *, sample: bool = False) -> int:
        """Insert or replace targets by key (kpi, segment, entity, period_start, period_end).

            >>> store.set_targets(pd.DataFrame({"kpi": ["clicks"], "segment": ["B2C"],
            ...     "period_start": ["2026-01-01"], "period_end": ["2026-12-31"], "value": [1e6]}))
            1

        ``entity`` is optional (missing or empty = the whole segment); ``grain`` is
        derived from the dates when absent. A NaN value removes the target.
        ``sample=True`` marks demo targets (``delete_demo`` removes them).
        Returns the number of targets written or removed.
        """
        frame = _normalise_targets(targets)
        now = _utcnow()
        with self._write() as con:
            for rec in frame.itertuples(index=False):
                con.execute(
                    "DELETE FROM targets WHERE kpi = ? AND segment = ? AND entity IS NOT DISTINCT FROM ? "
                    "AND period_start = ? AND period_end = ?",
                    [rec.kpi, rec.segment, rec.entity, rec.period_start, rec.period_end],
                )
                if not math.isnan(rec.value):
                    con.execute(
                        "INSERT INTO targets VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                        [rec.kpi, rec.segment, rec.entity, rec.period_start, rec.period_end, rec.grain,
                         rec.value, by, now, bool(sample)],
                    )
            if len(frame) and not sample:
                _audit(con, by, "targets", sorted(frame["segment"].unique()), targets=len(frame),
                       kpis=sorted(frame["kpi"].unique()))
        return len(frame)

    @_retried
    def targets(self) -> pd.DataFrame:
        """All targets: kpi, segment, entity (None = whole segment), period_start, period_end, grain, value,
        set_by, set_at.

        Read again only when ``data_version()`` has moved: a dashboard asks on every view, and opening the
        file costs more than the answer.
        """
        version = self.data_version()
        cached = self._targets_cache
        if cached is not None and cached[0] == version:
            return cached[1].copy()
        with self._read() as con:
            out = con.execute(f"SELECT * FROM targets ORDER BY {_ORDER['targets']}").df()
        out["entity"] = pd.Series([None if pd.isna(e) else e for e in out["entity"]], index=out.index, dtype=object)
        self._targets_cache = (version, out)
        return out.copy()

    def remember_mapping(self, headers: Sequence[str], mapping: dict[str, str], by: str = "local", *,
                         sample: bool = False) -> None:
        """Remember what the columns of a header set mean (replaces an earlier one); ``sample`` marks the demo's.

            >>> store.remember_mapping(["Mois", "Clics"], {"Mois": "period:month"}, by="cdo")
        """
        key = fold_headers(headers)
        with self._write() as con:
            con.execute("DELETE FROM column_mappings WHERE headers_key = ?", [json.dumps(key, ensure_ascii=False)])
            con.execute(
                "INSERT INTO column_mappings VALUES (?, ?, ?, ?, ?, ?)",
                [json.dumps(key, ensure_ascii=False), json.dumps(list(key), ensure_ascii=False),
                 json.dumps(dict(mapping), ensure_ascii=False, sort_keys=True), by, _utcnow(), bool(sample)],
            )

    @_retried
    def remembered_mappings(self) -> list[RememberedMapping]:
        """Every remembered header set, most recent first."""
        with self._read() as con:
            rows = con.execute(
                "SELECT headers, mapping, saved_by, saved_at FROM column_mappings ORDER BY saved_at DESC, headers_key"
            ).fetchall()
        return [RememberedMapping(tuple(json.loads(h)), json.loads(m), by, at) for h, m, by, at in rows]

    def set_reference_origin(self, segment: str, kpi: str, origin: str | None, by: str = "local") -> None:
        """Make ``origin`` the headline source of a stock, distinct count or ratio in a segment (None: back to
        the origin that covers the selected window best).

            >>> store.set_reference_origin("B2E", "active_users", "interne_b2e", by="cdo")
            >>> store.reference_origins()[["segment", "kpi", "origin"]]
              segment           kpi       origin
            0     B2E  active_users  interne_b2e
        """
        if segment not in SEGMENTS:
            raise StoreError(f"Segment inconnu : {segment}", f"Unknown segment: {segment}")
        with self._write() as con:
            con.execute("DELETE FROM reference_origins WHERE segment = ? AND kpi = ?", [segment, kpi])
            if origin:
                con.execute("INSERT INTO reference_origins VALUES (?, ?, ?, ?, ?)",
                            [segment, kpi, origin, by, _utcnow()])
            _audit(con, by, "reference", [segment], kpi=kpi, origin=origin)

    def add_comment(self, kpi: str, segment: str, period_start, period_end, text: str, by: str = "local",
                    entity: str | None = None) -> int:
        """Comment a number: ``kpi`` of ``segment`` (optionally one ``entity``) over a period; returns its id.

            >>> store.add_comment("clicks", "B2C", "2026-09-01", "2026-09-30", "Campagne de rentrée", by="cdo")
            1
            >>> store.comments()[["id", "kpi", "segment", "period_start", "text", "author"]]
               id     kpi segment period_start                 text author
            0   1  clicks     B2C   2026-09-01  Campagne de rentrée    cdo

        The text is one line of at most ``COMMENT_MAX_CHARS`` characters (control characters removed); the KPI
        must be one of the catalog's for that segment. A bad value is a ``StoreError`` and nothing is written.
        """
        from kpis.comments import checked

        row = checked(kpi, segment, period_start, period_end, text, by, entity)
        with self._write() as con:
            new_id = int(_scalar(con, "SELECT COALESCE(MAX(id), 0) + 1 FROM comments"))
            con.execute("INSERT INTO comments VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, NULL, NULL)",
                        [new_id, row.kpi, row.segment, row.entity, row.period_start, row.period_end, row.text,
                         row.author, _utcnow()])
        return new_id

    def remove_comment(self, comment_id: int, by: str = "local") -> dict:
        """Remove a comment (its row stays, marked removed: ids are never reused); returns what it said.
        An unknown or already removed id is a ``StoreError``."""
        with self._write() as con:
            found = con.execute("SELECT kpi, segment, text FROM comments WHERE id = ? AND removed_at IS NULL",
                                [int(comment_id)]).fetchone()
            if found is None:
                raise StoreError(f"Aucun commentaire n° {comment_id} (inconnu ou déjà retiré).",
                                 f"No comment {comment_id} (unknown or already removed).")
            con.execute("UPDATE comments SET removed_at = ?, removed_by = ? WHERE id = ?",
                        [_utcnow(), by, int(comment_id)])
        return {"id": int(comment_id), "kpi": found[0], "segment": found[1], "text": found[2]}

    def comments(self, flt: Filter | None = None) -> pd.DataFrame:
        """The comments not removed, oldest first: id, kpi, segment, entity, period_start, period_end, text,
        author, created_at. With ``flt``: those of its segments (and entities) whose period overlaps its window."""
        where: list[str] = ["removed_at IS NULL"]
        params: list[object] = []
        if flt is not None:
            if flt.segments:
                where.append(f"segment IN ({', '.join('?' * len(flt.segments))})")
                params += list(flt.segments)
            if flt.entities:
                where.append(f"(entity IS NULL OR entity IN ({', '.join('?' * len(flt.entities))}))")
                params += list(flt.entities)
            if flt.start:
                where.append("period_end >= ?")
                params.append(flt.start)
            if flt.end:
                where.append("period_start <= ?")
                params.append(flt.end)
        out = self._read_frame(
            f"""SELECT id, kpi, segment, entity, period_start, period_end, text, author, created_at
                FROM comments WHERE {' AND '.join(where)} ORDER BY id""", params)
        for col in ("period_start", "period_end"):
            out[col] = pd.to_datetime(out[col])
        return out

    @_retried
    def kpi_origins(self) -> pd.DataFrame:
        """Which origins hold current values of each KPI (a ratio: its matched parts) per segment: segment, kpi,
        origin, period_start, period_end, n — the choices offered for a reference origin."""
        with self._read() as con:
            return con.execute(
                f"""SELECT segment, split_part(kpi, '{MATCH_SEPARATOR}', 1) AS kpi, origin,
                           MIN(period_start) AS period_start, MAX(period_end) AS period_end, SUM(n) AS n
                    FROM entity_totals GROUP BY ALL ORDER BY segment, kpi, origin""").df()

    @_retried
    def reference_origins(self) -> pd.DataFrame:
        """The reference origins chosen by a person: segment, kpi, origin, set_by, set_at."""
        with self._read() as con:
            return con.execute(f"SELECT * FROM reference_origins ORDER BY {_ORDER['reference_origins']}").df()

    # --- access ------------------------------------------------------------------

    @_retried
    def grants(self) -> list:
        """The access grants as ``(id, kpis.access.Grant)`` pairs, in the order they were given."""
        from kpis.access import Grant

        with self._read() as con:
            rows = con.execute(f"SELECT id, role, segments, entities, email, grp FROM grants "
                               f"ORDER BY {_ORDER['grants']}").fetchall()
        return [(r[0], Grant(r[1], tuple(r[2].split(",")), tuple(e for e in r[3].split(",") if e),
                             email=r[4], group=r[5])) for r in rows]

    def add_grant(self, grant, by: str = "local") -> int:
        """Record a ``kpis.access.Grant``; its id."""
        with self._write() as con:
            grant_id = _scalar(con, "SELECT COALESCE(MAX(id), 0) + 1 FROM grants")
            con.execute("INSERT INTO grants VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                        [grant_id, grant.role, ",".join(grant.segments), ",".join(grant.entities), grant.email,
                         grant.group, by, _utcnow()])
            _audit(con, by, "grant_add", grant.segments, grant=grant_id, role=grant.role,
                   to=grant.email or grant.group, entities=list(grant.entities))
        return int(grant_id)

    def remove_grant(self, grant_id: int, by: str = "local") -> None:
        with self._write() as con:
            row = con.execute("SELECT role, segments, email, grp FROM grants WHERE id = ?", [grant_id]).fetchone()
            if row is None:
                raise StoreError(f"Aucun droit n° {grant_id}.", f"No grant #{grant_id}.")
            con.execute("DELETE FROM grants WHERE id = ?", [grant_id])
            _audit(con, by, "grant_remove", row[1].split(","), grant=grant_id, role=row[0], to=row[2] or row[3])

    @_retried
    def audit(self) -> pd.DataFrame:
        """Who did what, when: id, done_at, who, action, segments (a list), detail (a dict), newest first."""
        with self._read() as con:
            frame = con.execute("SELECT * FROM audit ORDER BY id DESC").df()
        frame["segments"] = frame["segments"].map(lambda v: [s for s in v.split(",") if s])
        frame["detail"] = frame["detail"].map(json.loads)
        return frame
    # --- the organisation's KPIs ---------------------------------------------------

    def activate(self) -> None:
        """Install this store's own KPIs into the catalog (``kpis.catalog.install``) and its tracked subjects
        into the social network's reading (``kpis.esn.subjects.install``) unless they already are.

        Cheap when nothing changed (the data version is read from its sidecar); called when the store is opened,
        before each read of totals and each write, and by the app on every page, so that a process using two
        stores in turn, or a KPI defined by another process, always finds the catalog of the store it reads.
        """
        from kpis.esn import subjects

        key = (str(self.path.resolve()), self.data_version())
        if catalog.installed() == key and subjects.installed() == key:
            return
        with self._read() as con:
            definitions = _kpi_definitions(con)
            tracked = _subjects(con)
        catalog.install([d.kpi() for d in definitions], key=key)
        subjects.install(tracked, key=key)

    def _install_kpis(self, con) -> None:
        """Inside a write: install the KPIs as this transaction sees them."""
        catalog.install([d.kpi() for d in _kpi_definitions(con)], key=(str(self.path.resolve()), "writing"))

    @_retried
    def kpi_definitions(self) -> list[Definition]:
        """The organisation's KPIs, by code.

            >>> store.kpi_definitions()
            []
        """
        with self._read() as con:
            return _kpi_definitions(con)

    def add_kpi(self, definition: Definition, by: str = "local") -> Definition:
        """Define one of the organisation's KPIs (``kpis.custom.validate`` first: ``DefinitionError``).

            >>> d = store.add_kpi(Definition("town_halls", "Plénières", "Town halls", "Réunions.", "Meetings.",
            ...                              ("B2E",), "flow", synonyms=("reunions plenieres",)), by="cdo")
            >>> catalog.KPIS["town_halls"].custom, catalog.kpi_for_name("Réunions plénières")
            (True, 'town_halls')

        Recorded as version 1 in ``kpi_history``. Ingestion, metrics, targets and pages know it at once.
        """
        return self._change_kpi(definition, by, "created")

    def edit_kpi(self, definition: Definition, by: str = "local") -> dict[str, list]:
        """Change one of the organisation's KPIs (same code); returns what changed (field -> [before, after]),
        recorded with who, when and how many observations and targets held the KPI then. Nothing changed:
        nothing recorded. ``UnknownKpi`` for a code that is not one of the organisation's KPIs."""
        return self._change_kpi(definition, by, "edited")

    def remove_kpi(self, code: str, by: str = "local") -> None:
        """Remove one of the organisation's KPIs. Refused (``KpiInUse``) while observations (current, superseded
        or in the deletion archive) or targets hold it, or while another KPI is computed from it or is its
        twin."""
        now = _utcnow()
        try:
            with self._write() as con:
                before = _kpi_definition(con, code)
                observations, targets = _kpi_use(con, code)
                if observations or targets:
                    raise KpiInUse(
                        f"L'indicateur {code!r} a encore des données : {observations} observation(s) et {targets} "
                        "objectif(s). Supprimez d'abord les lots et les objectifs qui le contiennent.",
                        f"The KPI {code!r} still has data: {observations} observation(s) and {targets} target(s). "
                        "Delete the batches and targets holding it first.")
                users = [k.code for k in catalog.KPIS.values() if k.code != code and (code in k.components
                                                                                     or k.twin == code)]
                if users:
                    raise KpiInUse(f"L'indicateur {code!r} sert à {', '.join(users)} : modifiez ou supprimez-les "
                                   "d'abord.", f"The KPI {code!r} is used by {', '.join(users)}: edit or remove "
                                   "them first.")
                version = int(_scalar(con, "SELECT version FROM custom_kpis WHERE code = ?", [code]))
                con.execute("DELETE FROM custom_kpis WHERE code = ?", [code])
                con.execute("INSERT INTO kpi_history VALUES (?, ?, 'removed', ?, ?, ?, 0, 0)",
                            [code, _next_kpi_version(con, code, version), by, now,
                             json.dumps({"code": [code, None]}, ensure_ascii=False)])
                _audit(con, by, "kpi_remove", before.segments, kpi=code)
                self._install_kpis(con)
                if not before.kpi().base:
                    _refresh_entity_totals(con)
        finally:
            self.activate()

    def _change_kpi(self, definition: Definition, by: str, action: str):
        now = _utcnow()
        try:
            with self._write() as con:
                if action == "edited":
                    before = _kpi_definition(con, definition.code)
                    after = validate(definition, new=False)
                    changed = changes(before, after)
                    if not changed:
                        return {}
                    users = [k.code for k in catalog.KPIS.values() if definition.code in k.components]
                    if users and after.aggregation in ("ratio", "score"):
                        raise KpiInUse(
                            f"{', '.join(users)} est calculé à partir de {definition.code!r}, qui doit rester un "
                            "indicateur de base.", f"{', '.join(users)} is computed from {definition.code!r}, "
                            "which must stay a base KPI.")
                    version = int(_scalar(con, "SELECT version FROM custom_kpis WHERE code = ?",
                                          [definition.code]))
                    version = _next_kpi_version(con, definition.code, version)
                    con.execute("UPDATE custom_kpis SET definition = ?, version = ?, updated_by = ?, updated_at = ? "
                                "WHERE code = ?", [json.dumps(after.record(), ensure_ascii=False), version, by,
                                                   now, after.code])
                else:
                    after = validate(definition, new=True)
                    changed = {f: [None, v] for f, v in after.record().items()}
                    version = _next_kpi_version(con, after.code, 0)
                    con.execute("INSERT INTO custom_kpis VALUES (?, ?, ?, ?, ?, ?, ?)",
                                [after.code, json.dumps(after.record(), ensure_ascii=False), version, by, now,
                                 by, now])
                observations, targets = _kpi_use(con, after.code)
                con.execute("INSERT INTO kpi_history VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                            [after.code, version, action, by, now, json.dumps(changed, ensure_ascii=False),
                             observations, targets])
                _audit(con, by, "kpi_add" if action == "created" else "kpi_edit", after.segments, kpi=after.code,
                       fields=sorted(changed) if action == "edited" else [])
                self._install_kpis(con)
                if action == "edited" or not after.kpi().base:  # the ratios' matched parts follow
                    _refresh_entity_totals(con)
        finally:
            self.activate()
        return after if action == "created" else changed

    @_retried
    def kpi_history(self, code: str | None = None) -> pd.DataFrame:
        """The history of the organisation's KPIs, newest first: code, version, action (created, edited,
        removed), changed_by, changed_at, changes (field -> [before, after]), observations and targets holding
        the KPI at that moment (a change made after data existed has ``observations`` > 0)."""
        with self._read() as con:
            out = con.execute(
                "SELECT * FROM kpi_history" + (" WHERE code = ?" if code else "")
                + " ORDER BY changed_at DESC, code, version DESC", [code] if code else []).df()
        out["changes"] = [json.loads(c) for c in out["changes"]]
        return out

    # --- the social network's tracked subjects ---------------------------------------

    @_retried
    def subjects(self) -> list:
        """The tracked subjects (``kpis.esn.subjects.Subject``), by code.

            >>> store.subjects()
            []
        """
        with self._read() as con:
            return _subjects(con)

    def add_subject(self, subject, by: str = "local", sample: bool = False):
        """Track a subject of the social network (``kpis.esn.subjects.checked`` first: ``SubjectError``); the
        exports imported from now on count its mentions. Returns it as stored. Audited.

            >>> from kpis.esn.subjects import Subject
            >>> store.add_subject(Subject("atlas", "Programme Atlas", "Atlas programme", ("Atlas",)), by="cdo").code
            'atlas'
        """
        from kpis.esn.subjects import checked

        subject = checked(subject)
        try:
            with self._write() as con:
                if _scalar(con, "SELECT COUNT(*) FROM subjects WHERE code = ?", [subject.code]):
                    raise StoreError(f"Le sujet {subject.code!r} est déjà suivi.",
                                     f"The subject {subject.code!r} is already tracked.")
                con.execute("INSERT INTO subjects VALUES (?, ?, ?, ?, ?, ?, ?)",
                            [subject.code, subject.name_fr, subject.name_en,
                             json.dumps(list(subject.synonyms), ensure_ascii=False), by, _utcnow(), sample])
                _audit(con, by, "subject_add", ["B2E"], subject=subject.code, names=[subject.name_fr,
                       subject.name_en, *subject.synonyms])
        finally:
            self.activate()
        return subject

    def edit_subject(self, subject, by: str = "local") -> dict[str, list]:
        """Change a tracked subject's names or synonyms (same code); returns what changed (field -> [before,
        after]), audited. Exports already imported keep what they counted: import them again to count anew."""
        from kpis.esn.subjects import checked

        after = checked(subject)
        try:
            with self._write() as con:
                before = next((s for s in _subjects(con) if s.code == after.code), None)
                if before is None:
                    raise StoreError(f"Aucun sujet suivi n'a le code {after.code!r}.",
                                     f"No tracked subject has the code {after.code!r}.")
                changed = {f: [getattr(before, f), getattr(after, f)] for f in ("name_fr", "name_en", "synonyms")
                           if getattr(before, f) != getattr(after, f)}
                if not changed:
                    return {}
                con.execute("UPDATE subjects SET name_fr = ?, name_en = ?, synonyms = ? WHERE code = ?",
                            [after.name_fr, after.name_en, json.dumps(list(after.synonyms), ensure_ascii=False),
                             after.code])
                _audit(con, by, "subject_edit", ["B2E"], subject=after.code, changes=changed)
        finally:
            self.activate()
        return changed

    def remove_subject(self, code: str, by: str = "local") -> None:
        """Stop tracking a subject: later imports no longer count it (what earlier ones counted stays stored,
        not shown)."""
        try:
            with self._write() as con:
                if not _scalar(con, "SELECT COUNT(*) FROM subjects WHERE code = ?", [code]):
                    raise StoreError(f"Aucun sujet suivi n'a le code {code!r}.",
                                     f"No tracked subject has the code {code!r}.")
                con.execute("DELETE FROM subjects WHERE code = ?", [code])
                _audit(con, by, "subject_remove", ["B2E"], subject=code)
        finally:
            self.activate()

    # --- reading ----------------------------------------------------------------

    @_retried
    def observations(self, flt: Filter | None = None, current: bool = True) -> pd.DataFrame:
        """Observations (``OBS_COLUMNS`` + ``batch_id``) selected by the filter, in import order.

            >>> current = store.observations(Filter(segments=("B2E",), kpis=("active_users",)))
            >>> current[["period_start", "value", "batch_id"]]     # September: batch 3's correction
              period_start  value  batch_id
            0   2026-07-01  600.0         2
            1   2026-08-01  700.0         2
            2   2026-09-01  800.0         3
            >>> len(store.observations(Filter(segments=("B2E",), kpis=("active_users",)), current=False))
            4

        ``current=False`` also returns superseded rows.
        """
        where, params = _filter_sql(flt)
        if current:
            where += " AND is_current"
        cols = ", ".join(OBS_COLUMNS)
        with self._read() as con:
            return con.execute(
                f"SELECT {cols}, batch_id FROM observations WHERE {where} ORDER BY batch_id, row_no", params
            ).df()

    @_retried
    def native_totals(self, flt: Filter | None = None, by: Sequence[str] = (), *, sources: bool = False
                      ) -> pd.DataFrame:
        """Current values aggregated in SQL per native period, segment and KPI (+ ``by``).

            >>> store.native_totals(Filter(segments=("B2E",), kpis=("active_users",)), by=("channel",))
              period_start period_end segment           kpi   channel  value  n
            0   2026-07-01 2026-07-31     B2E  active_users  intranet  600.0  1
            1   2026-08-01 2026-08-31     B2E  active_users  intranet  700.0  1
            2   2026-09-01 2026-09-30     B2E  active_users  intranet  800.0  1

        Flows are summed over everything not in ``by``. Stocks and distinct counts
        take, per (period, segment, KPI, entity), the maximum over channels and
        initiatives (unless in ``by``), then sum over entities (unless ``entity``
        is in ``by``). ``n`` is the number of observations behind each value.

        ``sources=True`` keeps the origins apart (an ``origin`` column; ``preferred`` is true for the origin
        a person chose with ``set_reference_origin``) and adds the ratios' matched parts
        (``catalog.MATCHED``): what ``metrics.fetch`` reads, so that no ratio divides one source's numbers by
        another's and no stock is added across sources measuring different populations.
        """
        self.activate()
        by = tuple(dict.fromkeys(by))
        unknown = [d for d in by if d not in DIMENSIONS]
        if unknown:
            raise StoreError(f"Dimensions inconnues {unknown}", f"Unknown dimensions {unknown}")
        flt = flt or Filter()
        parts: tuple[str, ...] = ()
        if sources and flt.kpis:  # the parts of the ratios asked for, or of the ratios of the components asked for
            parts = tuple(code for code, (ratio, part) in MATCHED_PARTS.items()
                          if ratio in flt.kpis or part in flt.kpis)
        where, params = _filter_sql(flt)
        if parts:
            where, params = _filter_sql(replace(flt, kpis=(*flt.kpis, *parts)))
        kinds = _kinds()
        levels = sorted({k for k, kind in kinds.items() if kind in ("stock", "distinct")}
                        | {code for code, (_, part) in MATCHED_PARTS.items() if kinds[part] in ("stock", "distinct")})
        keys = ["period_start", "period_end", "segment", "kpi", *by, *(["origin"] if sources else [])]
        inner = list(dict.fromkeys([*keys, "entity"]))
        matched = f"kpi LIKE '%{MATCH_SEPARATOR}%'"
        if set(by) <= {"entity"} and not flt.channels and not flt.initiatives:
            per_entity = f"""SELECT {", ".join(inner)}, SUM(sm) AS sm, MAX(mx) AS mx, SUM(n) AS n
                  FROM entity_totals WHERE {where} AND {"TRUE" if sources else "NOT " + matched}
                  GROUP BY {", ".join(inner)}"""
        else:
            observed = f"""SELECT {", ".join(f"x.{c}" for c in inner)}, SUM(x.value) AS sm, MAX(x.value) AS mx,
                      COUNT(*) AS n
                  FROM (SELECT o.*, b.origin FROM observations o JOIN batches b ON b.id = o.batch_id
                        WHERE o.is_current) x
                  WHERE {where}
                  GROUP BY {", ".join(f"x.{c}" for c in inner)}"""
            per_entity = observed
            if sources:
                per_entity += f" UNION ALL SELECT {', '.join(inner)}, sm, mx, n FROM ({_matched_parts_sql(where, by)})"
        cols = ", ".join(keys)
        sql = f"""
            SELECT {cols},
                   SUM(CASE WHEN kpi IN ({_placeholders(levels)}) THEN mx ELSE sm END) AS value, SUM(n) AS n
            FROM ({per_entity}) per_entity
            GROUP BY {cols}"""
        if sources:  # the origin a person chose for this KPI (a ratio's parts: for the ratio) and segment
            sql = f"""
                SELECT t.*, r.origin IS NOT NULL AS preferred FROM ({sql}) t
                LEFT JOIN reference_origins r ON r.segment = t.segment AND r.origin = t.origin
                      AND r.kpi = split_part(t.kpi, '{MATCH_SEPARATOR}', 1)"""
        sql += f" ORDER BY {cols}"
        with self._read() as con:
            out = con.execute(sql, [*levels, *params, *(params if sources and "UNION" in per_entity else [])]).df()
        out["n"] = out["n"].astype("int64")
        return out

    @_retried
    def dimension_values(self, segments: Sequence[str] = ()) -> dict:
        """What the filter widgets offer, from current data (the small derived tables, not the observations).

            >>> store.dimension_values(("B2E",))
            {'segments': ['B2E'], 'entities': ['(all)'], 'channels': ['intranet'], 'initiatives': ['(all)'],
             'kpis': ['active_users', 'contributors', 'population'],
             'periods': (Timestamp('2026-07-01 00:00:00'), Timestamp('2026-09-30 00:00:00'))}
        """
        where, params = _filter_sql(Filter(segments=tuple(segments)))
        out: dict = {}
        with self._read() as con:
            out["segments"] = [r[0] for r in con.execute(
                f"SELECT DISTINCT segment FROM label_values WHERE {where} ORDER BY segment", params).fetchall()]
            for dimension, key in (("entity", "entities"), ("channel", "channels"), ("initiative", "initiatives"),
                                   ("kpi", "kpis")):
                out[key] = [r[0] for r in con.execute(
                    f"SELECT DISTINCT value FROM label_values WHERE dimension = ? AND {where} ORDER BY value",
                    [dimension, *params]).fetchall()]
            lo, hi = con.execute(
                f"SELECT MIN(period_start), MAX(period_end) FROM entity_totals WHERE {where}", params).fetchone() or (
                None, None)
        out["periods"] = (None if lo is None else pd.Timestamp(lo), None if hi is None else pd.Timestamp(hi))
        return out

    @_retried
    def coverage(self) -> pd.DataFrame:
        """Per origin and calendar month: current observations touching the month and the last import date.

        A row spanning several months (a quarter, a 30-day window) counts in each
        month it touches. Columns: origin, month (first day), rows, last_import.
        """
        with self._read() as con:
            spans = con.execute(
                """SELECT b.origin, o.period_start, o.period_end, COUNT(*) AS rows, MAX(b.imported_at) AS last_import
                   FROM observations o JOIN batches b ON b.id = o.batch_id
                   WHERE o.is_current GROUP BY b.origin, o.period_start, o.period_end"""
            ).df()
        columns = ["origin", "month", "rows", "last_import"]
        if spans.empty:
            return pd.DataFrame({c: pd.Series(dtype=t) for c, t in zip(
                columns, ["str", "datetime64[us]", "int64", "datetime64[us]"], strict=True)})
        parts = []
        for rec in spans.itertuples(index=False):
            months = pd.period_range(rec.period_start, rec.period_end, freq="M").to_timestamp()
            parts.append(pd.DataFrame({"origin": rec.origin, "month": months, "rows": rec.rows,
                                       "last_import": rec.last_import}))
        cov = pd.concat(parts, ignore_index=True)
        cov = cov.groupby(["origin", "month"], as_index=False).agg(rows=("rows", "sum"),
                                                                   last_import=("last_import", "max"))
        cov["rows"] = cov["rows"].astype("int64")
        cov["month"] = cov["month"].astype("datetime64[us]")
        return cov[columns]

    # --- backup -----------------------------------------------------------------

    def backup(self, directory: str | os.PathLike) -> dict[str, int]:
        """Write a consistent copy of every table (Parquet) and a manifest to ``directory``.

            >>> store.backup("backups/2026-11-26")
            {'schema_version': 1, 'counters': 2, 'batches': 3, 'observations': 22, 'deletions': 0, 'targets': 1,
             'column_mappings': 0, 'reference_origins': 0, 'grants': 0, 'audit': 4, 'custom_kpis': 0,
             'kpi_history': 0, 'comments': 0, 'esn_terms': 0, 'esn_profiles': 0, 'subjects': 0,
             'esn_subjects': 0, 'deleted_batches': 0, 'deleted_observations': 0, 'deleted_targets': 0,
             'deleted_mappings': 0, 'deleted_esn_terms': 0, 'deleted_esn_profiles': 0, 'deleted_esn_subjects': 0,
             'deleted_subjects': 0}

        Returns the rows written per table. The manifest (``manifest.json``) holds the schema version, the
        data version, and each table's row count and SHA-256 of its file, which ``restore`` checks.
        """
        directory = Path(directory)
        _backup_folder(directory)
        with self._read() as con:  # read-only: no writer can interleave
            con.execute("BEGIN TRANSACTION")
            counts = _write_backup(con, directory, TABLES)
            con.execute("COMMIT")
        return counts

    def _auto_backup(self, con: duckdb.DuckDBPyConnection, operation: str) -> Path:
        """Before a destructive operation, copy the store's file (and its WAL) as they are to
        ``<store>.backups/<UTC time>-<operation>``, with a manifest; keep the newest ``AUTO_BACKUPS_KEPT``.

        Called with the store open and nothing written yet in the caller's transaction, under the writer
        lock: no other process writes, so the files on disk are one committed state. A byte copy (about
        0.2 s with its checksum on the 5M bench store) rather than ``backup``'s Parquet export (about 6 s);
        ``restore`` verifies both kinds the same way, table by table.
        """
        final = self.backups_dir / f"{_utcnow().strftime('%Y%m%dT%H%M%S%fZ')}-{operation}"
        partial = final.with_name(final.name + ".partial")
        try:
            self.backups_dir.mkdir(exist_ok=True)
            shutil.rmtree(partial, ignore_errors=True)
            partial.mkdir()
            sums = {}
            for source in (self.path, self.path.with_name(self.path.name + ".wal")):
                if source.exists():
                    shutil.copyfile(source, partial / source.name)
                    sums[source.name] = _sha256(partial / source.name)
            manifest = {"format": "passerelle-backup", "kind": "store-file", "store_file": self.path.name,
                        "schema_version": _schema_version(con), "data_version": int(_scalar(
                            con, "SELECT value FROM counters WHERE name = 'data_version'")),
                        "created_at": _iso_z(_utcnow()), "before": operation,
                        "tables": {t: int(_scalar(con, f"SELECT COUNT(*) FROM {t}")) for t in _base_tables(con)},
                        "sha256": sums}
            (partial / "manifest.json").write_text(json.dumps(manifest, indent=2))
            os.replace(partial, final)
            kept = sorted(d for d in self.backups_dir.iterdir() if d.is_dir() and not d.name.endswith(".partial"))
            for old in [*kept[:-AUTO_BACKUPS_KEPT], *self.backups_dir.glob("*.partial")]:
                shutil.rmtree(old, ignore_errors=True)
        except OSError as exc:
            shutil.rmtree(partial, ignore_errors=True)
            raise StoreError(
                f"La sauvegarde automatique dans {self.backups_dir} a échoué ({exc.strerror or exc}) : "
                "l'opération n'a pas été faite, rien n'a été modifié.",
                f"The automatic backup in {self.backups_dir} failed ({exc.strerror or exc}): the operation "
                "was not carried out, nothing was changed.") from None
        return final

    def restore(self, directory: str | os.PathLike, by: str = "local") -> dict[str, int]:
        """Replace the store with a backup written by ``backup``, once the backup is fully verified.

        See ``restore_store`` (which also works on a store too damaged to open). The data version still
        moves forward, so caches see the change.
        """
        return restore_store(self.path, directory, lock_timeout=self.lock_timeout, by=by)

    def _restore(self, directory: Path) -> dict[str, int]:
        manifest = _read_manifest(directory)
        _check_checksums(directory, manifest)
        _check_replaceable(self.path)
        deadline = time.monotonic() + self.lock_timeout
        with self._writer_lock(deadline):
            old_version = self._old_data_version()
            version = max(self._sidecar_version(), old_version or 0) + 1
            tmp = self.path.with_name(f"{self.path.name}.restoring-{os.getpid()}")
            wal, old_wal = (self.path.with_name(self.path.name + s) for s in (".wal", ".wal.replaced"))
            _remove(*self.path.parent.glob(f"{glob.escape(self.path.name)}.restoring-*"))  # a killed restore's
            try:
                con = duckdb.connect(str(tmp), config=_DUCKDB_CONFIG)
                try:
                    con.execute("SET enable_progress_bar = false")
                    con.execute("BEGIN TRANSACTION")
                    for ddl in _DDL.values():
                        con.execute(ddl)
                    if manifest.get("kind") == "store-file":
                        con.execute(f"ATTACH {_sql_path(directory / manifest['store_file'])} AS bk (READ_ONLY)")
                    for table in TABLES:
                        _load_table(con, directory, table, manifest)
                    if manifest.get("kind") == "store-file":
                        con.execute("DETACH bk")
                    _check_restored(con, directory, manifest)
                    con.execute("UPDATE counters SET value = ? WHERE name = 'data_version'", [version])
                    _refresh_entity_totals(con)
                    con.execute("COMMIT")
                    con.execute("CHECKPOINT")
                finally:
                    con.close()
                self._keep_old(readable=old_version is not None)
                # verified and the old store kept: swap. The old WAL goes aside first, never to be replayed
                # onto the new file.
                if wal.exists():
                    os.replace(wal, old_wal)
                os.replace(tmp, self.path)
                _remove(old_wal)
            except duckdb.Error as exc:
                raise _rejected(directory, f"{str(exc).splitlines()[0][:200]}",
                                f"{str(exc).splitlines()[0][:200]}") from None
            finally:
                _remove(tmp, tmp.with_name(tmp.name + ".wal"))
            self._write_version_file(version)
        return dict(manifest["tables"])

    def _old_data_version(self) -> int | None:
        """The data version of the store about to be replaced; None when there is none or it cannot be read."""
        if not self.path.exists() or self.path.stat().st_size == 0:
            return None
        try:
            with self._read() as con:
                return int(_scalar(con, "SELECT value FROM counters WHERE name = 'data_version'"))
        except StoreError:
            return None

    def _keep_old(self, readable: bool) -> None:
        """Before a restore replaces it: back the old store up (automatic backup), or, when it cannot be read,
        keep a copy of its file as ``<store>.damaged-<UTC time>``."""
        if not self.path.exists() or self.path.stat().st_size == 0:
            return
        if readable:
            try:
                with self._read() as con:
                    con.execute("BEGIN TRANSACTION")
                    self._auto_backup(con, "restore")
                    con.execute("COMMIT")
                return
            except StoreUnreadable:
                pass  # damage found while copying: keep the file as it is
        shutil.copy2(self.path, self.path.with_name(f"{self.path.name}.damaged-{_utcnow().strftime('%Y%m%dT%H%M%SZ')}"))

    def table_rows(self, table: str) -> pd.DataFrame:
        """Every row of one table in key order (backups, tests, support)."""
        if table not in TABLES and table not in DERIVED_TABLES:
            raise StoreError(f"Table inconnue {table}", f"Unknown table {table}")
        with self._read() as con:
            return con.execute(f"SELECT * FROM {table} ORDER BY {_ORDER[table]}").df()

    @_retried
    def esn_terms(self, start: date | None = None, end: date | None = None) -> pd.DataFrame:
        """The social network's kept terms whose month starts between ``start`` and ``end`` (both optional), from
        the months of batches that are current (see ``_ESN_CURRENT``): month, grp, term, authors, messages."""
        return self._esn("esn_terms", "t.month, t.grp, t.term, t.authors, t.messages",
                         "t.month, t.grp, t.messages DESC, t.term", start, end)

    @_retried
    def esn_profiles(self, start: date | None = None, end: date | None = None) -> pd.DataFrame:
        """The influencer profiles of the months between ``start`` and ``end``, from current batches: month, rank,
        department, threads, replies, score, name (empty unless kept at import, ``esn_names``), mentions."""
        return self._esn("esn_profiles",
                         "t.month, t.rank, t.department, t.threads, t.replies, t.score, t.name, t.mentions",
                         "t.month, t.rank", start, end)

    @_retried
    def esn_subjects(self, start: date | None = None, end: date | None = None) -> pd.DataFrame:
        """The tracked subjects' mentions of the months between ``start`` and ``end``, from current batches:
        month, grp, subject, messages, authors, positive, negative, neutral."""
        return self._esn("esn_subjects", "t.month, t.grp, t.subject, t.messages, t.authors, t.positive, "
                         "t.negative, t.neutral", "t.month, t.subject, t.grp", start, end)

    @_retried
    def esn_months(self, start: date | None = None, end: date | None = None) -> list[date]:
        """The months between ``start`` and ``end`` whose social network messages are counted (a current
        ``esn_messages`` observation starts in them), first to last."""
        where, params = ["is_current", "kpi = 'esn_messages'"], []
        if start is not None:
            where.append("period_start >= ?")
            params.append(pd.Timestamp(start).date().replace(day=1))
        if end is not None:
            where.append("period_start <= ?")
            params.append(pd.Timestamp(end).date())
        with self._read() as con:
            rows = con.execute(f"SELECT DISTINCT date_trunc('month', period_start) AS m FROM observations "
                               f"WHERE {' AND '.join(where)} ORDER BY m", params).fetchall()
        return [pd.Timestamp(r[0]).date() for r in rows]

    def _esn(self, table: str, columns: str, order: str, start: date | None, end: date | None) -> pd.DataFrame:
        where, params = [_ESN_CURRENT], []
        if start is not None:
            where.append("t.month >= ?")
            params.append(pd.Timestamp(start).date().replace(day=1))
        if end is not None:
            where.append("t.month <= ?")
            params.append(pd.Timestamp(end).date())
        with self._read() as con:
            frame = con.execute(f"SELECT {columns} FROM {table} t WHERE {' AND '.join(where)} ORDER BY {order}",
                                params).df()
        if len(frame):
            frame["month"] = pd.to_datetime(frame["month"]).dt.date
        return frame


def restore_store(path: str | os.PathLike, directory: str | os.PathLike, *,
                  lock_timeout: float = DEFAULT_LOCK_TIMEOUT, by: str = "local") -> dict[str, int]:
    """Replace the store at ``path`` with the backup in ``directory``; returns the rows restored per table.

        >>> restore_store("data/passerelle.duckdb", "data/passerelle.duckdb.backups/20261126T101500Z-delete-batch-3")
        ... # doctest: +SKIP
        {'schema_version': 1, 'counters': 2, 'batches': 3, ...}

    Works even when the store cannot be opened (that is when it is needed). The backup is checked first:
    the manifest's shape, each file's SHA-256, then, loaded into a new file next to the store, the schema
    version, each table's columns and row count, the links between tables and the data version. Only then
    the new file replaces the store (``os.replace``), after the old one was backed up (automatic backup)
    or, when it cannot be read, copied to ``<store>.damaged-<time>``. Raises ``BackupRejected`` otherwise,
    the store untouched.
    """
    store = Store.__new__(Store)
    store._setup(Path(path), lock_timeout)
    counts = store._restore(Path(directory))
    with Store(path, lock_timeout=lock_timeout)._write() as con:  # the restored trail, then this restore
        _audit(con, by, "restore", SEGMENTS, backup=Path(directory).name)
    return counts


def latest_backup(path: str | os.PathLike) -> Path | None:
    """The newest complete automatic backup of the store at ``path`` (``<store>.backups/…``), or None."""
    folder = Path(path).with_name(Path(path).name + ".backups")
    try:
        done = sorted(d for d in folder.iterdir()
                      if (d / "manifest.json").is_file() and not d.name.endswith(".partial"))
    except OSError:
        return None
    return done[-1] if done else None


# --- backups: writing and verifying ------------------------------------------


def _backup_folder(directory: Path) -> None:
    """Create the backup folder, or say clearly why it cannot be one."""
    _plain_path(directory)
    if directory.exists() and not directory.is_dir():
        raise StoreError(f"{directory} est un fichier, pas un dossier : choisissez un dossier pour la sauvegarde.",
                         f"{directory} is a file, not a folder: choose a folder for the backup.")
    try:
        directory.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise StoreError(f"Impossible de créer le dossier de sauvegarde {directory} ({exc.strerror or exc}).",
                         f"Cannot create the backup folder {directory} ({exc.strerror or exc}).") from None


def _plain_path(directory: Path) -> None:
    """A folder name the system can take (no NUL character)."""
    if "\x00" in str(directory):
        raise StoreError(f"Nom de dossier invalide : {str(directory)!r}.", f"Invalid folder name: {str(directory)!r}.")


def _base_tables(con) -> list[str]:
    """The tables to back up: ``TABLES`` as they exist (an older schema lacks some), then any other."""
    present = [r[0] for r in con.execute(
        "SELECT table_name FROM information_schema.tables WHERE table_schema = 'main' AND table_type = 'BASE TABLE' "
        "ORDER BY table_name").fetchall()]
    return [t for t in TABLES if t in present] + [t for t in present if t not in TABLES and t not in DERIVED_TABLES]


def _write_backup(con, directory: Path, tables: Sequence[str]) -> dict[str, int]:
    """Copy ``tables`` to Parquet files in ``directory`` and write the manifest last (inside a transaction)."""
    counts, sums = {}, {}
    for table in tables:
        counts[table] = int(_scalar(con, f"SELECT COUNT(*) FROM {table}"))
        _duckdb_copy_out(con, table, directory / f"{table}.parquet")
        sums[table] = _sha256(directory / f"{table}.parquet")
    manifest = {"format": "passerelle-backup", "kind": "parquet", "schema_version": _schema_version(con),
                "data_version": int(_scalar(con, "SELECT value FROM counters WHERE name = 'data_version'")),
                "created_at": _iso_z(_utcnow()), "tables": counts, "sha256": sums}
    tmp = directory / "manifest.json.tmp"
    tmp.write_text(json.dumps(manifest, indent=2))
    os.replace(tmp, directory / "manifest.json")
    return counts


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _rejected(directory: Path, why_fr: str, why_en: str) -> BackupRejected:
    return BackupRejected(f"Sauvegarde {directory} refusée : {why_fr}. La base n'a pas été modifiée.",
                          f"Backup {directory} refused: {why_en}. The store was not changed.")


def _read_manifest(directory: Path) -> dict:
    """The manifest, checked for shape: every table with a row count and a SHA-256."""
    _plain_path(directory)
    if directory.exists() and not directory.is_dir():
        raise _rejected(directory, "c'est un fichier, pas un dossier de sauvegarde",
                        "it is a file, not a backup folder")
    try:
        manifest = json.loads((directory / "manifest.json").read_text())
    except (OSError, ValueError) as exc:
        raise BackupRejected(
            f"{directory} n'est pas une sauvegarde Passerelle (manifest.json illisible).",
            f"{directory} is not a Passerelle backup (manifest.json unreadable).",
        ) from exc
    if not isinstance(manifest, dict) or manifest.get("format") != "passerelle-backup":
        raise _rejected(directory, "manifest.json n'est pas celui d'une sauvegarde Passerelle",
                        "manifest.json is not a Passerelle backup's")
    version = manifest.get("schema_version")
    if version != SCHEMA_VERSION:
        raise BackupRejected(
            f"Sauvegarde au schéma {version}, base au schéma {SCHEMA_VERSION} : "
            "restaurez-la avec la version de Passerelle qui l'a écrite.",
            f"Backup has schema {version}, this store {SCHEMA_VERSION}: "
            "restore it with the Passerelle version that wrote it.",
        )
    tables, sums = manifest.get("tables"), manifest.get("sha256")
    if not isinstance(sums, dict):
        raise _rejected(directory, "le manifeste n'a pas d'empreintes SHA-256 (sauvegarde d'une version plus "
                        "ancienne) : elle ne peut pas être vérifiée", "the manifest holds no SHA-256 checksums "
                        "(a backup by an older version): it cannot be verified")
    counts_ok = isinstance(tables, dict) and set(tables) == set(TABLES) and all(
        type(n) is int and n >= 0 for n in tables.values())
    if manifest.get("kind") == "store-file":  # an automatic backup: the store's file, and its WAL if it had one
        name = manifest.get("store_file")
        files_ok = isinstance(name, str) and name == Path(name).name and set(sums) in ({name}, {name, f"{name}.wal"})
    else:
        files_ok = set(sums) == set(TABLES)
    sums_ok = files_ok and all(
        isinstance(h, str) and len(h) == 64 and all(c in "0123456789abcdef" for c in h) for h in sums.values())
    if not counts_ok or not sums_ok or type(manifest.get("data_version")) is not int:
        raise _rejected(directory, "manifest.json est incomplet ou mal formé (tables, lignes, empreintes, "
                        "version des données)", "manifest.json is incomplete or malformed (tables, rows, "
                        "checksums, data version)")
    return manifest


def _check_checksums(directory: Path, manifest: dict) -> None:
    sums = manifest["sha256"]
    files = sums if manifest.get("kind") == "store-file" else {f"{t}.parquet": sums[t] for t in TABLES}
    for name, digest in files.items():
        path = directory / name
        if not path.is_file():
            raise _rejected(directory, f"le fichier {path.name} manque", f"the file {path.name} is missing")
        if _sha256(path) != digest:
            raise _rejected(directory, f"le fichier {path.name} a été modifié depuis la sauvegarde (empreinte "
                            "SHA-256 différente)", f"the file {path.name} was changed since the backup "
                            "(different SHA-256)")


def _check_replaceable(path: Path) -> None:
    """Restore replaces a store, never some other file given by mistake as the store."""
    offset, magic = _DUCKDB_MAGIC
    try:
        with open(path, "rb") as f:
            head = f.read(offset + len(magic))
    except FileNotFoundError:
        return
    except OSError as exc:
        raise StoreError(f"Impossible de lire {path} ({exc.strerror or exc}).",
                         f"Cannot read {path} ({exc.strerror or exc}).") from None
    if head and head[offset:] != magic:
        raise StoreError(f"{path} n'est pas une base Passerelle (pas un fichier DuckDB) : la restauration ne le "
                         "remplace pas. Déplacez-le ou choisissez un autre chemin (--store).",
                         f"{path} is not a Passerelle store (not a DuckDB file): restore does not replace it. "
                         "Move it away or choose another path (--store).")


def _load_table(con, directory: Path, table: str, manifest: dict) -> None:
    """Load one table of the backup (its Parquet file, or the table of the attached store file ``bk``) into
    the new store: exactly the table's columns, exactly the manifest's rows."""
    rows = manifest["tables"][table]
    if manifest.get("kind") == "store-file":
        source = f"bk.main.{table}"
    else:
        source = f"read_parquet({_sql_path(directory / f'{table}.parquet')})"
    expected = [r[0] for r in con.execute(
        "SELECT column_name FROM information_schema.columns WHERE table_catalog = current_database() "
        "AND table_name = ? ORDER BY ordinal_position", [table]).fetchall()]
    try:
        found = [r[0] for r in con.execute(f"DESCRIBE SELECT * FROM {source}").fetchall()]
    except duckdb.CatalogException:
        found = []
    if sorted(found) != sorted(expected):
        extra, missing = sorted(set(found) - set(expected)), sorted(set(expected) - set(found))
        what = ", ".join([*(f"+{c}" for c in extra), *(f"-{c}" for c in missing)])
        raise _rejected(directory, f"les colonnes de {table} ne sont pas celles du schéma ({what})",
                        f"the columns of {table} are not the schema's ({what})")
    names = ", ".join(expected)
    con.execute(f"INSERT INTO {table} ({names}) SELECT {names} FROM {source}")
    n = _scalar(con, f"SELECT COUNT(*) FROM {table}")
    if n != rows:
        raise _rejected(directory, f"{table} a {n} lignes au lieu de {rows}", f"{table} has {n} rows instead of {rows}")


def _check_restored(con, directory: Path, manifest: dict) -> None:
    """What the loaded tables must satisfy together: schema version, data version, links between tables."""
    version = _schema_version(con)
    if version != SCHEMA_VERSION:
        raise _rejected(directory, f"la table schema_version dit {version}, le manifeste {SCHEMA_VERSION}",
                        f"the schema_version table says {version}, the manifest {SCHEMA_VERSION}")
    data_version = con.execute("SELECT MAX(value) FROM counters WHERE name = 'data_version'").fetchone()[0]
    if data_version != manifest["data_version"]:
        raise _rejected(directory, f"version des données {data_version} au lieu de {manifest['data_version']}",
                        f"data version {data_version} instead of {manifest['data_version']}")
    orphans = _scalar(con, "SELECT COUNT(*) FROM observations o WHERE NOT EXISTS "
                           "(SELECT 1 FROM batches b WHERE b.id = o.batch_id)")
    if orphans:
        raise _rejected(directory, f"{orphans} observation(s) renvoient à un lot absent",
                        f"{orphans} observation(s) point to a batch that does not exist")
    for table in ("esn_terms", "esn_profiles", "esn_subjects"):
        orphans = _scalar(con, f"SELECT COUNT(*) FROM {table} t WHERE NOT EXISTS "
                               "(SELECT 1 FROM batches b WHERE b.id = t.batch_id)")
        if orphans:
            raise _rejected(directory, f"{orphans} ligne(s) de {table} renvoient à un lot absent",
                            f"{orphans} row(s) of {table} point to a batch that does not exist")
    for archive in ARCHIVES:
        orphans = _scalar(con, f"SELECT COUNT(*) FROM {archive} a WHERE NOT EXISTS "
                               "(SELECT 1 FROM deletions d WHERE COALESCE(d.operation, d.id) = a.operation)")
        if orphans:
            raise _rejected(directory, f"{orphans} ligne(s) de {archive} renvoient à une suppression absente",
                            f"{orphans} row(s) of {archive} point to a deletion that does not exist")


def _remove(*paths: Path) -> None:
    for p in paths:
        try:
            p.unlink()
        except FileNotFoundError:
            pass


# --- SQL building blocks (run inside a transaction) ------------------------


def _scalar(con: duckdb.DuckDBPyConnection, sql: str, params: Sequence = ()) -> Any:
    """The first value of a query that always returns one row (a count, a counter, a MIN or MAX)."""
    row = con.execute(sql, params).fetchone()
    assert row is not None, sql
    return row[0]


def _schema_version(con) -> int | None:
    exists = con.execute(
        "SELECT COUNT(*) FROM information_schema.tables WHERE table_name = 'schema_version'"
    ).fetchone()[0]
    if not exists:
        return None
    row = con.execute("SELECT MAX(version) FROM schema_version").fetchone()
    return None if row[0] is None else int(row[0])


def _too_new(path: Path, version: int) -> SchemaTooNew:
    return SchemaTooNew(
        f"La base {path.name} a été écrite par une version plus récente de Passerelle "
        f"(schéma {version} > {SCHEMA_VERSION}).",
        f"The store {path.name} was written by a newer Passerelle (schema {version} > {SCHEMA_VERSION}).",
    )


def _duplicate(file_name: str, earlier, same_bytes: bool) -> DuplicateBatch:
    batch_id, imported_at, earlier_file = earlier[0], _iso_z(earlier[1]), earlier[2]
    what_fr = "Ce fichier a déjà été importé" if same_bytes else "Ces données ont déjà été importées"
    what_en = "This file was already imported" if same_bytes else "The same data was already imported"
    return DuplicateBatch(
        f"{what_fr} (lot n° {batch_id}, {earlier_file}, le {imported_at}) : rien n'a été ajouté.",
        f"{what_en} (batch {batch_id}, {earlier_file}, on {imported_at}): nothing was added.",
        batch_id,
        imported_at,
    )


def _overlaps(con, new_sql: str, origin: str) -> list[Overlap]:
    """Batches of another origin whose current rows share a series (exactly) and an overlapping period with
    the rows of ``new_sql`` (columns ``rid`` and ``OBS_COLUMNS``); one ``Overlap`` per batch, oldest first."""
    rows = con.execute(
        f"""WITH n AS ({new_sql}),
        m AS (
            SELECT o.batch_id, o.row_no, o.value AS o_value, n.rid, n.value AS n_value, o.kpi,
                   GREATEST(o.period_start, n.period_start) AS lo, LEAST(o.period_end, n.period_end) AS hi,
                   (o.period_start = n.period_start AND o.period_end = n.period_end) AS aligned
            FROM observations o JOIN batches b ON b.id = o.batch_id
            JOIN n ON n.segment = o.segment AND n.entity = o.entity AND n.channel = o.channel
                  AND n.initiative = o.initiative AND n.kpi = o.kpi
                  AND n.period_start <= o.period_end AND n.period_end >= o.period_start
            WHERE o.is_current AND b.origin <> ?
        ),
        per_batch AS (
            SELECT batch_id, MIN(lo) AS lo, MAX(hi) AS hi, STRING_AGG(DISTINCT kpi, ',' ORDER BY kpi) AS kpis,
                   COUNT(DISTINCT row_no) AS n_rows, COUNT(DISTINCT rid) AS n_file,
                   SUM(CASE WHEN aligned AND ABS(o_value - n_value) <= 1e-9 * GREATEST(ABS(o_value), ABS(n_value))
                       THEN 1 ELSE 0 END) AS same,
                   SUM(CASE WHEN aligned AND ABS(o_value - n_value) > 1e-9 * GREATEST(ABS(o_value), ABS(n_value))
                       THEN 1 ELSE 0 END) AS different
            FROM m GROUP BY batch_id
        ),
        old_totals AS (SELECT batch_id, SUM(o_value) AS total FROM (SELECT DISTINCT batch_id, row_no, o_value FROM m) x
                       GROUP BY batch_id),
        new_totals AS (SELECT batch_id, SUM(n_value) AS total FROM (SELECT DISTINCT batch_id, rid, n_value FROM m) y
                       GROUP BY batch_id)
        SELECT p.batch_id, b.origin, b.file_name, p.lo, p.hi, p.kpis, p.n_rows, p.n_file, ot.total, nt.total,
               p.same, p.different
        FROM per_batch p JOIN batches b ON b.id = p.batch_id
        JOIN old_totals ot ON ot.batch_id = p.batch_id JOIN new_totals nt ON nt.batch_id = p.batch_id
        ORDER BY p.batch_id""",
        [origin],
    ).fetchall()
    return [Overlap(int(r[0]), r[1], r[2], str(_iso_date(r[3])), str(_iso_date(r[4])), tuple(r[5].split(",")),
                    int(r[6]),
                    int(r[7]), float(r[8]), float(r[9]), int(r[10]), int(r[11])) for r in rows]


def _conflict(file_name: str, clashes: list[Overlap]) -> OverlapConflict:
    ids = ", ".join(str(c.batch_id) for c in clashes)
    return OverlapConflict(
        f"{file_name} n'est pas importable tel quel : " + " ".join(c.message("fr") for c in clashes)
        + f" Dites s'il corrige ce lot (--replaces {clashes[0].batch_id}) ou s'il s'agit d'autres données "
        "(--adds) : rien n'a été enregistré.",
        f"{file_name} is not importable as it is: " + " ".join(c.message("en") for c in clashes)
        + f" Say whether it corrects that batch (--replaces {clashes[0].batch_id}) or holds other data "
        f"(--adds): nothing was stored. (batches {ids})",
        tuple(clashes),
    )


def _insert_observations(con, frame: pd.DataFrame, batch_id: int) -> None:
    rows = frame.assign(batch_id=batch_id, row_no=np.arange(len(frame), dtype="int64"), is_current=True)
    _duckdb_bulk_insert(con, "observations", rows[["batch_id", "row_no", *OBS_COLUMNS, "is_current"]])


def _merge_periods(frame: pd.DataFrame, enc: dict) -> pd.DataFrame:
    """Per series of one batch, its periods merged into islands (touching periods merge).

    The same rule as the SQL in ``_islands``, done in numpy on the frame being
    imported (a window over hundreds of thousands of partitions is slow in SQL).
    ``enc`` is ``_encode(frame)``.
    """
    sid = np.zeros(len(frame), dtype="int64")
    for col in _LABELS:
        sid, _ = pd.factorize(sid * len(enc["labels"][col]) + enc[col])  # dense series id so far
    base = int(enc["period_start"].min())
    a, b = enc["period_start"] - base, enc["period_end"] - base
    order = np.lexsort((b, a, sid))
    sid, a, b = sid[order], a[order], b[order]
    offset = sid.astype("int64") * (int(b.max()) + 2)  # keeps each series' values in its own block
    reach = np.maximum.accumulate(offset + b)  # running max of ends, never crossing series
    new = np.ones(len(sid), dtype=bool)
    new[1:] = (sid[1:] != sid[:-1]) | (offset[1:] + a[1:] > reach[:-1] + 1)
    firsts = np.flatnonzero(new)
    rows = order[firsts]
    out = pd.DataFrame({col: np.asarray(enc["labels"][col], dtype=object)[enc[col][rows]] for col in _LABELS})
    out["i_start"] = (a[firsts] + base).astype("datetime64[D]").astype("datetime64[us]")
    out["i_end"] = (np.maximum.reduceat(b, firsts) + base).astype("datetime64[D]").astype("datetime64[us]")
    return out


def _islands(con, batches_sql: str, params: Sequence = (), keys_table: str | None = None) -> None:
    """Temp table ``_islands``: per batch and series, the merged periods it covers."""
    keys = (
        f" AND EXISTS (SELECT 1 FROM {keys_table} k"
        " WHERE k.origin = b.origin AND k.segment = o.segment AND k.kpi = o.kpi)"
        if keys_table else ""
    )
    part = "batch_id, segment, entity, channel, initiative, kpi"
    con.execute("DROP TABLE IF EXISTS _islands")
    con.execute(
        f"""CREATE TEMP TABLE _islands AS
        WITH src AS (
            SELECT DISTINCT o.batch_id, b.origin, o.segment, o.entity, o.channel, o.initiative, o.kpi,
                   o.period_start, o.period_end
            FROM observations o JOIN batches b ON b.id = o.batch_id
            WHERE o.batch_id IN ({batches_sql}){keys}
        ), reach AS (
            SELECT src.*, MAX(period_end) OVER (PARTITION BY {part} ORDER BY period_start, period_end
                   ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS reach_end
            FROM src
        ), numbered AS (
            SELECT reach.*, SUM(CASE WHEN reach_end IS NULL OR period_start > reach_end + 1 THEN 1 ELSE 0 END)
                   OVER (PARTITION BY {part} ORDER BY period_start, period_end ROWS UNBOUNDED PRECEDING) AS island
            FROM reach
        )
        SELECT batch_id, origin, segment, entity, channel, initiative, kpi,
               MIN(period_start) AS i_start, MAX(period_end) AS i_end
        FROM numbered GROUP BY batch_id, origin, segment, entity, channel, initiative, kpi, island""",
        list(params),
    )


def _hits(con) -> None:
    """Temp table ``_hits(batch_id, row_no, inside, newer)``: candidate rows of ``_cand``
    overlapping a matching island of a newer batch in ``_islands``; ``inside`` = 1
    when the row lies entirely inside one such island (it is superseded).

    The "(all) matches everything" rule is an OR per dimension, which no hash
    join can use; it is split into up to 27 equi-joins, one per choice of
    (same value | newer is "(all)" | older is "(all)") for each dimension, and
    the impossible choices are skipped.
    """
    flags = {}
    for side in ("_cand", "_islands"):
        row = con.execute(
            "SELECT " + ", ".join(
                f"MAX(CASE WHEN {d} = ? THEN 1 ELSE 0 END), MAX(CASE WHEN {d} <> ? THEN 1 ELSE 0 END)"
                for d in DIMENSIONS
            ) + f" FROM {side}",
            [ALL] * (2 * len(DIMENSIONS)),
        ).fetchone()
        flags[side] = {d: (row[2 * i] or 0, row[2 * i + 1] or 0) for i, d in enumerate(DIMENSIONS)}
    branches = []
    for modes in itertools.product("ENO", repeat=len(DIMENSIONS)):
        conds, possible = [], True
        for d, mode in zip(DIMENSIONS, modes, strict=True):
            c_all, c_other = flags["_cand"][d]
            i_all, i_other = flags["_islands"][d]
            if mode == "E":
                conds.append(f"i.{d} = c.{d}")
            elif mode == "N":  # the newer row is the total: covers any older value
                possible &= bool(i_all and c_other)
                conds.append(f"i.{d} = '{ALL}' AND c.{d} <> '{ALL}'")
            else:  # "O": the older row is the total: newer detail covers it
                possible &= bool(c_all and i_other)
                conds.append(f"c.{d} = '{ALL}' AND i.{d} <> '{ALL}'")
        if possible:
            branches.append(
                f"""SELECT c.batch_id, c.row_no, i.batch_id AS newer,
                       CASE WHEN c.period_start >= i.i_start AND c.period_end <= i.i_end THEN 1 ELSE 0 END AS inside
                    FROM _cand c JOIN _islands i
                      ON i.origin = c.origin AND i.segment = c.segment AND i.kpi = c.kpi AND {" AND ".join(conds)}
                    WHERE i.batch_id > c.batch_id AND c.period_start <= i.i_end AND c.period_end >= i.i_start"""
            )
    con.execute("DROP TABLE IF EXISTS _hits")
    con.execute(
        f"""CREATE TEMP TABLE _hits AS
        SELECT batch_id, row_no, MAX(inside) AS inside, MIN(newer) AS newer
        FROM ({" UNION ALL ".join(branches)}) m GROUP BY batch_id, row_no"""
    )


def _set_current(con, rows_sql: str, value: bool) -> int:
    """Set ``is_current`` on the rows (batch_id, row_no) selected by ``rows_sql``; returns how many."""
    con.execute("DROP TABLE IF EXISTS _flip")
    con.execute(f"CREATE TEMP TABLE _flip AS {rows_sql}")
    n = con.execute("SELECT COUNT(*) FROM _flip").fetchone()[0]
    if n:
        con.execute(
            f"""UPDATE observations SET is_current = {"TRUE" if value else "FALSE"}
                FROM _flip s WHERE observations.batch_id = s.batch_id AND observations.row_no = s.row_no"""
        )
    con.execute("DROP TABLE _flip")
    return n


def _supersede_by(con, batch_id: int, origin: str, islands: pd.DataFrame) -> tuple[int, pd.DataFrame]:
    """Mark older rows inside the new batch's coverage (``islands``) superseded; return (count, partial overlaps)."""
    _duckdb_temp_table(con, "_islands", islands.assign(batch_id=batch_id, origin=origin))
    con.execute("CREATE TEMP TABLE _keys AS SELECT DISTINCT origin, segment, kpi FROM _islands")
    lo, hi = con.execute("SELECT MIN(i_start), MAX(i_end) FROM _islands").fetchone()
    con.execute(
        """CREATE TEMP TABLE _cand AS
           SELECT o.batch_id, o.row_no, b.origin, o.segment, o.entity, o.channel, o.initiative, o.kpi,
                  o.period_start, o.period_end
           FROM observations o JOIN batches b ON b.id = o.batch_id
           WHERE o.is_current AND o.batch_id < ? AND o.period_end >= ? AND o.period_start <= ?
             AND EXISTS (SELECT 1 FROM _keys k
                         WHERE k.origin = b.origin AND k.segment = o.segment AND k.kpi = o.kpi)""",
        [batch_id, lo, hi],
    )
    _hits(con)
    superseded = _set_current(con, "SELECT batch_id, row_no FROM _hits WHERE inside = 1", False)
    partial = con.execute(
        """SELECT h.batch_id, COUNT(*) AS rows, STRING_AGG(DISTINCT o.kpi, ',' ORDER BY o.kpi) AS kpis
           FROM _hits h JOIN observations o ON o.batch_id = h.batch_id AND o.row_no = h.row_no
           WHERE h.inside = 0 GROUP BY h.batch_id ORDER BY h.batch_id"""
    ).df()
    for t in ("_islands", "_keys", "_cand", "_hits"):
        con.execute(f"DROP TABLE IF EXISTS {t}")
    return superseded, partial


def _overlap_warnings(con, partial: pd.DataFrame) -> tuple[OverlapWarning, ...]:
    out = []
    for rec in partial.itertuples(index=False):
        file_name = con.execute("SELECT file_name FROM batches WHERE id = ?", [int(rec.batch_id)]).fetchone()[0]
        kpis = tuple(rec.kpis.split(","))
        out.append(OverlapWarning(
            int(rec.batch_id), int(rec.rows), kpis,
            f"{rec.rows} observation(s) du lot n° {rec.batch_id} ({file_name} ; {', '.join(kpis)}) chevauchent "
            "partiellement les périodes importées : elles sont conservées, "
            "vérifiez qu'elles ne comptent pas deux fois.",
            f"{rec.rows} observation(s) of batch {rec.batch_id} ({file_name}; {', '.join(kpis)}) partly overlap "
            "the imported periods: they are kept; check they are not counted twice.",
        ))
    return tuple(out)


def _unknown_batch(batch_id: int) -> UnknownBatch:
    return UnknownBatch(f"Aucun lot n° {batch_id}.", f"No batch with id {batch_id}.")


def _restorable(con, ids: list[int]) -> str:
    """The rows that deleting batches ``ids`` makes current again, computed before the delete.

    Temp tables ``_keys``, ``_cand`` (older superseded rows of an affected origin × segment × KPI),
    ``_islands`` and ``_hits`` (the coverage of the batches that stay); returns the SQL selecting
    (batch_id, row_no) of the candidates no remaining newer batch covers. Read-only: the preview uses it.
    """
    ph = _placeholders(ids)
    con.execute("DROP TABLE IF EXISTS _keys")
    con.execute(
        f"""CREATE TEMP TABLE _keys AS SELECT DISTINCT b.origin, o.segment, o.kpi
            FROM observations o JOIN batches b ON b.id = o.batch_id WHERE o.batch_id IN ({ph})""",
        ids,
    )
    con.execute("DROP TABLE IF EXISTS _cand")
    con.execute(
        f"""CREATE TEMP TABLE _cand AS
           SELECT o.batch_id, o.row_no, b.origin, o.segment, o.entity, o.channel, o.initiative, o.kpi,
                  o.period_start, o.period_end
           FROM observations o JOIN batches b ON b.id = o.batch_id
           WHERE NOT o.is_current AND o.batch_id < ? AND o.batch_id NOT IN ({ph})
             AND EXISTS (SELECT 1 FROM _keys k
                         WHERE k.origin = b.origin AND k.segment = o.segment AND k.kpi = o.kpi)""",
        [max(ids), *ids],
    )
    if not _scalar(con, "SELECT COUNT(*) FROM _cand"):
        return "SELECT batch_id, row_no FROM _cand"
    _islands(con, f"SELECT id FROM batches WHERE id > (SELECT MIN(batch_id) FROM _cand) AND id NOT IN ({ph})",
             ids, keys_table="_keys")
    _hits(con)
    return ("SELECT batch_id, row_no FROM _cand c WHERE NOT EXISTS "
            "(SELECT 1 FROM _hits h WHERE h.inside = 1 AND h.batch_id = c.batch_id AND h.row_no = c.row_no)")


def _drop_temp(con) -> None:
    for t in ("_islands", "_keys", "_cand", "_hits", "_back"):
        con.execute(f"DROP TABLE IF EXISTS {t}")


def _preview(con, ids: list[int], demo: bool) -> DeletionPreview:
    """``DeletionPreview`` of deleting batches ``ids`` (and, for the demo, its targets and mappings)."""
    batches: list[dict] = []
    by_kpi: dict[str, int] = {}
    by_batch: dict[int, int] = {}
    if ids:
        ph = _placeholders(ids)
        for r in con.execute(
            f"""SELECT id, file_name, origin, observations, period_start, period_end, sample
                FROM batches WHERE id IN ({ph}) ORDER BY id""", ids).fetchall():
            batches.append({"id": r[0], "file": r[1], "origin": r[2], "rows": r[3], "period_start": _iso_date(r[4]),
                            "period_end": _iso_date(r[5]), "sample": bool(r[6])})
        back = _restorable(con, ids)
        for kpi, batch_id, n in con.execute(
            f"""SELECT o.kpi, o.batch_id, COUNT(*) FROM ({back}) r
                JOIN observations o ON o.batch_id = r.batch_id AND o.row_no = r.row_no
                GROUP BY o.kpi, o.batch_id ORDER BY o.kpi, o.batch_id""").fetchall():
            by_kpi[kpi] = by_kpi.get(kpi, 0) + n
            by_batch[batch_id] = by_batch.get(batch_id, 0) + n
        _drop_temp(con)
    targets = _scalar(con, "SELECT COUNT(*) FROM targets WHERE sample") if demo else 0
    mappings = _scalar(con, "SELECT COUNT(*) FROM column_mappings WHERE sample") if demo else 0
    return DeletionPreview(tuple(batches), sum(b["rows"] for b in batches), sum(by_kpi.values()), by_kpi,
                           dict(sorted(by_batch.items())), targets, mappings)


_ESN_COLUMNS = {"esn_terms": ("month", "grp", "term", "authors", "messages"),
                "esn_profiles": ("month", "rank", "department", "threads", "replies", "score", "name", "mentions"),
                "esn_subjects": ("month", "grp", "subject", "messages", "authors", "positive", "negative",
                                 "neutral")}
_ESN_OPTIONAL = {"name"}
"""Columns a caller may leave out (empty)."""


_ESN_CURRENT = ("EXISTS (SELECT 1 FROM observations o WHERE o.batch_id = t.batch_id AND o.is_current "
                "AND o.period_start >= t.month AND o.period_start < t.month + INTERVAL 1 MONTH)")
"""A month of a batch's topics or profiles counts while the batch has a current observation starting in it: a
later export of the same months supersedes them as it supersedes the counts."""


def _insert_esn(con, esn: dict[str, pd.DataFrame], batch_id: int) -> None:
    """A social network batch's topics and profiles, under ``batch_id`` (only the tables' columns are read)."""
    for table, frame in esn.items():
        if table not in _ESN_COLUMNS:
            raise StoreError(f"Table inconnue : {table}", f"Unknown table: {table}")
        if frame is None or not len(frame):
            continue
        missing = [c for c in _ESN_COLUMNS[table] if c not in frame.columns and c not in _ESN_OPTIONAL]
        if missing:
            raise StoreError(f"{table} : colonnes manquantes {missing}", f"{table}: missing columns {missing}")
        rows = frame.reindex(columns=list(_ESN_COLUMNS[table]))
        rows.insert(0, "batch_id", batch_id)
        rows["month"] = pd.to_datetime(rows["month"]).dt.date
        _duckdb_bulk_insert(con, table, rows)


def _columns(con, table: str) -> str:
    """The table's column names, in order, comma-separated (archives copy rows by name)."""
    return ", ".join(r[0] for r in con.execute(
        "SELECT column_name FROM information_schema.columns WHERE table_name = ? ORDER BY ordinal_position", [table]
    ).fetchall())


def _archive(con, source: str, where: str, params: Sequence, operation: int) -> int:
    """Move the rows of ``source`` selected by ``where`` into its archive under ``operation``; returns how many."""
    archive = next(a for a, s in ARCHIVES.items() if s == source)
    cols = _columns(con, source)
    n = _scalar(con, f"SELECT COUNT(*) FROM {source} WHERE {where}", params)
    if n:
        con.execute(f"INSERT INTO {archive} ({cols}, operation) SELECT {cols}, ? FROM {source} WHERE {where}",
                    [operation, *params])
        con.execute(f"DELETE FROM {source} WHERE {where}", params)
    return n


def _purge_archives(con, now: datetime) -> None:
    """Forget the archives of deletions older than ``UNDELETE_DAYS`` (they can no longer be undone)."""
    cutoff = now - timedelta(days=UNDELETE_DAYS)
    for archive in ARCHIVES:
        con.execute(f"DELETE FROM {archive} WHERE operation IN "
                    "(SELECT operation FROM deletions WHERE deleted_at < ?)", [cutoff])


def _delete(con, ids: list[int], by: str, demo: bool = False) -> DeleteOutcome:
    """Archive batches ``ids`` (and, for the demo, its targets, mappings and tracked subjects), make current again
    the rows only they superseded, and log one operation."""
    now = _utcnow()
    _purge_archives(con, now)
    operation = _scalar(con, "SELECT COALESCE(MAX(id), 0) + 1 FROM deletions")
    removed: dict[int, int] = {}
    info: dict[int, tuple] = {}
    restored = 0
    if ids:
        ph = _placeholders(ids)
        back = _restorable(con, ids)
        con.execute(f"CREATE TEMP TABLE _back AS {back}")
        restored = _scalar(con, "SELECT COUNT(*) FROM _back")
        removed = dict(con.execute(
            f"SELECT batch_id, COUNT(*) FROM observations WHERE batch_id IN ({ph}) GROUP BY batch_id", ids
        ).fetchall())
        info = {r[0]: r[1:] for r in con.execute(
            f"SELECT id, file_name, origin, sample FROM batches WHERE id IN ({ph})", ids
        ).fetchall()}
        _archive(con, "observations", f"batch_id IN ({ph})", ids, operation)
        _archive(con, "esn_terms", f"batch_id IN ({ph})", ids, operation)
        _archive(con, "esn_profiles", f"batch_id IN ({ph})", ids, operation)
        _archive(con, "esn_subjects", f"batch_id IN ({ph})", ids, operation)
        _archive(con, "batches", f"id IN ({ph})", ids, operation)
        _set_current(con, "SELECT batch_id, row_no FROM _back", True)
        _drop_temp(con)
    targets = _archive(con, "targets", "sample", [], operation) if demo else 0
    mappings = _archive(con, "column_mappings", "sample", [], operation) if demo else 0
    subjects = _archive(con, "subjects", "sample", [], operation) if demo else 0
    if not ids and not targets and not mappings and not subjects:
        return DeleteOutcome((), 0, 0)
    log = "INSERT INTO deletions VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, NULL, NULL)"
    if not ids:  # a demo removal that only took targets or mappings
        con.execute(log, [operation, None, "", "demo", True, now, by, 0, 0, operation, targets, mappings])
    for i, batch_id in enumerate(ids):
        file_name, origin, sample = info[batch_id]
        # Restored rows, targets and mappings are counted on the operation's first entry
        # (with several batches deleted at once they cannot be told apart).
        first = i == 0
        con.execute(log, [operation + i, batch_id, file_name, origin, sample, now, by, removed.get(batch_id, 0),
                          restored if first else 0, operation, targets if first else 0, mappings if first else 0])
    return DeleteOutcome(tuple(ids), sum(removed.values()), restored, targets, mappings, operation)


def _undelete(con, deletion_id: int, by: str, max_age_days: int) -> UndeleteOutcome:
    """Move a deletion's archived rows back (what is current is recomputed by the caller)."""
    row = con.execute("SELECT operation, deleted_at, undone_at FROM deletions WHERE id = ?", [deletion_id]).fetchone()
    if row is None:
        raise CannotUndelete(f"Aucune suppression n° {deletion_id} dans le journal.",
                             f"No deletion {deletion_id} in the deletion log.")
    operation, deleted_at, undone_at = row
    if undone_at is not None:
        raise CannotUndelete(f"La suppression n° {deletion_id} a déjà été annulée le {_iso_z(undone_at)}.",
                             f"Deletion {deletion_id} was already undone on {_iso_z(undone_at)}.")
    if deleted_at < _utcnow() - timedelta(days=max_age_days):
        raise CannotUndelete(
            f"La suppression n° {deletion_id} date du {_iso_z(deleted_at)} : elle ne peut plus être annulée "
            f"après {max_age_days} jours. Réimportez le fichier.",
            f"Deletion {deletion_id} dates from {_iso_z(deleted_at)}: it can no longer be undone after "
            f"{max_age_days} days. Import the file again.")
    archived = sum(_scalar(con, f"SELECT COUNT(*) FROM {a} WHERE operation = ?", [operation]) for a in ARCHIVES)
    if not archived:
        raise CannotUndelete(
            f"La suppression n° {deletion_id} a été faite par une version de Passerelle qui ne gardait pas "
            "les données supprimées : réimportez le fichier.",
            f"Deletion {deletion_id} was made by a Passerelle version that did not keep deleted data: "
            "import the file again.")
    clash = con.execute(
        """SELECT a.id, b.id, b.file_name FROM deleted_batches a JOIN batches b
           ON (a.sha256 IS NOT NULL AND b.sha256 = a.sha256) OR b.obs_hash = a.obs_hash
           WHERE a.operation = ? ORDER BY a.id, b.id LIMIT 1""", [operation]).fetchone()
    if clash:
        raise CannotUndelete(
            f"Le lot n° {clash[0]} ne peut pas revenir : le lot n° {clash[1]} ({clash[2]}), importé depuis, "
            "contient les mêmes données. Supprimez-le d'abord pour annuler cette suppression.",
            f"Batch {clash[0]} cannot come back: batch {clash[1]} ({clash[2]}), imported since, holds the same "
            "data. Delete it first to undo this deletion.")
    batch_ids = tuple(r[0] for r in con.execute(
        "SELECT id FROM deleted_batches WHERE operation = ? ORDER BY id", [operation]).fetchall())
    _restore_archive(con, "batches", operation)
    rows = _restore_archive(con, "observations", operation)
    _restore_archive(con, "esn_terms", operation)
    _restore_archive(con, "esn_profiles", operation)
    _restore_archive(con, "esn_subjects", operation)
    # a target or mapping set again since the deletion is the user's newer choice: it stays
    targets = _restore_archive(con, "targets", operation, keep_newer=(
        "kpi = a.kpi AND segment = a.segment AND entity IS NOT DISTINCT FROM a.entity "
        "AND period_start = a.period_start AND period_end = a.period_end"))
    mappings = _restore_archive(con, "column_mappings", operation, keep_newer="headers_key = a.headers_key")
    _restore_archive(con, "subjects", operation, keep_newer="code = a.code")
    con.execute("UPDATE deletions SET undone_at = ?, undone_by = ? WHERE operation = ?", [_utcnow(), by, operation])
    return UndeleteOutcome(int(operation), batch_ids, rows, targets, mappings)


def _restore_archive(con, source: str, operation: int, keep_newer: str | None = None) -> int:
    """Move an operation's rows from the archive of ``source`` back; returns how many came back."""
    archive = next(a for a, s in ARCHIVES.items() if s == source)
    cols = _columns(con, source)
    where = "a.operation = ?"
    if keep_newer:
        where += f" AND NOT EXISTS (SELECT 1 FROM {source} WHERE {keep_newer})"
    n = _scalar(con, f"SELECT COUNT(*) FROM {archive} a WHERE {where}", [operation])
    con.execute(f"INSERT INTO {source} ({cols}) SELECT {', '.join('a.' + c for c in cols.split(', '))} "
                f"FROM {archive} a WHERE {where}", [operation])
    con.execute(f"DELETE FROM {archive} WHERE operation = ?", [operation])
    return n


def _recompute_current(con) -> int:
    """Every row's current flag from scratch (inside the caller's transaction); returns the rows changed."""
    con.execute("DROP TABLE IF EXISTS _cand")
    con.execute(
        """CREATE TEMP TABLE _cand AS
           SELECT o.batch_id, o.row_no, b.origin, o.segment, o.entity, o.channel, o.initiative, o.kpi,
                  o.period_start, o.period_end
           FROM observations o JOIN batches b ON b.id = o.batch_id"""
    )
    _islands(con, "SELECT id FROM batches")
    _hits(con)
    changed = _set_current(
        con,
        """SELECT h.batch_id, h.row_no FROM _hits h JOIN observations o
           ON o.batch_id = h.batch_id AND o.row_no = h.row_no WHERE h.inside = 1 AND o.is_current""",
        False,
    )
    changed += _set_current(
        con,
        """SELECT o.batch_id, o.row_no FROM observations o WHERE NOT o.is_current AND NOT EXISTS (
           SELECT 1 FROM _hits h WHERE h.inside = 1 AND h.batch_id = o.batch_id AND h.row_no = o.row_no)""",
        True,
    )
    _drop_temp(con)
    return changed


def _normalise_targets(targets: pd.DataFrame) -> pd.DataFrame:
    required = ("kpi", "segment", "period_start", "period_end", "value")
    missing = [c for c in required if c not in targets.columns]
    if missing:
        raise StoreError(f"Objectifs : colonnes manquantes {missing}", f"Targets: missing columns {missing}")
    start = pd.to_datetime(targets["period_start"]).dt.normalize()
    end = pd.to_datetime(targets["period_end"]).dt.normalize()
    entity = targets["entity"].tolist() if "entity" in targets.columns else [None] * len(targets)
    entity = [None if e is None or pd.isna(e) or str(e).strip() in ("", ALL) else str(e).strip() for e in entity]
    grain = targets["grain"] if "grain" in targets.columns else pd.Series([None] * len(targets), index=targets.index)
    grain = [g if isinstance(g, str) and g else _grain_of(s, e) for g, s, e in zip(grain, start, end, strict=True)]
    frame = pd.DataFrame({
        "kpi": targets["kpi"].astype(str).to_numpy(),
        "segment": targets["segment"].astype(str).to_numpy(),
        "entity": pd.Series(entity, dtype=object),
        "period_start": [d.date() for d in start],
        "period_end": [d.date() for d in end],
        "grain": grain,
        "value": pd.to_numeric(targets["value"]).astype("float64").to_numpy(),
    })
    problems = []
    if (end < start).any():
        problems.append(("fin avant début", "end before start"))
    if set(frame["segment"]) - set(SEGMENTS):
        problems.append((f"segments inconnus {sorted(set(frame['segment']) - set(SEGMENTS))}",
                         f"unknown segments {sorted(set(frame['segment']) - set(SEGMENTS))}"))
    unknown = sorted(set(frame["kpi"]) - set(_kinds()))
    if unknown:
        problems.append((f"KPI inconnus {unknown}", f"unknown KPIs {unknown}"))
    if set(frame["grain"]) - set(TARGET_GRAINS):
        problems.append((f"granularités inconnues {sorted(set(frame['grain']) - set(TARGET_GRAINS))}",
                         f"unknown grains {sorted(set(frame['grain']) - set(TARGET_GRAINS))}"))
    if problems:
        raise StoreError("Objectifs refusés : " + "; ".join(p[0] for p in problems),
                         "Targets refused: " + "; ".join(p[1] for p in problems))
    return frame


def _grain_of(start: pd.Timestamp, end: pd.Timestamp) -> str:
    if start.day == 1 and end == start + pd.offsets.MonthEnd(0):
        return "month"
    if start.day == 1 and start.month % 3 == 1 and end == start + pd.offsets.QuarterEnd(0):
        return "quarter"
    if start.day == 1 and start.month == 1 and end == start + pd.offsets.YearEnd(0):
        return "year"
    return "range"


# --- migrations ------------------------------------------------------------


def _migrate_1_to_2(con) -> None:
    """v2: batches gain ``obs_hash`` (backfilled) and ``parser_version``; column mappings table."""
    con.execute("ALTER TABLE batches ADD COLUMN obs_hash VARCHAR")
    con.execute("ALTER TABLE batches ADD COLUMN parser_version VARCHAR")
    for (batch_id,) in con.execute("SELECT id FROM batches ORDER BY id").fetchall():
        obs = con.execute(f"SELECT {', '.join(OBS_COLUMNS)} FROM observations WHERE batch_id = ?", [batch_id]).df()
        con.execute("UPDATE batches SET obs_hash = ?, parser_version = ? WHERE id = ?",
                    [observations_hash(obs) if len(obs) else None, "unknown", batch_id])
    con.execute(_DDL["column_mappings"])


def _migrate_2_to_3(con) -> None:
    """v3: the derived ``entity_totals`` table that makes ``native_totals`` fast."""
    con.execute(_DDL["entity_totals"])
    con.execute(_DDL["label_values"])  # what v4 adds, so that the refresh below finds it
    _refresh_entity_totals(con)


def _matched_parts_sql(where: str, by: Sequence[str] = ()) -> str:
    """SELECT of the ratios' matched parts (``catalog.MATCHED``) over the current observations meeting
    ``where``: period_start, period_end, segment, kpi (the part's code), entity, origin, *by, sm, mx, n.

    A component's value counts in a ratio's part when, in the same series (origin, segment, entity, and for
    ratios of flows channel and initiative) and native period, every other component of the ratio has a
    value too. Each series gets a bit mask of the components it holds (one GROUP BY), each row the masks of
    its series, and a part keeps the rows whose mask holds all of its ratio's components. ``where`` must not
    name a table (the observations are filtered before joining the batches).
    """
    components = sorted({part for parts in MATCHED.values() for part in parts})
    bit = {c: 1 << i for i, c in enumerate(components)}
    bits = ", ".join(f"('{c}', {b}::BIGINT)" for c, b in bit.items())
    parts = ", ".join(f"('{part}', '{code}', {sum(bit[c] for c in ps)}::BIGINT, {str(r in MATCH_BY_CHANNEL).upper()})"
                      for r, ps in MATCHED.items() for part, code in ps.items())
    fine = ["origin", "segment", "entity", "channel", "initiative", "period_start", "period_end"]
    coarse = ["origin", "segment", "entity", "period_start", "period_end"]
    extra = "".join(f", c.{d}" for d in by)
    return f"""
        WITH bits(kpi, bit) AS (VALUES {bits}),
        parts(kpi, code, need, fine) AS (VALUES {parts}),
        cur AS (
            SELECT o.period_start, o.period_end, o.segment, o.entity, o.channel, o.initiative, o.kpi, o.value,
                   b.origin, bits.bit
            FROM (SELECT * FROM observations WHERE is_current AND {where}) o
            JOIN batches b ON b.id = o.batch_id JOIN bits ON bits.kpi = o.kpi),
        fine AS (SELECT {", ".join(fine)}, BIT_OR(bit) AS mask FROM cur GROUP BY {", ".join(fine)}),
        coarse AS (SELECT {", ".join(coarse)}, BIT_OR(mask) AS mask FROM fine GROUP BY {", ".join(coarse)})
        SELECT c.period_start, c.period_end, c.segment, p.code AS kpi, c.entity, c.origin{extra},
               SUM(c.value) AS sm, MAX(c.value) AS mx, COUNT(*) AS n
        FROM cur c
        JOIN fine f ON {" AND ".join(f"f.{k} = c.{k}" for k in fine)}
        JOIN coarse g ON {" AND ".join(f"g.{k} = c.{k}" for k in coarse)}
        JOIN parts p ON p.kpi = c.kpi
        WHERE (CASE WHEN p.fine THEN f.mask ELSE g.mask END) & p.need = p.need
        GROUP BY c.period_start, c.period_end, c.segment, p.code, c.entity, c.origin{extra}"""


def _refresh_entity_totals(con) -> None:
    """Rebuild the derived tables from the current observations (inside the caller's transaction)."""
    con.execute("DELETE FROM entity_totals")
    con.execute(
        """INSERT INTO entity_totals
           SELECT o.period_start, o.period_end, o.segment, o.kpi, o.entity, b.origin,
                  SUM(o.value), MAX(o.value), COUNT(*)
           FROM observations o JOIN batches b ON b.id = o.batch_id WHERE o.is_current
           GROUP BY o.period_start, o.period_end, o.segment, o.kpi, o.entity, b.origin""")
    con.execute(f"INSERT INTO entity_totals {_matched_parts_sql('TRUE')}")
    con.execute("DELETE FROM label_values")
    con.execute(
        f"""INSERT INTO label_values
           SELECT DISTINCT segment, dimension, value FROM (
               SELECT segment, 'entity' AS dimension, entity AS value FROM entity_totals
               UNION ALL SELECT segment, 'kpi', kpi FROM entity_totals WHERE kpi NOT LIKE '%{MATCH_SEPARATOR}%'
               UNION ALL SELECT DISTINCT segment, 'channel', channel FROM observations WHERE is_current
               UNION ALL SELECT DISTINCT segment, 'initiative', initiative FROM observations WHERE is_current
           ) labels""")


def _migrate_3_to_4(con) -> None:
    """v4: the derived ``label_values`` table behind the filter widgets."""
    exists = "SELECT COUNT(*) FROM information_schema.tables WHERE table_name = 'label_values'"
    if not con.execute(exists).fetchone()[0]:
        con.execute(_DDL["label_values"])
    _refresh_entity_totals(con)


def _migrate_4_to_5(con) -> None:
    """v5: deleting is reversible. Targets and mappings gain ``sample`` (the demo's: set by "demo", the
    name ``kpis.demo.seed`` writes); the deletion log gains its operation (entries written by one call,
    at the same instant by the same person) and undo columns; the archive tables."""
    con.execute("ALTER TABLE deletions ALTER COLUMN batch_id DROP NOT NULL")
    for column, kind in (("operation", "INTEGER"), ("targets_removed", "INTEGER"), ("mappings_removed", "INTEGER"),
                         ("undone_at", "TIMESTAMP"), ("undone_by", "VARCHAR")):
        con.execute(f"ALTER TABLE deletions ADD COLUMN {column} {kind}")
    con.execute(
        """UPDATE deletions SET targets_removed = 0, mappings_removed = 0, operation = (
               SELECT MIN(d.id) FROM deletions d
               WHERE d.deleted_at = deletions.deleted_at AND d.deleted_by = deletions.deleted_by)""")
    for table, by in (("targets", "set_by"), ("column_mappings", "saved_by")):
        if "sample" not in _columns(con, table).split(", "):  # a v1 store's mappings table is made at v5's shape
            con.execute(f"ALTER TABLE {table} ADD COLUMN sample BOOLEAN")
        con.execute(f"UPDATE {table} SET sample = ({by} = 'demo')")
    for archive in ("deleted_batches", "deleted_observations", "deleted_targets", "deleted_mappings"):  # v5's
        con.execute(_DDL[archive])


def _migrate_5_to_6(con) -> None:
    """v6: batches record the batches they knowingly add to (``adds_to``, a JSON list; NULL for none)."""
    con.execute("ALTER TABLE batches ADD COLUMN adds_to VARCHAR")
    con.execute("ALTER TABLE deleted_batches ADD COLUMN adds_to VARCHAR")  # v5's archive keeps the same columns


def _kpi_definitions(con) -> list[Definition]:
    """The organisation's KPIs in a connection (none in a store older than version 8, during a migration)."""
    present = _scalar(con, "SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = 'main' "
                           "AND table_name = 'custom_kpis'")
    if not present:
        return []
    return [Definition.from_record(json.loads(text))
            for (text,) in con.execute("SELECT definition FROM custom_kpis ORDER BY code").fetchall()]


def _subjects(con) -> list:
    from kpis.esn.subjects import Subject

    rows = con.execute(f"SELECT code, name_fr, name_en, synonyms FROM subjects ORDER BY {_ORDER['subjects']}"
                       ).fetchall()
    return [Subject(c, fr, en, tuple(json.loads(syn))) for c, fr, en, syn in rows]


def _kpi_definition(con, code: str) -> Definition:
    row = con.execute("SELECT definition FROM custom_kpis WHERE code = ?", [code]).fetchone()
    text = row[0] if row else None
    if text is None:
        builtin = code in catalog.BUILTIN_KPIS
        raise UnknownKpi(
            f"{code!r} est un indicateur intégré : il ne se modifie ni ne se supprime." if builtin else
            f"Aucun indicateur de l'organisation n'a le code {code!r}.",
            f"{code!r} is a built-in KPI: it can be neither edited nor removed." if builtin else
            f"No KPI of the organisation has the code {code!r}.")
    return Definition.from_record(json.loads(text))


def _kpi_use(con, code: str) -> tuple[int, int]:
    """Observations (current, superseded and archived by a deletion) and targets holding a KPI."""
    observations = sum(int(_scalar(con, f"SELECT COUNT(*) FROM {t} WHERE kpi = ?", [code]))
                       for t in ("observations", "deleted_observations"))
    targets = sum(int(_scalar(con, f"SELECT COUNT(*) FROM {t} WHERE kpi = ?", [code]))
                  for t in ("targets", "deleted_targets"))
    return observations, targets


def _next_kpi_version(con, code: str, current: int) -> int:
    """The next version of a code's history (a code removed then defined again carries on its numbering)."""
    last = _scalar(con, "SELECT MAX(version) FROM kpi_history WHERE code = ?", [code])
    return max(current, int(last or 0)) + 1


def _migrate_6_to_7(con) -> None:
    """v7: reference origins chosen by a person; ``entity_totals`` keeps the origin and the ratios' matched
    parts (rebuilt: it is derived)."""
    con.execute(_DDL["reference_origins"])
    con.execute("DROP TABLE entity_totals")
    con.execute(_DDL["entity_totals"])
    _refresh_entity_totals(con)


def _audit(con, who: str, action: str, segments: Iterable[str], **detail) -> None:
    """One row of the audit trail, in the transaction of the change it records."""
    audit_id = _scalar(con, "SELECT COALESCE(MAX(id), 0) + 1 FROM audit")
    con.execute("INSERT INTO audit VALUES (?, ?, ?, ?, ?, ?)",
                [audit_id, _utcnow(), who, action, ",".join(sorted(set(segments), key=SEGMENTS.index)),
                 json.dumps(detail, ensure_ascii=False, default=str)])


def _migrate_7_to_8(con) -> None:
    """v8: access grants and the audit trail (empty: what happened before was logged in batches and deletions)."""
    con.execute(_DDL["grants"])
    con.execute(_DDL["audit"])


def _migrate_8_to_9(con) -> None:
    """v9: the organisation's KPIs and the history of their definitions."""
    con.execute(_DDL["custom_kpis"])
    con.execute(_DDL["kpi_history"])


def _migrate_9_to_10(con) -> None:
    """v10: comments on the numbers."""
    con.execute(_DDL["comments"])


def _migrate_10_to_11(con) -> None:
    """v11: the social network's topics and influencer profiles, and their archives (empty: the batches already
    stored kept nothing of the words; importing the export again after deleting its batch fills them)."""
    for table in ("esn_terms", "esn_profiles", "deleted_esn_terms", "deleted_esn_profiles"):
        con.execute(_DDL[table])


def _migrate_11_to_12(con) -> None:
    """v12: the tracked subjects and their mentions (empty: an export imported again after deleting its batch
    counts them), and the profiles' ``name`` (empty: no name was ever kept before) and ``mentions`` (0: the
    graph had only replies)."""
    for table in ("subjects", "esn_subjects", "deleted_esn_subjects", "deleted_subjects"):
        con.execute(_DDL[table])
    for table in ("esn_profiles", "deleted_esn_profiles"):  # a v10 store got v12's esn_profiles already
        con.execute(f"ALTER TABLE {table} ADD COLUMN IF NOT EXISTS name VARCHAR")
        con.execute(f"ALTER TABLE {table} ADD COLUMN IF NOT EXISTS mentions INTEGER DEFAULT 0")


_MIGRATIONS = {1: _migrate_1_to_2, 2: _migrate_2_to_3, 3: _migrate_3_to_4, 4: _migrate_4_to_5,
               5: _migrate_5_to_6, 6: _migrate_6_to_7, 7: _migrate_7_to_8, 8: _migrate_8_to_9,
               9: _migrate_9_to_10, 10: _migrate_10_to_11, 11: _migrate_11_to_12}
"""from-version -> function migrating one step, inside the caller's transaction."""


# --- DuckDB-only helpers ---------------------------------------------------


def _unregister(con) -> None:
    """Drop the registered frame; after a failed statement DuckDB refuses, and the first error must show."""
    try:
        con.unregister("_incoming")
    except duckdb.Error:
        pass


def _duckdb_temp_table(con, name: str, frame: pd.DataFrame) -> None:
    """A temporary table holding a DataFrame."""
    con.register("_incoming", frame)
    try:
        con.execute(f"DROP TABLE IF EXISTS {name}")
        con.execute(f"CREATE TEMP TABLE {name} AS SELECT * FROM _incoming")
    finally:
        _unregister(con)


def _duckdb_bulk_insert(con, table: str, frame: pd.DataFrame) -> None:
    """Insert a DataFrame whose columns are named like the table's (DuckDB scans it in place)."""
    con.register("_incoming", frame)
    try:
        cols = ", ".join(frame.columns)
        con.execute(f"INSERT INTO {table} ({cols}) SELECT {cols} FROM _incoming")
    finally:
        _unregister(con)


def _sql_path(path: Path) -> str:
    return "'" + str(path).replace("'", "''") + "'"


def _duckdb_copy_out(con, table: str, path: Path) -> None:
    con.execute(f"COPY (SELECT * FROM {table} ORDER BY {_ORDER[table]}) TO {_sql_path(path)} (FORMAT PARQUET)")
