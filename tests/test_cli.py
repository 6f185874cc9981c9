"""``kpis.cli``: every command is documented, and each one does what its help says.

``check`` is covered by test_cli_check.py and ``report`` by test_metrics.py (both through a
subprocess); ``import`` and ``batches --format json`` also by test_store.py. The tests below cover the
rest, with values worked out by hand from the files they write.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from kpis import cli
from kpis.settings import local_user
from kpis.store import Store

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")
COMMANDS = ("check", "import", "batches", "delete-batch", "delete-demo", "deletions", "undelete", "backup",
            "restore", "report", "kpi", "comment", "subject", "digest", "pack")


def _commands_action() -> argparse._SubParsersAction:
    [sub] = [a for a in cli.build_parser()._actions if isinstance(a, argparse._SubParsersAction)]
    return sub


def subcommands() -> dict[str, str]:
    """Command name → its one-line help, as ``python -m kpis --help`` lists them."""
    return {a.dest: a.help for a in _commands_action()._choices_actions}


def test_the_commands_are_the_documented_fifteen():
    assert tuple(subcommands()) == COMMANDS


def test_help_lists_every_command():
    done = subprocess.run([sys.executable, "-m", "kpis", "--help"], capture_output=True, text=True, cwd=ROOT,
                          env={**os.environ, "PYTHONPATH": str(ROOT)}, timeout=60)
    assert done.returncode == 0
    assert "{" + ",".join(COMMANDS) + "}" in done.stdout


@pytest.mark.parametrize("command", COMMANDS)
def test_command_has_help_text_and_a_readme_entry(command):
    help_text = subcommands()[command]
    assert help_text and help_text[0].isupper() and help_text.endswith(".")
    assert re.search(rf"^\S*python -m kpis {re.escape(command)}(\s|$)", README, re.MULTILINE), command
    usage = _commands_action().choices[command].format_help()
    assert help_text in " ".join(usage.split())  # the command's own --help opens with the same sentence


# --- behaviour ----------------------------------------------------------------------------------------


def write(tmp_path: Path, name: str, text: str) -> str:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return str(path)


def test_batches_lists_the_batch_just_imported_end_to_end(tmp_path):
    """Two real processes, as a user runs them: import, then list."""
    store = str(tmp_path / "p.duckdb")
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    env.pop("PASSERELLE_STORE", None)

    def kpis(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-m", "kpis", *args, "--store", store], capture_output=True,
                              text=True, cwd=tmp_path, env=env, timeout=120)

    imported = kpis("import", write(tmp_path, "effectifs.csv", "Mois;Effectif\n2026-10;1820\n2026-11;1830\n"),
                    "--segment", "B2E", "--by", "rh")
    # 2 months × 1 KPI = 2 observations
    assert imported.stdout == ("effectifs.csv: batch 1 (2 observations, 0 older superseded, 0 rows rejected; "
                               "origin csv-f7ae1db8)\n")
    listed = kpis("batches", "--format", "json")
    assert listed.returncode == 0, listed.stderr
    [batch] = json.loads(listed.stdout)
    assert (batch["id"], batch["file"], batch["imported_by"], batch["segments"], batch["period_start"],
            batch["period_end"], batch["status"]) == (1, "effectifs.csv", "rh", ["B2E"], "2026-10-01", "2026-11-30",
                                                      "current")
    text = kpis("batches")
    assert re.match(r"1\s+\S+Z\s+rh\s+csv-[0-9a-f]{8}\s+B2E\s+2026-10-01 → 2026-11-30\s+2 rows\s+current\s+"
                    r"effectifs.csv$", text.stdout.strip())


def test_delete_batch_makes_what_it_superseded_current_again(tmp_path, capsys):
    store = str(tmp_path / "p.duckdb")
    first = write(tmp_path, "sept.csv", "Mois;Clics\n2026-09;100\n")
    again = write(tmp_path, "sept_corrige.csv", "Mois;Clics\n2026-09;120\n")  # same series and month: supersedes
    assert cli.main(["import", first, again, "--segment", "B2C", "--store", store]) == 0
    assert capsys.readouterr().out.splitlines()[1] == (
        # both files have the headers Mois;Clics: one structural origin, so the second supersedes the first
        "sept_corrige.csv: batch 2 (1 observations, 1 older superseded, 0 rows rejected; origin csv-abd8ffd8)")
    assert cli.main(["delete-batch", "2", "--store", store, "--dry-run"]) == 0
    preview = ("  Batch 2 · sept_corrige.csv · origin csv-abd8ffd8 · 1 values · 2026-09-01 to 2026-09-30\n"
               "  1 older value(s) become current again: Clicks (1) — batch(es) 1\n")
    assert capsys.readouterr().out == "would delete:\n" + preview
    assert len(Store(store).batches()) == 2  # a dry run deletes nothing
    assert cli.main(["delete-batch", "2", "--store", store, "--by", "cdo"]) == 0
    assert capsys.readouterr().out == (
        "deleting:\n" + preview + "batch 2 deleted: 1 observations removed, 1 older observations current again\n"
        "undo within 30 days: python -m kpis undelete 1\n")
    assert [(b["id"], b["status"]) for b in Store(store).batches()] == [(1, "current")]
    assert Store(store).observations()["value"].tolist() == [100.0]  # the first file's value counts again
    assert Store(store).deletions()[0]["deleted_by"] == "cdo"


def _obs(month: str, value: float) -> pd.DataFrame:
    start = pd.Timestamp(f"{month}-01")
    return pd.DataFrame({"period_start": [start], "period_end": [start + pd.offsets.MonthEnd(0)], "segment": ["B2C"],
                         "entity": ["FR"], "channel": ["(all)"], "initiative": ["(all)"], "kpi": ["clicks"],
                         "value": [value]})


def test_delete_demo_removes_the_demo_batches_only(tmp_path, capsys):
    store = Store(tmp_path / "p.duckdb")
    store.import_batch(_obs("2026-07", 10.0), file_name="demo_a.xlsx", sha256="a", sample=True)
    store.import_batch(_obs("2026-08", 20.0), file_name="mine.xlsx", sha256="b")
    store.import_batch(_obs("2026-09", 30.0), file_name="demo_b.xlsx", sha256="c", sample=True)
    assert cli.main(["delete-demo", "--store", str(store.path)]) == 0
    # batches 1 and 3 are demo data, one observation each, superseding nothing
    assert capsys.readouterr().out == (
        "deleting:\n"
        "  Batch 1 · demo_a.xlsx · origin manual · 1 values · 2026-07-01 to 2026-07-31\n"
        "  Batch 3 · demo_b.xlsx · origin manual · 1 values · 2026-09-01 to 2026-09-30\n"
        "  No older value comes back.\n"
        "demo batches deleted: 1, 3 (2 observations removed, 0 older observations current again, 0 targets, "
        "0 mappings)\n"
        "undo within 30 days: python -m kpis undelete 1\n")
    assert [b["file"] for b in store.batches()] == ["mine.xlsx"]
    assert cli.main(["delete-demo", "--store", str(store.path)]) == 0
    assert capsys.readouterr().out == (
        "deleting:\n  Nothing to delete.\n"
        "demo batches deleted: none (0 observations removed, 0 older observations current again, 0 targets, "
        "0 mappings)\n")


def test_deletions_then_undelete_brings_the_batch_back_once(tmp_path, capsys):
    store = Store(tmp_path / "p.duckdb")
    store.import_batch(_obs("2026-09", 100.0), file_name="sept.xlsx", sha256="a")
    store.import_batch(_obs("2026-09", 120.0), file_name="sept_corrige.xlsx", sha256="b")  # supersedes batch 1
    path = str(store.path)
    assert cli.main(["deletions", "--store", path]) == 0
    assert capsys.readouterr().out == "no deletions\n"
    assert cli.main(["delete-batch", "2", "--store", path]) == 0
    capsys.readouterr()
    assert store.observations()["value"].tolist() == [100.0]
    assert cli.main(["deletions", "--store", path, "--format", "json"]) == 0
    [entry] = json.loads(capsys.readouterr().out)
    assert (entry["id"], entry["batch_id"], entry["file_name"], entry["undoable"]) == (1, 2, "sept_corrige.xlsx", True)
    # reversible for 30 days: 30 × 24 h after the deletion
    assert (pd.Timestamp(entry["undo_until"]) - pd.Timestamp(entry["deleted_at"])) == pd.Timedelta(days=30)
    assert cli.main(["deletions", "--store", path]) == 0
    # deleted without --by: the log names the operating system's user running the command
    assert re.match(rf"1\s+op 1\s+\S+Z\s+{re.escape(local_user())}\s+batch 2\s+1 rows\s+undo until \S+Z\s+"
                    r"sept_corrige.xlsx$", capsys.readouterr().out.strip())
    assert cli.main(["undelete", "1", "--store", path, "--by", "cdo"]) == 0
    assert capsys.readouterr().out == "deletion 1 undone: batches 2 back (1 observations), 0 targets, 0 mappings\n"
    assert store.observations()["value"].tolist() == [120.0]  # the correction counts again, not 100 + 120
    assert cli.main(["undelete", "1", "--store", path]) == 1
    assert "already undone" in capsys.readouterr().err
    assert cli.main(["undelete", "7", "--store", path]) == 1
    assert capsys.readouterr().err == "No deletion 7 in the deletion log.\n"
    with pytest.raises(SystemExit) as exc:
        cli.main(["undelete", "x", "--store", path])
    assert exc.value.code == 2


def test_backup_then_restore_brings_a_deleted_batch_back(tmp_path, capsys):
    store = Store(tmp_path / "p.duckdb")
    store.import_batch(_obs("2026-09", 42.0), file_name="sept.xlsx", sha256="a")
    backup = str(tmp_path / "bk")
    assert cli.main(["backup", backup, "--store", str(store.path)]) == 0
    out = capsys.readouterr().out
    assert out.startswith(f"backup written to {backup}: ") and "batches 1, observations 1" in out
    store.delete_batch(1)
    assert store.batches() == []
    assert cli.main(["restore", backup, "--store", str(store.path)]) == 0
    assert capsys.readouterr().out.startswith(f"store restored from {backup}: schema_version 1, counters 2, batches 1")
    assert [b["file"] for b in store.batches()] == ["sept.xlsx"]
    assert store.observations()["value"].tolist() == [42.0]
    assert store.deletions() == []  # the deletion came after the backup: restored away with the rest


def test_restore_from_a_folder_that_is_no_backup_is_an_error_not_a_traceback(tmp_path, capsys):
    store = Store(tmp_path / "p.duckdb")
    (tmp_path / "empty").mkdir()
    assert cli.main(["restore", str(tmp_path / "empty"), "--store", str(store.path)]) == 1
    assert "is not a Passerelle backup" in capsys.readouterr().err


# --- bad input is a message, never a traceback -------------------------------------------------------------


@pytest.mark.parametrize(("args", "message"), [
    # the two bounds of kpis.model.SUPPORTED_DATES, then one day beyond each
    (["report", "--from", "0001-01-01"],
     "python -m kpis report: --from 0001-01-01: outside the supported dates, 1900-01-01 to 2199-12-31\n"),
    (["report", "--to", "9999-12-31"],
     "python -m kpis report: --to 9999-12-31: outside the supported dates, 1900-01-01 to 2199-12-31\n"),
    (["report", "--from", "1899-12-31"],
     "python -m kpis report: --from 1899-12-31: outside the supported dates, 1900-01-01 to 2199-12-31\n"),
    (["report", "--to", "2200-01-01"],
     "python -m kpis report: --to 2200-01-01: outside the supported dates, 1900-01-01 to 2199-12-31\n"),
    (["batches", "--store", "/"],
     "python -m kpis batches: --store /: a folder, not a store file (e.g. data/passerelle.duckdb).\n"),
    (["batches", "--store", "/dev/null"],
     "python -m kpis batches: --store /dev/null: a special file, not a store file (e.g. data/passerelle.duckdb).\n"),
    (["backup", "/dev/null"], "python -m kpis backup: /dev/null is not a folder: give the backup's folder.\n"),
    (["restore", "/dev/null"], "python -m kpis restore: /dev/null is not a folder: give the backup's folder.\n"),
])
def test_bad_dates_and_paths_are_usage_errors(tmp_path, capsys, args, message):
    store = Store(tmp_path / "p.duckdb")
    store.import_batch(_obs("2026-09", 42.0), file_name="sept.xlsx", sha256="a")
    if "--store" not in args:
        args = [*args, "--store", str(store.path)]
    assert cli.main(args) == 2
    assert capsys.readouterr().err == message


def test_the_supported_bounds_themselves_are_accepted(tmp_path, capsys):
    store = Store(tmp_path / "p.duckdb")
    store.import_batch(_obs("2026-09", 42.0), file_name="sept.xlsx", sha256="a")
    assert cli.main(["report", "--from", "1900-01-01", "--to", "2199-12-31", "--format", "json",
                     "--store", str(store.path)]) == 0
    rows = json.loads(capsys.readouterr().out)  # one observation: September 2026's 42 clicks, B2C and ALL
    assert {(r["period"], r["segment"], r["value"]) for r in rows if r["kpi"] == "clicks"} == {
        ("2026-09", "B2C", 42.0), ("2026-09", "ALL", 42.0)}


def test_a_store_inside_a_file_or_a_backup_inside_a_file_is_a_usage_error(tmp_path, capsys):
    blocker = tmp_path / "plain.txt"
    blocker.write_text("x")
    assert cli.main(["batches", "--store", str(blocker / "p.duckdb")]) == 2
    assert capsys.readouterr().err.endswith(f"{blocker} is a file, not a folder.\n")
    store = Store(tmp_path / "p.duckdb")
    assert cli.main(["backup", str(blocker / "bk"), "--store", str(store.path)]) == 2
    assert capsys.readouterr().err.endswith(f"{blocker} is a file, not a folder.\n")
    assert cli.main(["restore", str(tmp_path / "none"), "--store", str(store.path)]) == 2
    assert "does not exist: give the folder written by 'backup'" in capsys.readouterr().err


@pytest.mark.skipif(os.geteuid() == 0, reason="root may write into a read-only folder")
def test_a_store_under_a_read_only_folder_is_a_refusal(tmp_path, capsys):
    folder = tmp_path / "ro"
    folder.mkdir()
    folder.chmod(0o555)
    try:
        assert cli.main(["batches", "--store", str(folder / "p.duckdb")]) == 1
    finally:
        folder.chmod(0o755)
    assert capsys.readouterr().err == (f"--store {folder / 'p.duckdb'}: no permission to read and write the store "
                                       f"and its folder {folder}; choose another place or ask for access.\n")


def test_an_author_with_terminal_escapes_is_stored_and_printed_clean(tmp_path, capsys):
    store = str(tmp_path / "p.duckdb")
    path = write(tmp_path, "sept.csv", "Mois;Clics\n2026-09;100\n")
    assert cli.main(["import", path, "--segment", "B2C", "--by", "\x1b[31mROOT\x1b[0m\r", "--origin",
                     "ads\x1b[2J\n", "--store", store]) == 0
    capsys.readouterr()
    [batch] = Store(store).batches()
    assert (batch["imported_by"], batch["origin"]) == ("ROOT", "ads")
    assert cli.main(["batches", "--store", store]) == 0
    out = capsys.readouterr().out
    assert re.match(r"\s+1\s+\S+Z\s+ROOT\s+ads\s+B2C\s", out) and "\x1b" not in out and "\r" not in out


def test_a_file_name_with_terminal_escapes_is_printed_clean(tmp_path, capsys):
    path = write(tmp_path, "a\x1b[2Jb.csv", "Mois;Clics\n2026-09;100\n")
    assert cli.main(["check", path, "--segment", "B2C"]) == 0
    assert capsys.readouterr().out.startswith("ab.csv: importable")  # ESC [2J would clear the screen


def test_report_prints_the_same_bytes_every_run(tmp_path):
    """300,000 observations make DuckDB sum in parallel, in an order that changes from run to run: before the
    12-significant-digit rounding, about one run in four differed in the 16th digit of a fifth of the values."""
    import math

    import numpy as np

    rng = np.random.default_rng(7)
    n_entities, n_channels = 500, 50  # × 12 months = 300,000 rows, 25,000 summed into each month's cost
    entity = np.repeat([f"E{i:03d}" for i in range(n_entities)], n_channels)
    channel = np.tile([f"C{j:02d}" for j in range(n_channels)], n_entities)
    months = pd.date_range("2025-01-01", periods=12, freq="MS")
    obs = pd.concat([pd.DataFrame({"period_start": m, "period_end": m + pd.offsets.MonthEnd(0), "segment": "B2C",
                                   "entity": entity, "channel": channel, "initiative": "(all)", "kpi": "cost",
                                   "value": rng.lognormal(5, 2, len(entity))}) for m in months], ignore_index=True)
    store = tmp_path / "big.duckdb"
    Store(store).import_batch(obs, file_name="big.csv", sha256="x")
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    runs = {subprocess.run([sys.executable, "-m", "kpis", "report", "--format", "json", "--store", str(store)],
                           capture_output=True, cwd=ROOT, env=env, timeout=120, check=True).stdout
            for _ in range(4)}
    assert len(runs) == 1
    january = next(r for r in json.loads(runs.pop()) if (r["period"], r["segment"], r["kpi"]) == ("2025-01", "B2C",
                                                                                                   "cost"))
    # the exact sum of January's 25,000 values (math.fsum rounds once), to 12 significant digits
    assert january["value"] == float(f"{math.fsum(obs.loc[obs['period_start'] == months[0], 'value']):.12g}")
