"""A damaged store, a tampered backup, a file that is not a store: a clear message, never a traceback,
never a silent loss. Real DuckDB files throughout: the damage is done to the bytes on disk."""

from __future__ import annotations

import hashlib
import json
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from conftest import APP, ROOT
from kpis import cli
from kpis.errors import BackupRejected, StoreError, StoreUnreadable
from kpis.model import ALL
from kpis.store import (
    AUTO_BACKUPS_KEPT,
    DERIVED_TABLES,
    SCHEMA_VERSION,
    TABLES,
    Store,
    latest_backup,
    restore_store,
)


def obs(entity: str, value: float, month: int = 1) -> pd.DataFrame:
    start = pd.Timestamp(2026, month, 1)
    return pd.DataFrame({"period_start": [start], "period_end": [start + pd.offsets.MonthEnd(0)],
                         "segment": ["B2C"], "entity": [entity], "channel": ["search"], "initiative": [ALL],
                         "kpi": ["clicks"], "value": [value]})


def put(store: Store, entity: str, value: float, month: int = 1) -> int:
    return store.import_batch(obs(entity, value, month), file_name=f"{entity}{month}.xlsx",
                              sha256=f"{entity}-{month}-{value}", parser_version="test").batch_id


def everything(store: Store) -> dict[str, pd.DataFrame]:
    return {t: store.table_rows(t) for t in (*TABLES, *DERIVED_TABLES)}


def same(a: dict[str, pd.DataFrame], b: dict[str, pd.DataFrame]) -> bool:
    return a.keys() == b.keys() and all(a[t].equals(b[t]) for t in a)


class WalKeepingStore(Store):
    """A store whose connections never checkpoint: a committed write stays in ``<store>.wal``, as when a
    process is killed between its commit and its checkpoint."""

    def _duckdb_connect(self, *, read_only, deadline):
        con = super()._duckdb_connect(read_only=read_only, deadline=deadline)
        con.execute("PRAGMA disable_checkpoint_on_shutdown")
        con.execute("SET checkpoint_threshold = '1GB'")
        return con


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


# --- not a DuckDB file, extensions ------------------------------------------------------------------------


def test_an_sqlite_file_as_the_store_is_refused_before_duckdb_reads_it(tmp_path):
    path = tmp_path / "store.duckdb"
    sqlite3.connect(path).execute("CREATE TABLE t (a)").connection.commit()
    before = sha(path)
    with pytest.raises(StoreUnreadable) as exc:
        Store(path)
    assert "not a DuckDB file" in exc.value.message_en and "pas un fichier DuckDB" in exc.value.message_fr
    assert str(path) in exc.value.message_en and "No automatic backup" in exc.value.message_en
    assert sha(path) == before  # untouched
    # and restore will not overwrite it either: it may be someone's other file given by mistake
    good = Store(tmp_path / "good.duckdb")
    good.backup(tmp_path / "bk")
    with pytest.raises(StoreError, match="not a Passerelle store"):
        restore_store(path, tmp_path / "bk")
    assert sha(path) == before


def test_every_connection_has_extension_auto_install_and_auto_load_off(tmp_path):
    store = Store(tmp_path / "store.duckdb")
    with store._read() as con:
        settings = con.execute("SELECT current_setting('autoinstall_known_extensions'), "
                               "current_setting('autoload_known_extensions')").fetchone()
    assert settings == (False, False)


@pytest.mark.parametrize("size", [0, 100, 4096 * 3 + 17, "half"])
def test_a_truncated_store_file_is_a_clear_message(tmp_path, size):
    path = tmp_path / "store.duckdb"
    store = Store(path)
    put(store, "FR", 10.0)
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2 if size == "half" else size])
    with pytest.raises(StoreUnreadable) as exc:
        everything(Store(path))
    assert f"The store {path} is damaged or unreadable" in exc.value.message_en
    assert f"La base {path} est endommagée" in exc.value.message_fr


@pytest.mark.parametrize("seed", [1, 2, 3, 4, 5, 6])
def test_flipped_bytes_in_the_store_are_reported_or_harmless_never_silent(tmp_path, seed):
    path = tmp_path / "store.duckdb"
    store = Store(path)
    for i in range(3):
        put(store, f"E{i}", 100.0 + i, month=i + 1)
    before = everything(store)
    data = bytearray(path.read_bytes())
    rng = random.Random(seed)
    offsets = sorted(rng.randrange(len(data)) for _ in range(8))
    for off in offsets:
        data[off] ^= 0xFF
    path.write_bytes(bytes(data))
    try:
        after = everything(Store(path))
    except StoreUnreadable as exc:  # found: the message names the file
        assert str(path) in exc.message_en and str(path) in exc.message_fr
    else:  # not found: then the flips hit unused space, and every row reads back the same
        assert same(before, after), f"seed {seed}: flips at {offsets} changed the data silently"
    try:  # a write that meets the damage says the same
        Store(path).delete_batch(1)
    except StoreUnreadable as exc:
        assert "is damaged or unreadable" in exc.message_en


# --- the write-ahead log --------------------------------------------------------------------------------


def store_with_a_delete_in_its_wal(tmp_path) -> tuple[Path, Path]:
    """Batches 1 and 2 checkpointed; then batch 2 deleted by a process that never checkpoints. Returns the
    store's path and the automatic backup taken before that delete (it holds batches 1 and 2)."""
    path = tmp_path / "store.duckdb"
    store = Store(path)
    put(store, "FR", 10.0)
    put(store, "DE", 20.0)
    WalKeepingStore(path).delete_batch(2)
    wal = path.with_name("store.duckdb.wal")
    assert wal.stat().st_size > 0
    assert [b["id"] for b in Store(path).batches()] == [1]  # the WAL is read: the delete is there
    backup = latest_backup(path)
    assert backup is not None and backup.name.endswith("-delete-batch-2")
    return path, backup


@pytest.mark.parametrize("damage", ["delete", "truncate", "flip"])
def test_a_lost_or_damaged_wal_is_reported_with_the_backup_to_restore(tmp_path, damage):
    path, backup = store_with_a_delete_in_its_wal(tmp_path)
    wal = path.with_name("store.duckdb.wal")
    data = bytearray(wal.read_bytes())
    if damage == "delete":
        wal.unlink()
    elif damage == "truncate":
        wal.write_bytes(bytes(data[: len(data) // 2]))
    else:
        for off in range(len(data) // 2, len(data) // 2 + 8):
            data[off] ^= 0xFF
        wal.write_bytes(bytes(data))
    with pytest.raises(StoreUnreadable) as exc:
        Store(path).batches()
    assert exc.value.backup == backup
    assert f"python -m kpis restore {backup} --store {path}" in exc.value.message_en
    assert backup.name in exc.value.message_fr
    # the message is believed: restoring that backup gives the state just before the lost delete
    assert cli.main(["restore", str(backup), "--store", str(path)]) == 0
    store = Store(path)
    assert [b["id"] for b in store.batches()] == [1, 2]
    assert store.table_rows("observations")["value"].tolist() == [10.0, 20.0]


def test_a_deleted_wal_is_not_a_silent_loss_even_for_an_import(tmp_path):
    path = tmp_path / "store.duckdb"
    put(Store(path), "FR", 10.0)
    put(WalKeepingStore(path), "DE", 20.0)  # batch 2 lives only in the WAL
    path.with_name("store.duckdb.wal").unlink()
    with pytest.raises(StoreUnreadable) as exc:
        Store(path)
    # 1 operation missing, said in both languages; no automatic backup yet (nothing was deleted)
    assert "1 committed operation(s) missing" in exc.value.message_en
    assert "1 opération(s) enregistrée(s) manquent" in exc.value.message_fr
    assert exc.value.backup is None and "No automatic backup" in exc.value.message_en
    # writes are refused as well, and the refusal changes nothing
    with pytest.raises(StoreUnreadable):
        put(_unchecked(path), "IT", 30.0)  # a store object made before the loss
    # the way out the message gives: delete the .version file to keep the store as it is
    path.with_name("store.duckdb.version").unlink()
    assert [b["id"] for b in Store(path).batches()] == [1]


def _unchecked(path: Path) -> Store:
    store = Store.__new__(Store)
    store._setup(path, 10.0)
    return store


# --- automatic backups ------------------------------------------------------------------------------------


def test_each_delete_is_preceded_by_a_backup_and_only_the_last_five_are_kept(tmp_path):
    path = tmp_path / "store.duckdb"
    store = Store(path)
    ids = [put(store, f"E{i}", float(i), month=i + 1) for i in range(7)]
    for batch_id in ids:
        store.delete_batch(batch_id)
    kept = sorted(p.name for p in store.backups_dir.iterdir())
    assert AUTO_BACKUPS_KEPT == 5
    assert [name.split("-", 1)[1] for name in kept] == [f"delete-batch-{i}" for i in (3, 4, 5, 6, 7)]
    # the newest holds the store as it was just before deleting batch 7: batch 7 only, value 6.0
    manifest = json.loads((store.backups_dir / kept[-1] / "manifest.json").read_text())
    assert (manifest["before"], manifest["tables"]["batches"], manifest["tables"]["deleted_batches"]) == (
        "delete-batch-7", 1, 6)
    store.restore(store.backups_dir / kept[-1])
    assert store.table_rows("observations")["value"].tolist() == [6.0]
    # restore itself was backed up first (the store with nothing left), and still five are kept
    newest = latest_backup(path)
    assert newest is not None and newest.name.endswith("-restore") and len(list(store.backups_dir.iterdir())) == 5
    assert json.loads((newest / "manifest.json").read_text())["tables"]["batches"] == 0


def test_restore_repairs_a_store_too_damaged_to_open_and_keeps_the_damaged_file(tmp_path):
    path = tmp_path / "store.duckdb"
    store = Store(path)
    put(store, "FR", 10.0)
    store.backup(tmp_path / "bk")
    data = bytearray(path.read_bytes())
    data[4096:8192 * 3] = bytes(8192 * 3 - 4096)  # both database headers and more: unreadable
    path.write_bytes(bytes(data))
    with pytest.raises(StoreUnreadable):
        Store(path)
    assert restore_store(path, tmp_path / "bk")["observations"] == 1
    assert Store(path).table_rows("observations")["value"].tolist() == [10.0]
    damaged = list(tmp_path.glob("store.duckdb.damaged-*"))
    assert len(damaged) == 1 and damaged[0].read_bytes() == bytes(data)


# --- restore verifies before it replaces -----------------------------------------------------------------


@pytest.fixture
def backed_up(tmp_path) -> tuple[Store, Path, str]:
    """A store with one deleted batch (so the archives hold a row), its backup, and the store file's hash."""
    store = Store(tmp_path / "store.duckdb")
    put(store, "FR", 10.0)
    put(store, "DE", 20.0, month=2)
    store.delete_batch(2)
    bk = tmp_path / "bk"
    store.backup(bk)
    shutil.rmtree(store.backups_dir)  # only the backup under test, so a refusal can be seen to add none
    store.backups_dir.mkdir()
    return store, bk, sha(store.path)


def reseal(bk: Path) -> None:
    """Recompute the manifest's checksums, as someone who tampers with the files carefully would."""
    manifest = json.loads((bk / "manifest.json").read_text())
    manifest["sha256"] = {t: sha(bk / f"{t}.parquet") for t in TABLES}
    (bk / "manifest.json").write_text(json.dumps(manifest))


def rewrite(bk: Path, table: str, select: str) -> None:
    """Rewrite one table's file of the backup with a query over it (``t``)."""
    f = bk / f"{table}.parquet"
    con = duckdb.connect()
    con.execute(f"CREATE TABLE t AS SELECT * FROM read_parquet('{f}')")
    con.execute(f"COPY ({select}) TO '{f}' (FORMAT PARQUET)")
    con.close()


TAMPERING = [
    # (what, how, sealed again, message in English)
    ("values x1000, same rows", lambda bk: rewrite(bk, "observations", "SELECT * REPLACE (value * 1000 AS value) "
                                                   "FROM t"), False, "observations.parquet was changed"),
    ("an observation of no batch", lambda bk: rewrite(bk, "observations", "SELECT * REPLACE (99 AS batch_id) "
                                                      "FROM t"), True, "1 observation(s) point to a batch"),
    ("an extra column", lambda bk: rewrite(bk, "batches", "SELECT *, 1 AS extra FROM t"), True, "(+extra)"),
    ("a missing column", lambda bk: rewrite(bk, "batches", "SELECT * EXCLUDE (origin) FROM t"), True, "(-origin)"),
    ("an archive row of no deletion", lambda bk: rewrite(bk, "deleted_observations",
                                                         "SELECT * REPLACE (42 AS operation) FROM t"), True,
     "1 row(s) of deleted_observations point to a deletion"),
    ("a row fewer", lambda bk: rewrite(bk, "batches", "SELECT * FROM t WHERE FALSE"), True,
     "batches has 0 rows instead of 1"),
    ("another data version", lambda bk: rewrite(bk, "counters", "SELECT name, CASE name WHEN 'data_version' "
                                                "THEN value + 5 ELSE value END AS value FROM t"), True,
     "data version"),
    ("a missing file", lambda bk: (bk / "targets.parquet").unlink(), False, "targets.parquet is missing"),
    ("a duplicate batch id", lambda bk: rewrite(bk, "batches", "SELECT * FROM t UNION ALL SELECT * FROM t"), True,
     "duplicate key"),
]


@pytest.mark.parametrize(("what", "tamper", "sealed", "message"), TAMPERING, ids=[t[0] for t in TAMPERING])
def test_restore_refuses_a_tampered_backup_and_leaves_the_store_as_it_was(backed_up, what, tamper, sealed,
                                                                          message):
    store, bk, before = backed_up
    if what == "a duplicate batch id":  # the counts must agree for the key check to be reached
        manifest = json.loads((bk / "manifest.json").read_text())
        manifest["tables"]["batches"] = 2
        (bk / "manifest.json").write_text(json.dumps(manifest))
    tamper(bk)
    if sealed:
        reseal(bk)
    with pytest.raises(BackupRejected) as exc:
        store.restore(bk)
    assert message in exc.value.message_en, exc.value.message_en
    assert exc.value.message_fr.startswith(f"Sauvegarde {bk} refusée") or "sauvegarde" in exc.value.message_fr
    assert sha(store.path) == before  # not replaced
    assert not list(store.path.parent.glob("store.duckdb.restoring-*"))  # no temporary file left
    assert not list(store.backups_dir.iterdir())  # refused before anything was written


MANIFESTS = [
    ("not JSON", "{", "is not a Passerelle backup"),
    ("a list", "[]", "is not a Passerelle backup's"),
    ("no format", f'{{"schema_version": {SCHEMA_VERSION}}}', "is not a Passerelle backup's"),
    ("schema as text", '{"format": "passerelle-backup", "schema_version": "7"}', "Backup has schema 7"),
    ("no checksums", f'{{"format": "passerelle-backup", "schema_version": {SCHEMA_VERSION}, "tables": {{}}}}',
     "no SHA-256 checksums"),
    ("tables missing", f'{{"format": "passerelle-backup", "schema_version": {SCHEMA_VERSION}, "tables": {{}}, '
                       '"sha256": {}, "data_version": 1}', "incomplete or malformed"),
]


@pytest.mark.parametrize(("what", "text", "message"), MANIFESTS, ids=[m[0] for m in MANIFESTS])
def test_a_malformed_manifest_is_a_message_not_a_traceback(backed_up, capsys, what, text, message):
    store, bk, before = backed_up
    (bk / "manifest.json").write_text(text)
    assert cli.main(["restore", str(bk), "--store", str(store.path)]) == 1
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err
    assert sha(store.path) == before


def test_a_manifest_with_wrong_types_is_refused(backed_up):
    store, bk, before = backed_up
    manifest = json.loads((bk / "manifest.json").read_text())
    manifest["tables"]["batches"] = "1"
    (bk / "manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(BackupRejected, match="incomplete or malformed"):
        store.restore(bk)


def test_backup_and_restore_with_a_file_as_dir_are_messages(backed_up, capsys):
    store, bk, before = backed_up
    a_file = bk / "manifest.json"
    # a path of the wrong kind is a usage error (exit 2), named, before the store is touched
    assert cli.main(["backup", str(a_file), "--store", str(store.path)]) == 2
    assert f"{a_file} is not a folder" in capsys.readouterr().err
    assert cli.main(["restore", str(a_file), "--store", str(store.path)]) == 2
    assert f"{a_file} is not a folder" in capsys.readouterr().err
    assert sha(store.path) == before


def test_a_verified_restore_swaps_the_file_and_moves_the_data_version_on(backed_up):
    store, bk, before = backed_up
    version = store.data_version()
    counter = int(store.path.with_name("store.duckdb.version").read_text())
    put(store, "IT", 5.0, month=3)
    counts = store.restore(bk)
    assert (counts["batches"], counts["observations"], counts["deleted_batches"]) == (1, 1, 1)
    assert store.table_rows("observations")["value"].tolist() == [10.0]
    assert store.undelete(store.deletions()[0]["id"]).batch_ids == (2,)  # the archive came back usable
    # counter: before the import, +1 import, +1 restore, +1 the restore's line in the audit trail, +1 undelete
    assert int(store.path.with_name("store.duckdb.version").read_text()) == counter + 4
    assert store.data_version() != version
    assert not store.path.with_name("store.duckdb.wal.replaced").exists()


# --- the app ------------------------------------------------------------------------------------------------


def test_the_app_shows_the_damage_message_instead_of_an_error(store_path, clean_streamlit_caches):
    from streamlit.testing.v1 import AppTest

    store = Store(store_path)
    put(store, "FR", 10.0)
    store.delete_batch(1)
    store_path.write_bytes(store_path.read_bytes()[:100])
    at = AppTest.from_file(APP, default_timeout=30).run()
    assert not at.exception
    text = at.error[0].value
    assert text.startswith(f"La base {store_path} est endommagée") and f"The store {store_path} is damaged" in text
    assert str(latest_backup(store_path)) in text


def test_an_altered_automatic_backup_is_refused(tmp_path):
    store = Store(tmp_path / "store.duckdb")
    put(store, "FR", 10.0)
    store.delete_batch(1)
    backup = latest_backup(store.path)
    assert backup is not None and sorted(p.name for p in backup.iterdir()) == ["manifest.json", "store.duckdb"]
    copy = backup / "store.duckdb"
    data = bytearray(copy.read_bytes())
    data[-100] ^= 0x01
    copy.write_bytes(bytes(data))
    before = sha(store.path)
    with pytest.raises(BackupRejected, match="the file store.duckdb was changed since the backup"):
        store.restore(backup)
    assert sha(store.path) == before


def test_a_migration_is_preceded_by_a_backup_of_the_old_schema(tmp_path):
    path = tmp_path / "old.duckdb"
    con = duckdb.connect(str(path))
    con.execute((Path(__file__).parent / "fixtures" / "store_v1.sql").read_text())
    con.close()
    old = path.read_bytes()
    Store(path)  # migrates 1 -> SCHEMA_VERSION
    backup = latest_backup(path)
    assert backup is not None and backup.name.endswith(f"-migration-1-to-{SCHEMA_VERSION}")
    manifest = json.loads((backup / "manifest.json").read_text())
    assert (manifest["schema_version"], manifest["tables"]["observations"]) == (1, 4)
    assert (backup / "old.duckdb").read_bytes() == old  # the file as it was: an older Passerelle opens it
    with pytest.raises(BackupRejected, match=f"Backup has schema 1, this store {SCHEMA_VERSION}"):
        restore_store(path, backup)


KILLED_RESTORE = """
import sys
from kpis.store import restore_store
print("go", flush=True)
restore_store(sys.argv[1], sys.argv[2])
print("done", flush=True)
"""


def test_a_restore_killed_at_any_moment_leaves_the_old_store_or_the_new_one(tmp_path):
    path = tmp_path / "store.duckdb"
    store = Store(path)
    for i in range(4):
        store.import_batch(pd.concat([obs(f"E{j}", float(i * 1000 + j), month=i + 1) for j in range(2000)]),
                           file_name=f"b{i}.xlsx", sha256=f"b{i}", parser_version="test")
    store.backup(tmp_path / "bk")  # 4 batches, 8,000 observations
    store.delete_batch(4)
    store.delete_batch(3)
    old = everything(store)
    for delay in (0.0, 0.05, 0.1, 0.15, 0.2, 0.3, 0.4, 0.5):  # some land mid-restore, some after
        child = subprocess.Popen([sys.executable, "-c", KILLED_RESTORE, str(path), str(tmp_path / "bk")], cwd=ROOT,
                                 stdout=subprocess.PIPE, text=True)
        assert child.stdout is not None and child.stdout.readline() == "go\n"  # imports done: the restore starts
        time.sleep(delay)
        child.send_signal(signal.SIGKILL)
        finished = child.communicate()[0] == "done\n"
        batches = [b["id"] for b in Store(path).batches()]  # opens: never a half-replaced store
        assert batches in ([1, 2], [1, 2, 3, 4]), (delay, batches)
        assert finished <= (batches == [1, 2, 3, 4])  # a restore that said done did replace the store
        if batches == [1, 2]:
            assert same(old, everything(Store(path)))
        else:  # replaced: delete batches 4 and 3 again for the next round
            Store(path).delete_batch(4), Store(path).delete_batch(3)
            old = everything(Store(path))
    assert restore_store(path, tmp_path / "bk")["observations"] == 8000
    assert not list(tmp_path.glob("store.duckdb.restoring-*"))  # what a killed restore left is cleared by the next


def test_a_folder_name_with_a_nul_character_is_a_message(backed_up, capsys):
    store, bk, before = backed_up
    # backup: a new folder's name the store refuses (1); restore: a folder that does not exist (usage, 2)
    for command, code in (("backup", 1), ("restore", 2)):
        assert cli.main([command, "bk\x00x", "--store", str(store.path)]) == code
        err = capsys.readouterr().err
        assert ("bkx" in err or "bk\\x00x" in err) and "\x00" not in err  # named, never a raw NUL
    assert sha(store.path) == before


class _TornRead(Store):
    """A store whose first read meets a block another process's commit has half written (DuckDB's "Corrupted
    RLE"): the failure is injected once, everything else is the real file."""

    torn = 0

    def _read(self):
        if self.torn:
            self.torn -= 1
            raise StoreUnreadable("Corrupted RLE", "Corrupted RLE")
        return super()._read()


def test_a_read_torn_by_another_process_commit_is_read_again_but_damage_still_fails(tmp_path):
    path = tmp_path / "store.duckdb"
    Store(path).import_batch(pd.DataFrame({
        "period_start": pd.to_datetime(["2026-09-01"]), "period_end": pd.to_datetime(["2026-09-30"]),
        "segment": "B2C", "entity": ALL, "channel": ALL, "initiative": ALL, "kpi": "clicks", "value": [7.0]}),
        file_name="a.xlsx", sha256="a")
    # another process is committing: it holds the writer's lock for 0.5 s
    holder = subprocess.Popen([sys.executable, "-c", "import fcntl, sys, time; f = open(sys.argv[1], 'w'); "
                               "fcntl.flock(f, fcntl.LOCK_EX); print('held', flush=True); time.sleep(0.5)",
                               str(path) + ".lock"], stdout=subprocess.PIPE, text=True)
    store = _TornRead(path, lock_timeout=5)
    assert holder.stdout.readline().strip() == "held"
    store.torn = 1
    assert [b["file"] for b in store.batches()] == ["a.xlsx"]  # read again once the commit is through
    assert store.observations()["value"].tolist() == [7.0]
    holder.wait()
    store.torn = 1  # no writer at work, the version has not moved: the same failure is damage, reported at once
    started = time.monotonic()
    with pytest.raises(StoreUnreadable):
        store.batches()
    assert time.monotonic() - started < 1
