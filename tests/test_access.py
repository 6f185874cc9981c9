"""Grants resolved into rights, and a store that enforces them: what each person receives and may change."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from kpis import metrics
from kpis.access import LOCAL, AccessDenied, Grant, Identity, ScopedStore, resolve
from kpis.demo import seed
from kpis.model import Filter
from kpis.store import Store

GRANTS = [
    Grant("viewer", ("B2E",), email="ines.rh@groupe.fr"),
    Grant("editor", ("B2C", "B2B"), group="Marketing"),
    Grant("editor", ("B2E",), entities=("Direction Industrie",), email="ana@groupe.fr"),
    Grant("admin", ("B2C",), group="DSI"),
]


@pytest.mark.parametrize(("identity", "role", "readable", "editable"), [
    (Identity("ines.rh@groupe.fr"), "viewer", ("B2E",), ()),  # by e-mail
    (Identity("INES.RH@groupe.fr "), "viewer", ("B2E",), ()),  # addresses compare without case or spaces
    (Identity("paul@groupe.fr", groups=("Marketing",)), "editor", ("B2C", "B2B"), ("B2C", "B2B")),  # by group
    # two grants: read B2E (viewer by e-mail) + edit B2C, B2B (editor by group)
    (Identity("ines.rh@groupe.fr", groups=("Marketing",)), "editor", ("B2C", "B2B", "B2E"), ("B2C", "B2B")),
    (Identity("x@groupe.fr", groups=("DSI",)), "admin", ("B2C", "B2B", "B2E"), ("B2C", "B2B", "B2E")),
])
def test_grants_resolve_by_address_and_group_and_add_up(identity, role, readable, editable):
    rights = resolve(identity, GRANTS, admins=())
    assert (rights.role, rights.readable, rights.editable) == (role, readable, editable)


def test_no_grant_is_no_access_and_an_admin_setting_is_every_right():
    assert resolve(Identity("bob@groupe.fr", groups=("Finance",)), GRANTS, admins=()) is None
    assert resolve(Identity(None, "Bob"), GRANTS, admins=()) is None  # no address, no group: nothing names him
    boss = resolve(Identity("cdo@groupe.fr"), [], admins=("cdo@groupe.fr",))
    assert boss.admin and boss.editable == ("B2C", "B2B", "B2E")


def test_an_entity_restriction_holds_only_when_every_grant_has_one():
    ana = resolve(Identity("ana@groupe.fr"), GRANTS, admins=())
    assert ana.entities == ("Direction Industrie",)
    # with a grant of the whole segment too, nothing is restricted
    both = resolve(Identity("ana@groupe.fr", groups=("Marketing",)), GRANTS, admins=())
    assert both.entities == ()


@pytest.mark.parametrize(("grant", "message"), [
    (dict(role="owner", segments=("B2C",), email="a@b.fr"), "Unknown role: owner"),
    (dict(role="viewer", segments=("B2X",), email="a@b.fr"), "one or more segments"),
    (dict(role="viewer", segments=(), email="a@b.fr"), "one or more segments"),
    (dict(role="viewer", segments=("B2C",)), "not both"),
    (dict(role="viewer", segments=("B2C",), email="a@b.fr", group="G"), "not both"),
])
def test_a_malformed_grant_is_refused_with_a_message(grant, message):
    with pytest.raises(AccessDenied, match=message):
        Grant(**grant)


@pytest.fixture
def demo(tmp_path) -> Store:
    """A store of its own with the demo data: the tests delete from it."""
    store = Store(tmp_path / "demo.duckdb")
    seed(store)
    return store


WINDOW = Filter(start=date(2025, 11, 1), end=date(2026, 10, 31))


def test_a_b2e_viewer_never_receives_a_b2c_or_b2b_number(demo):
    viewer = ScopedStore(demo, resolve(Identity("ines.rh@groupe.fr"), GRANTS, admins=()))
    assert set(viewer.observations()["segment"]) == {"B2E"}
    # asking for B2C explicitly gives nothing, not B2C
    assert viewer.observations(Filter(segments=("B2C",))).empty
    assert set(viewer.native_totals(WINDOW)["segment"]) == {"B2E"}
    view = metrics.cdo_view(viewer, WINDOW, "month", lang="fr")
    assert set(view.scorecard["segment"]) <= {"B2E", "ALL"} and len(view.scorecard)  # "ALL": B2E alone here
    # the B2E numbers are the whole store's B2E numbers, untouched
    full = metrics.cdo_view(demo, replace_segments(WINDOW, ("B2E",)), "month", lang="fr")
    mine = view.scorecard[view.scorecard["segment"] == "B2E"].set_index("kpi")["value"]
    theirs = full.scorecard[full.scorecard["segment"] == "B2E"].set_index("kpi")["value"]
    assert mine["population"] == theirs["population"] > 0
    assert {b["file"] for b in viewer.batches()} == {"interne_b2e.xlsx", "rse_messages.csv"}  # the B2E batches
    assert set(viewer.targets()["segment"]) == {"B2E"}
    assert set(viewer.dimension_values(())["entities"]) == set(demo.dimension_values(("B2E",))["entities"])


def replace_segments(flt: Filter, segments: tuple[str, ...]) -> Filter:
    from dataclasses import replace

    return replace(flt, segments=segments)


def test_an_editor_of_b2c_b2b_cannot_delete_a_b2e_batch_nor_set_a_b2e_target(demo):
    editor = ScopedStore(demo, resolve(Identity("paul@groupe.fr", groups=("Marketing",)), GRANTS, admins=()))
    b2e = next(b["id"] for b in demo.batches() if b["segments"] == ["B2E"])
    before = len(demo.batches())
    with pytest.raises(AccessDenied) as refused:
        editor.delete_batch(b2e, by="paul@groupe.fr")
    assert refused.value.message("fr") == (f"Suppression du lot n° {b2e} : refusé, vos droits de modification ne "
                                           "couvrent pas B2E (seulement B2C, B2B).")
    assert len(demo.batches()) == before  # nothing was touched
    target = pd.DataFrame({"kpi": ["active_users"], "segment": ["B2E"], "period_start": ["2027-01-01"],
                           "period_end": ["2027-12-31"], "value": [9000.0]})
    with pytest.raises(AccessDenied, match="do not cover B2E"):
        editor.set_targets(target)
    with pytest.raises(AccessDenied, match="for administrators only"):
        editor.delete_demo()
    with pytest.raises(AccessDenied, match="for administrators only"):
        editor.add_grant(Grant("admin", ("B2E",), email="paul@groupe.fr"))
    # within its segments it may: a B2C batch goes, and the audit trail names who
    b2c = next(b["id"] for b in demo.batches() if b["segments"] == ["B2C"])
    assert editor.delete_batch(b2c, by="paul@groupe.fr").batch_ids == (b2c,)
    last = demo.audit().iloc[0]
    assert (last["who"], last["action"], last["segments"]) == ("paul@groupe.fr", "delete_batch", ["B2C"])


def test_a_viewer_cannot_import_and_an_editor_cannot_import_another_segment(demo):
    rows = pd.DataFrame({"period_start": ["2027-01-01"], "period_end": ["2027-01-31"], "segment": ["B2E"],
                         "entity": [""], "channel": [""], "initiative": [""], "kpi": ["active_users"],
                         "value": [10.0]})
    viewer = ScopedStore(demo, resolve(Identity("ines.rh@groupe.fr"), GRANTS, admins=()))
    with pytest.raises(AccessDenied, match="read only"):
        viewer.import_batch(observations=rows, file_name="x.csv", sha256=None)
    marketing = ScopedStore(demo, resolve(Identity("p@groupe.fr", groups=("Marketing",)), GRANTS, admins=()))
    with pytest.raises(AccessDenied, match="do not cover B2E"):
        marketing.import_batch(observations=rows, file_name="x.csv", sha256=None)
    assert demo.observations(Filter(start=date(2027, 1, 1))).empty


def test_grants_are_stored_audited_and_kept_by_backup_and_restore(tmp_path):
    store = Store(tmp_path / "s.duckdb")
    admin = ScopedStore(store, LOCAL)
    first = admin.add_grant(Grant("viewer", ("B2E",), email="ines.rh@groupe.fr"), by="cdo@groupe.fr")
    admin.add_grant(Grant("editor", ("B2C", "B2B"), ("Horizon Pro · France",), group="Marketing"), by="cdo@groupe.fr")
    admin.remove_grant(first, by="cdo@groupe.fr")
    assert [g for _, g in store.grants()] == [Grant("editor", ("B2C", "B2B"), ("Horizon Pro · France",),
                                                    group="Marketing")]
    trail = store.audit()
    assert trail["action"].tolist() == ["grant_remove", "grant_add", "grant_add"]
    assert trail.iloc[1]["detail"] == {"grant": 2, "role": "editor", "to": "Marketing",
                                       "entities": ["Horizon Pro · France"]}
    store.backup(tmp_path / "bk")
    store.remove_grant(2)
    store.restore(tmp_path / "bk", by="dsi")
    assert len(store.grants()) == 1 and store.audit()["action"].tolist()[:2] == ["restore", "grant_remove"]


def test_the_deletion_log_and_its_undo_follow_the_segments(demo):
    b2c = next(b["id"] for b in demo.batches() if b["segments"] == ["B2C"])
    deletion = demo.delete_batch(b2c, by="cdo").deletion_id
    viewer = ScopedStore(demo, resolve(Identity("ines.rh@groupe.fr"), GRANTS, admins=()))
    assert viewer.deletions() == []  # a B2C file's deletion is not a B2E viewer's business
    ana = ScopedStore(demo, resolve(Identity("ana@groupe.fr"), GRANTS, admins=()))  # edits B2E
    with pytest.raises(AccessDenied, match="do not cover B2C"):
        ana.undelete(deletion, by="ana@groupe.fr")
    marketing = ScopedStore(demo, resolve(Identity("p@groupe.fr", groups=("Marketing",)), GRANTS, admins=()))
    assert [d["batch_id"] for d in marketing.deletions()] == [b2c]
    assert marketing.undelete(deletion, by="p@groupe.fr").batch_ids == (b2c,)


def test_the_organisations_kpis_are_changed_within_ones_segments_and_audited(tmp_path):
    from kpis.custom import Definition

    store = Store(tmp_path / "s.duckdb")
    editor = ScopedStore(store, resolve(Identity("ana@groupe.fr"), GRANTS, admins=()))  # edits B2E
    tickets = Definition("it_tickets", "Tickets DSI", "IT tickets", "Demandes à la DSI.", "Requests to IT.",
                         segments=("B2E",), aggregation="flow", synonyms=("tickets dsi",))
    editor.add_kpi(tickets, by="ana@groupe.fr")
    leads = Definition("salon_leads", "Contacts salon", "Fair leads", "Contacts pris sur un salon.",
                       "Leads met at a fair.", segments=("B2B",), aggregation="flow", synonyms=("contacts salon",))
    with pytest.raises(AccessDenied, match="do not cover B2B"):
        editor.add_kpi(leads, by="ana@groupe.fr")
    assert [d.code for d in store.kpi_definitions()] == ["it_tickets"]
    editor.remove_kpi("it_tickets", by="ana@groupe.fr")
    trail = store.audit()
    assert trail[["who", "action", "segments"]].values.tolist() == [
        ["ana@groupe.fr", "kpi_remove", ["B2E"]], ["ana@groupe.fr", "kpi_add", ["B2E"]]]
