"""kpis.store: batches that lose nothing and count nothing twice (real DuckDB files)."""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import textwrap
import time
from datetime import date
from pathlib import Path

import duckdb
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kpis import cli
from kpis.errors import (
    DuplicateBatch,
    NotImportable,
    OverlapConflict,
    SchemaTooNew,
    StoreError,
    StoreLocked,
    UnknownBatch,
)
from kpis.model import ALL, OBS_COLUMNS, Filter
from kpis.store import SCHEMA_VERSION, TABLES, Store, fold_headers, observations_hash

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"


def obs(*rows) -> pd.DataFrame:
    """Observations from (start, end, segment, entity, channel, initiative, kpi, value) tuples."""
    df = pd.DataFrame(rows, columns=list(OBS_COLUMNS))
    return df.assign(period_start=pd.to_datetime(df["period_start"]), period_end=pd.to_datetime(df["period_end"]))


def month(m: int, year: int = 2026) -> tuple[str, str]:
    start = pd.Timestamp(year, m, 1)
    return str(start.date()), str((start + pd.offsets.MonthEnd(0)).date())


def row(m, entity, value, kpi="clicks", segment="B2C", channel="search", initiative=ALL):
    return (*month(m), segment, entity, channel, initiative, kpi, value)


_counter = iter(range(10**9))


def put(store: Store, frame: pd.DataFrame, **kw):
    n = next(_counter)
    kw.setdefault("file_name", f"file{n}.xlsx")
    kw.setdefault("sha256", f"sha-{n}-{time.time_ns()}")
    kw.setdefault("parser_version", "test")
    return store.import_batch(frame, **kw)


def clicks_total(store: Store, **flt) -> float:
    t = store.native_totals(Filter(kpis=("clicks",), **flt))
    return float(t["value"].sum())


def snapshot(store: Store) -> dict[str, pd.DataFrame]:
    return {t: store.table_rows(t) for t in TABLES}


def assert_same_tables(a: dict, b: dict, skip_data_version: bool = False, restored: bool = False) -> None:
    """``restored``: ``b`` is ``a`` restored from a backup, whose trail ends with one more row: the restore."""
    for table in TABLES:
        x, y = a[table], b[table]
        if skip_data_version and table == "counters":
            x, y = x[x["name"] != "data_version"], y[y["name"] != "data_version"]
        if restored and table == "audit":
            assert y["action"].iloc[-1] == "restore" and len(y) == len(x) + 1
            y = y.iloc[:-1]
        pd.testing.assert_frame_equal(x.reset_index(drop=True), y.reset_index(drop=True), check_dtype=False)


@pytest.fixture
def store(tmp_path) -> Store:
    return Store(tmp_path / "sub" / "p.duckdb", lock_timeout=5)


# --- creation, schema ------------------------------------------------------


def test_first_use_creates_parent_dir_schema_and_empty_tables(tmp_path):
    s = Store(tmp_path / "a" / "b" / "p.duckdb")
    assert s.path.exists()
    assert s.schema_version() == SCHEMA_VERSION
    assert s.batches() == []
    assert {t: len(s.table_rows(t)) for t in TABLES} == {
        "schema_version": 1, "counters": 2, "batches": 0, "observations": 0, "deletions": 0, "targets": 0,
        "column_mappings": 0, "reference_origins": 0, "grants": 0, "audit": 0, "custom_kpis": 0, "kpi_history": 0,
        "comments": 0, "esn_terms": 0, "esn_profiles": 0, "subjects": 0, "esn_subjects": 0, "deleted_batches": 0,
        "deleted_observations": 0, "deleted_targets": 0, "deleted_mappings": 0, "deleted_esn_terms": 0,
        "deleted_esn_profiles": 0, "deleted_esn_subjects": 0, "deleted_subjects": 0,
    }


def test_store_written_by_newer_version_is_refused(tmp_path):
    path = tmp_path / "p.duckdb"
    Store(path)
    con = duckdb.connect(str(path))
    con.execute("UPDATE schema_version SET version = 99")
    con.close()
    with pytest.raises(SchemaTooNew) as exc:
        Store(path)
    assert "99" in exc.value.message_en and "99" in exc.value.message_fr


def test_migration_from_version_1_fixture(tmp_path):
    path = tmp_path / "old.duckdb"
    con = duckdb.connect(str(path))
    con.execute((FIXTURES / "store_v1.sql").read_text())
    con.close()
    s = Store(path)
    assert s.schema_version() == SCHEMA_VERSION
    # every row kept, columns now identical to a store created at version 6 (v6 adds batches.adds_to)
    # (v3 adds the derived entity_totals, filled from the current rows: 4 observations, 1 superseded)
    assert len(s.table_rows("entity_totals")) >= 1
    assert len(s.table_rows("observations")) == 4
    assert s.table_rows("targets")["value"].tolist() == [3000.0]
    batches = s.table_rows("batches")
    assert batches["parser_version"].tolist() == ["unknown", "unknown"]
    assert batches["adds_to"].isna().all()
    fresh = Store(tmp_path / "fresh.duckdb")
    columns = "SELECT table_name, column_name, data_type, is_nullable FROM information_schema.columns ORDER BY ALL"
    c1, c2 = duckdb.connect(str(path), read_only=True), duckdb.connect(str(fresh.path), read_only=True)
    assert c1.execute(columns).fetchall() == c2.execute(columns).fetchall()
    c1.close(), c2.close()
    # the backfilled observations hash makes a re-import of batch 1's rows a duplicate
    again = obs(row(1, "DE", 80.0), row(1, "FR", 120.0), row(1, "FR", 4000.0, kpi="impressions"))
    with pytest.raises(DuplicateBatch) as exc:
        put(s, again, origin="google_ads_campaign")
    assert (exc.value.batch_id, exc.value.imported_at) == (1, "2026-02-02T08:00:00Z")
    # current flags survived: batch 2's total supersedes batch 1's clicks
    assert clicks_total(s) == 210.0
    assert s.recompute_current() == 0
    assert put(s, obs(row(2, "FR", 5.0)), origin="google_ads_campaign").batch_id == 3  # counter kept


# --- import, duplicates ------------------------------------------------------


def test_import_records_batch_and_rows(store):
    frame = obs(row(1, "FR", 100.0), row(1, "DE", 50.0), row(2, "FR", 70.0, kpi="impressions"))
    out = put(store, frame, file_name="ads.xlsx", sheets=["Feuil1"], origin="google_ads_campaign", rows_read=3,
              rows_kept=2, rows_rejected=1, imported_by="cdo", sha256="abc")
    assert (out.batch_id, out.rows_stored, out.rows_superseded, out.warnings) == (1, 3, 0, ())
    [b] = store.batches(details=True)
    assert b["file"] == "ads.xlsx" and b["origin"] == "google_ads_campaign" and b["imported_by"] == "cdo"
    assert (b["rows_kept"], b["rows_read"], b["rows_rejected"], b["observations"]) == (2, 3, 1, 3)
    assert (b["segments"], b["period_start"], b["period_end"]) == (["B2C"], "2026-01-01", "2026-02-28")
    assert (b["status"], b["sample"], b["sheets"], b["sha256"]) == ("current", False, ["Feuil1"], "abc")
    assert b["imported_at"].endswith("Z") and len(b["imported_at"]) == 20
    got = store.observations(Filter())
    assert list(got.columns) == [*OBS_COLUMNS, "batch_id"]
    assert got["value"].tolist() == [100.0, 50.0, 70.0] and set(got["batch_id"]) == {1}
    assert str(got["period_start"].dtype).startswith("datetime64")


def test_same_bytes_refused_with_earlier_batch_and_nothing_written(store):
    first = put(store, obs(row(1, "FR", 100.0)), sha256="same", file_name="a.xlsx")
    before, version = snapshot(store), store.data_version()
    with pytest.raises(DuplicateBatch) as exc:
        put(store, obs(row(1, "FR", 999.0)), sha256="same", file_name="a (copie).xlsx")
    assert exc.value.batch_id == first.batch_id
    assert exc.value.imported_at == store.batches()[0]["imported_at"]
    assert "lot n° 1" in exc.value.message_fr and "batch 1" in exc.value.message_en
    assert_same_tables(before, snapshot(store))
    assert store.data_version().split(":")[0] == version.split(":")[0]


@pytest.mark.parametrize("variant", ["reordered", "int values", "string dates", "float noise", "other index"])
def test_same_observations_in_another_file_refused(store, variant):
    frame = obs(row(1, "FR", 100.0), row(1, "DE", 50.0), row(2, "FR", 0.1 + 0.2))
    put(store, frame)
    other = {
        "reordered": frame.iloc[::-1],
        "int values": frame.assign(value=[100, 50, 0]).iloc[:2].pipe(lambda d: pd.concat([d, frame.iloc[2:]])),
        "string dates": frame.assign(period_start=frame["period_start"].dt.strftime("%Y-%m-%d"),
                                     period_end=frame["period_end"].dt.strftime("%Y-%m-%d")),
        "float noise": frame.assign(value=[100.0 * (1 + 1e-13), 50.0, 0.3]),
        "other index": frame.set_index(pd.Index([7, 3, 9])).astype({"segment": object}),
    }[variant]
    with pytest.raises(DuplicateBatch) as exc:
        put(store, other)
    assert exc.value.batch_id == 1
    assert len(store.batches()) == 1


def test_observations_hash_is_order_and_dtype_independent_but_value_sensitive():
    frame = obs(row(1, "FR", 100.0), row(1, "DE", 50.0))
    assert observations_hash(frame) == observations_hash(frame.iloc[::-1].astype({"value": "int64"}))
    assert observations_hash(frame) != observations_hash(frame.assign(value=[100.0, 50.001]))
    assert observations_hash(frame) != observations_hash(frame.assign(entity=["FR", "ES"]))
    swapped = frame.assign(entity=["DE", "FR"])  # same labels and values, other pairing
    assert observations_hash(frame) != observations_hash(swapped)


def test_empty_or_malformed_observations_refused(store):
    with pytest.raises(NotImportable):
        put(store, obs())
    with pytest.raises(StoreError, match="derived"):
        put(store, obs(row(1, "FR", 0.05, kpi="ctr")))
    with pytest.raises(StoreError, match="unknown segments"):
        put(store, obs(row(1, "FR", 1.0, segment="B2X")))
    assert store.batches() == []


# --- latest batch wins -------------------------------------------------------------


def test_correction_replaces_totals_and_delete_brings_them_back(store):
    a = put(store, obs(row(1, "FR", 100.0), row(1, "DE", 50.0), row(2, "FR", 70.0)))
    assert clicks_total(store) == 220.0  # 100 + 50 + 70
    b = put(store, obs(row(1, "FR", 110.0), row(1, "DE", 55.0)))  # January corrected
    assert b.rows_superseded == 2
    assert clicks_total(store) == 235.0  # 110 + 55 + 70: replaced, not added (not 385)
    assert [x["status"] for x in store.batches()] == ["partly superseded", "current"]
    out = store.delete_batch(b.batch_id, by="cdo")
    assert (out.batch_ids, out.rows_removed, out.rows_restored) == ((2,), 2, 2)
    assert clicks_total(store) == 220.0
    assert [x["status"] for x in store.batches()] == ["current"]
    [log] = store.deletions()
    assert (log["batch_id"], log["deleted_by"], log["rows_removed"], log["rows_restored"]) == (2, "cdo", 2, 2)
    assert log["file_name"].startswith("file") and a.batch_id == 1


def test_other_origin_or_kpi_is_not_superseded(store):
    put(store, obs(row(1, "FR", 100.0)), origin="google_ads_campaign")
    out = put(store, obs(row(1, "FR", 30.0), row(1, "FR", 9.0, kpi="conversions")), origin="manual", adds=True)
    assert out.rows_superseded == 0
    assert clicks_total(store) == 130.0  # two origins, said to be different data: both current
    assert [b["adds_to"] for b in store.batches(details=True)] == [[], [1]]


def test_another_origin_on_the_same_series_is_refused_with_the_overlap(store):
    put(store, obs(row(1, "FR", 100.0), row(2, "FR", 50.0), row(1, "DE", 7.0)), origin="google_ads_campaign",
        file_name="ads.xlsx")
    # January FR clicks 100 → 130 and February FR clicks 50 = 50 overlap; DE is not in the new file;
    # March FR is new: overlap 2 rows of batch 1, Jan–Feb, totals 150 (batch) and 180 (file), +30
    new = obs(row(1, "FR", 130.0), row(2, "FR", 50.0), row(3, "FR", 60.0))
    [o] = store.overlaps(new, "manual")
    assert (o.batch_id, o.origin, o.file_name, o.period_start, o.period_end, o.kpis) == (
        1, "google_ads_campaign", "ads.xlsx", "2026-01-01", "2026-02-28", ("clicks",))
    assert (o.rows, o.file_rows, o.batch_total, o.file_total, o.difference, o.same, o.different) == (
        2, 2, 150.0, 180.0, 30.0, 1, 1)
    assert store.overlaps(new, "google_ads_campaign") == []  # its own origin: a correction, superseded
    with pytest.raises(OverlapConflict) as exc:
        put(store, new, origin="manual", file_name="crm.xlsx")
    assert "Batch 1 (ads.xlsx, origin 'google_ads_campaign')" in exc.value.message_en
    assert "difference +30" in exc.value.message_en and "--replaces 1" in exc.value.message_en
    assert [b["id"] for b in store.batches()] == [1] and clicks_total(store) == 157.0  # nothing stored
    # a superseded value is not an overlap: only what is current counts (batch 2's January supersedes batch 1's)
    put(store, obs(row(1, "FR", 90.0)), origin="google_ads_campaign")
    first, second = store.overlaps(new, "manual")
    assert (first.batch_id, first.batch_total, first.period_start, first.period_end) == (
        1, 50.0, "2026-02-01", "2026-02-28")
    assert (second.batch_id, second.batch_total, second.file_total) == (2, 90.0, 130.0)


def test_total_after_detail_supersedes_every_entity(store):
    put(store, obs(row(1, "FR", 100.0), row(1, "DE", 50.0), row(2, "FR", 70.0)))
    out = put(store, obs(row(1, ALL, 160.0)))
    assert out.rows_superseded == 2  # FR and DE January; February is outside the coverage
    assert clicks_total(store) == 230.0  # 160 + 70


def test_detail_after_total_supersedes_the_total(store):
    put(store, obs(row(1, ALL, 160.0), row(2, ALL, 90.0)))
    out = put(store, obs(row(1, "FR", 100.0)))
    assert out.rows_superseded == 1  # the January total, even though only FR is in the new file (DESIGN.md)
    assert clicks_total(store) == 190.0  # 100 + 90


def test_total_on_several_dimensions(store):
    put(store, obs(row(1, "FR", 10.0, channel="search", initiative="spring"),
                   row(1, "FR", 20.0, channel="social", initiative="spring"),
                   row(1, "DE", 5.0, channel="social", initiative="summer")))
    out = put(store, obs(row(1, "FR", 40.0, channel=ALL, initiative=ALL)))
    assert out.rows_superseded == 2  # both FR rows; DE is another entity
    assert clicks_total(store) == 45.0


def test_coverage_is_the_union_of_touching_periods(store):
    put(store, obs(("2026-01-10", "2026-02-09", "B2C", "FR", "search", ALL, "clicks", 30.0)))
    out = put(store, obs(row(1, "FR", 10.0), row(2, "FR", 20.0)))  # Jan + Feb merge into one island
    assert out.rows_superseded == 1 and out.warnings == ()
    gap = put(store, obs(("2026-03-05", "2026-04-04", "B2C", "FR", "search", ALL, "clicks", 8.0)))
    assert gap.rows_superseded == 0
    out = put(store, obs(row(3, "FR", 1.0), row(5, "FR", 2.0)))  # March and May: April missing
    assert out.rows_superseded == 0 and [w.batch_id for w in out.warnings] == [gap.batch_id]


def test_partial_overlap_kept_and_warned(store):
    a = put(store, obs(("2026-01-01", "2026-03-31", "B2C", "FR", "search", ALL, "clicks", 300.0)),
            file_name="q1.xlsx")
    out = put(store, obs(row(1, "FR", 90.0)))
    assert out.rows_superseded == 0
    [w] = out.warnings
    assert (w.batch_id, w.rows, w.kpis) == (a.batch_id, 1, ("clicks",))
    assert "q1.xlsx" in w.message_en and "partly overlap" in w.message_en
    assert "chevauchent" in w.message("fr")
    assert clicks_total(store) == 390.0  # both kept
    assert [x["status"] for x in store.batches()] == ["current", "current"]


def test_chain_a_b_c_delete_b_leaves_a_superseded_by_c(store):
    a = put(store, obs(row(1, "FR", 100.0), row(2, "FR", 200.0)))
    b = put(store, obs(row(1, "FR", 110.0), row(2, "FR", 210.0)))
    c = put(store, obs(row(1, "FR", 120.0)))
    assert c.rows_superseded == 1  # only B's January: A's is already superseded
    out = store.delete_batch(b.batch_id)
    assert out.rows_restored == 1  # A's February comes back, A's January stays superseded by C
    cur = store.observations(Filter())
    assert sorted(zip(cur["batch_id"], cur["value"], strict=True)) == [(a.batch_id, 200.0), (c.batch_id, 120.0)]
    assert [x["status"] for x in store.batches()] == ["partly superseded", "current"]
    assert store.recompute_current() == 0


def test_delete_demo_removes_only_sample_batches(store):
    put(store, obs(row(1, "FR", 100.0)), sample=True)
    put(store, obs(row(1, "DE", 50.0)), sample=True)
    real = put(store, obs(row(1, "FR", 130.0)))  # supersedes the demo FR row
    out = store.delete_demo(by="cdo")
    assert (out.batch_ids, out.rows_removed, out.rows_restored) == ((1, 2), 2, 0)
    assert [b["id"] for b in store.batches()] == [real.batch_id]
    assert [d["batch_id"] for d in store.deletions()] == [1, 2] and all(d["sample"] for d in store.deletions())
    assert store.delete_demo() == type(out)((), 0, 0)


def test_unknown_batch(store):
    with pytest.raises(UnknownBatch) as exc:
        store.delete_batch(42)
    assert "42" in exc.value.message_fr and "42" in exc.value.message_en


_ENTITIES = ["FR", "DE", ALL]
_op = st.tuples(
    st.sampled_from(["import", "import", "import", "delete"]),
    st.lists(st.tuples(st.integers(1, 4), st.integers(0, 1), st.sampled_from(_ENTITIES), st.sampled_from(["a", ALL])),
             min_size=1, max_size=4),
    st.integers(0, 5),
)


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(ops=st.lists(_op, min_size=2, max_size=6))
def test_incremental_current_flags_equal_a_full_recompute(tmp_path_factory, ops):
    """Imports (numpy islands, incremental) and deletes (SQL islands) agree with recomputing from scratch."""
    s = Store(tmp_path_factory.mktemp("h") / "p.duckdb")
    for kind, spec, pick in ops:
        ids = [b["id"] for b in s.batches()]
        if kind == "delete" and ids:
            s.delete_batch(ids[pick % len(ids)])
            continue
        rows = []
        for m, length, entity, channel in spec:
            start = pd.Timestamp(2026, m, 1)
            end = start + pd.offsets.MonthEnd(0) if length == 0 else start + pd.offsets.MonthEnd(2)
            rows.append((str(start.date()), str(end.date()), "B2C", entity, channel, ALL, "clicks", float(m)))
        try:
            put(s, obs(*rows))
        except DuplicateBatch:
            pass
        assert s.recompute_current() == 0


# --- reading -----------------------------------------------------------------


@pytest.fixture
def internal(store) -> Store:
    # population: the same 1,000 FR employees on the intranet and the ESN; 500 in DE
    # active users: FR 600 on the intranet, 400 on the ESN; DE 300
    # contributions (flow): FR 10 + 20, DE 5
    put(store, obs(
        row(1, "FR", 1000.0, kpi="population", segment="B2E", channel="intranet"),
        row(1, "FR", 1000.0, kpi="population", segment="B2E", channel="esn"),
        row(1, "DE", 500.0, kpi="population", segment="B2E", channel="intranet"),
        row(1, "FR", 600.0, kpi="active_users", segment="B2E", channel="intranet"),
        row(1, "FR", 400.0, kpi="active_users", segment="B2E", channel="esn"),
        row(1, "DE", 300.0, kpi="active_users", segment="B2E", channel="intranet"),
        row(1, "FR", 10.0, kpi="contributions", segment="B2E", channel="intranet"),
        row(1, "FR", 20.0, kpi="contributions", segment="B2E", channel="esn"),
        row(1, "DE", 5.0, kpi="contributions", segment="B2E", channel="intranet"),
        row(2, "FR", 1010.0, kpi="population", segment="B2E", channel="intranet"),
        row(1, "FR", 7.0, kpi="clicks", segment="B2C", channel="search"),
    ), origin="m365")
    return store


def totals(t: pd.DataFrame, *keys) -> dict:
    return {tuple(r[:-1]): r[-1] for r in t[[*keys, "value"]].itertuples(index=False)}


def test_native_totals_by_kind(internal):
    t = internal.native_totals(Filter(segments=("B2E",), start=date(2026, 1, 1), end=date(2026, 1, 31)))
    assert list(t.columns) == ["period_start", "period_end", "segment", "kpi", "value", "n"]
    # population: max(1000, 1000) for FR + 500 for DE = 1500 (not 2500)
    # active users: max(600, 400) + 300 = 900; contributions: 10 + 20 + 5 = 35
    assert totals(t, "kpi") == {("population",): 1500.0, ("active_users",): 900.0, ("contributions",): 35.0}
    assert dict(zip(t["kpi"], t["n"], strict=True)) == {"population": 3, "active_users": 3, "contributions": 3}


def test_native_totals_by_channel_and_entity(internal):
    flt = Filter(segments=("B2E",), end=date(2026, 1, 31))
    by_channel = internal.native_totals(flt, by=("channel",))
    # intranet: population 1000 + 500, active 600 + 300, contributions 10 + 5; esn: FR only
    assert totals(by_channel, "kpi", "channel") == {
        ("population", "intranet"): 1500.0, ("population", "esn"): 1000.0,
        ("active_users", "intranet"): 900.0, ("active_users", "esn"): 400.0,
        ("contributions", "intranet"): 15.0, ("contributions", "esn"): 20.0,
    }
    by_entity = internal.native_totals(flt, by=("entity",))
    assert totals(by_entity, "kpi", "entity") == {
        ("population", "FR"): 1000.0, ("population", "DE"): 500.0,
        ("active_users", "FR"): 600.0, ("active_users", "DE"): 300.0,
        ("contributions", "FR"): 30.0, ("contributions", "DE"): 5.0,
    }


def test_native_totals_pre_aggregate_follows_imports_and_deletes(internal):
    # without channel or initiative, native_totals reads entity_totals; with a channel filter naming every
    # channel it reads the observations: both must agree, after an import and after deleting it
    everything = Filter(segments=("B2E",))
    every_channel = Filter(segments=("B2E",), channels=("intranet", "esn"))

    def both():
        fast, slow = internal.native_totals(everything), internal.native_totals(every_channel)
        return totals(fast, "period_end", "kpi"), totals(slow, "period_end", "kpi")

    fast, slow = both()
    assert fast == slow and fast[(pd.Timestamp("2026-01-31"), "population")] == 1500.0
    correction = put(internal, obs(row(1, "DE", 650.0, kpi="population", segment="B2E", channel="intranet")),
                     origin="m365").batch_id
    fast, slow = both()
    assert fast == slow and fast[(pd.Timestamp("2026-01-31"), "population")] == 1650.0  # 1000 FR + 650 DE
    internal.delete_batch(correction)
    fast, slow = both()
    assert fast == slow and fast[(pd.Timestamp("2026-01-31"), "population")] == 1500.0


def test_native_totals_filters(internal):
    t = internal.native_totals(Filter(entities=("FR",), channels=("intranet",), kpis=("population",)))
    # January FR intranet 1000, February FR intranet 1010 (period_end decides the month)
    assert t["value"].tolist() == [1000.0, 1010.0]
    assert t["period_end"].dt.strftime("%Y-%m-%d").tolist() == ["2026-01-31", "2026-02-28"]
    assert internal.native_totals(Filter(start=date(2026, 2, 1), kpis=("population",)))["value"].tolist() == [1010.0]
    assert internal.native_totals(Filter(segments=("B2B",))).empty
    with pytest.raises(StoreError):
        internal.native_totals(by=("kpi",))


def test_observations_dimension_values_coverage(internal):
    got = internal.observations(Filter(segments=("B2C",)))
    assert got[["entity", "kpi", "value"]].values.tolist() == [["FR", "clicks", 7.0]]
    dims = internal.dimension_values(("B2E",))
    assert dims["entities"] == ["DE", "FR"] and dims["channels"] == ["esn", "intranet"]
    assert dims["kpis"] == ["active_users", "contributions", "population"]
    assert dims["periods"] == (pd.Timestamp("2026-01-01"), pd.Timestamp("2026-02-28"))
    assert internal.dimension_values()["segments"] == ["B2C", "B2E"]
    put(internal, obs(("2026-02-01", "2026-04-30", "B2E", "FR", "esn", ALL, "comments", 9.0)), origin="manual")
    cov = internal.coverage()
    assert [(o, m.strftime("%Y-%m"), n) for o, m, n in cov[["origin", "month", "rows"]].itertuples(index=False)] == [
        ("m365", "2026-01", 10), ("m365", "2026-02", 1),
        ("manual", "2026-02", 1), ("manual", "2026-03", 1), ("manual", "2026-04", 1),
    ]


# --- targets, mappings, data version -----------------------------------------------


def test_targets_replace_by_key_and_nan_removes(store):
    n = store.set_targets(pd.DataFrame({
        "kpi": ["clicks", "clicks", "adoption_rate"], "segment": ["B2C", "B2C", "B2E"], "entity": [None, "FR", ""],
        "period_start": ["2026-01-01", "2026-01-01", "2026-01-01"],
        "period_end": ["2026-12-31", "2026-03-31", "2026-01-31"], "value": [1e6, 2e5, 0.6],
    }), by="cdo")
    assert n == 3
    t = store.targets()
    assert t[["kpi", "entity", "grain", "value", "set_by"]].values.tolist() == [
        ["adoption_rate", None, "month", 0.6, "cdo"], ["clicks", "FR", "quarter", 2e5, "cdo"],
        ["clicks", None, "year", 1e6, "cdo"],
    ]
    store.set_targets(pd.DataFrame({"kpi": ["clicks", "clicks"], "segment": ["B2C", "B2C"], "entity": [None, "FR"],
                                    "period_start": ["2026-01-01"] * 2, "period_end": ["2026-12-31", "2026-03-31"],
                                    "value": [1.2e6, float("nan")]}), by="dg")
    t = store.targets()
    assert t[["kpi", "entity", "value", "set_by"]].values.tolist() == [
        ["adoption_rate", None, 0.6, "cdo"], ["clicks", None, 1.2e6, "dg"]]
    with pytest.raises(StoreError, match="unknown KPIs"):
        store.set_targets(pd.DataFrame({"kpi": ["nope"], "segment": ["B2C"], "period_start": ["2026-01-01"],
                                        "period_end": ["2026-01-31"], "value": [1.0]}))


def test_remembered_mappings_keyed_like_ingestion(store):
    store.remember_mapping(["Mois", " Dépenses (EUR)", "Clics"], {"Mois": "period:month", "Clics": "clicks"}, by="cdo")
    store.remember_mapping(["clics", "MOIS", "Dépenses (EUR) "], {"Mois": "period:month"}, by="dg")  # same set
    [m] = store.remembered_mappings()
    assert m.headers == fold_headers(["Mois", "Dépenses (EUR)", "Clics"]) == ("clics", "depenses", "mois")
    assert (m.mapping, m.saved_by) == ({"Mois": "period:month"}, "dg")


def test_data_version_changes_after_every_write_and_is_cheap(store):
    seen = {store.data_version()}
    b = put(store, obs(row(1, "FR", 1.0)))
    seen.add(store.data_version())
    store.set_targets(pd.DataFrame({"kpi": ["clicks"], "segment": ["B2C"], "period_start": ["2026-01-01"],
                                    "period_end": ["2026-01-31"], "value": [1.0]}))
    seen.add(store.data_version())
    store.remember_mapping(["a", "b"], {"a": "clicks"})
    seen.add(store.data_version())
    store.delete_batch(b.batch_id)
    seen.add(store.data_version())
    assert len(seen) == 5
    assert store.data_version() == store.data_version()
    t0 = time.perf_counter()
    for _ in range(1000):
        store.data_version()
    assert time.perf_counter() - t0 < 0.5  # no DuckDB involved


# --- concurrency, locks, crashes ---------------------------------------------------


def _child(code: str, *args, **kw) -> subprocess.Popen:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.Popen([sys.executable, "-c", textwrap.dedent(code), *map(str, args)], cwd=ROOT, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, **kw)


HOLD = """
import sys, time, duckdb
con = duckdb.connect(sys.argv[1], read_only=sys.argv[2] == "ro")
print("ready", flush=True)
time.sleep(float(sys.argv[3]))
"""


def test_locked_store_gives_up_after_bounded_retry(store):
    put(store, obs(row(1, "FR", 1.0)))
    s = Store(store.path, lock_timeout=0.6)
    holder = _child(HOLD, store.path, "rw", 30)
    try:
        assert holder.stdout.readline().strip() == "ready"
        t0 = time.perf_counter()
        with pytest.raises(StoreLocked) as exc:
            s.batches()
        elapsed = time.perf_counter() - t0
        assert 0.5 <= elapsed < 3.0
        assert "occupée" in exc.value.message_fr and "busy" in exc.value.message_en
        assert s.data_version()  # still answers: never opens DuckDB
    finally:
        holder.kill()
        holder.wait()
    assert [b["id"] for b in s.batches()] == [1]


def test_writer_waits_for_a_short_reader(store):
    holder = _child(HOLD, store.path, "ro", 0.8)
    try:
        assert holder.stdout.readline().strip() == "ready"
        t0 = time.perf_counter()
        out = put(store, obs(row(1, "FR", 1.0)))
        assert out.batch_id == 1 and time.perf_counter() - t0 >= 0.3
    finally:
        holder.wait()


def test_imports_are_serialised_by_the_lock_file(store):
    holder = _child("""
        import fcntl, sys, time
        fd = open(sys.argv[1] + ".lock", "a")
        fcntl.flock(fd, fcntl.LOCK_EX)
        print("ready", flush=True)
        time.sleep(30)
    """, store.path)
    try:
        assert holder.stdout.readline().strip() == "ready"
        with pytest.raises(StoreLocked):
            Store(store.path, lock_timeout=0.3).import_batch(obs(row(1, "FR", 1.0)), file_name="x", sha256="x")
        assert store.batches() == []  # reads are not blocked by a waiting import
    finally:
        holder.kill()
        holder.wait()


SLOW_IMPORT = """
import sys, time
import numpy as np, pandas as pd
from kpis import store as st

path, mode = sys.argv[1], sys.argv[2]
original = st._insert_observations

def insert(con, frame, batch_id):
    print("in transaction", flush=True)
    original(con, frame, batch_id)
    if mode == "sleep":
        print("inserted", flush=True)
        time.sleep(60)

st._insert_observations = insert
n = 400_000
months = pd.date_range("2026-01-01", periods=4, freq="MS")
df = pd.DataFrame({
    "period_start": np.repeat(months, n // 4),
    "segment": "B2C", "entity": np.tile([f"E{i}" for i in range(100)], n // 100),
    "channel": "search", "initiative": np.tile([f"I{i}" for i in range(1000)], n // 1000), "kpi": "clicks",
    "value": np.arange(n, dtype="float64"),
})
df["period_end"] = df["period_start"] + pd.offsets.MonthEnd(0)
st.Store(path).import_batch(df, file_name="big.xlsx", sha256="big", parser_version="t")
print("committed", flush=True)
"""


def test_sigkill_mid_import_leaves_store_logically_unchanged(store):
    put(store, obs(row(1, "E1", 5.0, initiative="I1"), row(1, ALL, 50.0), row(6, "E2", 7.0)), file_name="old.xlsx")
    store.set_targets(pd.DataFrame({"kpi": ["clicks"], "segment": ["B2C"], "period_start": ["2026-01-01"],
                                    "period_end": ["2026-12-31"], "value": [10.0]}))
    before = snapshot(store)
    rng = random.Random(7)
    rounds = [("sleep", 0.0)] * 2 + [("race", rng.uniform(0.0, 0.6)) for _ in range(3)]
    for mode, delay in rounds:
        child = _child(SLOW_IMPORT, store.path, mode)
        assert child.stdout.readline().strip() == "in transaction"
        if mode == "sleep":
            assert child.stdout.readline().strip() == "inserted"
        else:
            time.sleep(delay)
        child.send_signal(signal.SIGKILL)
        child.wait()
        after = snapshot(store)
        if len(after["batches"]) == len(before["batches"]):
            assert_same_tables(before, after)  # nothing of the batch landed
        else:  # the kill came after the commit: then all of it landed
            assert len(after["observations"]) == len(before["observations"]) + 400_000
            store.delete_batch(int(after["batches"]["id"].max()))
            before = snapshot(store)
    assert store.recompute_current() == 0
    assert put(store, obs(row(2, "E1", 1.0))).rows_stored == 1  # the store still works


def test_cli_import_while_another_process_reads(tmp_path):
    path = tmp_path / "p.duckdb"
    Store(path)
    files = []
    for i in range(4):
        f = tmp_path / f"ads{i}.csv"
        days = pd.date_range(f"202{i}-01-01", periods=3000, freq="D").strftime("%Y-%m-%d")
        pd.DataFrame({"Date": days, "Clicks": range(3000), "Impressions": range(1, 3001)}).to_csv(f, index=False)
        files.append(f)
    reader = _child("""
        import sys, time
        from kpis.store import Store
        from kpis.model import Filter
        s = Store(sys.argv[1], lock_timeout=30)
        seen = set()
        t0 = time.time()
        while time.time() - t0 < 6 and len(seen) < 5:
            seen.add(len(s.batches()))
            s.native_totals(Filter(segments=("B2C",)))
        print(sorted(seen))
    """, path)
    time.sleep(0.2)
    writer = subprocess.run([sys.executable, "-m", "kpis", "import", *map(str, files), "--segment", "B2C",
                             "--store", str(path)], cwd=ROOT, capture_output=True, text=True, timeout=120)
    out, err = reader.communicate(timeout=60)
    assert writer.returncode == 0, writer.stdout + writer.stderr
    assert [line.split(":")[1].split("(")[0].strip() for line in writer.stdout.splitlines()] == [
        "batch 1", "batch 2", "batch 3", "batch 4"]
    assert reader.returncode == 0, err
    seen = json.loads(out)
    assert len(seen) >= 2 and seen[0] <= 1  # it read while the imports went on


# --- backup, CLI -------------------------------------------------------------------


def test_backup_restore_round_trip_is_identical(store, tmp_path):
    put(store, obs(row(1, "FR", 100.0), row(1, "DE", 50.0)), sample=True, sheets=["Feuil1", "Feuil2"])
    b = put(store, obs(row(1, ALL, 160.0)))
    put(store, obs(row(2, "FR", 1.0)))
    store.delete_batch(3, by="cdo")
    store.set_targets(pd.DataFrame({"kpi": ["clicks"], "segment": ["B2C"], "entity": ["FR"],
                                    "period_start": ["2026-01-01"], "period_end": ["2026-12-31"], "value": [5.0]}))
    store.remember_mapping(["Mois", "Clics"], {"Mois": "period:month"})
    before = snapshot(store)
    counts = store.backup(tmp_path / "bk")
    assert counts["observations"] == 3 and counts["batches"] == 2
    assert json.loads((tmp_path / "bk" / "manifest.json").read_text())["schema_version"] == SCHEMA_VERSION
    version = store.data_version()
    store.delete_batch(b.batch_id)
    store.set_targets(pd.DataFrame({"kpi": ["clicks"], "segment": ["B2C"], "period_start": ["2027-01-01"],
                                    "period_end": ["2027-01-31"], "value": [1.0]}))
    store.restore(tmp_path / "bk", by="dsi")
    assert_same_tables(before, snapshot(store), skip_data_version=True, restored=True)
    assert store.data_version() != version
    # the trail of what happened before the backup is kept, and the restore itself is recorded
    trail = store.audit()
    # newest first: three imports, the deletion of batch 3 and the target, then the restore
    assert trail["action"].tolist() == ["restore", "targets", "delete_batch", "import", "import", "import"]
    assert trail.iloc[2]["who"] == "cdo" and trail.iloc[2]["detail"] == {"batch": 3, "values": 1}
    assert (trail.iloc[0]["who"], trail.iloc[0]["detail"]) == ("dsi", {"backup": "bk"})
    other = Store(tmp_path / "other.duckdb")
    other.restore(tmp_path / "bk")
    assert_same_tables(before, snapshot(other), skip_data_version=True, restored=True)
    with pytest.raises(StoreError):
        other.restore(tmp_path / "nothing-here")


def test_cli_batches_json_delete_and_exit_codes(store, tmp_path, capsys):
    put(store, obs(row(1, "FR", 100.0)), file_name="ads.xlsx", rows_kept=1, origin="google_ads_campaign")
    put(store, obs(row(1, "FR", 120.0)), file_name="ads2.xlsx", rows_kept=1, sample=True, adds=True)
    assert cli.main(["batches", "--format", "json", "--store", str(store.path)]) == 0
    data = json.loads(capsys.readouterr().out)
    assert [list(d) for d in data] == [["id", "file", "origin", "imported_at", "imported_by", "rows_kept", "segments",
                                        "period_start", "period_end", "status", "sample"]] * 2
    assert [(d["id"], d["file"], d["status"], d["sample"]) for d in data] == [
        (1, "ads.xlsx", "current", False), (2, "ads2.xlsx", "current", True)]  # other origin: both current
    assert cli.main(["batches", "--store", str(store.path)]) == 0
    assert "ads2.xlsx" in capsys.readouterr().out
    assert cli.main(["delete-batch", "9", "--store", str(store.path)]) == 1
    assert "No batch with id 9" in capsys.readouterr().err
    assert cli.main(["delete-demo", "--store", str(store.path)]) == 0
    assert "2" in capsys.readouterr().out
    assert cli.main(["backup", str(tmp_path / "bk"), "--store", str(store.path)]) == 0
    assert cli.main(["restore", str(tmp_path / "bk"), "--store", str(store.path)]) == 0
    assert [b["id"] for b in store.batches()] == [1]
    with pytest.raises(SystemExit) as exc:
        cli.main(["delete-batch", "x", "--store", str(store.path)])
    assert exc.value.code == 2


def test_cli_import_refuses_duplicates_and_unreadable_files(tmp_path, capsys):
    f = tmp_path / "ads.csv"
    f.write_text("Date,Clicks,Impressions\n2026-01-01,10,100\n2026-01-02,12,130\n")
    bad = tmp_path / "notes.csv"
    bad.write_text("hello\nworld\n")
    path = str(tmp_path / "p.duckdb")
    assert cli.main(["import", str(f), "--segment", "B2C", "--store", path, "--by", "cdo"]) == 0
    assert "batch 1 (4 observations" in capsys.readouterr().out
    assert cli.main(["import", str(f), str(bad), "--segment", "B2C", "--store", path]) == 1
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith("ads.csv: refused: This file was already imported (batch 1")
    assert out[1].startswith("notes.csv: refused")
    assert Store(path).batches()[0]["imported_by"] == "cdo"


def test_targets_are_read_again_when_another_instance_changes_them(tmp_path):
    path = tmp_path / "p.duckdb"
    reader, writer = Store(path), Store(path)
    target = pd.DataFrame({"kpi": ["clicks"], "segment": ["B2C"], "period_start": ["2026-01-01"],
                           "period_end": ["2026-12-31"], "value": [1000.0]})
    assert reader.targets().empty
    writer.set_targets(target)
    assert reader.targets()["value"].tolist() == [1000.0]  # the data version moved: read again
    writer.set_targets(target.assign(value=[1200.0]))
    assert reader.targets()["value"].tolist() == [1200.0]
    mine = reader.targets()
    mine.loc[0, "value"] = -1  # a caller changing its copy changes nothing in the cache
    assert reader.targets()["value"].tolist() == [1200.0]
