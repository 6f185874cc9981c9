"""The topics and influencer profiles of an ESN export, stored with its batch (schema 11): superseded, deleted,
undeleted, backed up and restored like the batch's observations. Golden values by hand beside each."""

from datetime import date

import duckdb
import pandas as pd
import pytest

from conftest import as_version
from kpis import ingest
from kpis.model import ALL
from kpis.store import SCHEMA_VERSION, Store

HEADER = "Date;Communauté;Auteur;Nom;E-mail;Direction;Texte;ID;Réponse à"
SEPTEMBER = [  # e1 starts m1, e2–e6 answer it; six people of Industrie
    "01/09/2026;Usine;e1;Jeanne Roux;jeanne.roux@horizon.example;Industrie;Cantine de Lyon fermée;m1;",
    *(f"0{k}/09/2026;Usine;e{k};Nom{k} Durand;n{k}@horizon.example;Industrie;Cantine de Lyon ok;m{k};m1"
      for k in range(2, 7)),
]
LATER = "07/09/2026;Usine;e7;Paul Blanc;paul.blanc@horizon.example;Industrie;Cantine de Lyon rouverte;m7;m1"


def _import(store: Store, tmp_path, name: str, lines: list[str]) -> int:
    path = tmp_path / name
    path.write_text("\n".join([HEADER, *lines]), encoding="utf-8")
    result = ingest.check_file(path)
    return store.import_batch(**result.batch(imported_by="test")).batch_id


def _terms(store: Store) -> set:
    return {(r.month, r.grp, r.term, r.authors, r.messages) for r in store.esn_terms().itertuples()}


def _profiles(store: Store) -> list:
    return [(r.month, r.rank, r.department, r.threads, r.replies, r.score) for r in store.esn_profiles().itertuples()]


SEPT = date(2026, 9, 1)
# Batch A: « cantine » and « lyon » in all six messages by six authors (« de » is a stop word, so no « cantine lyon »;
# « ok » is too short; « fermée » and « lyon fermée » have one author): kept in Usine (6 authors) and the network.
TERMS_A = {(SEPT, g, t, 6, 6) for g in ("Usine", ALL) for t in ("cantine", "lyon")}
# PageRank, 6 people, e2–e6 each give all to e1, e1 (no reply given) shares evenly:
# leaf L = 0.15/6 + 0.85 r1/6, r1 = L + 0.85 × 5 L = 5.25 L; 5 L + 5.25 L = 1 → r1 = 5.25/10.25 = 0.512195
PROFILES_A = [(SEPT, 1, "Industrie", 1, 5, 0.512195)]
# Batch B adds e7's answer: 7 authors and messages; 7 people, r1 = L + 0.85 × 6 L = 6.1 L, 6 L + 6.1 L = 1
# → r1 = 6.1/12.1 = 0.504132
TERMS_B = {(SEPT, g, t, 7, 7) for g in ("Usine", ALL) for t in ("cantine", "lyon")}
PROFILES_B = [(SEPT, 1, "Industrie", 1, 6, 0.504132)]


def test_the_aggregates_are_stored_with_the_batch_and_nothing_personal(tmp_path):
    store = Store(tmp_path / "s.duckdb")
    batch = _import(store, tmp_path, "rse.csv", SEPTEMBER)
    assert _terms(store) == TERMS_A
    assert _profiles(store) == PROFILES_A
    assert set(store.table_rows("esn_terms")["batch_id"]) == {batch}
    con = duckdb.connect(str(store.path), read_only=True)
    dumped = " ".join(str(v) for t in ("esn_terms", "esn_profiles")
                      for row in con.execute(f"SELECT * FROM {t}").fetchall() for v in row)
    con.close()
    for secret in ("e1", "Jeanne", "Roux", "horizon.example", "m1", "Durand"):
        assert secret not in dumped


def test_a_later_export_of_the_same_month_supersedes_them_and_delete_undelete_follow(tmp_path):
    store = Store(tmp_path / "s.duckdb")
    first = _import(store, tmp_path, "rse-a.csv", SEPTEMBER)
    second = _import(store, tmp_path, "rse-b.csv", [*SEPTEMBER, LATER])
    assert _terms(store) == TERMS_B and _profiles(store) == PROFILES_B  # batch A's month is superseded
    assert len(store.table_rows("esn_terms")) == 8  # both batches' rows kept, only B's read
    out = store.delete_batch(second, by="test")
    assert _terms(store) == TERMS_A and _profiles(store) == PROFILES_A  # A is current again
    assert len(store.table_rows("deleted_esn_terms")) == 4 and len(store.table_rows("deleted_esn_profiles")) == 1
    store.undelete(out.deletion_id, by="test")
    assert _terms(store) == TERMS_B and _profiles(store) == PROFILES_B
    assert store.table_rows("deleted_esn_terms").empty
    store.delete_batch(first, by="test")
    assert _terms(store) == TERMS_B and set(store.table_rows("esn_terms")["batch_id"]) == {second}


def test_backup_and_restore_keep_them(tmp_path):
    store = Store(tmp_path / "s.duckdb")
    _import(store, tmp_path, "rse.csv", SEPTEMBER)
    counts = store.backup(tmp_path / "bk")
    assert (counts["esn_terms"], counts["esn_profiles"]) == (4, 1)
    other = Store(tmp_path / "t.duckdb")
    other.restore(tmp_path / "bk")
    assert _terms(other) == TERMS_A and _profiles(other) == PROFILES_A


def test_the_window_cuts_by_month(tmp_path):
    store = Store(tmp_path / "s.duckdb")
    _import(store, tmp_path, "rse.csv", SEPTEMBER)
    assert len(store.esn_terms(date(2026, 9, 15), date(2026, 9, 30))) == 4  # a month counts from its first day
    assert store.esn_terms(date(2026, 10, 1), date(2026, 10, 31)).empty
    assert store.esn_profiles(date(2026, 8, 1), date(2026, 8, 31)).empty


def test_a_version_10_store_is_migrated_with_empty_tables(tmp_path):
    path = tmp_path / "old.duckdb"
    Store(path)
    as_version(path, 10)
    store = Store(path)
    assert store.schema_version() == SCHEMA_VERSION
    assert store.esn_terms().empty and isinstance(store.esn_profiles(), pd.DataFrame)
    _import(store, tmp_path, "rse.csv", SEPTEMBER)
    assert _terms(store) == TERMS_A


def test_an_unknown_aggregate_table_is_refused(tmp_path):
    from kpis.errors import StoreError
    store = Store(tmp_path / "s.duckdb")
    frame = pd.DataFrame({"kpi": ["esn_messages"], "segment": ["B2E"], "period_start": ["2026-09-01"],
                          "period_end": ["2026-09-30"], "value": [1.0], "entity": ["Usine"], "channel": ["ESN"]})
    with pytest.raises(StoreError):
        store.import_batch(frame, file_name="x.csv", sha256=None, esn={"names": pd.DataFrame({"a": [1]})})
    assert store.batches() == []  # nothing written: same transaction
