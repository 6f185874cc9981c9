"""``kpis.cli`` under generated argument lists: an exit code of 0, 1 or 2 and at most one line on stderr, never a
traceback, whatever the arguments (bad dates, paths of every kind, escapes, huge numbers)."""

from __future__ import annotations

import os
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kpis import cli
from kpis.store import Store


@pytest.fixture(scope="module")
def scratch(tmp_path_factory) -> dict[str, str]:
    """A store with two batches, a CSV it can import, and paths of every kind."""
    root = tmp_path_factory.mktemp("fuzz")
    store = Store(root / "store.duckdb")
    for n, month in enumerate(("2026-08", "2026-09"), start=1):
        start = pd.Timestamp(f"{month}-01")
        store.import_batch(pd.DataFrame({
            "period_start": [start], "period_end": [start + pd.offsets.MonthEnd(0)], "segment": ["B2C"],
            "entity": ["FR"], "channel": ["(all)"], "initiative": ["(all)"], "kpi": ["clicks"], "value": [10.0 * n]}),
            file_name=f"{month}.csv", sha256=month)
    (root / "clics.csv").write_text("Mois;Segment;Clics\n2026-10;B2C;12\n", encoding="utf-8")
    (root / "plain.txt").write_text("not a folder", encoding="utf-8")
    os.mkfifo(root / "pipe")
    return {"root": str(root), "store": str(store.path)}


DATES = ("2026-09-01", "2026-12-31", "1900-01-01", "2199-12-31", "0001-01-01", "9999-12-31", "2026-02-30",
         "1899-12-31", "2026-9-1", "", "demain")
NUMBERS = ("0", "1", "2", "7", "-1", "366", "99999999999999999999", "x", "")
WORDS = ("", "B2C", "b2b", "B2C,B2E", "B2X", "FR", "\x1b[31mROOT\x1b[0m\r", "é" * 300, "Mois=period:month", "Clics=",
         "=x", "Clics=clicks:fr", "nan")
PATHS = ("{root}/clics.csv", "{root}/missing.csv", "{root}", "{root}/pipe", "{root}/plain.txt",
         "{root}/plain.txt/inside", "/dev/null", "/dev/zero")
DIRS = ("{root}/bk", "{root}/bk", "{root}/new/bk", "{root}/missing", "{root}/plain.txt", "{root}/plain.txt/bk",
        "/dev/null", "{root}/pipe")
STORES = ("{store}", "{store}", "/", "/dev/null", "{root}", "{root}/pipe", "{root}/plain.txt/s.duckdb",
          "{root}/other/s.duckdb")
FLAG = ()
COMMON = {"--store": STORES}
COMMANDS = {
    "check": {"--segment": WORDS, "--origin": WORDS, "--map": WORDS, "--window-days": NUMBERS,
              "--format": ("text", "json", "xml")},
    "import": {"--segment": WORDS, "--origin": WORDS, "--map": WORDS, "--window-days": NUMBERS, "--by": WORDS,
               "--replaces": NUMBERS, "--adds": FLAG, "--accept-rejections": FLAG},
    "report": {"--segments": WORDS, "--from": DATES, "--to": DATES, "--grain": ("week", "month", "year", "day"),
               "--entities": WORDS, "--channels": WORDS, "--view": ("table", "scorecard", "funnel"),
               "--format": ("text", "json", "csv")},
    "batches": {"--format": ("text", "json")},
    "backup": {},
    "restore": {},
    "delete-batch": {"--by": WORDS, "--dry-run": FLAG},
}
POSITIONAL = {"check": PATHS, "import": PATHS, "backup": DIRS, "restore": DIRS, "delete-batch": NUMBERS}


def _argv(draw) -> list[str]:
    """Mostly the command's own options with values of every kind; now and then a wrong option or none."""
    command = draw(st.sampled_from(sorted(COMMANDS)))
    argv = [command]
    if command in POSITIONAL:
        most = 2 if command in ("check", "import") else 1
        argv += draw(st.lists(st.sampled_from(POSITIONAL[command]), min_size=1, max_size=most))
    options = {**COMMANDS[command], **COMMON}
    for _ in range(draw(st.integers(0, 4))):
        option = draw(st.sampled_from(sorted(options)))
        argv.append(option)
        if options[option] is not FLAG:
            argv.append(draw(st.sampled_from(options[option])))
    if draw(st.integers(0, 9)) == 0:
        argv.append(draw(st.sampled_from(("--frobnicate", "--from", "-x", "extra"))))
    return argv


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_any_arguments_give_a_message_never_a_traceback(scratch, capsys, data):
    argv = [a.format(**scratch) for a in data.draw(st.composite(lambda draw: _argv(draw))())]
    if "--store" not in argv:
        argv += ["--store", scratch["store"]]  # never the default store of whoever runs the tests
    capsys.readouterr()
    try:
        code = cli.main(argv)
    except SystemExit as exc:  # argparse: --help (0) or a usage error (2)
        code = exc.code
    err = capsys.readouterr().err
    assert code in (0, 1, 2), (argv, code, err)
    assert "Traceback" not in err, (argv, err)
    assert len(err.splitlines()) <= 1, (argv, err)
    if code == 2:
        assert err.strip(), argv  # a usage error always says what is wrong
    assert Path(scratch["root"], "pipe").exists()  # nothing replaced the pipe (no one opened it to write)
