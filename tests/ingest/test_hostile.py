"""Hostile and broken files (tests/ingest/hostile.py): exact outcomes, a live caller, bounded memory, fuzzing."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import hostile
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kpis.errors import FileRejected
from kpis.ingest.sandbox import read_file_safely

ROOT = Path(__file__).resolve().parents[2]
# Until kpis.ingest calls read_file_safely, the CLI is run with that one call swapped in.
CLI_SECONDS, CLI_PEAK_MIB = 30, 1.5 * 1024


@pytest.fixture(scope="session")
def corpus(tmp_path_factory) -> dict[str, Path]:
    return hostile.write_corpus(tmp_path_factory.mktemp("hostile"))


def _wait_check(path: Path):
    """``python -m kpis check PATH --format json``: exit code, JSON, stderr, seconds, peak RSS (MiB).

    The peak is wait4's ru_maxrss: the CLI process or the sandbox child it reaped, whichever is larger.
    """
    args = ["-m", "kpis"]
    start = time.perf_counter()
    proc = subprocess.Popen([sys.executable, *args, "check", str(path), "--segment", "B2C", "--format", "json"],
                            cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)},
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    out, err = proc.stdout.read(), proc.stderr.read()  # the files are small: no pipe deadlock
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    return (proc.returncode, json.loads(out or b"{}"), err.decode(errors="replace"),
            time.perf_counter() - start, usage.ru_maxrss / 1024)


@pytest.mark.parametrize("name", list(hostile.CASES))
def test_cli_check_outcome_time_and_peak_memory(corpus, name):
    case = hostile.CASES[name]
    code, out, err, seconds, peak = _wait_check(corpus[name])
    print(f"\n{name:24} exit {code}  {seconds:5.2f} s  peak {peak:6.0f} MiB")
    assert "Traceback" not in err and err.strip() == ""
    assert seconds < CLI_SECONDS and peak < CLI_PEAK_MIB
    [file] = out["files"]
    if case.expect == "rejected":
        assert code == 1 and file["sheets"] == []
        [issue] = file["issues"]
        assert issue["code"] == "file_rejected" and case.message in issue["message_en"]
        assert issue["message_fr"] and issue["message_fr"] != issue["message_en"]
    elif case.expect == "empty":
        assert code == 1 and [i["code"] for i in file["issues"]] == ["no_table"]
    else:
        assert code == 0 and file["importable"]
        assert sum(s["rows"]["kept"] for s in file["sheets"]) == case.rows
        assert file["sheets"][0]["period"] == {"start": "2026-09-01",
                                               "end": "2029-05-27" if name == "understated_dimension" else "2026-09-03"}


@pytest.mark.parametrize("name", list(hostile.CASES))
def test_read_file_safely_outcome_and_warnings(corpus, name):
    case = hostile.CASES[name]
    data = corpus[name].read_bytes()
    if case.expect == "rejected":
        with pytest.raises(FileRejected) as info:
            read_file_safely(data, case.filename)
        assert case.message in info.value.message_en
        return
    sheets = read_file_safely(data, case.filename)
    warnings = [w for s in sheets for w in s.meta.get("warnings", [])]
    assert sorted({w["code"] for w in warnings}) == sorted(case.warnings)
    assert all(w["message_fr"] and w["message_en"] and w["severity"] in ("info", "warning") for w in warnings)
    if case.cells:
        listed = [f"{w['column'] or ''}{w['row']}" for w in warnings if w["code"] == case.warnings[0]]
        assert listed == list(case.cells)
    if name == "dates_1904":
        import datetime as dt
        assert [r[0] for r in sheets[0].rows[1:]] == [dt.date(2026, 9, d) for d in (1, 2, 3)]
    if name == "understated_dimension":
        assert len(sheets[0].rows) == 1001 and sheets[0].row_numbers[-1] == 1001
    if name == "hidden_sheet_and_rows":
        assert [s.hidden for s in sheets] == [False, True]


# --- fuzzing: only clean rejections or results ------------------------------------------------------

FUZZ = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow], database=None)


def outcome(data: bytes, name: str):
    try:
        return read_file_safely(data, name)
    except FileRejected as exc:
        assert exc.message_fr and exc.message_en
        return None


@FUZZ
@given(st.sampled_from([b"", b"PK\x03\x04", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", b"\xef\xbb\xbf", b"sep=;\n"]),
       st.binary(max_size=2000), st.sampled_from(["x.xlsx", "x.xls", "x.csv", "x.ods", "x"]))
def test_fuzz_random_bytes(prefix, body, name):
    outcome(prefix + body, name)


@FUZZ
@given(st.lists(st.tuples(st.integers(1, 1_100_000), st.integers(1, 17_000),
                          st.sampled_from(["<v>1</v>", "<v>0</v>", "<f>1/0</f><v>#DIV/0!</v>", "<f>A1</f>",
                                           "<v>12345678901234567890</v>", "<v>x</v>", ""]),
                          st.sampled_from(["", ' t="e"', ' t="str"', ' t="s"', ' t="b"', ' t="n"'])),
                max_size=8),
       st.sampled_from(["", "A1:B2", "A1:XFD1048576", "B", "A0:A1"]),
       st.sampled_from(["", '<mergeCells><mergeCell ref="A1:C3"/></mergeCells>',
                        '<mergeCells><mergeCell ref="A1:ZZZ9"/></mergeCells>']))
def test_fuzz_sheet_xml(cells, dimension, merges):
    from kpis.ingest.issues import column_letter
    rows = "".join(f'<row r="{r}"><c r="{column_letter(c - 1)}{r}"{t}>{v}</c></row>' for r, c, v, t in cells)
    outcome(hostile.xlsx(hostile.sheet_xml(rows, dimension=dimension, after=merges)), "fuzz.xlsx")


@FUZZ
@given(st.integers(0, 10_000), st.binary(min_size=1, max_size=8))
def test_fuzz_corrupted_workbook(position, patch):
    whole = bytearray(hostile.formulas_cached_zero())
    position %= len(whole)
    whole[position:position + len(patch)] = patch
    outcome(bytes(whole), "patched.xlsx")


@FUZZ
@given(st.text(alphabet=st.sampled_from(list(';,\t"\n\r #=-+@0123456789.aé€\x00')), max_size=400))
def test_fuzz_csv(text):
    sheets = outcome(text.encode("utf-8"), "fuzz.csv")  # lone CR line ends (old Mac exports) once crashed here
    assert sheets is None or all(len(s.rows) == len(s.row_numbers) for s in sheets)


def test_fuzzed_zip_entries_never_reach_the_parser_unchecked():
    """A zip whose sheet XML lies about its size is refused by the gate (CRC), not parsed."""
    good = hostile.xlsx(hostile.sheet_xml(hostile.HEADER_ROW + hostile.data_rows(2)))
    zf = zipfile.ZipFile(io.BytesIO(good))
    assert zf.testzip() is None
    lying = good.replace(b"sheet1.xml", b"sheet1.xmm", 1)  # local header no longer matches the directory
    assert outcome(lying, "lying.xlsx") is None
