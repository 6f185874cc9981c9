"""Comments on a number: the store's table (kept by backup and restore, migrated from schema 7), the check of
what is written, the card and trend markers, the command line, the pages (AppTest), the workbook and the deck."""

from __future__ import annotations

import io
import json
from datetime import date

import openpyxl
import pandas as pd
import pytest

from conftest import as_version
from kpis import charts, cli, comments, dashboard, deck, demo, metrics
from kpis.errors import StoreError
from kpis.model import Filter
from kpis.settings import local_user
from kpis.store import SCHEMA_VERSION, Store

OCTOBER = Filter(segments=("B2C", "B2E"), start=date(2026, 10, 1), end=date(2026, 10, 31))


@pytest.fixture
def store(tmp_path) -> Store:
    return Store(tmp_path / "s.duckdb")


@pytest.fixture(scope="module")
def demo_store(tmp_path_factory) -> Store:
    store = Store(tmp_path_factory.mktemp("comments") / "demo.duckdb")
    demo.seed(store)
    store.add_comment("clicks", "B2C", "2026-10-01", "2026-10-31", "Soldes d'automne prolongées", by="marie")
    store.add_comment("adoption_rate", "B2E", "2026-09-01", "2026-09-30", "Nouveau intranet", by="paul")
    return store


# --- the store --------------------------------------------------------------------------------------------


def test_add_list_remove_and_numbers_never_given_twice(store):
    assert store.add_comment("clicks", "B2C", "2026-10-01", "2026-10-31", "Soldes", by="marie") == 1
    assert store.add_comment("active_users", "B2E", "2026-09-01", "2026-09-30", "Migration", by="paul",
                             entity="Direction RH") == 2
    found = store.comments()
    assert [(r.id, r.kpi, r.segment, r.entity if isinstance(r.entity, str) else None, r.text, r.author)
            for r in found.itertuples()] == [(1, "clicks", "B2C", None, "Soldes", "marie"),
                                             (2, "active_users", "B2E", "Direction RH", "Migration", "paul")]
    # the window and segment filter: October B2C only → comment 1; September B2E → comment 2
    assert store.comments(Filter(segments=("B2C",), start=date(2026, 10, 1), end=date(2026, 10, 31)))["id"].tolist() \
        == [1]
    assert store.comments(Filter(start=date(2026, 9, 15), end=date(2026, 9, 20)))["id"].tolist() == [2]
    assert store.remove_comment(1, by="marie") == {"id": 1, "kpi": "clicks", "segment": "B2C", "text": "Soldes"}
    assert store.comments()["id"].tolist() == [2]
    with pytest.raises(StoreError, match="already removed"):
        store.remove_comment(1)
    assert store.add_comment("clicks", "B2C", "2026-10-01", "2026-10-31", "Encore", by="marie") == 3  # not 1 again
    removed = store.table_rows("comments").set_index("id")
    assert removed.at[1, "removed_by"] == "marie" and pd.notna(removed.at[1, "removed_at"])


@pytest.mark.parametrize("kpi, segment, start, end, text, message", [
    ("clicks", "B2E", "2026-10-01", "2026-10-31", "x", "Clicks does not exist in B2E."),
    ("klicks", "B2C", "2026-10-01", "2026-10-31", "x", "KPI not in the catalog: klicks."),
    ("clicks", "B2X", "2026-10-01", "2026-10-31", "x", "Unknown segment: B2X (B2C, B2B or B2E)."),
    ("clicks", "B2C", "2026-10-31", "2026-10-01", "x", "The period starts after its end."),
    ("clicks", "B2C", "2026-10-01", "2026-10-31", " \n\t", "The comment is empty."),
    ("clicks", "B2C", "2026-10-01", "2026-10-31", "é" * 501, "Comment too long: 501 characters, 500 at most."),
    ("clicks", "B2C", "le 1er", "2026-10-31", "x", "Unreadable date: 'le 1er'."),
])
def test_bad_comments_are_refused_in_words_and_nothing_is_written(store, kpi, segment, start, end, text, message):
    version = store.data_version()
    with pytest.raises(StoreError) as exc:
        store.add_comment(kpi, segment, start, end, text, by="marie")
    assert exc.value.message_en == message and exc.value.message_fr
    assert store.comments().empty and store.data_version() == version


def test_a_comment_is_one_clean_line():
    # the escape sequence and the right-to-left override go; line breaks become spaces
    assert comments.checked("clicks", "B2C", "2026-10-01", "2026-10-31", "Soldes\x1b[31m\n\u202eok",
                            "ma\trie").text == "Soldes ok"


def test_backup_and_restore_keep_the_comments(store, tmp_path):
    store.add_comment("clicks", "B2C", "2026-10-01", "2026-10-31", "Soldes", by="marie")
    store.add_comment("clicks", "B2C", "2026-09-01", "2026-09-30", "Rentrée", by="paul")
    store.remove_comment(2, by="paul")
    counts = store.backup(tmp_path / "bk")
    assert counts["comments"] == 2  # the removed one too: its number stays taken
    other = Store(tmp_path / "other.duckdb")
    other.restore(tmp_path / "bk")
    pd.testing.assert_frame_equal(other.table_rows("comments"), store.table_rows("comments"))
    assert other.comments()["text"].tolist() == ["Soldes"]


def test_a_schema_9_store_is_migrated_and_gets_the_table(tmp_path):
    path = tmp_path / "old.duckdb"
    Store(path).set_targets(pd.DataFrame({"kpi": ["clicks"], "segment": ["B2C"], "period_start": ["2026-01-01"],
                                          "period_end": ["2026-12-31"], "value": [1000.0]}))
    as_version(path, 9)  # no comments table
    migrated = Store(path)
    assert migrated.schema_version() == SCHEMA_VERSION
    assert migrated.targets()["value"].tolist() == [1000.0]  # nothing else touched
    assert migrated.add_comment("clicks", "B2C", "2026-10-01", "2026-10-31", "ok", by="marie") == 1
    backups = [p.name.split("-", 1)[1] for p in (tmp_path / "old.duckdb.backups").iterdir()]
    assert backups == [f"migration-9-to-{SCHEMA_VERSION}"]


# --- cards, trends, workbook, deck -------------------------------------------------------------------------


def test_the_card_and_the_trend_carry_the_comment(demo_store):
    flt = Filter(segments=("B2C",), start=date(2025, 11, 1), end=date(2026, 10, 31))
    view = metrics.cdo_view(demo_store, flt, "month", lang="fr")
    found = demo_store.comments(flt)
    [clicks] = [c for c in dashboard.cards(view, "B2C", ("clicks",), "fr", None, found)]
    assert clicks.comments == ("Soldes d'automne prolongées — marie",)
    frame = dashboard.world_trend_frame(view.table, "clicks", None, "fr")
    marks = dashboard.comment_marks(frame, found, "fr", "value", "clicks")
    october = frame[frame["period"] == "oct. 2026"]
    # one mark, on October's point of the B2C line (the comment's month)
    assert marks[["period", "series", "value", "label"]].to_numpy().tolist() == [
        ["oct. 2026", "B2C", october["value"].iat[0], "Soldes d'automne prolongées — marie (du 01/10/2026 au "
                                                      "31/10/2026)"]]
    spec = charts.trend(frame, title="Clics", unit="count", lang="fr", comments=marks).to_dict()
    layers = json.dumps(spec["layer"])
    assert '"rule"' in layers and '"label"' in layers
    assert "Soldes d'automne prolongées" in json.dumps(spec["datasets"], ensure_ascii=False)


def test_the_indexed_trends_mark_the_comment_on_its_series(demo_store):
    flt = Filter(segments=("B2C", "B2E"), start=date(2025, 11, 1), end=date(2026, 10, 31))
    view = metrics.cdo_view(demo_store, flt, "month", lang="en")
    trends = dashboard.indexed_frame(view.trends, "en", ("clicks", "adoption_rate"), flt.segments)
    marks = dashboard.comment_marks(trends, demo_store.comments(flt), "en", "index")
    # adoption_rate has no indexed trend here (not a headline KPI): only the clicks comment lands
    assert marks[["period", "series"]].to_numpy().tolist() == [["Oct 2026", "B2C · Clicks"]]


def test_the_workbook_and_the_deck_list_the_comments(demo_store):
    flt = Filter(segments=("B2C", "B2E"), start=date(2026, 9, 1), end=date(2026, 10, 31))
    listed = comments.frame(demo_store.comments(flt), "fr")
    assert listed.to_numpy().tolist()[0][:7] == [1, "Clics", "B2C", "", "du 01/10/2026 au 31/10/2026",
                                                 "Soldes d'automne prolongées", "marie"]
    view = metrics.cdo_view(demo_store, flt, "month", lang="fr")
    book = openpyxl.load_workbook(io.BytesIO(dashboard.view_workbook(view, "fr", {"Commentaires": listed})))
    cells = [[c.value for c in row] for row in book["Commentaires"].iter_rows()]
    assert ["N°", "Indicateur", "Segment", "Entité", "Période", "Commentaire", "Auteur", "Date"] in cells
    assert any(row[:3] == [2, "Taux d'adoption", "B2E"] and row[5] == "Nouveau intranet" for row in cells)
    from pptx import Presentation

    slides = Presentation(io.BytesIO(deck.Pack.of(demo_store, flt, lang="fr", charts=False).pptx())).slides
    [slide] = [s for s in slides if s.shapes.title.text == "Commentaires de la période"]
    [table] = [sh.table for sh in slide.shapes if sh.has_table]
    assert [[c.text for c in r.cells] for r in table.rows][1:] == listed.astype(str).to_numpy().tolist()


# --- the command line ------------------------------------------------------------------------------------


def test_comment_add_list_remove(store, capsys):
    path = str(store.path)
    assert cli.main(["comment", "add", "--store", path, "--kpi", "clicks", "--segment", "B2C", "--period", "T3 2026",
                     "--text", "Rentrée\nforte", "--by", "marie"]) == 0
    assert capsys.readouterr().out == "comment 1: clicks B2C 2026-07-01 → 2026-09-30\n"
    assert cli.main(["comment", "list", "--store", path, "--format", "json"]) == 0
    [found] = json.loads(capsys.readouterr().out)
    assert {k: found[k] for k in ("id", "kpi", "segment", "entity", "period_start", "period_end", "text", "author")} \
        == {"id": 1, "kpi": "clicks", "segment": "B2C", "entity": None, "period_start": "2026-07-01",
            "period_end": "2026-09-30", "text": "Rentrée forte", "author": "marie"}
    assert cli.main(["comment", "list", "--store", path, "--from", "2026-10-01", "--to", "2026-10-31"]) == 0
    assert capsys.readouterr().out == "No comment matches this selection.\n"  # T3 ends before October
    assert cli.main(["comment", "remove", "1", "--store", path]) == 0
    assert capsys.readouterr().out == "comment 1 removed: clicks B2C\n"
    assert cli.main(["comment", "remove", "1", "--store", path]) == 1
    assert capsys.readouterr().err == "No comment 1 (unknown or already removed).\n"


def test_comment_add_without_by_is_the_local_user(store, capsys):
    assert cli.main(["comment", "add", "--store", str(store.path), "--kpi", "enps", "--segment", "B2E",
                     "--period", "2026", "--text", "Baromètre annuel"]) == 0
    assert store.comments()["author"].tolist() == [local_user()]


def test_comment_add_bad_period_is_a_usage_error(store, capsys):
    assert cli.main(["comment", "add", "--store", str(store.path), "--kpi", "clicks", "--segment", "B2C",
                     "--period", "2026-13", "--text", "x"]) == 2
    assert capsys.readouterr().err == ("python -m kpis comment: --period '2026-13': a month (2026-10), a quarter "
                                       "(Q3 2026), a year (2026) or a day\n")
    assert store.comments().empty


# --- the pages ---------------------------------------------------------------------------------------------


@pytest.mark.usefixtures("clean_streamlit_caches")
def test_vue_cdo_adds_a_comment_on_a_card_shows_it_and_removes_it(store_path):
    from streamlit.testing.v1 import AppTest

    from conftest import APP

    at = AppTest.from_file(APP, default_timeout=90).run()  # the last twelve months, November 2025 → October 2026
    assert not at.exception, [e.value for e in at.exception]
    assert at.text_input(key="cdo_comment_text").value == ""
    at.selectbox(key="cdo_comment_kpi").set_value("clicks")
    at.selectbox(key="cdo_comment_segment").set_value("B2C")
    at.selectbox(key="cdo_comment_period").set_value(1)  # after the whole window, the latest month: oct. 2026
    at.text_input(key="cdo_comment_text").input("Soldes d'automne prolongées")
    at.button(key="FormSubmitter:cdo_comment_form-Ajouter le commentaire").click().run()
    assert not at.exception, [e.value for e in at.exception]
    [stored] = Store(store_path).comments().itertuples()
    assert (stored.kpi, stored.segment, stored.text, stored.author) == ("clicks", "B2C", "Soldes d'automne prolongées",
                                                                        local_user())
    assert (stored.period_start.date(), stored.period_end.date()) == (date(2026, 10, 1), date(2026, 10, 31))
    assert "Commentaire ajouté." in [s.value for s in at.success]
    # on the B2C clicks card (only there), in the list, and on the indexed trend (B2C clicks is among its defaults)
    marker = f":material/chat: Soldes d'automne prolongées — {local_user()}"
    assert [c.value for c in at.caption if c.value.startswith(":material/chat:")] == [marker]
    listed = [df.value for df in at.dataframe if "Commentaire" in df.value.columns]
    assert listed and listed[0]["Commentaire"].tolist() == ["Soldes d'automne prolongées"]
    marks = _trend_marks(at)
    assert marks[["period", "series"]].to_numpy().tolist() == [["oct. 2026", "B2C · Clics"]]
    assert marks["label"].tolist() == [f"Soldes d'automne prolongées — {local_user()} "
                                       "(du 01/10/2026 au 31/10/2026)"]
    at.button(key="cdo_comment_remove").click().run()
    assert not at.exception
    assert Store(store_path).comments().empty
    assert "Commentaire retiré." in [s.value for s in at.success]
    assert "Aucun commentaire sur cette période." in [c.value for c in at.caption]
    assert _trend_marks(at).empty


def _trend_marks(at) -> pd.DataFrame:
    """The comment marks the Vue CDO's indexed-trends chart carries (its datasets with a ``label`` column)."""
    import pyarrow as pa

    for chart in at.get("vega_lite_chart"):
        spec = json.loads(chart.proto.spec)
        if "Tendances" in str(spec.get("title")):
            rows = [pa.ipc.open_stream(d.data.data).read_pandas() for d in chart.proto.datasets]
            marks = [r for r in rows if "label" in r.columns]
            return marks[0] if marks else pd.DataFrame(columns=["period", "series", "label"])
    raise AssertionError("no indexed-trends chart")


@pytest.mark.usefixtures("clean_streamlit_caches")
def test_a_world_page_lists_the_comment_and_marks_it_on_the_kpi_s_trend(store_path):
    import pyarrow as pa
    from streamlit.testing.v1 import AppTest

    from conftest import APP

    at = AppTest.from_file(APP, default_timeout=90).run()  # seeds the demo data
    Store(store_path).add_comment("clicks", "B2C", "2026-09-01", "2026-09-30", "Rentrée", by="marie")
    at.switch_page("app_pages/external.py").run()
    at.selectbox(key="external_kpi").set_value("clicks").run()
    assert not at.exception, [e.value for e in at.exception]
    listed = [df.value for df in at.dataframe if "Commentaire" in df.value.columns]
    assert listed[0][["Indicateur", "Segment", "Commentaire", "Auteur"]].to_numpy().tolist() == [
        ["Clics", "B2C", "Rentrée", "marie"]]
    [trend] = [c for c in at.get("vega_lite_chart") if json.loads(c.proto.spec).get("title") == "Clics"]
    rows = [pa.ipc.open_stream(d.data.data).read_pandas() for d in trend.proto.datasets]
    [marks] = [r for r in rows if "label" in r.columns]
    # on the B2C line, at September 2026 (the comment's month)
    assert marks[["period", "series", "label"]].to_numpy().tolist() == [
        ["sept. 2026", "B2C", "Rentrée — marie (du 01/09/2026 au 30/09/2026)"]]
