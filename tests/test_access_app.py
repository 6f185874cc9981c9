"""The app for each role, driven with AppTest: sign-in on (``[auth]`` in the secrets) and ``at.user`` as the
identity provider would set it; local mode without."""

from __future__ import annotations

from unittest.mock import patch

import pytest
from streamlit.testing.v1 import AppTest

from conftest import APP
from kpis import demo
from kpis.access import Grant
from kpis.i18n import t
from kpis.settings import local_user
from kpis.store import Store

pytestmark = pytest.mark.usefixtures("clean_streamlit_caches")

AUTH = {"redirect_uri": "http://localhost:8501/oauth2callback", "cookie_secret": "x" * 40,
        "client_id": "passerelle", "client_secret": "s3cret",
        "server_metadata_url": "http://127.0.0.1:1/.well-known/openid-configuration"}


@pytest.fixture
def store(store_path) -> Store:
    s = Store(store_path)
    demo.seed(s)
    s.add_grant(Grant("viewer", ("B2E",), email="ines.rh@groupe.fr"), by="cdo@groupe.fr")
    s.add_grant(Grant("editor", ("B2C",), group="Marketing B2C"), by="cdo@groupe.fr")
    return s


def signed_in(user: dict | None, page: str | None = None) -> AppTest:
    import streamlit as st

    at = AppTest.from_file(APP, default_timeout=90)
    at.secrets["auth"] = AUTH
    at.user = {"is_logged_in": False} if user is None else {"is_logged_in": True, **user}
    with patch.object(st, "Page", wraps=st.Page) as pages:
        at.run()
    at.offered = [c.kwargs["title"] for c in pages.call_args_list]  # the navigation this person is given
    if page:
        at.switch_page(page).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def nav(at: AppTest) -> list[str]:
    return at.offered


def headings(at: AppTest) -> list[str]:
    return [m.value for m in at.markdown if m.value.startswith("##### ")]


def test_signed_out_sees_only_the_sign_in_page(store):
    at = signed_in(None)
    assert [b.label for b in at.button] == ["Se connecter"]
    assert not at.metric and not at.dataframe  # not one number before signing in


def test_a_b2e_viewer_sees_b2e_only_and_changes_nothing(store):
    at = signed_in({"email": "ines.rh@groupe.fr", "name": "Inès Martin"})
    assert {m.label for m in at.metric}  # Vue CDO drew its cards
    assert headings(at) == ["##### B2E — collaborateurs"]  # no B2C nor B2B section
    assert at.pills(key="seg").options == ["B2E"]
    captions = [c.value for c in at.caption]
    assert any(c.startswith("Vos droits couvrent : B2E") for c in captions)
    assert "Inès Martin · lecture · B2E" in captions
    assert [b.label for b in at.button if b.key == "sign_out"] == ["Se déconnecter"]
    assert "Importer" not in nav(at) and "Accès" not in nav(at) and "Historique" in nav(at)
    assert not [b for b in at.button if b.key == "remove_demo"]  # the demo removal is the administrators'
    assert not [e for e in at.expander if e.label == t("comments.add", "fr")]  # a viewer comments nothing
    at.switch_page("app_pages/history.py").run()
    assert not at.exception
    assert not [e for e in at.expander if e.label == "Supprimer un lot"]
    batches = at.dataframe[0].value
    # the two B2E demo batches (newest first), not the B2C and B2B ones
    assert batches["Fichier"].tolist() == ["rse_messages.csv", "interne_b2e.xlsx"]
    at.switch_page("app_pages/catalog.py").run()
    assert not at.exception and not at.get("data_editor") and not at.file_uploader  # targets read only


def test_an_editor_of_b2c_may_delete_b2c_batches_only(store):
    at = signed_in({"email": "paul@groupe.fr", "name": "Paul", "groups": ["Marketing B2C", "Tous"]})
    # on Vue CDO, a comment can be added on B2C only, the segment this editor may change
    [segment] = [s for s in at.selectbox if str(s.key).endswith("_comment_segment")]
    assert segment.options == ["B2C"]
    at.switch_page("app_pages/history.py").run()
    assert "Importer" in nav(at)
    [pick] = [s for s in at.selectbox if s.key == "delete_pick"]
    b2c = next(b for b in store.batches() if b["segments"] == ["B2C"])
    assert pick.options == [f"#{b2c['id']} · externe_b2c.xlsx · {b2c['imported_at'][:10]}"]  # not B2B, not B2E
    at.checkbox(key=f"delete_confirm_{b2c['id']}").check().run()
    at.button(key="delete_do").click().run()
    assert not at.exception
    trail = store.audit()
    assert (trail.iloc[0]["who"], trail.iloc[0]["action"], trail.iloc[0]["segments"]) == (
        "paul@groupe.fr", "delete_batch", ["B2C"])


def test_no_grant_names_whom_to_ask(store, monkeypatch):
    monkeypatch.setenv("PASSERELLE_ADMINS", "cdo@groupe.fr")
    at = signed_in({"email": "bob@groupe.fr", "name": "Bob"})
    assert [w.value for w in at.warning] == [
        "bob@groupe.fr n'a encore aucun droit sur Passerelle. Demandez un accès à : cdo@groupe.fr."]
    assert not at.metric


def test_the_administrator_of_the_setting_gives_a_right_on_the_access_page(store, monkeypatch):
    monkeypatch.setenv("PASSERELLE_ADMINS", "cdo@groupe.fr")
    at = signed_in({"email": "CDO@groupe.fr", "name": "Claire"}, "app_pages/access.py")
    assert "Accès" in nav(at) and "Claire · administration · B2C, B2B, B2E" in [c.value for c in at.caption]
    assert at.dataframe[0].value["Pour"].tolist() == ["ines.rh@groupe.fr", "Marketing B2C"]
    at.text_input(key="grant_to").input("Communication interne")
    at.segmented_control(key="grant_role").set_value("editor")
    at.pills(key="grant_segments").set_value(["B2E"])
    at.button(key="FormSubmitter:grant_add-Donner ce droit").click().run()
    assert not at.exception
    assert [s.value for s in at.success] == ["Droit n° 3 donné."]
    assert [g for _, g in store.grants()][-1] == Grant("editor", ("B2E",), group="Communication interne")
    assert store.audit().iloc[0]["who"] == "CDO@groupe.fr"


def test_local_mode_says_so_and_gives_every_right(store_path):
    import streamlit as st

    at = AppTest.from_file(APP, default_timeout=90)
    with patch.object(st, "Page", wraps=st.Page) as pages:
        at.run()
    at.offered = [c.kwargs["title"] for c in pages.call_args_list]
    assert not at.exception
    assert "Mode local, sans authentification" in [c.value for c in at.caption]
    assert {"Importer", "Historique", "Référentiel", "Accès"} <= set(nav(at))
    assert at.pills(key="seg").options == ["B2C", "B2B", "B2E"]
    assert [b["imported_by"] for b in Store(store_path).batches()] == ["demo"] * 4
    assert local_user()  # the login name every local action is recorded under


def test_a_weak_cookie_secret_keeps_the_app_closed(store):
    at = AppTest.from_file(APP, default_timeout=90)
    at.secrets["auth"] = {**AUTH, "cookie_secret": "changeme"}
    at.user = {"is_logged_in": True, "email": "cdo@groupe.fr"}
    at.run()
    assert not at.exception
    assert [e.value for e in at.error] == [t("access.weak_secret", "fr", n=32)]
    assert not at.metric and not at.button  # not even the sign-in button
