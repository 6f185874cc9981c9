"""Property: importing a file twice, or a re-saved copy of it, never changes a total in the store.

A small KPI table is generated (days, an entity, one to three B2E KPIs among flows and stocks), written
by openpyxl and imported into a fresh store. Then the same bytes, and a copy with the same values (rows
shuffled, another file name, written by openpyxl or as CSV, or printed as a grouped report with each
entity once and its subtotal row) are imported through the same path as the command line: refused as a
duplicate or as another origin's data, or superseding the first batch, the store's totals stay the same.
"""

from __future__ import annotations

import csv
import io
import random
import tempfile
from datetime import date, timedelta
from pathlib import Path

import openpyxl
from hypothesis import event, given, settings
from hypothesis import strategies as st

from kpis import ingest
from kpis.errors import DuplicateBatch, OverlapConflict
from kpis.store import Store

KPI_HEADERS = {"contributions": "Contributions", "comments": "Commentaires", "reactions": "Réactions",
               "population": "Effectif", "spaces": "Espaces collaboratifs"}
STOCKS = {"population", "spaces"}
ENTITIES = ("France", "Belgique", "Suisse", "Maroc")
FIRST_DAY = date(2026, 9, 1)


@st.composite
def tables(draw) -> tuple[list[str], list[list]]:
    """(headers, rows): distinct (day, entity) rows, values a flow count or a stock of people, in quarters."""
    kpis = draw(st.lists(st.sampled_from(sorted(KPI_HEADERS)), min_size=1, max_size=3, unique=True))
    entities = draw(st.lists(st.sampled_from(ENTITIES), min_size=1, max_size=3, unique=True))
    days = draw(st.lists(st.integers(0, 90), min_size=1, max_size=6, unique=True))
    keys = draw(st.lists(st.tuples(st.sampled_from(sorted(days)), st.sampled_from(entities)),
                         min_size=1, max_size=12, unique=True))
    rows = []
    for day, entity in keys:
        values = [draw(st.integers(1000, 1100)) if k in STOCKS else draw(st.integers(0, 40_000)) / 4 for k in kpis]
        rows.append([FIRST_DAY + timedelta(days=day), entity, *values])
    return ["Jour", "Entité", *(KPI_HEADERS[k] for k in kpis)], rows


def xlsx(headers: list[str], rows: list[list], title: str | None = None) -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Activité"
    if title:
        sheet.append([title])
        sheet.append([])
    sheet.append(headers)
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def as_csv(headers: list[str], rows: list[list]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(headers)
    writer.writerows([[c.isoformat() if isinstance(c, date) else c for c in row] for row in rows])
    return out.getvalue().encode("utf-8")


def grouped(headers: list[str], rows: list[list]) -> list[list]:
    """The rows as a CRM formatted report: entity first, printed once per group, a subtotal row per entity."""
    out: list[list] = []
    for entity in dict.fromkeys(r[1] for r in sorted(rows, key=lambda r: (r[1], r[0]))):
        lines = sorted((r for r in rows if r[1] == entity), key=lambda r: r[0])
        out += [[entity if k == 0 else None, r[0], *r[2:]] for k, r in enumerate(lines)]
        out.append([f"Total {entity}", None, *(sum(r[j] for r in lines) for j in range(2, len(headers)))])
    return out


def import_bytes(store: Store, data: bytes, name: str, origin: str | None = None) -> str:
    """What ``python -m kpis import`` does with one file; returns how it ended."""
    result = ingest.check_bytes(data, name, segment="B2E")
    assert result.importable, [i.message_en for i in result.all_issues]
    try:
        store.import_batch(**result.batch(origin=origin, imported_by="test"))
    except DuplicateBatch:
        return "duplicate"
    except OverlapConflict:
        return "other origin"
    return "imported"


def totals(store: Store) -> dict:
    frame = store.native_totals()
    return {(str(r.period_start), str(r.period_end), r.segment, r.kpi): round(r.value, 6)
            for r in frame.itertuples()}


@settings(max_examples=25, deadline=None)
@given(table=tables(), copy=st.sampled_from(["xlsx", "csv", "grouped"]), seed=st.integers(0, 2 ** 32 - 1))
def test_importing_twice_or_a_resaved_copy_never_changes_a_total(table, copy, seed):
    headers, rows = table
    with tempfile.TemporaryDirectory() as tmp:
        store = Store(Path(tmp) / "store.duckdb")
        first = xlsx(headers, rows, title="Activité des communautés")
        assert import_bytes(store, first, "activite.xlsx") == "imported"
        before = totals(store)
        # one value per (day, entity): per KPI, the native totals add up to the column's sum (stocks are
        # summed over entities within a period, flows over everything)
        per_kpi: dict[str, float] = {}
        for (_, _, _, kpi), value in before.items():
            per_kpi[kpi] = per_kpi.get(kpi, 0.0) + value
        columns = {k: h for k, h in KPI_HEADERS.items() if h in headers}
        assert per_kpi == {k: sum(r[headers.index(h)] for r in rows) for k, h in columns.items()}

        assert import_bytes(store, first, "activite.xlsx") == "duplicate"
        assert totals(store) == before

        shuffled = rows[:]
        random.Random(seed).shuffle(shuffled)
        if copy == "csv":
            data, name = as_csv(headers, shuffled), "activite (copie).csv"
        elif copy == "xlsx":
            data, name = xlsx(headers, shuffled), "activite_v2.xlsx"
        else:
            data, name = xlsx(["Entité", "Jour", *headers[2:]], grouped(headers, rows)), "rapport_groupe.xlsx"
        outcome = import_bytes(store, data, name)
        assert outcome in ("duplicate", "other origin", "imported")
        event(f"{copy} copy: {outcome}")
        assert totals(store) == before, outcome
        if outcome == "other origin":  # the user says it corrects the first batch (--replaces)
            origin = store.batches()[0]["origin"]
            import_bytes(store, data, name, origin=origin)
            assert totals(store) == before


def per_kpi(found: dict) -> dict[str, float]:
    out: dict[str, float] = {}
    for (_, _, _, kpi), value in found.items():
        out[kpi] = round(out.get(kpi, 0.0) + value, 6)
    return out


@settings(max_examples=15, deadline=None)
@given(table=tables(), as_text=st.booleans(), seed=st.integers(0, 2 ** 32 - 1))
def test_a_corrected_copy_changes_one_total_by_the_difference(table, as_text, seed):
    """One value changed in a re-saved copy: refused as another origin's data (a CSV copy of a workbook), or,
    as a correction of the first batch, every total moves by exactly that difference: nothing doubles."""
    headers, rows = table
    rng = random.Random(seed)
    with tempfile.TemporaryDirectory() as tmp:
        store = Store(Path(tmp) / "store.duckdb")
        assert import_bytes(store, xlsx(headers, rows), "activite.xlsx") == "imported"
        before = per_kpi(totals(store))
        corrected = [r[:] for r in rows]
        rng.shuffle(corrected)
        i, j = rng.randrange(len(corrected)), rng.randrange(2, len(headers))
        corrected[i][j] += 1
        kpi = next(k for k, h in KPI_HEADERS.items() if h == headers[j])
        data, name = (as_csv(headers, corrected), "activite.csv") if as_text else (xlsx(headers, corrected), "v2.xlsx")
        outcome = import_bytes(store, data, name)
        event(f"{'csv' if as_text else 'xlsx'} correction: {outcome}")
        if outcome == "other origin":
            assert per_kpi(totals(store)) == before
            outcome = import_bytes(store, data, name, origin=store.batches()[0]["origin"])  # --replaces
        assert outcome == "imported"
        assert per_kpi(totals(store)) == {k: v + (1 if k == kpi else 0) for k, v in before.items()}
