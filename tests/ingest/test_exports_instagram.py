"""Instagram content exports of Meta Business Suite (kpis/ingest/exports/instagram.py).

The files are written by ``families_files`` as Meta writes them and read through ``read_file``; the hand totals
are in comments beside the rows. Near misses beside them: the Facebook Page content export, one required header
missing or renamed (not recognised), an unreadable publish time (a clear issue with its row and column).
"""

from __future__ import annotations

from datetime import date

import families_files as fam
import formats_files as ff
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from test_exports import _kpi_totals, _recognised

from kpis import ingest, metrics
from kpis.ingest import exports
from kpis.ingest.exports import recognise
from kpis.ingest.readers import RawSheet, read_file
from kpis.model import Filter
from kpis.store import Store


def _check(made, segment="B2C"):
    data, name = made
    return ingest.check_bytes(data, name, segment=segment)


def test_instagram_content_export_each_post_dated_by_its_publish_day():
    rec = _recognised(fam.instagram_csv())
    assert (rec.format, rec.channels, rec.number_convention, rec.date_order) == (
        "instagram_content", ("Instagram",), "en", "mdy")
    assert rec.maps["Views"] == "impressions:en" and rec.maps["Likes"] == "reactions:en"
    assert rec.maps["Shares"] == "reposts:en" and rec.maps["Follows"] == "new_followers:en"
    assert rec.maps["Comments"] == "comments:en" and rec.maps["Publish time"] == "period:day"
    for header in ("Reach", "Saves", "Data comment", "Date", "Duration (sec)", "Account username", "Description",
                   "Post ID", "Permalink", "Post type"):
        assert rec.maps[header] == "ignore", header  # Date is "Lifetime"; Data comment is no count of comments
    head = rec.sheet.rows[0]
    assert [r[head.index("Publish time")] for r in rec.sheet.rows[1:]] == [
        date(2026, 9, 2), date(2026, 9, 9), date(2026, 9, 15), date(2026, 9, 15)]  # 09/02 is 2 Sept, not 9 Feb
    assert {r[head.index("Date")] for r in rec.sheet.rows[1:]} == {""}  # "Lifetime": no period of its own
    assert _kpi_totals(rec) == fam.INSTAGRAM_TOTALS


def test_instagram_metrics_in_another_order_give_the_same_totals():
    rec = _recognised(fam.instagram_other_order_csv())
    assert rec.sheet.rows[0][11:14] == ["Views", "Likes", "Shares"]  # the file's columns keep their letters
    assert _kpi_totals(rec) == fam.INSTAGRAM_TOTALS


def test_instagram_through_ingestion_and_a_real_store(tmp_path):
    result = _check(fam.instagram_csv())
    assert result.importable and result.origin == "instagram_content" and result.questions == []
    assert result.sheets[0].totals == fam.INSTAGRAM_TOTALS
    assert set(result.observations["channel"]) == {"Instagram"}
    store = Store(tmp_path / "s.duckdb")
    store.import_batch(**result.batch())
    flt = Filter(start=date(2026, 9, 1), end=date(2026, 9, 30))
    t = metrics.kpi_table(metrics.fetch(store, flt), flt, "day", lang="en")
    views = t[(t["kpi"] == "impressions") & (t["segment"] == "B2C")]
    by_day = {str(p)[:10]: v for p, v in zip(views["period"], views["value"], strict=True) if v}
    assert by_day == fam.INSTAGRAM_BY_DAY  # 15,000 on 2 Sept; 2,400 on 9 Sept; 3,100 + 800 = 3,900 on 15 Sept


def test_instagram_spanish_interface():
    rec = _recognised(fam.instagram_es_csv())
    assert (rec.format, rec.date_order) == ("instagram_content", "mdy")
    assert rec.maps["Visualizaciones"] == "impressions:en" and rec.maps["Seguidores"] == "new_followers:en"
    assert rec.maps["Alcance"] == "ignore" and rec.maps["Veces guardado"] == "ignore"
    assert rec.maps["Fecha"] == "ignore" and rec.maps["Hora de publicación"] == "period:day"
    head = rec.sheet.rows[0]
    assert [r[head.index("Hora de publicación")] for r in rec.sheet.rows[1:]] == [date(2026, 9, 3),
                                                                                  date(2026, 9, 12)]
    assert _kpi_totals(rec) == fam.INSTAGRAM_ES_TOTALS
    assert {r[head.index("Fecha")] for r in rec.sheet.rows[1:]} == {""}  # "Total": lifetime, not a totals row
    result = _check(fam.instagram_es_csv())
    assert result.importable and result.sheets[0].totals == fam.INSTAGRAM_ES_TOTALS
    assert result.sheets[0].rows["kept"] == 2


def test_instagram_unreadable_publish_time_is_a_clear_issue_with_row_and_column():
    result = _check(fam.instagram_bad_date_csv())
    sheet = result.sheets[0]
    bad = [i for i in sheet.issues if i.row == 3 and i.column == "G"]
    assert bad and bad[0].severity == "error"
    # the image of 9 Sept is refused: views 21,300 − 2,400 = 18,900, likes 820 − 150 = 670
    assert sheet.rows["rejected"] == 1
    assert (sheet.totals["impressions"], sheet.totals["reactions"]) == (18900.0, 670.0)


INSTAGRAM_NEAR_MISSES = {
    "a Facebook Page content export": [fam.FACEBOOK_CONTENT_HEADER,
                                       ["1", "2", "Page", "t", "d", "0", "09/02/2026 18:00", "", "https://x", "No",
                                        "No", "Photos", "", "", "", "", "Lifetime", "10", "8", "1", "0", "0", "0",
                                        "0", "0"]],
    "without Publish time": [[h for h in fam.INSTAGRAM_HEADER if h != "Publish time"], fam.INSTAGRAM_ROWS[0][:6]],
    "Account username renamed Username": [["Username" if h == "Account username" else h
                                           for h in fam.INSTAGRAM_HEADER], fam.INSTAGRAM_ROWS[0]],
    "no views nor likes": [[h for h in fam.INSTAGRAM_HEADER if h not in ("Views", "Likes")], ["1"]],
    "a hand-made posts sheet": [["Date", "Post", "Views", "Likes", "Comments"], ["2026-09-02", "Reel", 10, 2, 1]],
}


@pytest.mark.parametrize("rows", INSTAGRAM_NEAR_MISSES.values(), ids=INSTAGRAM_NEAR_MISSES.keys())
def test_instagram_near_miss_is_not_recognised(rows):
    assert recognise(read_file(ff.csv_bytes(rows), "x.csv")[0]) is None


def test_a_facebook_page_content_export_is_not_taken_for_instagram():
    rows = INSTAGRAM_NEAR_MISSES["a Facebook Page content export"]
    result = ingest.check_bytes(ff.csv_bytes(rows), "facebook.csv", segment="B2C")
    assert result.origin != "instagram_content"


BODY = st.one_of(st.sampled_from(["", "Lifetime", "Total", "09/15/2026 18:00", "15,000", "IG reel", "n/a",
                                  "2026-09-15", "31/09/2026"]),
                 st.integers(-5, 10 ** 6), st.floats(), st.booleans(), st.dates(), st.text(max_size=6), st.none())


@settings(max_examples=300, deadline=None)
@given(st.sampled_from([fam.INSTAGRAM_HEADER, fam.INSTAGRAM_ES_HEADER]), st.randoms(use_true_random=False),
       st.lists(st.lists(BODY, max_size=20), max_size=6))
def test_instagram_headers_with_any_body_never_raise(header, rnd, body):
    """The real headers in any order over any cells: recognised (its issues for ingestion), never a traceback."""
    head = list(header)
    rnd.shuffle(head)
    found = recognise(RawSheet("s", [head, *body], list(range(1, len(body) + 2))))
    assert found is not None and found.format in exports.FORMATS
    assert len(found.sheet.rows) == len(found.sheet.row_numbers)
