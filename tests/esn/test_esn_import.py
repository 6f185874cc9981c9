"""ESN message exports: recognised by headers, aggregated at import into the internal e-reputation KPIs."""

from datetime import date

import pytest
from formats_files import ESN_VIVA_CSV as VIVA_CSV
from formats_files import esn_generic_csv

from kpis import ingest, metrics
from kpis.esn.layout import GENERIC_FORMAT, VIVA_FORMAT, find_layout
from kpis.esn.messages import NETWORK_FEED, read_messages
from kpis.esn.monthly import monthly
from kpis.esn.sentiment import tones
from kpis.ingest.readers import RawSheet
from kpis.model import ALL, OTHER, Filter
from kpis.store import Store


def _sheet(data: bytes) -> RawSheet:
    import csv
    import io
    rows = list(csv.reader(io.StringIO(data.decode("utf-8"))))
    return RawSheet("Messages", rows, list(range(1, len(rows) + 1)))


def test_the_viva_engage_layout_and_a_generic_one_are_recognised_by_headers():
    assert find_layout(_sheet(VIVA_CSV).rows).format == VIVA_FORMAT
    generic = find_layout([["Date", "Communauté", "Auteur", "Texte", "Réponse à", "Réactions"]])
    assert generic.format == GENERIC_FORMAT and set(generic.columns) == {
        "date", "group", "author", "text", "replied_to", "reactions"}
    assert find_layout([["Date", "Groupe", "Messages", "Réactions"]]) is None  # a KPI file, not messages


def test_tones_of_the_golden_export_are_the_ones_written_beside_it():
    sheet = _sheet(VIVA_CSV)
    msgs = read_messages(sheet.rows, sheet.row_numbers, find_layout(sheet.rows))
    # 13 rows − 2 private − 1 deleted = 10 messages, in source order
    assert tones(msgs.text) == [1, 1, 0, -1, 0, 0, 0, -1, 1, 0]
    assert dict(msgs.excluded) == {"private": 2, "deleted": 1}
    assert msgs.group[8] == NETWORK_FEED


def test_volumes_voices_and_replies_per_month_and_group():
    sheet = _sheet(VIVA_CSV)
    msgs = read_messages(sheet.rows, sheet.row_numbers, find_layout(sheet.rows))
    rows = {(r.start, r.group): r for r in monthly(msgs, tones(msgs.text), min_group=1)}
    sept = date(2026, 9, 1)
    atlas = rows[(sept, "Atlas")]
    # threads 1, 4, 5; thread 1 answered in September, thread 5 in October, thread 4 never: 2 replied
    # messages 1–5; authors 101–105; tones + + 0 − 0
    assert atlas.values == {"esn_threads": 3, "esn_replied_threads": 2, "esn_messages": 5, "esn_voices": 5,
                            "esn_positive_messages": 2, "esn_negative_messages": 1, "esn_neutral_messages": 2}
    assert (atlas.start, atlas.end) == (date(2026, 9, 1), date(2026, 9, 30))
    assert rows[(sept, "Beta")].values["esn_replied_threads"] == 1
    assert rows[(sept, NETWORK_FEED)].values["esn_voices"] == 1
    assert rows[(sept, ALL)].values == {"esn_voices": 8}  # 101–105, 107, 108, 110
    october = rows[(date(2026, 10, 1), "Atlas")]
    # clipped to the export's last day; messages 6 (a reply) and 13 (a new thread, unanswered)
    assert october.end == date(2026, 10, 3)
    assert october.values["esn_threads"] == 1 and october.values["esn_messages"] == 2
    assert october.values["esn_voices"] == 2


def test_a_group_of_fewer_than_five_authors_is_never_published():
    sheet = _sheet(VIVA_CSV)
    msgs = read_messages(sheet.rows, sheet.row_numbers, find_layout(sheet.rows))
    rows = monthly(msgs, tones(msgs.text))
    # September: Beta (2) and the feed (1) are too small, together 3 < 5, so Atlas (5) joins them
    assert {r.group for r in rows} == {OTHER, ALL}


def _imported(tmp_path, data: bytes, name: str, fmt: str):
    """The export read, checked as ``fmt``, imported into a new store: its check result and B2E KPI table."""
    path = tmp_path / name
    path.write_bytes(data)
    result = ingest.check_file(path)
    assert result.sheets[0].format == fmt
    store = Store(tmp_path / "s.duckdb")
    store.import_batch(**result.batch(imported_by="test"))
    flt = Filter(segments=("B2E",))
    return result, metrics.kpi_table(metrics.fetch(store, flt), flt, "month")


def test_import_gives_the_network_kpis_and_their_ratios(tmp_path):
    result, table = _imported(tmp_path, VIVA_CSV, "Messages.csv", VIVA_FORMAT)
    sept = table[table["period"] == "2026-09"].set_index("kpi")["value"]
    assert sept["esn_messages"] == 8 and sept["esn_threads"] == 5
    assert sept["esn_voices"] == 8  # the network's distinct authors, not a sum over groups
    assert sept["esn_reply_rate"] == pytest.approx(3 / 5)  # threads 1, 5 and 7 answered of 1, 4, 5, 7, 12
    assert sept["esn_sentiment_score"] == pytest.approx((3 - 2) / 8)  # 3 positive, 2 negative of 8
    notes = [i.message_en for i in result.all_issues if i.code == "esn_excluded"]
    assert notes == ["Messages left out (in a private group or conversation): 2.",
                     "Messages left out (deleted): 1."]


def test_a_generic_export_with_reply_ids_and_departments(tmp_path):
    result, table = _imported(tmp_path, *esn_generic_csv(), GENERIC_FORMAT)
    table = table.set_index("kpi")["value"]
    # six threads, one answered (m7 answers m1, m8 answers m7 in the same thread); 8 authors, 8 messages
    assert table["esn_threads"] == 6 and table["esn_reply_rate"] == pytest.approx(1 / 6)
    assert table["esn_voices"] == 8 and table["esn_messages"] == 8
