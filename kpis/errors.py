"""The errors ``kpis`` raises, each with a French and an English message.

    KpiError                 base: message_fr, message_en
    ├── UsageError           a bad argument (CLI exit code 2)
    │   ├── SettingError     a setting's environment variable holds a bad value
    │   ├── DefinitionError  a definition of one of the organisation's KPIs that does not hold
    │   └── SubjectError     a tracked subject (code, names) that does not hold
    ├── FileRejected         a file that cannot be read at all
    ├── StoreError           the store cannot do what was asked
    │   ├── StoreLocked      another process holds the store for too long
    │   ├── DuplicateBatch   the same data was imported before
    │   ├── OverlapConflict  the series already hold values of another origin
    │   ├── UnknownBatch     no batch with that id
    │   ├── SchemaTooNew     the store was written by a newer Passerelle
    │   ├── StoreUnreadable  the store's file is damaged, lost its last writes, or is no DuckDB file
    │   ├── BackupRejected   a backup that fails its checks: restore refuses it, the store is untouched
    │   ├── CannotUndelete   a deletion unknown, already undone, too old, or whose data came back since
    │   ├── UnknownKpi       no KPI of the organisation has that code
    │   └── KpiInUse         a KPI that still has data (observations, targets) or is a component of another
    └── NotImportable        ingestion found nothing that can be stored

Row- and cell-level problems are not exceptions: ingestion returns them as
``kpis.ingest.Issue`` values. Only pages and the CLI turn errors into text.
"""

from __future__ import annotations


class KpiError(Exception):
    """Base class: every error carries a French and an English message."""

    def __init__(self, message_fr: str, message_en: str | None = None):
        self.message_fr = message_fr
        self.message_en = message_en or message_fr
        super().__init__(self.message_en)

    def message(self, lang: str = "fr") -> str:
        return self.message_fr if lang == "fr" else self.message_en


class UsageError(KpiError):
    """A wrong argument or option."""


class SettingError(UsageError):
    """A setting read from the environment (``kpis.settings``) has a value that cannot be used."""


class DefinitionError(UsageError):
    """A definition of one of the organisation's KPIs that does not hold (``kpis.custom.validate``)."""


class SubjectError(UsageError):
    """A tracked subject of the social network that does not hold (``kpis.esn.subjects.checked``)."""


class FileRejected(KpiError):
    """The file cannot be read: wrong type, broken, encrypted, too large."""


class NotImportable(KpiError):
    """The file was read but holds nothing the store can keep."""


class StoreError(KpiError):
    """The store cannot carry out the operation."""


class StoreLocked(StoreError):
    """Another process kept the store busy longer than the retry budget."""


class DuplicateBatch(StoreError):
    """The same bytes or the same observations were imported before."""

    def __init__(self, message_fr: str, message_en: str, batch_id: int, imported_at: str):
        super().__init__(message_fr, message_en)
        self.batch_id = batch_id
        self.imported_at = imported_at


class OverlapConflict(StoreError):
    """The batch's series already hold values of another origin: say whether it corrects that batch or adds."""

    def __init__(self, message_fr: str, message_en: str, overlaps: tuple = ()):
        super().__init__(message_fr, message_en)
        self.overlaps = overlaps  # kpis.store.Overlap values, one per batch


class UnknownBatch(StoreError):
    """No batch has that id."""


class SchemaTooNew(StoreError):
    """The store was written by a newer version of Passerelle."""


class StoreUnreadable(StoreError):
    """The store's file cannot be trusted: DuckDB cannot read it, it lost committed writes (a deleted or
    damaged ``.wal``), or it is not a DuckDB file at all. ``backup`` is the newest automatic backup, if any."""

    def __init__(self, message_fr: str, message_en: str, backup=None):
        super().__init__(message_fr, message_en)
        self.backup = backup  # pathlib.Path of the newest automatic backup, or None


class BackupRejected(StoreError):
    """A backup folder that is missing, malformed, altered or inconsistent; nothing was replaced."""


class CannotUndelete(StoreError):
    """A deletion that cannot be undone: unknown, already undone, older than ``UNDELETE_DAYS``, or whose data
    a batch imported since holds again."""


class UnknownKpi(StoreError):
    """No KPI of the organisation has that code (a built-in KPI cannot be edited nor removed)."""


class KpiInUse(StoreError):
    """A KPI of the organisation that cannot be removed: observations or targets hold it, or another KPI is
    computed from it."""
