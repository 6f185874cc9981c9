"""Every page, driven from the real app.py with AppTest, on its own store seeded with the demo data."""


import re
from datetime import date
from unittest.mock import patch

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from conftest import APP, b2e_november
from kpis import dashboard, metrics
from kpis.catalog import KPIS
from kpis.i18n import escape_markdown as md
from kpis.i18n import fmt_value, t
from kpis.model import Filter
from kpis.settings import local_user
from kpis.store import Store

pytestmark = pytest.mark.usefixtures("clean_streamlit_caches")


def run_app(page: str | None = None) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=90).run()
    if page:
        at.switch_page(page).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _texts(at) -> str:
    return "\n".join([m.value for m in at.markdown] + [c.value for c in at.caption] + [s.value for s in at.success]
                     + [w.value for w in at.warning] + [e.value for e in at.error] + [i.value for i in at.info])


def test_first_run_seeds_demo_data_and_cdo_cards_match_metrics(store_path):
    at = run_app()
    assert at.title[0].value == "Vue CDO"
    store = Store(store_path)
    assert [b["sample"] for b in store.batches()] == [True, True, True, True]
    sel = at.session_state["selection"]
    view = metrics.cdo_view(store, sel.flt, sel.grain, lang="fr")
    expected = dashboard.cards(view, "B2C", dashboard.CDO_CARDS["B2C"], "fr")
    assert [(m.label, m.value) for m in at.metric[:3]] == [(c.label, c.value) for c in expected[:3]]
    # the B2C impressions card is the sum of October 2026 in the sample workbook, computed independently
    impressions = view.scorecard.set_index(["segment", "kpi"]).loc[("B2C", "impressions"), "value"]
    assert at.metric[0].value == fmt_value(impressions, "count", "fr", compact=True)


def test_segment_filter_changes_the_cards(store_path):
    at = run_app()
    at.pills(key="seg").set_value(["B2E"]).run()
    assert not at.exception
    assert [m.value for m in at.markdown if m.value.startswith("#####")] == ["##### B2E — collaborateurs"]
    assert at.metric[0].label == KPIS["population"].short("fr")


def test_language_switch_changes_labels(store_path):
    at = run_app()
    at.segmented_control(key="lang").set_value("en").run()
    assert not at.exception
    assert at.title[0].value == "CDO view"
    assert at.metric[0].label == "Impressions" and at.metric[1].label == "Clicks"


def test_side_by_side_shows_both_worlds(store_path):
    at = run_app("app_pages/side_by_side.py")
    labels = [m.label for m in at.metric]
    assert labels[:2] == ["Impressions", "Population cible"]
    assert "Taux de clic" in labels and "Taux d'adoption" in labels


def test_e_reputation_page_shows_both_worlds_on_the_same_scale(store_path):
    at = run_app("app_pages/e_reputation.py")
    heads = [m.value for m in at.markdown if m.value.startswith("####")]
    assert heads == ["#### E-réputation externe (B2C, B2B)", "#### E-réputation interne (B2E)",
                     "#### Sujets qui montent", "#### Influenceurs",  # the panels: tests/esn/test_esn_page.py
                     "#### Sujets suivis"]  # tests/esn/test_subjects_app.py
    subjects = next(d.value for d in at.dataframe if "Sujet" in d.value.columns)
    assert subjects["Sujet"].tolist() == ["Projet Atlas", "Nouvel intranet"]  # the demo's, each mentioned
    assert (subjects["Messages"] > 0).all()
    sel = at.session_state["selection"]
    view = metrics.cdo_view(Store(store_path), sel.flt, sel.grain, lang="fr")
    sc = view.scorecard.set_index(["segment", "kpi"])["value"]
    cards = {m.label: m.value for m in at.metric}
    # the demo's brand mentions (B2C + B2B, merged) and its network's messages (B2E), over the same window
    assert cards["Sentiment"] == fmt_value(sc[("ALL", "sentiment_score")], "%", "fr", compact=True)
    assert cards["Sentiment interne"] == fmt_value(sc[("B2E", "esn_sentiment_score")], "%", "fr", compact=True)
    assert cards["Voix actives"] == fmt_value(sc[("B2E", "esn_voices")], "count", "fr", compact=True)
    chart = at.get("vega_lite_chart")[0]
    assert "Score de sentiment interne — B2E" in chart.proto.spec or "Score de sentiment interne" in str(chart.proto)
    # the second chart: the tracked subjects' score by month, one line each (values: tests/esn/test_esn_demo.py)
    tones = at.get("vega_lite_chart")[1].proto
    assert "Score de sentiment des sujets suivis, par mois" in tones.spec
    import pyarrow as pa

    drawn = pa.ipc.open_stream(tones.datasets[0].data.data).read_pandas()
    assert drawn.groupby("series").size().to_dict() == {"Nouvel intranet": 12, "Projet Atlas": 12}  # 12 months
    assert at.get("download_button")


def test_cdo_view_shows_the_internal_sentiment_in_the_b2e_satisfaction_stage(store_path):
    at = run_app()
    at.pills(key="seg").set_value(["B2E"]).run()
    assert not at.exception
    labels = [re.sub(r"^:\w+-badge\[[^\]]*\] ", "", m.label) for m in at.metric]  # without target badges
    # the satisfaction stage: the eNPS, then the network's sentiment, before the two stage rates
    assert labels == ["Population", "Actifs", "Contributeurs", "eNPS", "Sentiment interne", "Adoption",
                      "Participation"]


@pytest.mark.parametrize("page, first, world", [("app_pages/external.py", "Impressions", dashboard.EXTERNAL_WORLD),
                                                ("app_pages/internal.py", "Population", dashboard.INTERNAL_WORLD)])
def test_world_pages(store_path, page, first, world):
    at = run_app(page)
    assert at.metric[0].label == first
    assert len(at.get("vega_lite_chart")) >= 2  # the trend and at least one breakdown
    # what differs between the two pages comes from their World spec
    assert f"**{t(world.top_title, 'fr')}**" in [m.value for m in at.markdown]
    assert (t("world.profile_help", "fr") in [c.value for c in at.caption]) == (world.profile_segment is not None)
    assert at.download_button(key=f"download_{world.file_name}").label == "Télécharger (Excel)"


def test_upload_shows_what_was_understood_then_imports(store_path):
    at = run_app("app_pages/importer.py")
    at.file_uploader(key="uploads").upload("usage_novembre.xlsx", b2e_november()).run()
    assert not at.exception
    assert "Prêt à importer" in _texts(at)
    summary = at.dataframe[0].value
    assert summary.iloc[0]["Segments"] == "B2E" and summary.iloc[0]["Gardées"] == 1
    # the file continues the demo's monthly B2E workbook: the user gives it that workbook's origin (a file of
    # another layout is another source, whose head counts are never mixed with the workbook's)
    batches = Store(store_path).batches()
    workbook = next(b["origin"] for b in batches if b["segments"] == ["B2E"])
    # the source is shown by its name (the workbook's file), in the message and in the origin field; the store
    # keeps the origin's code
    name = dashboard.source_names(batches)[workbook]
    assert name == "interne_b2e.xlsx" != workbook
    assert any(f"viennent déjà de la source « {md(name)} »" in i.value for i in at.info)
    [origin] = [i for i in at.text_input if str(i.key).startswith("origin_")]
    assert origin.value == "usage_novembre.xlsx"  # a new source: named after the file
    [use] = [b for b in at.button if str(b.key).startswith("use_origin_")]
    use.click().run()
    [origin] = [i for i in at.text_input if str(i.key).startswith("origin_")]
    assert origin.value == name and not [b for b in at.button if str(b.key).startswith("use_origin_")]
    at.button(key="do_import").click().run()
    assert "lot n° 5 importé, 3 valeurs enregistrées" in _texts(at)
    assert Store(store_path).batches()[-1]["origin"] == workbook
    at.switch_page("app_pages/cdo_view.py").run()
    # November 2026 is now the latest month: the B2E population card shows the uploaded headcount
    population = next(m for m in at.metric if m.label == KPIS["population"].short("fr"))
    assert population.value == fmt_value(20000, "count", "fr", compact=True)


def _shown_texts(at) -> list[str]:
    """Every text the page shows: markdown, captions, alerts, labels, and the string cells of its tables."""
    texts = [e.value for kind in ("markdown", "caption", "success", "info", "warning", "error")
             for e in getattr(at, kind)]
    texts += [str(e.label) for kind in ("button", "selectbox", "text_input", "checkbox", "radio", "expander")
              for e in getattr(at, kind)]
    for frame in at.dataframe:
        texts += [str(v) for v in frame.value.astype(object).to_numpy().ravel()]
        texts += [str(c) for c in frame.value.columns]
    return texts


def test_import_outcome_is_the_first_thing_under_the_title_in_business_words(store_path):
    at = run_app("app_pages/importer.py")
    at.file_uploader(key="uploads").upload("usage_novembre.xlsx", b2e_november()).run()
    [use] = [b for b in at.button if str(b.key).startswith("use_origin_")]
    use.click().run()
    texts = _shown_texts(at)
    assert f"{KPIS['population'].label('fr')} — reconnu (en-tête « Effectif »)" in texts
    assert "une ligne par période, un indicateur par colonne" in texts
    for text in texts:
        assert not re.search(r"\bNone\b|\bmapped\b|\bexact\b|--[a-z]", text), text
    at.button(key="do_import").click().run()
    assert not at.exception
    main = list(at.main.children.values())
    assert main[0].type == "title" and main[0].value == "Importer"
    sources = next(i for i, e in enumerate(main) if e.type == "caption" and e.value.startswith("Sources"))
    first = main[sources + 1]  # the status block, placed before the upload area
    assert [(e.type, e.value) for e in first.children.values()] == [
        ("success", md("✔ usage_novembre.xlsx — lot n° 5 importé, 3 valeurs enregistrées"))]
    assert [toast.value for toast in at.toast] == ["Import terminé : 1 fichier(s) sur 1"]
    # every file imported: the uploader starts empty again, so the page is the outcome and nothing below it
    assert not at.file_uploader(key="uploads_1").value and "Prêt à importer" not in _texts(at)
    assert not [i for i in at.text_input if str(i.key).startswith("origin_")]
    assert at.button(key="do_import").disabled
    at.run()  # a rerun (any click) keeps the outcome; the toast is shown once
    assert md("lot n° 5 importé") in _texts(at) and not at.toast


def test_importer_names_the_control_not_the_command_line_flag(store_path):
    at = run_app("app_pages/importer.py")
    at.file_uploader(key="uploads").upload("engage.csv", REFRESH_ONLY.encode()).run()
    [issues] = [d.value for d in at.dataframe if "Message" in d.value.columns]
    messages = issues["Message"].tolist()
    assert any("Indiquez la période (par exemple 28 jours se terminant à cette date) dans « Période couverte par "
               "chaque ligne (jours) » ci-dessous, ou ajoutez" in m for m in messages)
    for text in _shown_texts(at):
        assert not re.search(r"\bNone\b|--[a-z]", text), text
    [window] = [n for n in at.number_input if str(n.key).startswith("window_")]
    window.set_value(28).run()
    [issues] = [d.value for d in at.dataframe if "Message" in d.value.columns]
    assert any("choisissez le segment (« Segment du fichier » ci-dessous)" in m for m in issues["Message"])
    for text in _shown_texts(at):
        assert not re.search(r"\bNone\b|--[a-z]", text), text


DAILY_NET_FOLLOWERS = "Date;Segment;Abonnés\n" + "".join(
    f"{d:02d}/01/2027;B2C;{n}\n" for d, n in [(1, 12), (2, -3), (3, 40), (4, 7), (5, 0), (6, 25), (7, -1)])
# 12 − 3 + 40 + 7 + 0 + 25 − 1 = 80 new followers in the first week of January 2027


def test_importer_questioned_column_confirmed_then_imported(store_path):
    at = run_app("app_pages/importer.py")
    at.file_uploader(key="uploads").upload("youtube.csv", DAILY_NET_FOLLOWERS.encode()).run()
    assert not at.exception
    assert "À confirmer avant import" in _texts(at)
    assert any(md("colonne C « Abonnés » : lue comme « Abonnés » (followers), mais 2 valeur(s) négative(s)")
               in w.value for w in at.warning)
    assert at.button(key="do_import").disabled
    [question] = [b for b in at.selectbox if str(b.key).startswith("meaning_")]
    assert question.options[:2] == ["Confirmer : Abonnés (followers)", "Nouveaux abonnés (new_followers)"]
    question.set_value("new_followers").run()
    assert not at.exception and "Prêt à importer" in _texts(at)
    at.button(key="do_import").click().run()
    assert "lot n° 5 importé, 7 valeurs enregistrées" in _texts(at)
    stored = Store(store_path).observations()
    mine = stored[stored["period_start"] >= "2027-01-01"]
    assert mine.groupby("kpi", observed=True)["value"].sum().to_dict() == {"new_followers": 80.0}


def test_importer_asks_the_question_a_mapped_column_raises(store_path):
    # no date column the catalog knows: the file is read, and questioned, only once "Quand" is mapped
    text = DAILY_NET_FOLLOWERS.replace("Date;", "Quand;", 1)
    at = run_app("app_pages/importer.py")
    at.file_uploader(key="uploads").upload("youtube.csv", text.encode()).run()
    assert not [b for b in at.selectbox if str(b.key).startswith("meaning_")]
    [when] = [b for b in at.selectbox if str(b.key).startswith("map_")]
    when.set_value("period:day").run()
    [question] = [b for b in at.selectbox if str(b.key).startswith("meaning_")]
    assert at.button(key="do_import").disabled
    question.set_value("new_followers").run()
    assert not at.exception and not at.button(key="do_import").disabled
    at.button(key="do_import").click().run()
    assert "lot n° 5 importé, 7 valeurs enregistrées" in _texts(at)


LEADS = "Date;Clics;Impressions\n01/01/2027;10;400\n02/01/2027;14;500\n"
# a generic file that names no segment: 10 + 14 = 24 clicks in the first two days of January 2027


def _segment_control(at):
    [segment] = [c for c in at.get("button_group") if str(c.key).startswith("segment_")]
    return segment


def test_importer_proposes_the_segment_from_the_file_name_then_from_history(store_path):
    at = run_app("app_pages/importer.py")
    at.file_uploader(key="uploads").upload("leads_B2B_janvier.csv", LEADS.encode()).run()
    assert not at.exception
    assert _segment_control(at).value == "B2B"
    assert md("Proposé : B2B, d'après « b2b » dans le nom « leads_B2B_janvier.csv ».") in _texts(at)
    assert not at.button(key="do_import").disabled
    at.button(key="do_import").click().run()
    stored = Store(store_path).observations()
    mine = stored[stored["period_start"] >= "2027-01-01"]
    assert mine.groupby(["segment", "kpi"], observed=True)["value"].sum().to_dict() == {
        ("B2B", "clicks"): 24.0, ("B2B", "impressions"): 900.0}  # 400 + 500
    assert Store(store_path).batches()[-1]["imported_by"] == local_user()  # the login name, not "app"
    # next month, same structure, a name that says nothing: the earlier import's segment is proposed
    at = run_app("app_pages/importer.py")
    at.file_uploader(key="uploads").upload("export.csv", LEADS.replace("/01/", "/02/").encode()).run()
    assert _segment_control(at).value == "B2B"
    assert md("Proposé : B2B, comme les 1 import(s) précédent(s)") in _texts(at)
    # the user changes it: the proposal's words go away, the choice holds
    _segment_control(at).set_value("B2C").run()
    assert "Propos" not in _texts(at) and _segment_control(at).value == "B2C"


def test_importer_proposes_nothing_when_the_name_says_two_segments(store_path):
    at = run_app("app_pages/importer.py")
    at.file_uploader(key="uploads").upload("b2b_b2c.csv", LEADS.encode()).run()
    assert _segment_control(at).value is None and at.button(key="do_import").disabled
    assert "Propos" not in _texts(at)


REFRESH_ONLY = "Report Refresh Date,Group,Active Users\n2027-01-28,Communauté Qualité,40\n" \
    "2027-01-28,Projet Atlas,25\n"
# one refresh date on every row and no window stated: asked; with 28 days, 40 + 25 = 65 active users over
# 2027-01-01 … 2027-01-28 (28 days ending on the refresh date)


def test_importer_asks_for_the_window_of_a_refresh_dated_report(store_path):
    at = run_app("app_pages/importer.py")
    at.file_uploader(key="uploads").upload("engage.csv", REFRESH_ONLY.encode()).run()
    assert not at.exception and "Non importable" in _texts(at)
    [window] = [n for n in at.number_input if str(n.key).startswith("window_")]
    window.set_value(28).run()
    [segment] = [c for c in at.get("button_group") if str(c.key).startswith("segment_")]
    segment.set_value("B2E").run()
    assert not at.exception and not at.button(key="do_import").disabled
    at.button(key="do_import").click().run()
    stored = Store(store_path).observations()
    mine = stored[stored["period_start"] >= "2027-01-01"]
    assert set(zip(mine["period_start"].astype(str), mine["period_end"].astype(str), strict=True)) == {
        ("2027-01-01", "2027-01-28")}
    assert mine.groupby("kpi", observed=True)["value"].sum().to_dict() == {"active_users": 65.0}


def test_junk_upload_is_an_error_message_not_an_exception(store_path):
    at = run_app("app_pages/importer.py")
    at.file_uploader(key="uploads").upload("rapport.xlsx", b"\x00\x01 not a workbook " * 20).run()
    assert not at.exception
    assert "Non importable" in _texts(at)
    issues = at.dataframe[1].value
    assert issues.iloc[0]["Code"] == "file_rejected"


def test_history_lists_batches_and_deletes_one(store_path):
    at = run_app("app_pages/history.py")
    assert at.dataframe[0].value["Lot"].tolist() == [4, 3, 2, 1]  # the three demo workbooks and the network's messages
    at.selectbox(key="delete_pick").set_value(2).run()
    at.checkbox(key="delete_confirm_2").check().run()
    at.button(key="delete_do").click().run()
    assert not at.exception
    assert [b["id"] for b in Store(store_path).batches()] == [1, 3, 4]
    assert at.dataframe[0].value["Lot"].tolist() == [4, 3, 1]


def test_after_a_confirmed_delete_the_next_batch_needs_its_own_confirmation(store_path):
    at = run_app("app_pages/history.py")
    assert at.selectbox(key="delete_pick").value == 4  # the newest batch is offered first
    # the preview names the file and says what comes back before anything is ticked (shown as text)
    sample = Store(store_path).batches()[3]
    assert md(f"Lot n° 4 · {sample['file']} · origine {sample['origin']}") in _texts(at)
    assert md("Aucune valeur plus ancienne ne revient.") in _texts(at)  # the demo files do not overlap
    assert at.button(key="delete_do").disabled
    at.checkbox(key="delete_confirm_4").check().run()
    assert not at.button(key="delete_do").disabled
    at.button(key="delete_do").click().run()
    assert not at.exception
    assert [b["id"] for b in Store(store_path).batches()] == [1, 2, 3]
    assert "Lot(s) 4 supprimé(s)" in _texts(at)
    # the selector moved to batch 3: its box is unticked and the button disabled, so one more click deletes nothing
    assert at.selectbox(key="delete_pick").value == 3
    assert at.checkbox(key="delete_confirm_3").value is False
    assert at.button(key="delete_do").disabled  # (AppTest, like a browser, cannot click a disabled button)
    # the deletion log offers to undo it, and undoing brings batch 4 back
    at.button(key="undo_1").click().run()
    assert not at.exception
    assert [b["id"] for b in Store(store_path).batches()] == [1, 2, 3, 4]
    assert "Suppression n° 1 annulée : lot(s) 4 de retour" in _texts(at)
    assert at.dataframe[0].value["Lot"].tolist() == [4, 3, 2, 1]


def test_catalog_page_lists_every_kpi_and_the_targets(store_path):
    at = run_app("app_pages/catalog.py")
    assert len(at.dataframe[0].value) == len(KPIS)
    assert at.dataframe[1].value["Code"].tolist() == ["atlas", "intranet"]  # the demo's tracked subjects
    assert len(at.dataframe[2].value) == len(Store(store_path).targets()) > 0


def test_removing_the_demo_data_asks_first_then_takes_its_targets(store_path):
    at = run_app()
    store = Store(store_path)
    n_targets = len(store.targets())
    assert n_targets > 0
    at.button(key="remove_demo").click().run()
    assert not at.exception
    # one click only opens the confirmation: nothing is deleted yet, and it lists what will go
    assert len(store.batches()) == 4
    texts = _texts(at)
    assert "Retirer les données de démonstration ?" in texts
    assert md(f"{n_targets} objectif(s) de démonstration") in texts
    at.button(key="remove_demo_cancel").click().run()
    assert len(store.batches()) == 4 and not [b for b in at.button if b.key == "remove_demo_confirm"]
    at.button(key="remove_demo").click().run()
    at.button(key="remove_demo_confirm").click().run()
    assert not at.exception
    assert store.batches() == [] and store.targets().empty
    assert "Données de démonstration retirées (suppression n° 1" in _texts(at)
    assert "Aucune donnée pour ce filtre" in _texts(at)
    at = run_app()  # a new session does not seed the demo data again
    assert Store(store_path).batches() == []


def test_names_from_uploads_are_shown_as_text_not_markdown(store_path):
    at = run_app("app_pages/importer.py")
    hostile = "**gras** [clic](javascript:alert(1)) :red[x].csv"
    at.file_uploader(key="uploads").upload(hostile, "Jour;Clics\n01/09/2026;12\n".encode()).run()
    assert not at.exception
    shown = [m.value for m in at.markdown if "gras" in m.value]
    assert shown and r"\*\*gras\*\* \[clic\]\(javascript\:alert\(1\)\) \:red\[x\]" in shown[0]


def test_period_presets_set_the_range_from_the_latest_data(store_path):
    at = run_app()
    # the demo data ends on 31 October 2026: last 12 months = Nov 2025 … Oct 2026
    assert (at.session_state["selection"].flt.start.isoformat(), at.session_state["selection"].flt.end.isoformat()) \
        == ("2025-11-01", "2026-10-31")
    at.pills(key="period").set_value("lq").run()
    assert not at.exception
    # last quarter = the last complete one: Q4 holds only October, so July – September 2026
    assert (at.session_state["selection"].flt.start.isoformat(), at.session_state["selection"].flt.end.isoformat()) \
        == ("2026-07-01", "2026-09-30")
    assert "Du 01/07/2026 au 30/09/2026" in "\n".join(c.value for c in at.caption)
    at.pills(key="period").set_value("cq").run()
    assert not at.exception
    # the current quarter, to the latest data
    assert (at.session_state["selection"].flt.start.isoformat(), at.session_state["selection"].flt.end.isoformat()) \
        == ("2026-10-01", "2026-10-31")


PAGE_HELP = {"app_pages/cdo_view.py": "help.cdo", "app_pages/side_by_side.py": "help.side_by_side",
             "app_pages/external.py": "help.external", "app_pages/internal.py": "help.internal",
             "app_pages/e_reputation.py": "help.reputation", "app_pages/importer.py": "help.importer",
             "app_pages/history.py": "help.history", "app_pages/catalog.py": "help.catalog",
             "app_pages/access.py": "help.access"}


def test_every_page_says_what_it_shows_in_the_navigation(store_path):
    import streamlit as st

    with patch.object(st, "Page", wraps=st.Page) as page:
        at = run_app()
        helps = {c.args[0]: c.kwargs["help"] for c in page.call_args_list}
        assert helps == {p: t(k, "fr") for p, k in PAGE_HELP.items()}
        page.reset_mock()
        at.segmented_control(key="lang").set_value("en").run()
        helps = {c.args[0]: c.kwargs["help"] for c in page.call_args_list}
        assert helps == {p: t(k, "en") for p, k in PAGE_HELP.items()}
    assert t("help.external", "en").startswith("B2C and B2B indicators")


def test_year_to_date_follows_the_fiscal_start_setting(store_path, monkeypatch):
    monkeypatch.setenv("PASSERELLE_FISCAL_START", "4")
    at = run_app()
    at.pills(key="period").set_value("ytd").run()
    assert not at.exception
    sel = at.session_state["selection"]
    # the demo data ends on 31 October 2026, inside the fiscal year April 2026 – March 2027
    assert (sel.fiscal_start, sel.flt.start.isoformat(), sel.flt.end.isoformat()) == (4, "2026-04-01", "2026-10-31")
    assert "Du 01/04/2026 au 31/10/2026" in "\n".join(c.value for c in at.caption)
    at.segmented_control(key="grain").set_value("year").run()
    assert not at.exception
    # a year to date is compared with the same window a year earlier (1 April – 31 October 2025), whatever the grain
    assert at.metric[0].proto.delta_description == "vs N-1"


def test_a_bad_setting_is_a_message_in_both_languages_not_a_traceback(store_path, monkeypatch):
    monkeypatch.setenv("PASSERELLE_FISCAL_START", "13")
    at = AppTest.from_file(APP, default_timeout=90).run()
    assert not at.exception
    assert [e.value for e in at.error] == [
        "PASSERELLE_FISCAL_START (réglage fiscal_start) : un numéro de mois de 1 à 12 est attendu, reçu « 13 ».\n\n"
        "PASSERELLE_FISCAL_START (setting fiscal_start): expected a month number from 1 to 12, got '13'."]
    assert not at.metric and not store_path.exists()  # stopped before the store was opened or seeded


def test_every_page_names_its_sources_and_their_freshness(store_path):
    at = run_app("app_pages/internal.py")
    captions = "\n".join(c.value for c in at.caption)
    # the internal page reads the demo's B2E workbook only, whose data end on 31 October 2026
    assert "Sources : interne_b2e.xlsx — données au 31/10/2026" in captions
    assert "externe_b2c.xlsx" not in captions
    at.pills(key="seg").set_value(["B2C", "B2E"]).run()
    at.switch_page("app_pages/cdo_view.py").run()
    captions = "\n".join(c.value for c in at.caption)
    # Vue CDO reads the selected segments: B2C and B2E, not B2B
    assert "externe_b2c.xlsx — données au 31/10/2026" in captions and "interne_b2e.xlsx" in captions
    assert "externe_b2b.xlsx" not in captions


def _cdo_caption(at) -> str:
    return next(c.value for c in at.caption if c.value.startswith(("Du ", "From ")))


@pytest.mark.parametrize(("params", "period", "description", "comparison"), [
    ({}, "12m", "vs N-1", "compare.year"),  # 12 derniers mois: a year earlier by default
    ({}, "lm", "vs période précédente", "compare.previous"),  # the last month: the month before by default
    ({"cmp": "year"}, "lm", "vs N-1", "compare.year"),
    ({"cmp": "previous"}, "lm", "vs période précédente", "compare.previous"),
    ({"cmp": "previous"}, "12m", "vs période précédente", "compare.previous"),
    ({"cmp": "year", "lang": "en"}, "lm", "vs year before", "compare.year"),  # a French link, in English
    ({"cmp": "semaine"}, "lm", "vs période précédente", "compare.previous"),  # an unknown code: the default
])
def test_the_comparison_is_a_url_parameter_every_card_follows(store_path, params, period, description, comparison):
    at = AppTest.from_file(APP, default_timeout=90)
    for key, value in params.items():
        at.query_params[key] = value
    at.run()
    if period != "12m":
        at.pills(key="period").set_value(period).run()
    assert not at.exception, [e.value for e in at.exception]
    lang = params.get("lang", "fr")
    which = "year" if comparison == "compare.year" else "previous"
    assert at.session_state["selection"].compare == which
    assert at.query_params.get("cmp") == (params["cmp"] if params.get("cmp") in ("previous", "year") and (
        params["cmp"], period) not in (("previous", "lm"), ("year", "12m")) else None)  # dropped when the default
    # every card with a delta says the comparison chosen (a survey KPI adds its like-for-like days: " (sur les
    # 334 premiers jours)")
    assert {m.proto.delta_description.split(" (")[0] for m in at.metric if m.proto.delta} == {description}
    assert t(comparison, lang) in _cdo_caption(at)
    # the B2C clicks card's delta is the scorecard's change against that window: over the last month (October
    # 2026), September 2026 and October 2025 differ, so the other comparison's number would be wrong
    sel = at.session_state["selection"]
    row = metrics.cdo_view(Store(store_path), sel.flt, sel.grain, lang=lang).scorecard.set_index(
        ["segment", "kpi"]).loc[("B2C", "clicks")]
    change, other = (row["change"], row["change_year"]) if which == "previous" else (row["change_year"], row["change"])
    clicks = next(m for m in at.metric if m.label.endswith(KPIS["clicks"].short(lang)))
    assert clicks.delta.lstrip("+−-") == fmt_value(abs(change), "count", lang, compact=True)
    if period == "lm":
        assert clicks.delta.lstrip("+−-") != fmt_value(abs(other), "count", lang, compact=True)


def test_world_pages_follow_the_comparison_and_keep_monthly_cards_at_week_grain(store_path):
    at = AppTest.from_file(APP, default_timeout=90)
    at.query_params["cmp"] = "previous"
    at.run()
    at.segmented_control(key="grain").set_value("week").run()
    # Vue CDO: the indexed trends are drawn by month, and say why
    assert any(c.value.startswith("grain natif : mois — la granularité « semaine »") for c in at.caption)
    at.switch_page("app_pages/internal.py").run()
    assert not at.exception, [e.value for e in at.exception]
    labels = [m.label.split("] ")[-1] for m in at.metric]  # without the target badge
    # the B2E data are monthly: every card stays, with the window's value and its native grain said
    assert KPIS["active_users"].short("fr") in labels and KPIS["adoption_rate"].short("fr") in labels
    assert {m.proto.delta_description.split(" (")[0] for m in at.metric if m.proto.delta} == {"vs période précédente"}
    notes = [c.value for c in at.caption if "grain natif : mois" in c.value]
    assert len(notes) >= len(labels)  # each card's note, and the chart's
    assert any("plus fine que les données" in n for n in notes)
    sel = at.session_state["selection"]
    view = metrics.cdo_view(Store(store_path), sel.flt, "month", lang="fr")  # window values do not depend on grain
    active = view.scorecard.set_index(["segment", "kpi"]).loc[("B2E", "active_users"), "value"]
    card = next(m for m in at.metric if m.label.endswith(KPIS["active_users"].short("fr")))
    assert card.value == fmt_value(active, "count", "fr", compact=True)


def _clicks_csv(i: int, rows: int = 3000) -> bytes:
    """About 100 kB: ``rows`` days of clicks and impressions of one B2C entity, different for each ``i``."""
    lines = ["Date;Segment;Entité;Clics;Impressions"]
    for d in range(rows):
        day, month, year = 1 + d % 28, 1 + (d // 28) % 12, 2020 + d // 336
        lines.append(f"{year}-{month:02d}-{day:02d};B2C;E{i:03d};{(d * 7 + i) % 1000};{(d * 13 + i) % 100000 + 1000}")
    return ("\n".join(lines) + "\n").encode()


def test_importer_keeps_nothing_of_the_files_that_left_the_uploader(store_path):
    """Thirty different files, one after the other: what the Importer learnt about each goes with it.

    Before, every check stayed in ``st.cache_data`` (32 entries shared by all sessions, kept after they end):
    30 files held 30 pickled results. The bound is five results: one file's check may stay in Streamlit's
    own buffers; thirty would be six times the bound."""
    import gc
    import pickle
    import tracemalloc

    from kpis import ingest

    one = len(pickle.dumps(ingest.check_bytes(_clicks_csv(0), "f0.csv")))  # one file's result, about 0.2 MB
    at = run_app("app_pages/importer.py")
    uploader = lambda: at.file_uploader(key="uploads")  # noqa: E731
    uploader().upload("warm.csv", _clicks_csv(99)).run()
    uploader().clear().run()
    gc.collect()
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        for i in range(30):
            uploader().clear().upload(f"f{i}.csv", _clicks_csv(i)).run()
            assert not at.exception
        assert md("f29.csv") in _texts(at) and md("f28.csv") not in _texts(at)  # the uploader holds the last file
        uploader().clear().run()
        gc.collect()
        grown = tracemalloc.get_traced_memory()[0] - before
    finally:
        tracemalloc.stop()
    assert grown < 5 * one, (grown, one)


def test_referentiel_sets_the_reference_source_of_a_head_count(store_path):
    from formats_files import viva_user_detail_csv

    from kpis import ingest

    run_app()  # the demo is seeded on first run
    data, name = viva_user_detail_csv(bad_row=False)
    viva = ingest.check_bytes(data.decode("utf-8-sig").replace("2026-09-30", "2026-10-31")
                              .replace("2026-09-", "2026-10-").encode(), name, segment="B2E")
    Store(store_path).import_batch(**viva.batch(origin=viva.default_origin, imported_by="test"))
    at = run_app("app_pages/catalog.py")
    [kpi] = [b for b in at.selectbox if b.key == "reference_kpi"]
    labels = kpi.options  # AppTest shows the formatted labels
    assert "B2E · Utilisateurs actifs" in labels
    kpi.set_value(labels.index("B2E · Utilisateurs actifs")).run()
    [origin] = [b for b in at.selectbox if str(b.key).startswith("reference_origin_")]
    # the demo workbook by its file, the Viva report by its format's name
    assert origin.options == ["Automatique (la meilleure couverture de la période)", "Viva Engage (utilisateurs)",
                              "interne_b2e.xlsx"]
    origin.set_value("m365_viva_engage_user_detail").run()
    at.button(key="reference_save").click().run()
    assert not at.exception
    refs = Store(store_path).reference_origins()
    assert refs[["segment", "kpi", "origin"]].values.tolist() == [["B2E", "active_users",
                                                                    "m365_viva_engage_user_detail"]]
    at.switch_page("app_pages/internal.py").run()
    actifs = next(m for m in at.metric if m.label.endswith(KPIS["active_users"].short("fr")))  # after its badge
    # the Viva report's 8 active people (see formats_files) are now the headline
    assert actifs.value == fmt_value(8, "count", "fr", compact=True)


def _shown(at) -> tuple:
    sel = at.session_state["selection"]
    return sel.flt.segments, sel.flt.start.isoformat(), sel.flt.end.isoformat(), sel.grain, sel.lang


def _open(params: dict) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=90)
    for key, value in params.items():
        at.query_params[key] = value
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_a_link_is_codes_and_opens_the_same_view_in_the_other_language(store_path):
    at = run_app()
    at.pills(key="seg").set_value(["B2C", "B2E"]).run()
    at.pills(key="period").set_value("lq").run()
    at.segmented_control(key="grain").set_value("week").run()
    # the URL holds codes, never a translated label (French is the default language: no lang parameter)
    link = dict(at.query_params)
    assert {k: v for k, v in link.items() if k != "cmp"} == {"seg": ["B2C", "B2E"], "period": "lq", "grain": "week"}
    # the demo data end on 31 October 2026: the last complete quarter is July – September 2026
    assert _shown(at) == (("B2C", "B2E"), "2026-07-01", "2026-09-30", "week", "fr")
    english = _open({**link, "lang": "en"})
    assert _shown(english) == (("B2C", "B2E"), "2026-07-01", "2026-09-30", "week", "en")
    assert english.pills(key="period").format_func("lq") == "Last quarter" and not english.warning
    # the comma form names the same segments; English link, English answer
    assert _shown(_open({"seg": "B2E,B2C", "period": "lq", "grain": "week", "lang": "en"}))[0] == ("B2C", "B2E")


ALL = ("B2C", "B2B", "B2E")


@pytest.mark.parametrize(("params", "shown", "note"), [
    # year to date with the data ending 31 October 2026: January – October 2026, never dropped
    ({"period": "ytd", "grain": "quarter"}, (ALL, "2026-01-01", "2026-10-31", "quarter", "fr"), None),
    # a link made before codes: its labels are still understood, in either language
    ({"period": "Dernier mois", "lang": "English"}, (ALL, "2026-10-01", "2026-10-31", "month", "en"), None),
    ({"period": "fortnight"}, (ALL, "2025-11-01", "2026-10-31", "month", "fr"),
     "Le lien demande period=fortnight, valeur inconnue : 12 derniers mois est affiché."),
    ({"grain": "day", "lang": "en"}, (ALL, "2025-11-01", "2026-10-31", "month", "en"),
     "The link asks for grain=day, an unknown value: showing Month."),
    ({"lang": "de"}, (ALL, "2025-11-01", "2026-10-31", "month", "fr"),
     "Le lien demande lang=de, valeur inconnue : Français est affiché."),
    ({"seg": "B2X"}, (ALL, "2025-11-01", "2026-10-31", "month", "fr"),
     "Le lien demande seg=B2X, valeur inconnue : B2C, B2B, B2E est affiché."),
    ({"seg": "B2X,B2E"}, (("B2E",), "2025-11-01", "2026-10-31", "month", "fr"),
     "Le lien demande seg=B2X, valeur inconnue : B2E est affiché."),
])
def test_a_link_with_a_value_the_app_does_not_know_shows_the_default_and_says_so(store_path, params, shown, note):
    at = _open(params)
    assert _shown(at) == shown
    assert [w.value for w in at.sidebar.warning] == ([note] if note else [])
    if note:  # the note stays while the reader changes something else, and goes once they pick that control
        param = note.split("=")[0].split()[-1]
        other = "period" if param == "grain" else "grain"
        _pick(at, other, {"period": "lm", "grain": "quarter"}[other])
        assert [w.value for w in at.sidebar.warning] == [note]
        _pick(at, param, {"seg": ["B2B"], "period": "lm", "grain": "week", "lang": "en"}[param])
        assert not at.exception and not at.sidebar.warning


def _pick(at, key: str, value) -> None:
    widget = at.pills(key=key) if key in ("seg", "period") else at.segmented_control(key=key)
    widget.set_value(value).run()


def test_a_custom_range_outside_the_data_is_clamped_with_a_note_not_a_crash(store_path):
    # the demo data run from 1 November 2023 to 31 October 2026: the link asks for 2001 to 2030
    at = _open({"period": "custom", "from": "2001-01-01", "to": "2030-12-31"})
    assert _shown(at)[1:3] == ("2023-11-01", "2026-10-31")
    assert "Dates ramenées aux données disponibles : du 01/11/2023 au 31/10/2026 (demandé : 01/01/2001 – " \
           "31/12/2030)." in [c.value.removeprefix(":material/info: ") for c in at.sidebar.caption]
    assert (at.query_params.get("from"), at.query_params.get("to")) == ("2023-11-01", "2026-10-31")
    # a range inside the data is kept as asked, without a note, and a malformed date is a note, not a crash
    at = _open({"period": "custom", "from": "2026-02-01", "to": "2026-03-31", "lang": "en"})
    assert _shown(at)[1:3] == ("2026-02-01", "2026-03-31") and not any("brought" in c.value for c in at.caption)
    at = _open({"period": "custom", "from": "31/02/2026"})
    assert _shown(at)[1:3] == ("2025-11-01", "2026-10-31") and "from/to=31/02/2026/" in at.sidebar.warning[0].value


def test_custom_range_when_the_data_start_after_the_default_window(store_path):
    # a store holding November 2026 only: the default window (twelve months back) starts before the data
    from kpis import ingest

    store = Store(store_path)
    result = ingest.check_bytes(b2e_november(), "usage_novembre.xlsx")
    store.import_batch(result.observations, file_name="usage_novembre.xlsx", sha256="x")
    at = _open({"period": "custom"})
    assert _shown(at)[1:3] == ("2026-11-01", "2026-11-30")
    assert at.date_input(key="range").value == (date(2026, 11, 1), date(2026, 11, 30))
    at.run()  # the reload of the link that crashed
    assert not at.exception and _shown(at)[1:3] == ("2026-11-01", "2026-11-30")


def _trends_chart(at) -> tuple[dict, pd.DataFrame]:
    """The Vue CDO's indexed-trends chart: its spec and its rows (Streamlit sends them apart, as Arrow)."""
    import json

    import pyarrow as pa

    for chart in at.get("vega_lite_chart"):
        spec = json.loads(chart.proto.spec)
        if "Tendances" in str(spec.get("title")) or "Valeurs" in str(spec.get("title")):
            rows = [pa.ipc.open_stream(d.data.data).read_pandas() for d in chart.proto.datasets]
            return spec, pd.concat([r for r in rows if "series" in r.columns])
    raise AssertionError("no indexed-trends chart")


def test_cdo_trends_show_the_headline_funnel_by_default_and_one_year_as_values(store_path):
    at = run_app()
    picker = next(m for m in at.multiselect if m.label == "Indicateurs des tendances")
    segments = at.session_state["selection"].flt.segments
    assert set(picker.value) == {KPIS[k].label("fr") for k in dashboard.trend_defaults(segments)} & set(picker.options)
    _, rows = _trends_chart(at)
    shown = set(rows["series"])
    # audience, engagement and action of each selected segment: never every KPI of every segment and "Tous segments"
    assert len(shown) == 3 * len(segments) and not any(s.startswith("Tous segments") for s in shown)
    assert any(c.value.startswith("Chaque courbe suit un indicateur") for c in at.caption)
    picker.set_value([KPIS["clicks"].label("fr")]).run()
    assert set(_trends_chart(at)[1]["series"]) == {f"{dashboard.segment_label(s, 'fr')} · Clics"
                                                   for s in segments if s != "B2E"}
    at.pills(key="period").set_value("ytd").run()  # January to October 2026: one year
    at.segmented_control(key="grain").set_value("year").run()
    assert not at.exception, [e.value for e in at.exception]
    spec, rows = _trends_chart(at)
    assert spec["title"]["subtitle"] == "une seule période : pas d'évolution à indexer"
    assert spec["mark"]["type"] == "text" and rows["period"].nunique() == 1
    assert "100,000000" not in set(rows["shown"])


def test_target_editor_speaks_labels_and_percents_and_saving_nothing_changed_saves_nothing(store_path):
    at = run_app("app_pages/catalog.py")
    editor = next(d.value for d in at.dataframe if "kpi" in d.value.columns)  # the targets' editor
    stored = Store(store_path).targets()
    assert set(editor["kpi"]) <= {k.label("fr") for k in KPIS.values()} and not set(editor["kpi"]) & set(KPIS)
    rate = stored[stored["kpi"].map(lambda k: KPIS[k].unit == "%")].iloc[0]
    row = editor[(editor["kpi"] == KPIS[rate["kpi"]].label("fr")) & (editor["segment"] == rate["segment"])].iloc[0]
    assert row["unit"] == "%" and float(row["value"].replace(",", ".")) == pytest.approx(rate["value"] * 100)
    at.button(key="targets_editor_save").click().run()
    assert not at.exception, [e.value for e in at.exception]
    # nothing edited: 0 saved, not every target of the table
    assert [s.value for s in at.success] == ["0 objectif(s) modifié(s), ajouté(s) ou supprimé(s)."]
    assert len(Store(store_path).targets()) == len(stored)


def _repeated_pages_workbook() -> bytes:
    import io

    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.append(["Mois", "Site", "Pages vues", "Pages vues", "Contributions"])  # the site's, then the app's
    ws.append(["janv. 2027", "Paris", 2000, 300, 30])
    ws.append(["févr. 2027", "Paris", 2100, 310, 35])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def test_importer_maps_a_repeated_header_by_its_column_and_remembers_the_position(store_path):
    at = run_app("app_pages/importer.py")
    at.file_uploader(key="uploads").upload("pages.xlsx", _repeated_pages_workbook()).run()
    assert not at.exception and at.button(key="do_import").disabled
    boxes = {str(b.key).rsplit("_", 1)[-1]: b for b in at.selectbox if str(b.key).startswith("map_")}
    assert set(boxes) == {"C", "D"}  # both "Pages vues" columns, each by its letter
    assert boxes["D"].label == md("Sheet · D · Pages vues")
    boxes["D"].set_value("ignore").run()
    assert not at.exception and not at.button(key="do_import").disabled
    at.button(key="do_import").click().run()
    assert "lot n° 5 importé" in _texts(at)
    stored = Store(store_path).observations()
    mine = stored[stored["period_start"] >= "2027-01-01"]
    # the site's page views only: 2000 + 2100; contributions 30 + 35
    assert mine.groupby("kpi", observed=True)["value"].sum().to_dict() == {"contributions": 65.0,
                                                                            "page_views": 4100.0}
    [remembered] = [m for m in Store(store_path).remembered_mappings() if "pages vues" in m.headers]
    assert remembered.mapping == {"Pages vues#2": "ignore"}


def test_importer_reads_a_pivot_table_and_says_so(store_path):
    import io

    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.append(["Segment", "B2C"])
    ws.append(["Somme de Clics", None, "Étiquettes de colonnes"])
    ws.append(["Marque", "Canal", "janv. 2027", "févr. 2027", "Total général"])
    ws.append(["Marque A", "Search", 100, 120, 220])
    ws.append([None, "Social", 40, 50, 90])
    ws.append(["Total Marque A", None, 140, 170, 310])
    ws.append(["Total général", None, 140, 170, 310])
    out = io.BytesIO()
    wb.save(out)
    at = run_app("app_pages/importer.py")
    at.file_uploader(key="uploads").upload("tcd.xlsx", out.getvalue()).run()
    assert not at.exception and "Prêt à importer" in _texts(at)
    summary = at.dataframe[0].value
    assert "tableau croisé dynamique copié en valeurs" in summary.astype(str).to_string()
    at.button(key="do_import").click().run()
    stored = Store(store_path).observations()
    mine = stored[stored["period_start"] >= "2027-01-01"]
    # Search 100 + 120 = 220, Social 40 + 50 = 90: the subtotal and grand total rows and column left out
    assert mine.groupby("channel", observed=True)["value"].sum().to_dict() == {"Search": 220.0, "Social": 90.0}
def _submit(at, form: str):
    [button] = [b for b in at.button if str(b.key).startswith(f"FormSubmitter:{form}-")]
    return button.click().run()


def test_a_kpi_of_the_organisation_created_in_the_app_is_imported_targeted_shown_exported_and_backed_up(
        store_path, tmp_path):
    """The journey of issue 12: two columns no catalog foresaw (HR cases) become KPIs from the Importer, a ratio of them
    is defined on the Référentiel, a target is uploaded, and the internal page shows and exports them."""
    import io

    import openpyxl

    from kpis import catalog

    def xlsx(rows):
        book = openpyxl.Workbook()
        for row in rows:
            book.active.append(row)
        out = io.BytesIO()
        book.save(out)
        return out.getvalue()

    at = run_app("app_pages/importer.py")
    referrals = xlsx([["Mois", "Segment", "Saisines reçues", "Saisines traitées"], ["2026-07", "B2E", 100, 80],
                     ["2026-08", "B2E", 50, 45], ["2026-09", "B2E", 150, 90]])
    at.file_uploader(key="uploads").upload("saisines_rh.xlsx", referrals).run()
    assert len([e for e in at.expander if e.label == t("import.create_kpi", "fr")]) == 2  # columns C and D
    for header, code in (("Saisines reçues", "saisines_recues"), ("Saisines traitées", "saisines_traitees")):
        form = next(str(b.key).split(":", 1)[1].rsplit("-", 1)[0] for b in at.button
                    if str(b.key).startswith("FormSubmitter:create_kpi_"))
        assert (at.text_input(key=f"{form}_code").value, at.text_input(key=f"{form}_label_fr").value,
                at.text_area(key=f"{form}_synonyms").value) == (code, header, header)  # pre-filled from the header
        at.selectbox(key=f"{form}_world").set_value("internal")
        _submit(at, form)
        assert not at.exception and f"Indicateur « {md(header)} » créé." in _texts(at)
    # both columns are read again with the new KPIs: nothing left to create, three rows kept
    assert not [b for b in at.button if str(b.key).startswith("FormSubmitter:create_kpi_")]
    assert at.dataframe[0].value.iloc[0]["Gardées"] == 3
    at.button(key="do_import").click().run()
    assert "lot n° 5 importé, 6 valeurs enregistrées" in _texts(at)

    at.switch_page("app_pages/catalog.py").run()
    form = "orgkpi_form_new"
    for widget, value in (("code", "taux_cloture"), ("label_fr", "Taux de clôture"),
                          ("label_en", "Closure rate")):
        at.text_input(key=f"{form}_{widget}").set_value(value)
    at.text_area(key=f"{form}_definition_fr").set_value("Saisines traitées / saisines reçues.")
    at.text_area(key=f"{form}_definition_en").set_value("Handled / received referrals.")
    at.selectbox(key=f"{form}_world").set_value("internal")
    at.selectbox(key=f"{form}_kind").set_value("ratio")
    at.selectbox(key=f"{form}_unit").set_value("%")
    at.selectbox(key=f"{form}_numerator").set_value("saisines_traitees")
    at.selectbox(key=f"{form}_denominator").set_value("saisines_recues")
    _submit(at, form)
    assert not at.exception and "Indicateur « Taux de clôture » créé." in _texts(at)
    listed = at.dataframe[0].value.set_index("Code")
    assert listed.loc["taux_cloture", "Origine"] == "Organisation" and listed.loc["clicks", "Origine"] == "Intégré"
    assert listed.loc["taux_cloture", "Formule"] == "saisines_traitees / saisines_recues"
    # a change once data exist is kept in the history shown on the page
    at.selectbox(key="orgkpi_pick").set_value("saisines_recues").run()
    at.text_area(key="orgkpi_form_saisines_recues_definition_en").set_value("HR referrals received.")
    _submit(at, "orgkpi_form_saisines_recues")
    assert "Indicateur « Saisines reçues » modifié : Définition (anglais)." in _texts(at)
    history = next(d.value for d in at.dataframe if "Changements" in d.value.columns)
    edited = history[history["Action"] == "modification"].iloc[0]
    assert (edited["Indicateur"], edited["Version"], edited["Observations"]) == ("Saisines reçues", 2, 3)
    assert edited["Changements"] == "Définition (anglais) : Saisines reçues → HR referrals received."
    # removing a KPI that has data is refused with the count
    at.button(key="orgkpi_remove_saisines_recues").click().run()
    assert md("a encore des données : 3 observation(s) et 0 objectif(s).") in _texts(at)
    # a target for the ratio, uploaded as a sheet naming it by its label
    targets = xlsx([["KPI", "Segment", "Période", "Cible"], ["Taux de clôture", "B2E", "T3 2026", "75 %"]])
    at.file_uploader(key="targets_upload").upload("objectifs.xlsx", targets).run()
    at.button(key="targets_save").click().run()
    assert "1 objectif(s) enregistré(s)." in _texts(at)

    at.pills(key="period").set_value("lq").run()  # the last complete quarter of the data: Q3 2026
    at.switch_page("app_pages/internal.py").run()
    assert not at.exception
    cards = {m.label: m.value for m in at.metric}
    assert cards["Saisines reçues"] == "300" and cards["Saisines traitées"] == "215"  # 100 + 50 + 150; 80 + 45 + 90
    # Q3 closure (80 + 45 + 90) / (100 + 50 + 150) = 71.7 %; against 75 %: attainment 95.6 %, amber
    assert cards[":orange-badge[96\u202f%] Taux de clôture"] == "71,7\u202f%"
    # the page's workbook, built as its download button builds it, holds the new KPIs
    sel = at.session_state["selection"]
    flt = dashboard.INTERNAL_WORLD.restrict(sel.flt)
    view = metrics.cdo_view(Store(store_path), flt, sel.grain, lang="fr")
    book = openpyxl.load_workbook(io.BytesIO(dashboard.view_workbook(view, "fr")))
    cells = [(c.value, r[i + 1].value if i + 1 < len(r) else None) for ws in book.worksheets
             for r in ws.iter_rows() for i, c in enumerate(r)]
    labels = {v for v, _ in cells}
    assert {"Saisines reçues", "Saisines traitées", "Taux de clôture"} <= labels

    # backed up, then restored into a new store: the KPIs, their history and their data come back
    store = Store(store_path)
    store.backup(tmp_path / "bk")
    from kpis.store import restore_store

    restore_store(tmp_path / "copy.duckdb", tmp_path / "bk")
    catalog.install()
    copy = Store(tmp_path / "copy.duckdb")
    assert [d.code for d in copy.kpi_definitions()] == ["saisines_recues", "saisines_traitees", "taux_cloture"]
    assert len(copy.kpi_history()) == 4 and catalog.KPIS["taux_cloture"].custom
    q3 = Filter(segments=("B2E",), start=date(2026, 7, 1), end=date(2026, 9, 30))
    table = metrics.kpi_table(metrics.fetch(copy, q3, "quarter"), q3, "quarter")
    assert table.set_index("kpi").loc["taux_cloture", "value"] == pytest.approx(215 / 300)


def test_a_kpi_of_the_organisation_without_data_is_removed_from_the_referentiel(store_path):
    from kpis import catalog
    from kpis.custom import Definition

    at = run_app("app_pages/catalog.py")
    Store(store_path).add_kpi(Definition("factory_visits", "Visites d'usine", "Factory visits", "Visites.", "Visits.",
                                         ("B2E",), "flow", synonyms=("Visites usine",)), by="cdo")
    at.run()
    builtin = len(catalog.BUILTIN_KPIS)
    assert len(at.dataframe[0].value) == builtin + 1  # the built-in ones and the organisation's one
    at.selectbox(key="orgkpi_pick").set_value("factory_visits").run()
    # a refused definition says why in the page's language and changes nothing
    at.text_input(key="orgkpi_form_factory_visits_label_en").set_value("Clicks")
    _submit(at, "orgkpi_form_factory_visits")
    assert md("Le libellé 'Clicks' est déjà celui de l'indicateur 'clicks'.") in _texts(at)
    assert Store(store_path).kpi_definitions()[0].label_en == "Factory visits"
    at.button(key="orgkpi_remove_factory_visits").click().run()
    assert not at.exception and "Indicateur « Visites d'usine » supprimé." in _texts(at)
    assert at.selectbox(key="orgkpi_pick").value is None and Store(store_path).kpi_definitions() == []
    assert len(at.dataframe[0].value) == builtin
