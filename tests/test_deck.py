"""The committee deck (kpis.deck), opened with python-pptx as a committee member's PowerPoint would open it.

Every number on its slides is compared with what the app computes for the same selection through the same
API the pages call (``metrics.cdo_view`` → ``dashboard.cards`` / ``funnel_table`` / ``status_table``,
``kpis.attention``), not with the deck's own intermediate frames.
"""

from __future__ import annotations

import io
from dataclasses import replace
from datetime import date

import pytest
from pptx import Presentation
from pptx.enum.shapes import MSO_SHAPE_TYPE

from kpis import attention, cli, dashboard, deck, demo, metrics
from kpis import grain as grains
from kpis.catalog import KPIS
from kpis.i18n import fmt_value, t
from kpis.model import Filter
from kpis.store import Store

YEAR = Filter(segments=("B2C", "B2B", "B2E"), start=date(2025, 11, 1), end=date(2026, 10, 31))  # the demo's 12 months


@pytest.fixture(scope="module")
def demo_store(tmp_path_factory) -> Store:
    store = Store(tmp_path_factory.mktemp("deck") / "passerelle.duckdb")
    demo.seed(store)
    return store


@pytest.fixture(scope="module")
def slides(demo_store) -> list:
    data = deck.Pack.of(demo_store, YEAR, "month", lang="fr").pptx()
    return list(Presentation(io.BytesIO(data)).slides)


def _page_view(store: Store, flt: Filter, lang: str = "fr"):
    """The view as ``ui.cdo_view`` builds it for the Vue CDO page."""
    native = metrics.fetch(store, flt, "month")
    view = metrics.cdo_view(store, flt, "month", lang=lang, native=native)
    view = replace(view, meta={**view.meta, "source_names": dashboard.source_names(store.batches(details=True))})
    return grains.with_data_grain(view, native, flt)


def _table(slide) -> list[list[str]]:
    [shape] = [s for s in slide.shapes if s.has_table]
    return [[cell.text for cell in row.cells] for row in shape.table.rows]


def _by_title(slides, title: str) -> list:
    return [s for s in slides if s.shapes.title is not None and s.shapes.title.text.startswith(title)]


def test_the_slides_in_order(slides):
    assert [s.shapes.title.text for s in slides] == [
        "Comité de pilotage digital", "Points d'attention", "B2C — clients particuliers",
        "B2B — clients professionnels", "B2E — collaborateurs", "Étapes de l'entonnoir par segment",
        "Tendances indexées (base 100 au début de la période)", "Côte à côte", "Objectifs : où en est-on ?",
        "Objectifs : où en est-on ? (suite)", "Sources des données et fraîcheur", "Définitions utilisées",
        "Définitions utilisées (suite)"]


def test_the_title_slide_says_the_window_the_segments_and_the_date_of_the_data(slides):
    # the three demo workbooks run to October 2026
    assert slides[0].placeholders[1].text == "Du 01/11/2025 au 31/10/2026 · segments B2C, B2B, B2E · données au " \
                                             "31/10/2026"


def test_the_points_of_attention_are_the_vue_cdo_s(demo_store, slides):
    _, points = attention.for_selection(demo_store, YEAR, "month", lang="fr")
    table = _table(_by_title(slides, "Points d'attention")[0])
    assert table[0] == ["Point", "Pourquoi"]
    assert table[1:] == [[p.title, p.reason] for p in points]
    assert len(points) >= 3  # the demo's year has red targets and improvements: the slide is not empty


@pytest.mark.parametrize("segment, title", [("B2C", "B2C — clients particuliers"),
                                            ("B2B", "B2B — clients professionnels"), ("B2E", "B2E — collaborateurs")])
def test_each_segment_slide_has_the_cards_numbers(demo_store, slides, segment, title):
    view = _page_view(demo_store, YEAR)
    cards = dashboard.cards(view, segment, dashboard.CDO_CARDS[segment], "fr", None)
    targets = view.targets.set_index(["segment", "kpi"])
    table = _table(_by_title(slides, title)[0])
    assert table[0] == ["Indicateur", "Valeur", "Évolution", "Comparée à", "Objectif", "Atteinte", "Statut"]
    # the demo's B2B has no NPS; B2E has the social network's internal sentiment beside the eNPS
    assert len(table) - 1 == len(cards) == {"B2C": 6, "B2B": 5, "B2E": 7}[segment]
    for row, card in zip(table[1:], cards, strict=True):
        # a card without comparison (the social network's data start in November 2025) shows a dash
        assert row[1:4] == [card.value, card.delta or "—", card.delta_description or "—"]
        if (segment, card.kpi) in targets.index:  # the target table's row for the same KPI
            tg = targets.loc[(segment, card.kpi)]
            assert row[4] == fmt_value(tg["target"], KPIS[card.kpi].unit, "fr")
            assert row[5] == fmt_value(tg["attainment"], "%", "fr", decimals=0)
            assert row[6] == t(f"status.{tg['status']}", "fr")
        else:
            assert row[4:] == ["—", "—", "—"]


def test_the_funnel_side_by_side_and_target_tables_are_the_pages(demo_store, slides):
    view = _page_view(demo_store, YEAR)
    funnel = dashboard.funnel_table(view.funnel, "fr").reset_index()
    assert _table(_by_title(slides, "Étapes de l'entonnoir")[0])[1:] == funnel.astype(str).to_numpy().tolist()
    sbs = [[r.stage_label, fmt_value(r.external_value, r.unit, "fr"), fmt_value(r.internal_value, r.unit, "fr")]
           for r in view.side_by_side.itertuples()]
    shown = _table(_by_title(slides, "Côte à côte")[0])[1:]
    assert [[row[0], row[2], row[4]] for row in shown] == sbs
    status = dashboard.status_table(view.targets, "fr").to_numpy().tolist()
    target_slides = _by_title(slides, "Objectifs : où en est-on ?")
    assert [row for s in target_slides for row in _table(s)[1:]] == status
    assert len(status) > deck.ROWS_PER_SLIDE  # hence the "(suite)" slide


def test_the_charts_are_pictures_and_the_text_stays_editable(slides):
    pictures = [(s.shapes.title.text, sh) for s in slides for sh in s.shapes if sh.shape_type == MSO_SHAPE_TYPE.PICTURE]
    assert [title for title, _ in pictures] == ["Étapes de l'entonnoir par segment",
                                                "Tendances indexées (base 100 au début de la période)"]
    for _, pic in pictures:
        assert pic.image.content_type == "image/png" and pic.image.blob[:8] == b"\x89PNG\r\n\x1a\n"
        assert pic.left + pic.width <= 12192000 + 914400  # on the 13.33-inch slide
    assert all(s.shapes.title.has_text_frame for s in slides)


def test_sources_say_how_fresh_each_one_is(slides):
    table = _table(_by_title(slides, "Sources des données et fraîcheur")[0])
    assert table[0] == ["Source", "Segments", "Données jusqu'au", "Dernier import", "Fraîcheur"]
    assert sorted((r[0], r[1], r[2], r[4]) for r in table[1:]) == [
        ("Réseau social d'entreprise (messages)", "B2E", "31/10/2026", "à jour"),
        ("externe_b2b.xlsx", "B2B", "31/10/2026", "à jour"), ("externe_b2c.xlsx", "B2C", "31/10/2026", "à jour"),
        ("interne_b2e.xlsx", "B2E", "31/10/2026", "à jour")]


def test_an_english_deck_of_one_segment(demo_store):
    flt = Filter(segments=("B2E",), start=date(2026, 10, 1), end=date(2026, 10, 31))
    pack = deck.Pack.of(demo_store, flt, lang="en", charts=False)
    titles = [s.shapes.title.text for s in Presentation(io.BytesIO(pack.pptx())).slides]
    assert titles[:3] == ["Digital steering committee", "Points of attention", "B2E — employees"]
    assert "B2C — consumers" not in titles


def test_pack_command_writes_the_deck(demo_store, tmp_path, capsys):
    out = tmp_path / "pack.pptx"
    code = cli.main(["pack", "--store", str(demo_store.path), "--from", "2025-11-01", "--to", "2026-10-31",
                     "--segments", "B2C,B2B,B2E", "--out", str(out)])
    assert code == 0, capsys.readouterr().err
    assert capsys.readouterr().out == f"{out}: 13 slides, 2025-11-01 → 2026-10-31, B2C, B2B, B2E\n"
    assert len(Presentation(str(out)).slides) == 13


@pytest.mark.parametrize("args, message", [
    (["--out", "pack.txt"], "--out pack.txt: a .pptx file, e.g. pack.pptx"),
    (["--out", "missing/pack.pptx"], "--out missing/pack.pptx: a file in an existing folder."),
    (["--out", "p.pptx", "--segments", "B2X"], "--segments: unknown ['B2X'] (expected B2C, B2B, B2E)"),
])
def test_pack_command_refuses_bad_input_in_words(demo_store, tmp_path, monkeypatch, capsys, args, message):
    monkeypatch.chdir(tmp_path)
    assert cli.main(["pack", "--store", str(demo_store.path), *args]) == 2
    assert capsys.readouterr().err == f"python -m kpis pack: {message}\n"
    assert list(tmp_path.iterdir()) == []  # nothing half-written


def test_pack_command_without_a_store(tmp_path, capsys):
    assert cli.main(["pack", "--store", str(tmp_path / "none.duckdb"), "--out", str(tmp_path / "p.pptx")]) == 1
    assert "No store at" in capsys.readouterr().err
    assert not (tmp_path / "p.pptx").exists()


@pytest.mark.usefixtures("clean_streamlit_caches")
def test_vue_cdo_offers_the_pack(store_path):
    from streamlit.testing.v1 import AppTest

    from conftest import APP

    at = AppTest.from_file(APP, default_timeout=90).run()
    assert not at.exception, [e.value for e in at.exception]
    button = at.download_button(key="download_pack")
    assert button.label == "Pack comité"


@pytest.mark.usefixtures("clean_streamlit_caches")
def test_the_button_s_deck_is_the_command_s(store_path, tmp_path):
    """What the Vue CDO's button builds (``ui.pack``, from the page's cached view and points) is the deck the
    command writes for the same selection: the same slides, the same texts."""
    from streamlit.testing.v1 import AppTest

    def page():
        from datetime import date

        import streamlit as st

        import ui
        from kpis import demo
        from kpis.model import Filter

        demo.seed(ui.store())
        flt = Filter(segments=("B2C", "B2E"), start=date(2026, 10, 1), end=date(2026, 10, 31))
        st.session_state["pack"] = ui.pack(ui.store().data_version(), flt, "month", "fr")

    at = AppTest.from_function(page, default_timeout=90).run()
    assert not at.exception, [e.value for e in at.exception]
    out = tmp_path / "cli.pptx"
    assert cli.main(["pack", "--store", str(store_path), "--from", "2026-10-01", "--to", "2026-10-31",
                     "--segments", "B2C,B2E", "--out", str(out)]) == 0

    def texts(source) -> list[str]:
        return [sh.text_frame.text if sh.has_text_frame else "|".join(c.text for r in sh.table.rows for c in r.cells)
                for s in Presentation(source).slides for sh in s.shapes if sh.has_text_frame or sh.has_table]

    assert texts(io.BytesIO(at.session_state["pack"])) == texts(str(out))
