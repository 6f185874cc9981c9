"""The tracked subjects in the app: added on the Référentiel with its form, shown on the E-réputation page (counted
again independently from the demo CSV) and in the page's workbook."""

from __future__ import annotations

import io
import re
import unicodedata

import openpyxl
import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from conftest import APP, ROOT
from kpis import dashboard, metrics
from kpis.demo import seed
from kpis.esn.subjects import Subject
from kpis.store import Store

pytestmark = pytest.mark.usefixtures("clean_streamlit_caches")


def _app() -> AppTest:
    at = AppTest.from_file(APP, default_timeout=120).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _submit(at: AppTest, form: str) -> AppTest:
    [button] = [b for b in at.button if str(b.key).startswith(f"FormSubmitter:{form}-")]
    return button.click().run()


def test_a_subject_added_on_the_referentiel_is_listed_audited_and_said_not_yet_counted(store_path):
    at = _app()  # the first run imports the demo data, with its two tracked subjects
    at.switch_page("app_pages/catalog.py").run()
    listed = next(d.value for d in at.dataframe if "Synonymes" in d.value.columns)
    assert listed.values.tolist() == [["atlas", "Projet Atlas", "Atlas project", "Atlas"],
                                      ["intranet", "Nouvel intranet", "New intranet", "intranet"]]
    form = "subject_form_new"
    at.text_input(key=f"{form}_code").set_value("cantine")
    at.text_input(key=f"{form}_fr").set_value("Cantine")
    at.text_input(key=f"{form}_en").set_value("Canteen")
    at.text_area(key=f"{form}_synonyms").set_value("restaurant d'entreprise\ncanteen")
    _submit(at, form)
    assert not at.exception and "Sujet ajouté : Cantine." in [s.value for s in at.success]
    listed = next(d.value for d in at.dataframe if "Synonymes" in d.value.columns)
    assert listed.values.tolist()[1] == ["cantine", "Cantine", "Canteen", "restaurant d'entreprise, canteen"]
    store = Store(store_path)
    assert store.subjects()[1] == Subject("cantine", "Cantine", "Canteen", ("restaurant d'entreprise", "canteen"))
    assert store.audit()["action"].iloc[0] == "subject_add"
    # a bad code is refused under the form, in the page's language, and nothing is stored
    at.text_input(key=f"{form}_code").set_value("Mauvais code")
    at.text_input(key=f"{form}_fr").set_value("X")
    _submit(at, form)
    assert any("Sujet non valable" in e.value for e in at.error) and len(store.subjects()) == 3
    # the demo was imported before the subject existed: the page says which months to import again
    at.switch_page("app_pages/e_reputation.py").run()
    assert not at.exception
    notes = [i.value.replace("\\", "") for i in at.info]  # shown as escaped Markdown
    assert "Cantine : non suivi lors de l'import de nov. 2025 – oct. 2026 : réimportez l'export pour le compter." \
        in notes, notes


def _folded(text: str) -> str:
    text = unicodedata.normalize("NFKD", text.lower())
    return "".join(c for c in text if not unicodedata.combining(c))


def test_the_page_counts_a_subject_as_the_raw_export_does_and_exports_it(store_path):
    store = Store(store_path)
    store.add_subject(Subject("cantine", "Cantine", "Canteen", ("canteen",)), by="cdo")
    seed(store)  # the demo, imported with the subject tracked
    at = _app()
    at.switch_page("app_pages/e_reputation.py").run()
    assert not at.exception
    assert "#### Sujets suivis" in [m.value for m in at.markdown]
    shown = next(d.value for d in at.dataframe if "Sujet" in d.value.columns).set_index("Sujet")
    sel = at.session_state["selection"]
    view = metrics.cdo_view(Store(store_path), sel.flt, sel.grain, lang="fr")
    first, last, (p0, p1) = dashboard.month_window(view.period_start, view.period_end)
    # counted again from the CSV itself: public messages whose text holds « cantine » or « canteen » as a word
    raw = pd.read_csv(ROOT / "sample_data" / "rse_messages.csv", sep=";", dtype=str)
    raw = raw[raw["Privé"] == "Non"]
    raw["month"] = pd.to_datetime(raw["Date"]).dt.to_period("M").dt.start_time.dt.date
    word = re.compile(r"(?<![0-9a-z])(?:cantine|canteen)(?![0-9a-z])")
    raw = raw[[bool(word.search(_folded(x))) for x in raw["Message"]]]
    inside = raw[(raw["month"] >= first) & (raw["month"] <= last)]
    before = raw[(raw["month"] >= p0) & (raw["month"] <= p1)]
    assert len(inside) > 0
    row = shown.loc["Cantine"]
    assert row["Messages"] == len(inside) and len(before) == 0
    # the twelve months are the whole export: nothing before them was imported, so no previous count, no change
    assert row["Période précédente"] == row["Évolution"] == "—"
    assert row["Auteurs (max. par mois)"] == inside.groupby("month")["ID auteur"].nunique().max() >= 5
    assert row["Part positive"].endswith("%") and row["Score de sentiment"].endswith("%")  # 5 authors: a tone
    assert not [i.value for i in at.info if "non suivi" in i.value]
    # the page's workbook, built as its download button builds it, has the panel as a sheet
    extra = {"Sujets suivis": dashboard.subjects_frame(store.esn_subjects(p0, last), store.subjects(),
                                                       store.esn_months(first, last), first, last, "fr")[0]}
    book = openpyxl.load_workbook(io.BytesIO(dashboard.view_workbook(view, "fr", extra)))
    sheet = book["Sujets suivis"]
    values = [[c.value for c in r] for r in sheet.iter_rows()]
    assert any(r[:2] == ["Cantine", len(inside)] for r in values), values
