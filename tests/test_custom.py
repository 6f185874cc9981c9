"""The organisation's own KPIs (``kpis.custom``, ``Store.add_kpi`` …): their checks, the catalog they join, their
history, and the same treatment as a built-in KPI in ingestion, metrics, targets, backups and the command line.

Figures are small and worked out by hand beside each assertion.
"""

from __future__ import annotations

import io
import json
from dataclasses import replace
from datetime import date

import openpyxl
import pandas as pd
import pytest

from kpis import catalog, cli, dashboard, ingest, metrics
from kpis.catalog import KPIS, kpi_for_name, world_variant
from kpis.custom import Definition, changes, guess, validate
from kpis.errors import DefinitionError, KpiInUse, UnknownKpi
from kpis.ingest.columns import value_profile
from kpis.model import Filter
from kpis.store import Store
from kpis.targets import read_targets

OPENED = Definition("cases_opened", "Dossiers ouverts", "Cases opened", "Dossiers RH ouverts.",
                     "HR cases opened.", ("B2E",), "flow", synonyms=("Dossiers ouverts", "Dossiers créés"))
CLOSED = Definition("cases_closed", "Dossiers clos", "Cases closed", "Dossiers RH clos.",
                      "HR cases closed.", ("B2E",), "flow", synonyms=("Dossiers clos",))
CLOSURE = Definition("closure_rate", "Taux de clôture", "Closure rate", "Clos / ouverts.",
                        "Closed / opened.", ("B2E",), "ratio", "%", numerator="cases_closed",
                        denominator="cases_opened")


def workbook(rows: list[list], sheet: str = "Dossiers") -> bytes:
    """A real .xlsx written by openpyxl."""
    book = openpyxl.Workbook()
    book.active.title = sheet
    for row in rows:
        book.active.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


HELPDESK = [["Mois", "Segment", "Dossiers ouverts", "Dossiers clos"],
            ["2025-12", "B2E", 40, 30],
            ["2026-01", "B2E", 100, 80],
            ["2026-02", "B2E", 50, 45],
            ["2026-03", "B2E", 150, 90],
            ["2026-04", "B2E", 20, 19]]


def helpdesk_store(tmp_path) -> Store:
    """A store with the three HR case KPIs and HELPDESK imported from a real workbook."""
    store = Store(tmp_path / "s.duckdb")
    for d in (OPENED, CLOSED, CLOSURE):
        store.add_kpi(d, by="rh")
    result = ingest.check_bytes(workbook(HELPDESK), "dossiers_rh.xlsx")
    assert result.importable
    store.import_batch(**result.batch(origin=result.default_origin, imported_by="rh"))
    return store


# --- checks -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("change, message", [
    ({"code": "Tickets!"}, "lowercase letters, digits and _ only"),
    ({"code": "t"}, "lowercase letters, digits and _ only"),
    ({"code": "clicks"}, "belongs to a built-in KPI"),
    ({"code": "clics"}, "already a recognised name (clicks)"),
    ({"code": "funnel_x"}, "belongs to a built-in KPI"),
    ({"label_en": " "}, "The English label is required."),
    ({"label_fr": "Clics"}, "already the label of the KPI 'clicks'"),
    ({"segments": ("B2X",)}, "choose among B2C, B2B and B2E"),
    ({"aggregation": "sum"}, "Unknown kind 'sum'"),
    ({"unit": "%"}, "Unit '%' does not fit this kind: count, €"),
    ({"direction": 0}, "Direction: 1 (higher is better) or -1"),
    ({"synonyms": ("Clics",)}, "The synonym 'Clics' is already a recognised name (clicks)"),
    ({"synonyms": ("Mois",)}, "already a recognised name (period)"),
    ({"synonyms": ("Taux",)}, "already a recognised name (ratio)"),
    ({"numerator": "clicks"}, "Only a ratio or a score has a numerator"),
    ({"stage": "loyalty"}, "Unknown stage 'loyalty'"),
    ({"twin": "nothing"}, "Twin 'nothing': no other KPI has that code."),
    ({"twin": "contributors"}, "must belong to the other world"),
])
def test_a_definition_that_does_not_hold_is_refused_in_both_languages(change, message):
    with pytest.raises(DefinitionError) as exc:
        validate(replace(OPENED, **change))
    assert message in exc.value.message_en
    assert exc.value.message_fr != exc.value.message_en and "Traceback" not in exc.value.message_fr


@pytest.mark.parametrize("change, message", [
    ({"numerator": None}, "needs a numerator and a denominator"),
    ({"numerator": "ctr"}, "The numerator 'ctr' is itself a ratio or a score"),
    ({"denominator": "nope"}, "The denominator 'nope' does not exist"),
    ({"numerator": "clicks"}, "The numerator 'clicks' does not exist for B2E"),
    ({"numerator": "active_users", "denominator": "active_users"}, "must differ"),
    ({"unit": "count", "aggregation": "score"}, "Unit 'count' does not fit this kind: score"),
    ({"synonyms": ("taux de resolution",)}, "A ratio or a score has no header synonyms"),
])
def test_a_ratio_needs_existing_base_components_of_its_world(change, message):
    ratio = replace(CLOSURE, numerator="contributors", denominator="active_users")
    validate(ratio)  # contributors / active users: both built-in base KPIs of B2E
    with pytest.raises(DefinitionError) as exc:
        validate(replace(ratio, **change))
    assert message in exc.value.message_en


def test_a_valid_definition_is_cleaned_and_becomes_a_catalog_entry():
    d = validate(replace(OPENED, label_fr=" Dossiers ouverts ",
                         synonyms=("Dossiers créés", " ", "Dossiers créés")))
    assert d.label_fr == "Dossiers ouverts" and d.synonyms == ("Dossiers créés",)
    kpi = d.kpi()
    assert (kpi.custom, kpi.base, kpi.additive_over, kpi.formula) == (True, True, ("period", "entity", "channel",
                                                                                   "initiative"), None)
    score = Definition("qvt", "Score QVT", "QWL score", "x", "x", ("B2E",), "score", "score", numerator="a",
                       minus="b", denominator="c").kpi()
    assert score.formula == "(a − b) / c × 100"


def test_changes_lists_each_field_before_and_after():
    after = replace(OPENED, unit="€", synonyms=("Dossiers ouverts",))
    assert changes(OPENED, after) == {"unit": ["count", "€"],
                                       "synonyms": [["Dossiers ouverts", "Dossiers créés"], ["Dossiers ouverts"]]}
    assert changes(OPENED, OPENED) == {}


@pytest.mark.parametrize("values, profile", [
    ([12, 30, "7"], "integers"), (["1 200 €", "900 €"], "euros"), (["45 %", 0.3], "percent"),
    ([0.25, 0.5, 1], "fractions"), ([2.5, 3.75], "decimals"), (["Alice", 3], None), ([None, ""], None),
])
def test_the_profile_of_a_column_says_what_its_values_look_like_never_what_they_are(values, profile):
    assert value_profile(values) == profile


@pytest.mark.parametrize("header, profile, segment, code, unit, segments, note", [
    ("Dossiers ouverts", "integers", "B2E", "dossiers_ouverts", "count", ("B2E",), None),
    ("Budget formation (€)", "decimals", None, "budget_formation", "€", ("B2C", "B2B", "B2E"), None),
    ("Taux de complétion", "fractions", "B2E", "taux_de_completion", "count", ("B2E",), "ratio"),
    ("Part des ventes %", "percent", "B2C", "part_des_ventes", "count", ("B2C",), "ratio"),
    ("2025 inscrits", "integers", "B2B", "kpi_2025_inscrits", "count", ("B2B",), None),
])
def test_a_column_not_understood_prefills_a_definition(header, profile, segment, code, unit, segments, note):
    d, why = guess(header, profile, segment)
    assert (d.code, d.aggregation, d.unit, d.segments, why) == (code, "flow", unit, segments, note)
    assert d.label_fr == d.label_en == header and d.synonyms == (header,)


# --- the catalog they join ------------------------------------------------------------------------------------


def test_install_adds_the_kpis_everywhere_and_an_empty_install_takes_them_away():
    assert kpi_for_name("Dossiers ouverts") != "cases_opened"  # cached before the install
    catalog.install([OPENED.kpi(), CLOSED.kpi(), CLOSURE.kpi()], key="test")
    assert catalog.installed() == "test"
    assert kpi_for_name("Dossiers ouverts") == "cases_opened" and kpi_for_name("dossiers crees") == "cases_opened"
    assert catalog.MATCHED["closure_rate"] == {"cases_closed": "closure_rate~cases_closed",
                                                  "cases_opened": "closure_rate~cases_opened"}
    assert "closure_rate" in catalog.MATCH_BY_CHANNEL  # a ratio of flows matches on channel too
    assert "closure_rate" in metrics.BOUNDED_RATES and "cases_opened" in metrics._REAL
    catalog.install()
    assert kpi_for_name("Dossiers ouverts") != "cases_opened" and "cases_opened" not in KPIS
    assert "closure_rate" not in catalog.MATCHED and "closure_rate" not in metrics.BOUNDED_RATES
    assert len(KPIS) == len(catalog.BUILTIN_KPIS)


def test_a_twin_makes_a_generic_header_mean_the_other_worlds_kpi():
    ext = Definition("showroom_visits", "Passages showroom", "Showroom visits", "x", "x", ("B2C", "B2B"), "flow",
                     synonyms=("Passages showroom",), twin="kiosk_visits")
    internal = Definition("kiosk_visits", "Passages borne interne", "Internal kiosk visits", "x", "x",
                          ("B2E",), "flow", twin="showroom_visits")
    catalog.install([ext.kpi(), internal.kpi()])
    assert world_variant("showroom_visits", "B2E") == "kiosk_visits"
    assert world_variant("kiosk_visits", "B2C") == "showroom_visits"
    assert world_variant("showroom_visits", "B2C") == "showroom_visits"


def test_two_stores_used_in_turn_each_read_their_own_kpis(tmp_path):
    a = Store(tmp_path / "a.duckdb")
    a.add_kpi(OPENED)
    assert "cases_opened" in KPIS
    b = Store(tmp_path / "b.duckdb")  # opening b installs b's catalog: no cases_opened there
    assert "cases_opened" not in KPIS and kpi_for_name("Dossiers ouverts") != "cases_opened"
    a.native_totals(Filter())  # reading a installs a's again
    assert "cases_opened" in KPIS
    b.activate()
    assert "cases_opened" not in KPIS


def test_a_kpi_defined_by_another_process_is_seen_on_the_next_read(tmp_path):
    app = Store(tmp_path / "s.duckdb")
    other = Store(tmp_path / "s.duckdb")  # as the command line would, while the app keeps its own Store
    other.add_kpi(OPENED, by="cli")
    catalog.install()  # the app's process never saw the add
    app.activate()  # what ui.store() does on every page
    assert KPIS["cases_opened"].label_en == "Cases opened"


# --- history, removal --------------------------------------------------------------------------------------


def test_a_change_made_after_data_exist_is_recorded_with_who_when_and_what(tmp_path):
    store = helpdesk_store(tmp_path)
    assert store.edit_kpi(OPENED, by="rh") == {}  # nothing changed: nothing recorded
    changed = store.edit_kpi(replace(OPENED, direction=-1, definition_en="HR cases opened (all)."),
                             by="cdo")
    assert changed == {"definition_en": ["HR cases opened.", "HR cases opened (all)."],
                       "direction": [1, -1]}
    assert KPIS["cases_opened"].direction == -1
    history = store.kpi_history("cases_opened")
    assert history[["version", "action", "changed_by", "observations", "targets"]].values.tolist() == [
        [2, "edited", "cdo", 5, 0],  # five months of cases held by then (Dec 2025 to Apr 2026)
        [1, "created", "rh", 0, 0]]
    assert history.iloc[0]["changes"] == changed


def test_removing_a_kpi_that_has_data_is_refused_with_the_counts(tmp_path):
    store = helpdesk_store(tmp_path)
    store.set_targets(pd.DataFrame({"kpi": ["closure_rate"], "segment": ["B2E"], "period_start": ["2026-01-01"],
                                    "period_end": ["2026-03-31"], "value": [0.8]}))
    with pytest.raises(KpiInUse) as exc:
        store.remove_kpi("cases_closed")
    assert "5 observation(s) and 0 target(s)" in exc.value.message_en  # one value per month, five months
    assert "5 observation(s) et 0 objectif(s)" in exc.value.message_fr
    with pytest.raises(KpiInUse, match=r"0 observation\(s\) and 1 target\(s\)"):
        store.remove_kpi("closure_rate")
    with pytest.raises(UnknownKpi, match="built-in KPI"):
        store.remove_kpi("clicks")
    store.set_targets(pd.DataFrame({"kpi": ["closure_rate"], "segment": ["B2E"], "period_start": ["2026-01-01"],
                                    "period_end": ["2026-03-31"], "value": [float("nan")]}))  # NaN removes it
    store.remove_kpi("closure_rate", by="cdo")
    assert "closure_rate" not in KPIS and [d.code for d in store.kpi_definitions()] == ["cases_closed",
                                                                                          "cases_opened"]
    assert store.kpi_history("closure_rate")["action"].tolist() == ["removed", "created"]


def test_a_component_of_another_kpi_cannot_go_nor_become_a_ratio(tmp_path):
    store = Store(tmp_path / "s.duckdb")
    for d in (OPENED, CLOSED, CLOSURE):
        store.add_kpi(d)
    with pytest.raises(KpiInUse, match="used by closure_rate"):
        store.remove_kpi("cases_opened")
    with pytest.raises(KpiInUse, match="must stay a base KPI"):
        store.edit_kpi(replace(OPENED, aggregation="ratio", unit="%", synonyms=(), numerator="contributors",
                               denominator="active_users"))
    assert KPIS["cases_opened"].aggregation == "flow"  # the refused edit left the catalog as the store is


def test_backup_and_restore_keep_the_kpis_and_their_history(tmp_path):
    store = helpdesk_store(tmp_path)
    counts = store.backup(tmp_path / "bk")
    assert (counts["custom_kpis"], counts["kpi_history"]) == (3, 3)
    store.edit_kpi(replace(CLOSURE, label_en="Closure rate (all)"))
    store.restore(tmp_path / "bk")
    store.activate()
    assert KPIS["closure_rate"].label_en == "Closure rate"  # the backup's definition, installed
    assert store.table_rows("kpi_history")["action"].tolist() == ["created"] * 3


def test_an_old_store_is_migrated_with_no_kpi_of_its_own(tmp_path):
    from pathlib import Path

    import duckdb

    path = tmp_path / "old.duckdb"
    con = duckdb.connect(str(path))
    con.execute((Path(__file__).parent / "fixtures" / "store_v1.sql").read_text())
    con.close()
    store = Store(path)
    assert store.kpi_definitions() == [] and store.kpi_history().empty
    store.add_kpi(OPENED)
    assert store.kpi_history()["version"].tolist() == [1]


# --- the same treatment as a built-in KPI --------------------------------------------------------------------


def _value(table: pd.DataFrame, kpi: str, start: str) -> float:
    row = table[(table["kpi"] == kpi) & (table["period_start"] == pd.Timestamp(start))]
    assert len(row) == 1, (kpi, start, row)
    return float(row["value"].iloc[0])


@pytest.mark.parametrize("grain, start, opened, resolved, rate", [
    ("month", "2026-02-01", 50, 45, 45 / 50),  # 0.9
    ("quarter", "2025-10-01", 40, 30, 30 / 40),  # Q4 2025 holds December only: 0.75
    ("quarter", "2026-01-01", 300, 215, 215 / 300),  # Q1: (80 + 45 + 90) / (100 + 50 + 150) = 0.716667
    ("year", "2026-01-01", 320, 234, 234 / 320),  # Jan–Apr: (215 + 19) / (300 + 20) = 0.73125
    # ISO week 5 (Mon 26 Jan – Sun 1 Feb): 6 days of January, 1 of February, each month prorated by day:
    # opened 100 × 6/31 + 50 × 1/28 = 21.140553, resolved 80 × 6/31 + 45 × 1/28 = 17.091014, rate 0.808458
    # (never the mean of the monthly rates, 0.85, nor their day-weighted mean, 0.814286)
    ("week", "2026-01-26", 100 * 6 / 31 + 50 / 28, 80 * 6 / 31 + 45 / 28,
     (80 * 6 / 31 + 45 / 28) / (100 * 6 / 31 + 50 / 28)),
])
def test_a_ratio_kpi_of_the_organisation_is_computed_from_its_components_at_every_grain(
        tmp_path, grain, start, opened, resolved, rate):
    store = helpdesk_store(tmp_path)
    flt = Filter(segments=("B2E",), start=date(2025, 12, 1), end=date(2026, 4, 30))
    table = metrics.kpi_table(metrics.fetch(store, flt, grain), flt, grain)
    assert _value(table, "cases_opened", start) == pytest.approx(opened)
    assert _value(table, "cases_closed", start) == pytest.approx(resolved)
    assert _value(table, "closure_rate", start) == pytest.approx(rate)


def test_a_score_kpi_of_the_organisation_pools_its_counts(tmp_path):
    store = Store(tmp_path / "s.duckdb")
    for code, fr, en in (("qvt_pro", "Promoteurs QVT", "QWL promoters"), ("qvt_det", "Détracteurs QVT", "QWL "
                                                                                   "detractors"),
                         ("qvt_resp", "Répondants QVT", "QWL respondents")):
        store.add_kpi(Definition(code, fr, en, "x", "x", ("B2E",), "flow", synonyms=(fr,)))
    store.add_kpi(Definition("qvt", "Score QVT", "QWL score", "x", "x", ("B2E",), "score", "score",
                             numerator="qvt_pro", minus="qvt_det", denominator="qvt_resp"))
    result = ingest.check_bytes(workbook([["Trimestre", "Segment", "Promoteurs QVT", "Détracteurs QVT",
                                           "Répondants QVT"], ["T1 2026", "B2E", 30, 10, 80],
                                          ["T2 2026", "B2E", 20, 20, 120]]), "qvt.xlsx")
    store.import_batch(**result.batch(origin="qvt"))
    flt = Filter(segments=("B2E",), start=date(2026, 1, 1), end=date(2026, 6, 30))
    table = metrics.kpi_table(metrics.fetch(store, flt, "year"), flt, "year")
    # pooled: (30 + 20 − 10 − 20) / (80 + 120) × 100 = 10, not the mean of 25 and 0 (12.5)
    assert _value(table, "qvt", "2026-01-01") == pytest.approx(10.0)


def test_targets_name_the_kpi_by_its_label_and_rate_the_window(tmp_path):
    store = helpdesk_store(tmp_path)
    targets, issues = read_targets(workbook([["KPI", "Segment", "Période", "Cible"],
                                             ["Taux de clôture", "B2E", "T1 2026", "80 %"],
                                             ["Cases opened", "B2E", "2026-02", 60]], "Objectifs"),
                                   "objectifs.xlsx")
    assert issues == [] and sorted(targets["kpi"]) == ["cases_opened", "closure_rate"]
    store.set_targets(targets)
    flt = Filter(segments=("B2E",), start=date(2026, 1, 1), end=date(2026, 3, 31))
    view = metrics.cdo_view(store, flt, "quarter", lang="en")
    sc = view.scorecard.set_index(["segment", "kpi"])
    # Q1 resolution 215 / 300 = 0.716667 against 0.80: attainment 0.895833, below the amber line (90 %): red
    assert sc.loc[("B2E", "closure_rate"), "target"] == pytest.approx(0.8)
    assert sc.loc[("B2E", "closure_rate"), "attainment"] == pytest.approx((215 / 300) / 0.8)
    assert sc.loc[("B2E", "closure_rate"), "status"] == "red"


def test_side_by_side_shows_a_twin_pair_of_the_organisation(tmp_path):
    store = Store(tmp_path / "s.duckdb")
    store.add_kpi(Definition("showroom_visits", "Passages showroom", "Showroom visits", "x", "x", ("B2C", "B2B"),
                             "flow", synonyms=("Passages showroom",), stage="engagement"))
    store.add_kpi(Definition("kiosk_visits", "Passages borne interne", "Internal kiosk visits", "x", "x", ("B2E",),
                             "flow", synonyms=("Passages borne",), twin="showroom_visits"))
    for name, rows in (("b2c.xlsx", [["Mois", "Segment", "Passages showroom"], ["2026-01", "B2C", 700],
                                     ["2026-02", "B2C", 300]]),
                       ("b2e.xlsx", [["Mois", "Segment", "Passages borne"], ["2026-01", "B2E", 90]])):
        result = ingest.check_bytes(workbook(rows), name)
        store.import_batch(**result.batch(origin=name))
    flt = Filter(segments=("B2C", "B2E"), start=date(2026, 1, 1), end=date(2026, 2, 28))
    frame = metrics.cdo_view(store, flt, "month", lang="en").side_by_side
    row = frame.set_index("stage").loc["twin:showroom_visits"]
    assert (row["stage_label"], row["external_label"], row["internal_label"]) == (
        "Engagement — Showroom visits", "Showroom visits", "Internal kiosk visits")
    assert (row["external_value"], row["internal_value"]) == (1000.0, 90.0)  # 700 + 300; 90
    book = openpyxl.load_workbook(io.BytesIO(dashboard.side_by_side_workbook(frame, "en")))
    rows = [[c.value for c in r] for r in book.active.iter_rows()]
    assert ["Engagement — Showroom visits", "Showroom visits", 1000, "Internal kiosk visits", 90, "number"] in rows


# --- the command line ------------------------------------------------------------------------------------------


def test_the_command_line_adds_lists_edits_and_refuses_to_remove_a_kpi_with_data(tmp_path, capsys):
    store = str(tmp_path / "s.duckdb")
    base = ["--store", store]
    assert cli.main(["kpi", "add", "cases_opened", "--label-fr", "Dossiers ouverts", "--label-en", "Cases opened",
                     "--definition-fr", "Demandes.", "--definition-en", "Requests.", "--world", "internal",
                     "--synonym", "Dossiers ouverts", "--by", "rh", *base]) == 0
    assert "KPI added: cases_opened" in capsys.readouterr().out
    assert cli.main(["kpi", "add", "Bad!", "--label-fr", "Clics", "--label-en", "x", "--definition-fr", "x",
                     "--definition-en", "x", *base]) == 2
    err = capsys.readouterr().err
    assert "lowercase letters" in err and "already the label of the KPI 'clicks'" in err and "Traceback" not in err
    path = tmp_path / "dossiers.xlsx"
    path.write_bytes(workbook([["Mois", "Segment", "Saisines"], ["2026-01", "B2E", 12], ["2026-02", "B2E", 8]]))
    # "Saisines" is no synonym: the mapping names the KPI by its code, as for a built-in one
    assert cli.main(["import", str(path), "--map", "Saisines=cases_opened", *base]) == 0
    capsys.readouterr()
    assert cli.main(["kpi", "edit", "cases_opened", "--unit", "€", "--by", "cdo", *base]) == 0
    assert "unit 'count' → '€'" in capsys.readouterr().out
    assert cli.main(["kpi", "list", "--format", "json", *base]) == 0
    [listed] = json.loads(capsys.readouterr().out)
    assert (listed["code"], listed["unit"], listed["version"], listed["custom"]) == ("cases_opened", "€", 2, True)
    assert cli.main(["kpi", "list", "--history", "--format", "json", *base]) == 0
    history = json.loads(capsys.readouterr().out)
    assert [(h["version"], h["action"], h["by"], h["observations"]) for h in history] == [
        (2, "edited", "cdo", 2), (1, "created", "rh", 0)]  # two months imported before the edit
    assert cli.main(["kpi", "remove", "cases_opened", *base]) == 1
    assert "still has data: 2 observation(s) and 0 target(s)" in capsys.readouterr().err
    assert cli.main(["kpi", "remove", "clicks", *base]) == 1
    assert "built-in KPI" in capsys.readouterr().err
    assert cli.main(["kpi", "edit", "nope", "--unit", "€", *base]) == 1
    assert cli.main(["kpi", "list", "--all", *base]) == 0
    out = capsys.readouterr().out
    assert len(out.splitlines()) == len(catalog.BUILTIN_KPIS) + 1 and "custom v2" in out


def test_a_kpi_without_data_is_removed_from_the_command_line(tmp_path, capsys):
    store = str(tmp_path / "s.duckdb")
    assert cli.main(["kpi", "add", "factory_visits", "--label-fr", "Visites d'usine", "--label-en",
                     "Factory visits", "--definition-fr", "Visites.", "--definition-en", "Visits.",
                     "--synonym", "Visites usine", "--store", store]) == 0
    assert cli.main(["kpi", "remove", "factory_visits", "--store", store]) == 0
    assert cli.main(["kpi", "list", "--store", store]) == 0
    assert capsys.readouterr().out.splitlines()[-1].startswith("no KPI of the organisation")


def test_a_ratio_of_a_distinct_count_over_a_built_in_stock_takes_each_by_its_kind(tmp_path):
    store = Store(tmp_path / "s.duckdb")
    store.add_kpi(Definition("trained", "Collaborateurs formés", "Trained employees", "x", "x", ("B2E",), "distinct",
                             synonyms=("Collaborateurs formés",)))
    store.add_kpi(Definition("training_rate", "Taux de formation", "Training rate", "x", "x", ("B2E",), "ratio", "%",
                             numerator="trained", denominator="population"))
    result = ingest.check_bytes(workbook([["Mois", "Segment", "Effectif", "Collaborateurs formés"],
                                          ["2026-01", "B2E", 1000, 100], ["2026-02", "B2E", 1100, 200],
                                          ["2026-03", "B2E", 1200, 300]]), "formation.xlsx")
    store.import_batch(**result.batch(origin="formation"))
    flt = Filter(segments=("B2E",), start=date(2026, 1, 1), end=date(2026, 3, 31))
    table = metrics.kpi_table(metrics.fetch(store, flt, "quarter"), flt, "quarter")
    # the mean monthly trained (100 + 200 + 300) / 3 = 200 over the end-of-quarter headcount 1,200 = 0.166667,
    # not 600 / 1,200 nor 200 / the mean headcount 1,100
    assert _value(table, "trained", "2026-01-01") == pytest.approx(200.0)
    assert _value(table, "training_rate", "2026-01-01") == pytest.approx(200 / 1200)
    assert "training_rate" in metrics.REFERENCED  # one reference origin per segment, as adoption


def test_changing_the_headers_of_a_kpi_changes_what_a_file_is_read_as(tmp_path):
    store = Store(tmp_path / "s.duckdb")
    store.add_kpi(OPENED)
    assert kpi_for_name("Dossiers créés") == "cases_opened"
    store.edit_kpi(replace(OPENED, synonyms=("Dossiers déposés",)))
    assert kpi_for_name("Dossiers créés") != "cases_opened" and kpi_for_name("dossiers deposes") == "cases_opened"
