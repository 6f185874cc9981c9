"""No silent wrong import: every batch has a stable origin, origins are never summed without the user's
choice, and a file that mostly failed is refused until the user confirms (DESIGN.md, "Import batches").

Real .xlsx files written by openpyxl, imported through ``python -m kpis`` (``cli.main``) into a store of
each test's own; golden values worked out by hand in the comments.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import openpyxl
import pytest
from streamlit.testing.v1 import AppTest

from conftest import APP, write_xlsx_openpyxl
from kpis import cli, demo, ingest
from kpis.i18n import escape_markdown as md
from kpis.ingest.results import MAX_REJECTED_SHARE
from kpis.model import Filter
from kpis.store import Store

ROOT = Path(__file__).resolve().parent.parent


def clicks(store: Store, segment: str, month: str) -> float:
    """Current clicks of one segment and calendar month (``YYYY-MM``), summed over every series."""
    totals = store.native_totals(Filter(segments=(segment,), kpis=("clicks",)))
    return float(totals.loc[totals["period_start"].dt.strftime("%Y-%m") == month, "value"].sum())


def run(capsys, *args: str) -> tuple[int, str]:
    code = cli.main(list(args))
    return code, capsys.readouterr().out


# --- origins -------------------------------------------------------------------------------------------


def test_structural_origin_depends_on_the_structure_not_the_values(tmp_path):
    rows = [["Mois", "Segment", "Clics"], ["2026-01", "B2C", 10]]
    write_xlsx_openpyxl(tmp_path / "a.xlsx", {"Ventes Été": rows})
    write_xlsx_openpyxl(tmp_path / "b.xlsx", {"Ventes Été": [["mois ", "SEGMENT", "Clics"], ["2026-02", "B2C", 99]]})
    write_xlsx_openpyxl(tmp_path / "c.xlsx", {"Ventes Été": [["Mois", "Segment", "Clics", "Leads"],
                                                             ["2026-01", "B2C", 10, 1]]})
    write_xlsx_openpyxl(tmp_path / "d.xlsx", {"Export": rows})
    a, b, c, d = (ingest.check_file(tmp_path / f"{n}.xlsx").default_origin for n in "abcd")
    assert a == b  # other values, other file name, same folded headers: the same source
    assert a.startswith("ventes-ete-") and len(a) == len("ventes-ete-") + 8  # readable slug + 8 hex digits
    assert len({a, c, d}) == 3  # another header set, another sheet name: another source


def test_corrected_copy_of_the_demo_b2b_file_supersedes_it_through_the_cli(tmp_path, capsys):
    store = Store(tmp_path / "p.duckdb")
    assert demo.seed(store) == [1, 2, 3, 4]  # externe_b2b, externe_b2c, interne_b2e, rse_messages in name order
    b2b = store.batches()[0]
    assert b2b["segments"] == ["B2B"]
    # October 2026 B2B clicks: the sum of the 48 October rows of the workbook, 111,463 (the figure)
    assert clicks(store, "B2B", "2026-10") == 111463.0
    copy = tmp_path / "externe_b2b_corrige.xlsx"
    shutil.copy(ROOT / "sample_data" / "externe_b2b.xlsx", copy)
    book = openpyxl.load_workbook(copy)
    sheet = book["Campaigns"]
    clicks_col = [c.value for c in sheet[1]].index("Clicks") + 1
    first_october = next(r for r in range(2, sheet.max_row + 1) if sheet.cell(r, 1).value == "2026-10")
    sheet.cell(first_october, clicks_col).value += 100
    book.save(copy)

    code, out = run(capsys, "import", str(copy), "--store", str(store.path))
    assert code == 0, out
    # the copy has the demo batch's structural origin: it supersedes it, nothing is doubled;
    # 111,463 + 100 = 111,563 (not 223,026)
    assert clicks(store, "B2B", "2026-10") == 111563.0
    batches = {b["id"]: b for b in store.batches()}
    assert batches[5]["origin"] == batches[1]["origin"] == ingest.check_file(copy).default_origin
    assert batches[1]["status"] == "superseded" and batches[5]["status"] == "current"
    assert f"origin {batches[1]['origin']}" in out


# --- overlaps between origins --------------------------------------------------------------------------

VENTES = {"Ventes": [["Mois", "Segment", "Clics"], ["2026-01", "B2C", 100], ["2026-02", "B2C", 50]]}
# Another team's export, other sheet and headers: the same series (B2C clicks, no entity, channel or
# initiative) in January and February, and March besides.
CRM = {"CRM": [["Month", "Segment", "Clicks", "Leads"], ["2026-01", "B2C", 130, 5], ["2026-02", "B2C", 50, 6],
               ["2026-03", "B2C", 60, 7]]}


@pytest.fixture
def two_teams(tmp_path, capsys):
    """A store holding VENTES as batch 1, and the path of the CRM file."""
    write_xlsx_openpyxl(tmp_path / "ventes.xlsx", VENTES)
    write_xlsx_openpyxl(tmp_path / "crm.xlsx", CRM)
    store = str(tmp_path / "p.duckdb")
    code, out = run(capsys, "import", str(tmp_path / "ventes.xlsx"), "--store", store)
    assert code == 0, out
    return Store(store), str(tmp_path / "crm.xlsx")


def test_two_files_whose_series_coincide_are_refused_with_the_batch_named(two_teams, capsys):
    store, crm = two_teams
    origin = store.batches()[0]["origin"]
    code, out = run(capsys, "import", crm, "--store", str(store.path))
    assert code == 1
    # overlap: January (100 → 130) and February (50 = 50): totals 150 and 180, difference +30
    assert (f"Batch 1 (ventes.xlsx, origin '{origin}') already holds 2 value(s) of the same series from "
            "2026-01-01 to 2026-02-28 (clicks): total 150 in the batch, 180 in this file (difference +30); "
            "1 value(s) equal, 1 different.") in out
    assert "--replaces 1" in out and "--adds" in out
    assert len(store.batches()) == 1 and clicks(store, "B2C", "2026-01") == 100.0  # nothing stored
    code, out = run(capsys, "check", crm, "--store", str(store.path))
    assert code == 1 and "NOT importable" in out and "[overlap] Batch 1 (ventes.xlsx" in out


def test_adds_sums_and_is_recorded_on_the_batch(two_teams, capsys):
    store, crm = two_teams
    code, out = run(capsys, "import", crm, "--adds", "--store", str(store.path))
    assert code == 0, out
    assert clicks(store, "B2C", "2026-01") == 230.0  # 100 + 130, as the user said: other data
    assert clicks(store, "B2C", "2026-02") == 100.0  # 50 + 50
    assert [b["adds_to"] for b in store.batches(details=True)] == [[], [1]]


def test_replaces_takes_the_batch_origin_and_supersedes_it(two_teams, capsys):
    store, crm = two_teams
    code, out = run(capsys, "import", crm, "--replaces", "1", "--store", str(store.path))
    assert code == 0, out
    first, second = store.batches()
    assert second["origin"] == first["origin"] and first["status"] == "superseded"
    assert (clicks(store, "B2C", "2026-01"), clicks(store, "B2C", "2026-02"), clicks(store, "B2C", "2026-03")) == (
        130.0, 50.0, 60.0)
    code, out = run(capsys, "import", crm, "--replaces", "9", "--store", str(store.path))
    assert code == 1  # no such batch: an error, never a guess


# --- files that mostly failed ----------------------------------------------------------------------


def crm_report(path: Path) -> None:
    """A report whose month is filled on its first two rows only: 10 data rows, 8 without a month. The month
    repeats, so it is not a grouped report whose labels are printed once (those are filled down)."""
    rows = [["Mois", "Segment", "Pays", "Clics"]]
    for i, country in enumerate(("FR", "DE", "IT", "ES", "BE", "NL", "PT", "AT", "CH", "LU")):
        rows.append(["2026-01" if i < 2 else None, "B2C", country, 10 + i])
    write_xlsx_openpyxl(path, {"Rapport": rows})


def test_a_sheet_with_too_many_rejected_rows_is_refused_then_accepted(tmp_path, capsys):
    crm_report(tmp_path / "rapport.xlsx")
    result = ingest.check_file(tmp_path / "rapport.xlsx")
    [rejection] = result.rejections
    # 8 of 10 data rows have no month: 80 % > 5 %
    assert (rejection.rows_rejected, rejection.rows_data) == (8, 10) and rejection.share > MAX_REJECTED_SHARE
    assert result.readable and not result.importable
    store = str(tmp_path / "p.duckdb")
    code, out = run(capsys, "check", str(tmp_path / "rapport.xlsx"))
    assert code == 1 and "8 of 10 data rows rejected (80 %)" in out
    code, out = run(capsys, "import", str(tmp_path / "rapport.xlsx"), "--store", store)
    assert code == 1
    # the first rejected rows are quoted: row 4 is the first row without a month (row 1 is the header)
    assert "Sheet Rapport: 8 of 10 data rows rejected (80 %). First rejected rows: row 4 col A" in out
    assert Store(store).batches() == []
    code, out = run(capsys, "import", str(tmp_path / "rapport.xlsx"), "--accept-rejections", "--store", store)
    assert code == 0, out
    # the two rows with a month: FR 10 + DE 11 = 21 clicks in January
    assert clicks(Store(store), "B2C", "2026-01") == 21.0


def test_a_whole_kpi_column_rejected_makes_the_sheet_refused(tmp_path):
    # a per-person activity export: "Utilisateurs actifs" says Oui/Non, never a number
    write_xlsx_openpyxl(tmp_path / "activite.xlsx", {"Activité": [
        ["Mois", "Segment", "Effectif", "Utilisateurs actifs"],
        *[[f"2026-0{m}", "B2E", 100 + m, "Oui" if m % 2 else "Non"] for m in (1, 2, 3)]]})
    result = ingest.check_file(tmp_path / "activite.xlsx")
    [rejection] = result.rejections
    assert rejection.columns == ("D (active_users)",) and rejection.rows_rejected == 0
    assert not result.importable


def test_a_few_rejected_rows_stay_importable(tmp_path):
    # 1 row of 21 without a month: 4.8 % ≤ 5 %
    rows = [["Jour", "Segment", "Clics"]] + [[f"2026-01-{d:02d}", "B2C", d] for d in range(1, 21)] + [
        [None, "B2C", 5]]
    write_xlsx_openpyxl(tmp_path / "ok.xlsx", {"Jours": rows})
    result = ingest.check_file(tmp_path / "ok.xlsx")
    assert result.rows_rejected == 1 and result.rejections == [] and result.importable


# --- the Importer page --------------------------------------------------------------------------------


def test_importer_offers_the_correction_choice_for_an_overlap(store_path, clean_streamlit_caches, tmp_path):
    at = AppTest.from_file(APP, default_timeout=90).run()  # seeds the demo data: batches 1 to 4
    write_xlsx_openpyxl(tmp_path / "ventes.xlsx", VENTES)
    paie = ingest.check_file(tmp_path / "ventes.xlsx")
    Store(store_path).import_batch(**paie.batch(origin="equipe-ventes"))  # batch 5
    crm = tmp_path / "crm.xlsx"
    write_xlsx_openpyxl(crm, CRM)
    at.switch_page("app_pages/importer.py").run()
    at.file_uploader(key="uploads").upload("crm.xlsx", crm.read_bytes()).run()
    assert not at.exception, [e.value for e in at.exception]
    [origin_box] = at.text_input
    # a new source, shown by the file's name (editable); the store would keep the structural origin's code
    assert origin_box.value == "crm.xlsx" != ingest.check_file(crm).default_origin
    assert at.button(key="do_import").disabled  # an overlap: no import before the choice
    assert any(md("Le lot n° 5 (ventes.xlsx, origine « equipe-ventes »)") in w.value for w in at.warning)
    [choice] = at.radio
    assert choice.options[0].startswith("C'est une correction de ce lot : n° 5")
    choice.set_value(5).run()
    at.button(key="do_import").click().run()
    assert not at.exception
    batches = Store(store_path).batches()
    assert (batches[-1]["id"], batches[-1]["origin"], batches[4]["status"]) == (6, "equipe-ventes", "superseded")
    current = Store(store_path).observations(Filter(segments=("B2C",), kpis=("clicks",)))
    # the correction's January, February, March (130, 50, 60) are current; batch 5's 100 and 50 are not
    assert current.loc[current["batch_id"] >= 5, "value"].tolist() == [130.0, 50.0, 60.0]
    assert set(current.loc[current["batch_id"] >= 5, "batch_id"]) == {6}
