"""kpis.store: deleting is deliberate (a preview first) and reversible (``undelete`` within UNDELETE_DAYS).

Values are worked out by hand in the comments; every batch below is B2C clicks of origin "manual"
unless said otherwise, so the rows of later batches supersede those of earlier ones.
"""

from __future__ import annotations

from datetime import timedelta

import duckdb
import pandas as pd
import pytest
from test_store import clicks_total, obs, put, row

from kpis import demo
from kpis.errors import CannotUndelete, UnknownBatch
from kpis.model import Filter
from kpis.store import TABLES, UNDELETE_DAYS, Store, _utcnow


@pytest.fixture
def store(tmp_path) -> Store:
    return Store(tmp_path / "p.duckdb", lock_timeout=5)


def current(store: Store) -> list[tuple[int, str, float]]:
    """(batch, KPI, value) of every current observation, sorted."""
    cur = store.observations(Filter())
    return sorted(zip(cur["batch_id"], cur["kpi"], cur["value"], strict=True))


def chain(store: Store):
    """A ← B ← C: A holds Jan 100 and Feb 200, B corrects both (110, 210), C corrects January again (120)."""
    a = put(store, obs(row(1, "FR", 100.0), row(2, "FR", 200.0)), file_name="a.xlsx")
    b = put(store, obs(row(1, "FR", 110.0), row(2, "FR", 210.0)), file_name="b.xlsx")
    c = put(store, obs(row(1, "FR", 120.0)), file_name="c.xlsx")
    return a.batch_id, b.batch_id, c.batch_id


def age_deletions(store: Store, days: float) -> None:
    """Pretend every deletion of the log happened ``days`` days ago."""
    con = duckdb.connect(str(store.path))
    con.execute("UPDATE deletions SET deleted_at = ?", [_utcnow() - timedelta(days=days)])
    con.close()


# --- preview ---------------------------------------------------------------------------------------


def test_preview_of_a_batch_says_what_goes_and_what_comes_back_without_writing(store):
    a, b, c = chain(store)
    version = store.data_version()
    p = store.preview_delete(b)
    # B's two rows go; A's February (200) comes back, A's January stays superseded by C
    assert p.batches == ({"id": b, "file": "b.xlsx", "origin": "manual", "rows": 2, "period_start": "2026-01-01",
                          "period_end": "2026-02-28", "sample": False},)
    assert (p.rows_removed, p.rows_restored, p.restored_by_kpi, p.restored_from) == (2, 1, {"clicks": 1}, {a: 1})
    assert (p.targets, p.mappings, p.empty) == (0, 0, False)
    assert store.data_version() == version and len(store.batches()) == 3  # nothing written
    out = store.delete_batch(b)
    assert (out.rows_removed, out.rows_restored) == (p.rows_removed, p.rows_restored)  # the preview was right


def test_preview_counts_per_kpi(store):
    a = put(store, obs(row(1, "FR", 100.0), row(1, "FR", 4000.0, kpi="impressions"), row(2, "FR", 90.0)))
    b = put(store, obs(row(1, "FR", 110.0), row(1, "FR", 4100.0, kpi="impressions"),
                       row(2, "FR", 95.0)))
    c = put(store, obs(row(2, "FR", 99.0)))
    # deleting B: A's January clicks and impressions come back; A's February clicks stay superseded by C
    p = store.preview_delete(b.batch_id)
    assert (p.rows_removed, p.rows_restored) == (3, 2)
    assert p.restored_by_kpi == {"clicks": 1, "impressions": 1} and p.restored_from == {a.batch_id: 2}
    # deleting C brings back B's February only (A's February is superseded by B)
    assert store.preview_delete(c.batch_id).restored_from == {b.batch_id: 1}
    with pytest.raises(UnknownBatch):
        store.preview_delete(42)


# --- demo removal ------------------------------------------------------------------------------------


def test_demo_removal_takes_its_targets_and_mappings_and_nothing_else(store):
    put(store, obs(row(1, "FR", 100.0)), sample=True, file_name="demo.xlsx")
    real = put(store, obs(row(1, "DE", 50.0)))
    targets = pd.DataFrame({"kpi": ["clicks"], "segment": ["B2C"], "period_start": ["2026-01-01"],
                            "period_end": ["2026-12-31"], "value": [8030.0]})
    store.set_targets(targets, by="demo", sample=True)
    store.set_targets(targets.assign(segment="B2B", value=500.0), by="cdo")
    store.remember_mapping(["Mois", "Clics"], {"Mois": "period:month"}, by="demo", sample=True)
    store.remember_mapping(["Jour", "Clics"], {"Jour": "period"}, by="cdo")
    p = store.preview_demo()
    assert ([x["file"] for x in p.batches], p.rows_removed, p.targets, p.mappings) == (["demo.xlsx"], 1, 1, 1)
    out = store.delete_demo(by="cdo")
    assert (out.batch_ids, out.rows_removed, out.targets_removed, out.mappings_removed) == ((1,), 1, 1, 1)
    # the real B2B target of 500 and the user's mapping stay; the demo's 8 030 is gone
    assert store.targets()[["segment", "value"]].values.tolist() == [["B2B", 500.0]]
    assert [m.headers for m in store.remembered_mappings()] == [("clics", "jour")]
    assert [b["id"] for b in store.batches()] == [real.batch_id]
    assert store.preview_demo().empty
    # the whole removal is one operation: undoing it brings all three kinds back
    back = store.undelete(out.deletion_id)
    assert (back.batch_ids, back.rows_back, back.targets_back, back.mappings_back) == ((1,), 1, 1, 1)
    assert sorted(store.targets()["value"]) == [500.0, 8030.0]
    assert len(store.remembered_mappings()) == 2


def test_demo_targets_without_demo_batches_are_still_removed_and_logged(store):
    store.set_targets(pd.DataFrame({"kpi": ["clicks"], "segment": ["B2C"], "period_start": ["2026-01-01"],
                                    "period_end": ["2026-12-31"], "value": [8030.0]}), by="demo", sample=True)
    out = store.delete_demo()
    assert (out.batch_ids, out.targets_removed) == ((), 1) and store.targets().empty
    [log] = store.deletions()
    assert (log["batch_id"], log["origin"], log["targets_removed"], log["undoable"]) == (None, "demo", 1, True)
    assert store.delete_demo() == type(out)((), 0, 0)  # nothing left: nothing logged
    assert len(store.deletions()) == 1


def test_seeded_demo_goes_with_its_targets(store):
    demo.seed(store)
    assert len(store.targets()) > 0 and store.targets()["sample"].all()
    p = store.preview_demo()
    assert p.targets == len(store.targets()) and len(p.batches) == 4  # the three workbooks and the network's messages
    store.delete_demo()
    assert store.batches() == [] and store.targets().empty


# --- undelete ----------------------------------------------------------------------------------------


def test_undelete_restores_exactly_the_previous_current_values(store):
    a, b, c = chain(store)
    before = current(store)
    assert before == [(b, "clicks", 210.0), (c, "clicks", 120.0)] and clicks_total(store) == 330.0
    statuses = [x["status"] for x in store.batches()]
    out = store.delete_batch(b, by="cdo")
    assert current(store) == [(a, "clicks", 200.0), (c, "clicks", 120.0)] and clicks_total(store) == 320.0
    back = store.undelete(out.deletion_id, by="dg")
    assert (back.deletion_id, back.batch_ids, back.rows_back) == (out.deletion_id, (b,), 2)
    assert current(store) == before and clicks_total(store) == 330.0
    assert [x["status"] for x in store.batches()] == statuses == ["superseded", "partly superseded", "current"]
    assert store.recompute_current() == 0
    assert store.table_rows("deleted_observations").empty and store.table_rows("deleted_batches").empty
    [log] = store.deletions()
    assert (log["undone_by"], log["undoable"]) == ("dg", False) and log["undone_at"] is not None


def test_undelete_in_another_order_than_deleting(store):
    a, b, c = chain(store)
    before = store.table_rows("observations")
    d_c = store.delete_batch(c).deletion_id  # B's January comes back
    d_b = store.delete_batch(b).deletion_id  # A's January and February come back
    assert current(store) == [(a, "clicks", 100.0), (a, "clicks", 200.0)]
    store.undelete(d_c)  # C back first: supersedes A's January; A's February current
    assert current(store) == [(a, "clicks", 200.0), (c, "clicks", 120.0)]
    store.undelete(d_b)  # B back between them: exactly the chain as imported
    pd.testing.assert_frame_equal(store.table_rows("observations"), before)


def test_undelete_refusals_are_bilingual(store):
    a, b, c = chain(store)
    out = store.delete_batch(b)
    with pytest.raises(CannotUndelete) as exc:
        store.undelete(99)
    assert "99" in exc.value.message_fr and "No deletion 99" in exc.value.message_en
    store.undelete(out.deletion_id)
    with pytest.raises(CannotUndelete) as exc:
        store.undelete(out.deletion_id)
    assert "déjà été annulée" in exc.value.message_fr and "already undone" in exc.value.message_en


def test_undelete_within_the_limit_only(store):
    a, b, c = chain(store)
    out = store.delete_batch(b)
    age_deletions(store, UNDELETE_DAYS - 1)  # 29 days: still possible
    assert store.deletions()[0]["undoable"]
    store.undelete(out.deletion_id)
    out = store.delete_batch(b)
    age_deletions(store, UNDELETE_DAYS + 1)  # 31 days: too old
    assert not store.deletions()[-1]["undoable"]
    with pytest.raises(CannotUndelete) as exc:
        store.undelete(out.deletion_id)
    assert "30 jours" in exc.value.message_fr and "after 30 days" in exc.value.message_en
    assert [x["id"] for x in store.batches()] == [a, c]  # nothing came back
    # the next deletion purges the archive of the expired one (2 rows of B), keeping its own (1 row of C)
    assert len(store.table_rows("deleted_observations")) == 2
    store.delete_batch(c)
    assert store.table_rows("deleted_observations")["batch_id"].tolist() == [c]


def test_undelete_refused_when_the_same_data_was_imported_again(store):
    frame = obs(row(1, "FR", 100.0))
    first = put(store, frame, sha256="same-bytes")
    out = store.delete_batch(first.batch_id)
    again = put(store, frame, sha256="same-bytes")  # allowed: the first is deleted
    with pytest.raises(CannotUndelete) as exc:
        store.undelete(out.deletion_id)
    assert f"batch {again.batch_id}" in exc.value.message_en and f"lot n° {again.batch_id}" in exc.value.message_fr
    assert [x["id"] for x in store.batches()] == [again.batch_id]


def test_any_entry_of_a_demo_removal_undoes_the_whole_removal(store):
    put(store, obs(row(1, "FR", 100.0)), sample=True)
    put(store, obs(row(1, "DE", 50.0)), sample=True)
    out = store.delete_demo()
    log = store.deletions()
    assert [(d["id"], d["operation"]) for d in log] == [(1, 1), (2, 1)]
    assert store.undelete(2).batch_ids == (1, 2)
    assert clicks_total(store) == 150.0 and out.deletion_id == 1


def test_archives_are_backed_up(store, tmp_path):
    a, b, c = chain(store)
    out = store.delete_batch(b)
    counts = store.backup(tmp_path / "bk")
    assert (counts["deleted_batches"], counts["deleted_observations"]) == (1, 2)
    fresh = Store(tmp_path / "other.duckdb")
    fresh.restore(tmp_path / "bk")
    fresh.undelete(out.deletion_id)
    assert current(fresh) == [(b, "clicks", 210.0), (c, "clicks", 120.0)]
    assert set(TABLES) >= {"deleted_batches", "deleted_observations", "deleted_targets", "deleted_mappings"}


def test_migration_groups_old_deletions_and_flags_demo_targets(tmp_path):
    """A store written before v5: its log says which entries one call wrote, and what it cannot undo."""
    from test_store import FIXTURES

    path = tmp_path / "old.duckdb"
    con = duckdb.connect(str(path))
    con.execute((FIXTURES / "store_v1.sql").read_text())
    # an old demo removal (two batches, same instant) and a later single delete
    con.execute("""INSERT INTO deletions VALUES
        (1, 7, 'demo1.xlsx', 'demo', TRUE, TIMESTAMP '2026-02-01 10:00:00', 'app', 3, 0),
        (2, 8, 'demo2.xlsx', 'demo', TRUE, TIMESTAMP '2026-02-01 10:00:00', 'app', 4, 0),
        (3, 9, 'x.xlsx', 'manual', FALSE, TIMESTAMP '2026-02-03 10:00:00', 'cdo', 1, 0)""")
    con.execute("""INSERT INTO targets VALUES ('clicks', 'B2B', NULL, DATE '2026-01-01', DATE '2026-12-31', 'year',
                   8030.0, 'demo', TIMESTAMP '2026-01-06 10:00:00')""")
    con.close()
    s = Store(path)
    assert [(d["id"], d["operation"], d["undoable"]) for d in s.deletions()] == [(1, 1, False), (2, 1, False),
                                                                                 (3, 3, False)]
    assert s.preview_demo().targets == 1  # the demo's 8 030, not the CDO's 3 000
    with pytest.raises(CannotUndelete) as exc:
        s.undelete(3, max_age_days=10**5)
    assert "did not keep deleted data" in exc.value.message_en
    s.delete_demo()
    assert s.targets()["value"].tolist() == [3000.0]
