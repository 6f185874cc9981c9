"""``python -m kpis check`` as a user runs it: a subprocess on files written by each test."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import date
from pathlib import Path

import openpyxl
import pytest

ROOT = Path(__file__).resolve().parent.parent

FILE_KEYS = {"file", "importable", "origin", "rejections", "questions", "overlaps", "issues", "sheets"}
SHEET_KEYS = {"sheet", "status", "header_row", "layout", "format", "currency", "columns", "unknown_columns",
              "segments", "grain", "period", "window", "rows", "totals", "questions", "issues"}
ISSUE_KEYS = {"code", "severity", "row", "column", "message_fr", "message_en"}


def run(*args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run([sys.executable, "-m", "kpis", "check", *args], capture_output=True, text=True,
                          cwd=ROOT, env=env, timeout=120)


def run_json(*args: str) -> tuple[int, dict]:
    done = run(*args, "--format", "json")
    assert "Traceback" not in done.stderr
    return done.returncode, json.loads(done.stdout)  # stdout holds only the JSON


def csv_file(tmp_path: Path, text: str, name: str = "export.csv") -> str:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return str(path)


def xlsx_file(tmp_path: Path, rows: list[list], name: str = "export.xlsx") -> str:
    book = openpyxl.Workbook()
    for row in rows:
        book.active.append(row)
    book.save(tmp_path / name)
    return str(tmp_path / name)


CAMPAIGNS = [["Rapport Google Ads — septembre 2026"], [], ["Jour", "Campagne", "État", "Impressions", "Clics", "CTR"],
             [date(2026, 9, 1), "Rentrée", "Active", 1000, 30, 0.03],
             [date(2026, 9, 2), "Rentrée", "Active", 2000, "beaucoup", 0.02],
             ["Total", None, None, 3000, 30, 0.01]]


def test_json_contract(tmp_path):
    code, out = run_json(xlsx_file(tmp_path, CAMPAIGNS, "campagnes.xlsx"), "--segment", "B2C")
    assert code == 0
    [file] = out["files"]
    assert set(file) == FILE_KEYS and (file["file"], file["importable"], file["issues"]) == ("campagnes.xlsx", True, [])
    [sheet] = file["sheets"]
    assert set(sheet) == SHEET_KEYS
    assert {k: sheet[k] for k in ("sheet", "status", "header_row", "layout", "format", "segments", "grain")} == {
        "sheet": "Sheet", "status": "read", "header_row": 3, "layout": "wide", "format": None, "segments": ["B2C"],
        "grain": "day"}
    assert sheet["columns"] == [
        {"column": "A", "header": "Jour", "role": "period"},
        {"column": "B", "header": "Campagne", "role": "initiative"},
        {"column": "D", "header": "Impressions", "role": "kpi", "kpi": "impressions", "match": "exact"},
        {"column": "E", "header": "Clics", "role": "kpi", "kpi": "clicks", "match": "exact"},
        {"column": "F", "header": "CTR", "role": "ignored", "reason": "ratio recomputed from its components"}]
    assert sheet["unknown_columns"] == [{"column": "C", "header": "État", "closest": [], "profile": None}]  # text
    assert sheet["period"] == {"start": "2026-09-01", "end": "2026-09-02"}
    assert sheet["rows"] == {"read": 3, "kept": 2, "rejected": 0, "dropped": 1}
    assert sheet["totals"] == {"clicks": 30.0, "impressions": 3000.0}
    [issue] = sheet["issues"]
    assert set(issue) == ISSUE_KEYS
    assert (issue["code"], issue["severity"], issue["row"], issue["column"]) == ("number_unparseable", "error", 5, "E")


def test_exit_1_when_one_file_is_not_importable(tmp_path):
    good = csv_file(tmp_path, "Mois;Effectif;Contributeurs\n2026-09;100;12\n", "b2e.csv")
    undecided = csv_file(tmp_path, "Mois;Clics\n2026-09;12\n", "b2c.csv")
    assert run_json(good)[0] == 0
    code, out = run_json(good, undecided)
    assert code == 1
    assert [f["importable"] for f in out["files"]] == [True, False]
    assert [i["code"] for i in out["files"][1]["sheets"][0]["issues"]] == ["segment_undecided"]


@pytest.mark.parametrize("args", [
    ["--map", "Clics=clics_uniques"], ["--map", "Clics"], ["--map", "Mois=period:decade"], ["--frobnicate"],
    ["--segment", "B2X"], ["--format", "xml"],
])
def test_usage_errors_exit_2(tmp_path, args):
    done = run(csv_file(tmp_path, "Mois;Clics\n2026-09;12\n"), *args)
    assert done.returncode == 2
    assert done.stdout == "" and "Traceback" not in done.stderr and done.stderr.strip()


def test_map_settles_convention_and_grain(tmp_path):
    path = csv_file(tmp_path, "Date;Coût;Clics\n2026-09-15;12;1,103\n")
    code, out = run_json(path, "--segment", "B2C")
    sheet = out["files"][0]["sheets"][0]
    assert [(i["code"], i["row"], i["column"]) for i in sheet["issues"]] == [("number_ambiguous", 2, "C")]
    assert sheet["grain"] == "day" and "clicks" not in sheet["totals"]
    code, out = run_json(path, "--segment", "B2C", "--map", "Clics=clicks:fr", "--map", "Date=period:month")
    sheet = out["files"][0]["sheets"][0]
    assert code == 0 and sheet["issues"] == []
    assert sheet["totals"] == {"clicks": 1.103, "cost": 12.0}
    assert (sheet["grain"], sheet["period"]) == ("month", {"start": "2026-09-01", "end": "2026-09-30"})


def test_text_format_on_junk_file(tmp_path):
    junk = tmp_path / "rapport.xlsx"
    junk.write_bytes(bytes(range(256)) * 40)
    done = run(str(junk))
    assert done.returncode == 1
    assert "Traceback" not in done.stdout + done.stderr
    assert done.stdout.startswith("rapport.xlsx: NOT importable")


def test_text_format_summary(tmp_path):
    done = run(xlsx_file(tmp_path, CAMPAIGNS), "--segment", "B2C")
    assert done.returncode == 0 and "Traceback" not in done.stderr
    assert "header row 3, wide, segments B2C, grain day" in done.stdout
    assert "rows: 3 read, 2 kept, 0 rejected, 1 dropped" in done.stdout
    assert "total clicks: 30.00" in done.stdout
    assert "row 5, col E" in done.stdout


def test_output_never_quotes_personal_identifiers(tmp_path):
    path = csv_file(tmp_path, "Date,Utilisateur,Direction,Publications,Utilisateurs actifs\n"
                              "2026-09-01,jean.dupont@example.com,RH,3,1\n"
                              "2026-09-01,marie.curie@example.com,RH,deux,1\n"
                              "le 2 septembre,paul.martin@example.com,RH,1,1\n")
    for fmt in ("json", "text"):
        done = run(path, "--segment", "B2E", "--format", fmt)
        assert "@example.com" not in done.stdout + done.stderr
        assert "deux" not in done.stdout and "le 2 septembre" not in done.stdout
    out = json.loads(run(path, "--segment", "B2E", "--format", "json").stdout)
    codes = {i["code"] for i in out["files"][0]["sheets"][0]["issues"]}
    assert {"number_unparseable", "date_unparseable", "split_by_unmapped_column"} <= codes


# --- questioned meanings ---------------------------------------------------------------------------------

DAILY_SUBSCRIBERS = "Date;Vues;Abonnés\n" + "".join(
    f"{d:02d}/10/2026;{v};{n}\n" for d, v, n in [(1, 1200, 12), (2, 950, -3), (3, 1430, 40), (4, 1100, 7),
                                                (5, 870, 0), (6, 1620, 25), (7, 1310, -1)])
# net subscribers 12 − 3 + 40 + 7 + 0 + 25 − 1 = 80; views 1200 + 950 + 1430 + 1100 + 870 + 1620 + 1310 = 8 480


def test_check_prints_the_questions_and_exits_1(tmp_path):
    done = run(csv_file(tmp_path, DAILY_SUBSCRIBERS, "youtube.csv"), "--segment", "B2C")
    assert done.returncode == 1 and "youtube.csv: NOT importable" in done.stdout
    questions = [line for line in done.stdout.splitlines() if line.startswith("  [question]")]
    assert len(questions) == 2
    assert "column B 'Vues': read as 'Page views' (page_views)" in questions[0]
    assert "column C 'Abonnés': read as 'Followers' (followers), but 2 negative value(s)" in questions[1]
    assert '--map "Abonnés=new_followers"' in questions[1] and '--map "Abonnés=ignore"' in questions[1]
    assert done.stdout.count("Abonnés': read as") == 1  # not repeated among the sheet's issues


def test_check_json_lists_the_questions(tmp_path):
    code, out = run_json(csv_file(tmp_path, DAILY_SUBSCRIBERS, "youtube.csv"), "--segment", "B2C")
    [file] = out["files"]
    assert code == 1 and file["importable"] is False
    assert [(q["column"], q["kpi"], q["codes"], q["targets"]) for q in file["questions"]] == [
        ("B", "page_views", ["ambiguous_word"], ["page_views", "impressions", "ignore"]),
        ("C", "followers", ["stock_change"], ["followers", "new_followers", "ignore"])]
    assert file["sheets"][0]["questions"] == file["questions"]


def test_import_refuses_a_questioned_file_then_takes_the_answers(tmp_path, capsys):
    from kpis import cli
    from kpis.store import Store

    path, store = csv_file(tmp_path, DAILY_SUBSCRIBERS, "youtube.csv"), str(tmp_path / "s.duckdb")
    assert cli.main(["import", path, "--segment", "B2C", "--store", store]) == 1
    assert "youtube.csv: refused: Sheet youtube, column B" in capsys.readouterr().out
    assert Store(Path(store)).batches() == []
    assert cli.main(["import", path, "--segment", "B2C", "--store", store, "--map", "Abonnés=new_followers",
                     "--map", "Vues=ignore"]) == 0
    stored = Store(Path(store)).observations()
    totals = stored.groupby("kpi", observed=True)["value"].sum().to_dict()
    assert totals == {"new_followers": 80.0}  # +80 new followers over the week, not a stock of −1


@pytest.mark.parametrize("special", ["/dev/zero", "pipe", "folder"])
def test_a_device_a_pipe_or_a_folder_is_refused_at_once(tmp_path, special):
    if special == "pipe":
        special = str(tmp_path / "pipe")
        os.mkfifo(special)  # nobody writes to it: reading it would block
    elif special == "folder":
        special = str(tmp_path)
    done = run(special)  # /dev/zero used to grow to GiBs, the pipe to block for minutes
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert f"{special} is not a regular file" in done.stderr


def test_a_file_over_the_limit_is_not_importable_and_not_read_whole(tmp_path):
    path = tmp_path / "big.csv"
    with open(path, "wb") as fp:  # sparse: 51 MiB of zeros, over the 50 MiB limit, takes no disk space
        fp.truncate(51 * 2 ** 20)
    code, out = run_json(str(path))
    assert code == 1
    assert [i["message_en"] for i in out["files"][0]["issues"]] == [
        "The file is more than 50 MB, above the 50 MB limit. Split it (by period or by sheet) and upload each part."]


def test_map_by_position_gets_through_a_repeated_header(tmp_path):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Pages"
    ws.append(["Mois", "Site", "Pages vues", "Pages vues", "Contributions"])  # the site's, then the app's
    ws.append(["janv. 2026", "Paris", 2000, 300, 30])
    ws.append(["févr. 2026", "Paris", 2100, 310, 35])
    wb.save(tmp_path / "pages.xlsx")
    code, out = run_json(str(tmp_path / "pages.xlsx"))
    assert code == 1 and 'Pages vues#2=ignore' in json.dumps(out, ensure_ascii=False)
    for name in ("Pages vues#2", "D"):
        code, out = run_json(str(tmp_path / "pages.xlsx"), "--map", f"{name}=ignore")
        [sheet] = out["files"][0]["sheets"]
        assert code == 0 and sheet["totals"] == {"page_views": 4100.0, "contributions": 65.0}  # 2000 + 2100
