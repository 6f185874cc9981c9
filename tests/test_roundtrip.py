"""Round trips through the real command line: Excel files written here → check → import → store."""

import datetime as dt
import json
import subprocess
import sys

import openpyxl
import pytest
import xlsxwriter

from conftest import ROOT
from kpis.model import Filter
from kpis.store import Store

HEADERS = ["Jour", "Pays", "Campagne", "Impressions", "Clics", "Coût (€)"]


def write_openpyxl(path, rows, headers=HEADERS, title="Rapport campagnes"):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append([title])
    ws.append([])
    ws.append(headers)
    for r in rows:
        ws.append(r)
    ws.append(["Total", "", "", sum(r[3] for r in rows), sum(r[4] for r in rows), ""])
    wb.save(path)
    return path


def write_xlsxwriter(path, rows, headers=HEADERS, title="Rapport campagnes"):
    """The same table written by another library: other bytes, same data."""
    book = xlsxwriter.Workbook(str(path))
    ws = book.add_worksheet()
    date = book.add_format({"num_format": "dd/mm/yyyy"})
    ws.write_row(0, 0, [title])
    ws.write_row(2, 0, headers)
    for i, r in enumerate(rows, start=3):
        ws.write_datetime(i, 0, dt.datetime.combine(r[0], dt.time()), date)
        ws.write_row(i, 1, r[1:])
    ws.write_row(3 + len(rows), 0, ["Total", "", "", sum(r[3] for r in rows), sum(r[4] for r in rows)])
    book.close()
    return path


def kpis(*args, store=None):
    cmd = [sys.executable, "-m", "kpis", *args] + (["--store", str(store)] if store else [])
    return subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=120)


def current_totals(store_path, **flt) -> dict:
    obs = Store(store_path).observations(Filter(**flt))
    return {k: round(v, 6) for k, v in obs.groupby("kpi")["value"].sum().items()}


SEPTEMBER = [
    (dt.date(2026, 9, 1), "France", "Rentrée", 1000, 30, 12.5),
    (dt.date(2026, 9, 1), "Belgique", "Rentrée", 400, 8, 4.0),
    (dt.date(2026, 9, 2), "France", "Rentrée", 1200, 41, 15.0),
]


@pytest.fixture
def store(tmp_path):
    return tmp_path / "store.duckdb"


def test_import_counts_and_totals_match_check(tmp_path, store):
    path = write_openpyxl(tmp_path / "sept.xlsx", SEPTEMBER)
    check = kpis("check", str(path), "--segment", "B2C", "--format", "json")
    assert check.returncode == 0, check.stderr
    sheet = json.loads(check.stdout)["files"][0]["sheets"][0]
    # 3 data rows + the Total row: read 4, kept 3, dropped 1
    assert sheet["rows"] == {"read": 4, "kept": 3, "rejected": 0, "dropped": 1}
    assert sheet["totals"] == {"clicks": 79.0, "cost": 31.5, "impressions": 2600.0}  # 30+8+41, 12.5+4+15
    imported = kpis("import", str(path), "--segment", "B2C", store=store)
    assert imported.returncode == 0, imported.stderr
    assert current_totals(store) == sheet["totals"]
    batches = json.loads(kpis("batches", "--format", "json", store=store).stdout)
    assert [(b["id"], b["rows_kept"], b["status"], b["segments"]) for b in batches] == [(1, 3, "current", ["B2C"])]


def test_same_file_twice_and_a_resaved_copy_are_refused(tmp_path, store):
    first = write_openpyxl(tmp_path / "sept.xlsx", SEPTEMBER)
    assert kpis("import", str(first), "--segment", "B2C", store=store).returncode == 0
    again = kpis("import", str(first), "--segment", "B2C", store=store)
    assert again.returncode == 1
    assert "batch 1" in again.stdout + again.stderr or "lot n° 1" in again.stdout + again.stderr
    resaved = write_xlsxwriter(tmp_path / "sept_copie.xlsx", SEPTEMBER)
    assert resaved.read_bytes() != first.read_bytes()
    refused = kpis("import", str(resaved), "--segment", "B2C", store=store)
    assert refused.returncode == 1
    assert len(Store(store).batches()) == 1  # a refused import is not a batch
    assert current_totals(store)["clicks"] == 79.0  # nothing counted twice


def test_correction_replaces_then_delete_brings_the_old_values_back(tmp_path, store):
    assert kpis("import", str(write_openpyxl(tmp_path / "v1.xlsx", SEPTEMBER)), "--segment", "B2C",
                store=store).returncode == 0
    corrected = [(d, c, camp, imp, clicks + 10, cost) for d, c, camp, imp, clicks, cost in SEPTEMBER]
    out = kpis("import", str(write_openpyxl(tmp_path / "v2.xlsx", corrected)), "--segment", "B2C", store=store)
    assert out.returncode == 0, out.stderr
    assert current_totals(store)["clicks"] == 109.0  # 79 + 3 × 10: replaced, not 79 + 109 added
    statuses = [b["status"] for b in json.loads(kpis("batches", "--format", "json", store=store).stdout)]
    assert statuses == ["superseded", "current"]
    assert kpis("delete-batch", "2", store=store).returncode == 0
    assert current_totals(store)["clicks"] == 79.0


def test_total_after_detail_and_detail_after_total(tmp_path, store):
    detail = write_openpyxl(tmp_path / "detail.xlsx", SEPTEMBER)
    total_rows = [(dt.date(2026, 9, 1), 1500, 40, 17.0), (dt.date(2026, 9, 2), 1300, 45, 16.0)]
    wb = openpyxl.Workbook()
    wb.active.append(["Jour", "Impressions", "Clics", "Coût (€)"])
    for r in total_rows:
        wb.active.append(list(r))
    total = tmp_path / "total.xlsx"
    wb.save(total)
    # one source named by --origin (the two files' headers differ, so their structural origins would too)
    assert kpis("import", str(detail), "--segment", "B2C", "--origin", "campagnes", store=store).returncode == 0
    assert kpis("import", str(total), "--segment", "B2C", "--origin", "campagnes", store=store).returncode == 0
    # the newer total (entity and initiative "(all)") supersedes the older detail of its days: 40 + 45
    assert current_totals(store)["clicks"] == 85.0
    assert kpis("delete-batch", "2", store=store).returncode == 0
    assert kpis("delete-batch", "1", store=store).returncode == 0
    assert kpis("import", str(total), "--segment", "B2C", "--origin", "campagnes", store=store).returncode == 0
    assert kpis("import", str(detail), "--segment", "B2C", "--origin", "campagnes", store=store).returncode == 0
    # newer detail supersedes the older total inside its days: the detail's 79 only
    assert current_totals(store)["clicks"] == 79.0


def test_partial_overlap_is_kept_and_warned(tmp_path, store):
    monthly = tmp_path / "mois.xlsx"
    wb = openpyxl.Workbook()
    wb.active.append(["Mois", "Impressions", "Clics"])
    wb.active.append(["2026-09", 30000, 900])
    wb.save(monthly)
    daily = tmp_path / "jours.xlsx"
    wb = openpyxl.Workbook()
    wb.active.append(["Jour", "Impressions", "Clics"])
    wb.active.append([dt.date(2026, 9, 30), 1000, 25])
    wb.active.append([dt.date(2026, 10, 1), 1100, 30])
    wb.save(daily)
    assert kpis("import", str(monthly), "--segment", "B2C", "--origin", "campagnes", store=store).returncode == 0
    out = kpis("import", str(daily), "--segment", "B2C", "--origin", "campagnes", store=store)
    assert out.returncode == 0
    # the newer coverage 30 Sept–1 Oct only partly overlaps September: September is kept, and the report warns
    assert "overlap" in out.stdout.lower() or "chevauch" in out.stdout.lower()
    assert current_totals(store)["clicks"] == 955.0  # 900 + 25 + 30


def test_check_with_store_applies_remembered_mappings(tmp_path, store):
    path = tmp_path / "export.xlsx"
    wb = openpyxl.Workbook()
    wb.active.append(["Jour", "Portée", "Clics"])
    wb.active.append([dt.date(2026, 9, 1), 500, 20])
    wb.save(path)
    plain = json.loads(kpis("check", str(path), "--segment", "B2C", "--format", "json").stdout)
    assert plain["files"][0]["sheets"][0]["unknown_columns"][0]["header"] == "Portée"
    Store(store).remember_mapping(["Jour", "Portée", "Clics"], {"Portée": "impressions"}, by="test")
    remembered = json.loads(kpis("check", str(path), "--segment", "B2C", "--format", "json", store=store).stdout)
    sheet = remembered["files"][0]["sheets"][0]
    assert sheet["unknown_columns"] == []
    assert sheet["totals"] == {"clicks": 20.0, "impressions": 500.0}
