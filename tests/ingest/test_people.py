"""Per-person sheets (kpis.ingest.people): Yes/No activity flags count distinct people, with the privacy rules of
the per-user Microsoft 365 formats (aggregated, identifiers never stored, groups under 5 people folded)."""

from __future__ import annotations

import pytest

from conftest import write_xlsx_openpyxl
from kpis import ingest
from kpis.ingest.people import flag_targets
from kpis.model import ALL, OTHER

NORD = [("Oui", True), ("Oui", False), ("Non", True), ("Oui", True), ("Non", False), ("Oui", False), ("Non", False)]
SUD = [("Oui", True), ("Non", False), ("non", False), ("OUI", True), ("Non", False)]
"""(Actif, A contribué) per person: Nord 7 people, 4 active, 2 contributors; Sud 5 people, 2 active, 2 contributors."""


def _people_rows(groups: dict[str, list[tuple]], month: str = "09/2026") -> list[list]:
    rows = [["Rapport d'activité ESN"], [],
            ["Matricule", "E-mail", "Entité", "Mois", "Actif", "A contribué"]]
    n = 0
    for entity, flags in groups.items():
        for actif, contributed in flags:
            n += 1
            rows.append([f"M{n:04d}", f"personne{n}@groupe.fr", entity, month, actif, contributed])
    return rows


def _check(tmp_path, rows, name="personnes.xlsx", **options):
    path = tmp_path / name
    write_xlsx_openpyxl(path, {"Personnes": rows})
    return ingest.check_file(path, segment="B2E", **options)


def _by_entity(result, kpi: str) -> dict[str, float]:
    obs = result.observations
    return dict(zip(obs[obs["kpi"] == kpi]["entity"], obs[obs["kpi"] == kpi]["value"], strict=True))


def test_oui_non_flags_count_the_active_people_of_each_entity(tmp_path):
    result = _check(tmp_path, _people_rows({"Nord": NORD, "Sud": SUD}))
    assert result.importable, [i.message_en for i in result.all_issues]
    sheet = result.sheets[0]
    assert sheet.rows == {"read": 12, "kept": 12, "rejected": 0, "dropped": 0}
    # Nord: Oui, Oui, Non, Oui, Non, Oui, Non → 4 of 7; Sud: Oui, Non, non, OUI, Non → 2 of 5
    assert _by_entity(result, "active_users") == {"Nord": 4.0, "Sud": 2.0}
    # A contribué (Excel TRUE/FALSE): Nord True, False, True, True, False ×3 → 3; Sud True, False ×2, True, False → 2
    assert _by_entity(result, "contributors") == {"Nord": 3.0, "Sud": 2.0}
    # every listed person is in the population, as in the per-user Microsoft 365 formats
    assert _by_entity(result, "population") == {"Nord": 7.0, "Sud": 5.0}
    assert sheet.totals == {"active_users": 6.0, "contributors": 5.0, "population": 12.0}
    obs = result.observations
    assert {(str(s.date()), str(e.date())) for s, e in zip(obs["period_start"], obs["period_end"], strict=True)} == {
        ("2026-09-01", "2026-09-30")}
    roles = {c.header: (c.role, c.kpi) for c in sheet.columns}
    assert roles["Actif"] == ("kpi", "active_users") and roles["A contribué"] == ("kpi", "contributors")
    assert roles["Matricule"][0] == "ignored" and roles["E-mail"][0] != "kpi"


def test_a_group_under_five_people_is_folded_with_the_next_smallest(tmp_path):
    est = [("Oui", False), ("Oui", True), ("Non", False)]
    result = _check(tmp_path, _people_rows({"Nord": NORD, "Sud": SUD, "Est": est}))
    assert result.importable
    # Est (3 people) is under 5; alone in (other) it would still be 3, so Sud (5, the next smallest) joins:
    # (other) = Sud 5 + Est 3 = 8 people, 2 + 2 = 4 active; Nord stays as it is (7 people, 4 active)
    assert _by_entity(result, "active_users") == {"Nord": 4.0, OTHER: 4.0}
    assert _by_entity(result, "population") == {"Nord": 7.0, OTHER: 8.0}
    assert "Est" not in set(result.observations["entity"])
    assert any(i.code == "per_person" and "(other)" in i.message_en for i in result.all_issues)


def test_identifiers_never_reach_observations_issues_or_the_check_report(tmp_path):
    rows = _people_rows({"Nord": NORD, "Sud": SUD})
    rows[5][4] = "Peut-être"
    result = _check(tmp_path, rows)
    text = (result.observations.to_csv() + repr(result.to_json())).lower()
    assert "@groupe.fr" not in text and "personne1@" not in text and "m0001" not in text and "peut-être" not in text


def test_a_typo_in_the_flag_column_is_reported_with_row_and_column(tmp_path):
    rows = _people_rows({"Nord": NORD, "Sud": SUD})
    rows[5][4] = "Peut-être"  # sheet row 6 (3 title/header rows, then the 3rd person)
    result = _check(tmp_path, rows)
    bad = [i for i in result.all_issues if i.code == "flag_unreadable"]
    assert [(i.row, i.column, i.severity) for i in bad] == [(6, "E", "error")]
    assert "Peut-être" not in bad[0].message_fr and "Oui/Non" in bad[0].message_fr
    # the person is not counted at all: Nord 6 people, still 4 active (the 3rd person was a "Non")
    assert _by_entity(result, "population") == {"Nord": 6.0, "Sud": 5.0}
    assert _by_entity(result, "active_users") == {"Nord": 4.0, "Sud": 2.0}
    # 1 of 12 rows rejected (8 %) is more than the 5 % a file may lose without a confirmation
    assert result.readable and not result.importable
    assert result.rejections[0].rows_rejected == 1


def test_a_person_listed_twice_in_a_month_is_counted_once(tmp_path):
    rows = _people_rows({"Nord": NORD, "Sud": SUD})
    rows.append(list(rows[3]))  # the first person again, same month: sheet row 16
    result = _check(tmp_path, rows)
    assert any(i.code == "person_repeated" and i.row == 16 for i in result.all_issues)
    assert _by_entity(result, "population") == {"Nord": 7.0, "Sud": 5.0}


def test_true_false_and_1_0_flags_under_an_english_header(tmp_path):
    rows = [["User Principal Name", "Department", "Month", "Has Teams activity"]]
    rows += [[f"u{i}@contoso.com", "Finance", "2026-09", 1 if i % 2 else 0] for i in range(6)]
    rows += [[f"v{i}@contoso.com", "Sales", "2026-09", "TRUE" if i < 4 else "FALSE"] for i in range(5)]
    result = _check(tmp_path, rows, maps={"Department": "entity"})
    assert result.importable, [i.message_en for i in result.all_issues]
    # Finance: i = 1, 3, 5 → 3 of 6; Sales: 4 TRUE of 5
    assert _by_entity(result, "active_users") == {"Finance": 3.0, "Sales": 4.0}


def test_only_active_people_listed_give_no_population(tmp_path):
    rows = _people_rows({"Nord": [("Oui", True)] * 6})
    result = _check(tmp_path, rows)
    assert _by_entity(result, "active_users") == {"Nord": 6.0} and "population" not in result.sheets[0].totals


# --- near misses: no per-person reading --------------------------------------------------------------


def test_a_campaign_list_with_an_active_column_is_not_per_person(tmp_path):
    rows = [["Jour", "Campagne", "Actif", "Clics"], ["01/09/2026", "A", "Oui", 10], ["01/09/2026", "B", "Non", 4]]
    result = _check(tmp_path, rows, name="campagnes.xlsx")
    sheet = result.sheets[0]
    assert {c.header: c.role for c in sheet.columns}["Actif"] == "unknown"
    assert sheet.totals == {"clicks": 14.0}
    assert not any(i.code == "per_person" for i in result.all_issues)


def test_counts_per_person_stay_numbers_when_the_catalog_names_them(tmp_path):
    rows = [["Date", "Utilisateur", "Direction", "Utilisateurs actifs"],
            ["2026-09-01", "a@x.fr", "RH", 1], ["2026-09-01", "b@x.fr", "RH", 1]]
    result = _check(tmp_path, rows)
    assert not any(i.code == "per_person" for i in result.all_issues)


@pytest.mark.parametrize("header, kpi", [
    ("Actif", "active_users"), ("Has Teams activity", "active_users"), ("A contribué", "contributors"),
    ("Lecteur", "readers"), ("Contributeurs", None),  # a catalog name keeps its catalog meaning
])
def test_flag_targets(header, kpi):
    found = flag_targets([["E-mail", header], ["a@x.fr", "Oui"], ["b@x.fr", "Non"]])
    assert (found.get(header.lower().replace("é", "e")) or type("T", (), {"kpi": None})).kpi == kpi
    assert ALL == "(all)"


def test_a_column_of_1_and_0_alone_is_counted_once_mapped(tmp_path):
    rows = [["Employee ID", "Entité", "Mois", "Actif"]] + [[f"E{i}", "Nord", "2026-09", i % 3 == 0] for i in range(6)]
    rows = [r if i == 0 else r[:3] + [int(r[3])] for i, r in enumerate(rows)]
    # numbers alone could be counts: the header must be mapped (or the flags worded) to be read as flags
    assert "per_person" not in {i.code for i in _check(tmp_path, rows).all_issues}
    result = _check(tmp_path, rows, maps={"Actif": "active_users"})
    # i = 0 and 3 → 2 active of 6
    assert _by_entity(result, "active_users") == {"Nord": 2.0} and _by_entity(result, "population") == {"Nord": 6.0}


def test_a_per_user_report_over_a_rolling_window_counts_people_over_that_window(tmp_path):
    rows = [["Report Refresh Date", "User Principal Name", "Department", "Has Teams activity", "Report Period"]]
    rows += [["2026-09-30", f"u{i}@contoso.com", "Finance" if i < 6 else "Sales", "Yes" if i % 2 else "No", 30]
             for i in range(11)]
    result = _check(tmp_path, rows, maps={"Department": "entity"})
    assert result.importable, [i.message_en for i in result.all_issues]
    # Finance i = 0..5 → Yes for 1, 3, 5; Sales i = 6..10 → Yes for 7, 9; window 2026-09-30 − 30 + 1 = 09-01
    assert _by_entity(result, "active_users") == {"Finance": 3.0, "Sales": 2.0}
    assert _by_entity(result, "population") == {"Finance": 6.0, "Sales": 5.0}
    assert result.sheets[0].period == {"start": "2026-09-01", "end": "2026-09-30"}
