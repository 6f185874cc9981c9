"""Passerelle: the picture frame. Page config, demo seeding, the shared sidebar filters, navigation."""

from datetime import date

import streamlit as st

import ui
from kpis import demo
from kpis.dashboard import default_comparison
from kpis.errors import StoreUnreadable
from kpis.i18n import t
from kpis.model import PRESETS, SEGMENTS, Filter, preset_range

st.set_page_config(page_title="Passerelle", page_icon=":material/hub:", layout="wide")

config = ui.settings()  # the environment, read at the edge; a bad value stops here with a message
raw = ui.raw_store()
if "seeded" not in st.session_state:
    # first run of a brand-new store only: never again once the demo data has been removed
    if not raw.batches() and not raw.deletions():
        with st.spinner("Chargement des données de démonstration… / Loading demo data…"):
            demo.seed(raw)
    st.session_state.seeded = True
rights = ui.sign_in(raw)  # with sign-in on, stops here until the person may see something

with st.sidebar:
    # every control is in the URL as a code, the same in both languages (ui.state.url_choice / url_write)
    for param, default in (("lang", "fr"), ("seg", list(SEGMENTS)), ("period", "12m"), ("grain", "month")):
        ui.url_choice(param, default)
    lang = st.segmented_control(
        "Langue / Language", ["fr", "en"], key="lang", required=True, format_func=ui.LANGUAGE_NAMES.get,
        label_visibility="collapsed", on_change=ui.url_chose, args=("lang",)) or "fr"
    notes = st.container()  # filled once every parameter is read (the custom range's from/to included)
    st.markdown(f"**{t('filter.title', lang)}**")
    granted = [s for s in SEGMENTS if s in rights.readable]  # a segment not granted is not offered
    if any(s not in granted for s in st.session_state.get("seg") or ()):
        st.session_state["seg"] = [s for s in st.session_state["seg"] if s in granted] or granted
    segments = st.pills(t("filter.segments", lang), granted, key="seg", selection_mode="multi",
                        on_change=ui.url_chose, args=("seg",)) or granted
    preset = st.pills(t("filter.period", lang), list(PRESETS), key="period", required=True,
                      format_func=lambda p: t(f"preset.{p}", lang), on_change=ui.url_chose, args=("period",)) or "12m"
    version = ui.data_version()  # the store's version and this session's rights: the key of every cached read
    dims = ui.dimension_values(version, tuple(segments))
    latest = dims["periods"][1].date() if dims["periods"][1] is not None else date.today()
    if preset == "custom":
        earliest = dims["periods"][0].date() if dims["periods"][0] is not None else latest
        start, end = ui.custom_range(earliest, latest, lang)
    else:
        ui.drop_range_params()
        start, end = preset_range(preset, latest, config.fiscal_start)
    grain = st.segmented_control(
        t("filter.grain", lang), ["week", "month", "quarter", "year"], key="grain", required=True,
        format_func=lambda g: t(f"grain.{g}", lang), on_change=ui.url_chose, args=("grain",)) or "month"
    for note in ui.url_notes(lang):
        notes.warning(note, icon=":material/link_off:")
    for param, value, default in (("lang", lang, "fr"), ("seg", st.session_state.get("seg"), list(SEGMENTS)),
                                  ("period", preset, "12m"), ("grain", grain, "month")):
        ui.url_write(param, value, default)
    compare = ui.comparison_control(default_comparison(start, end, config.fiscal_start), lang)
    entities = st.multiselect(t("filter.entities", lang), dims["entities"], key="ent", bind="query-params",
                              placeholder=t("filter.all", lang))
    channels = st.multiselect(t("filter.channels", lang), dims["channels"], key="chan", bind="query-params",
                              placeholder=t("filter.all", lang))
    st.divider()
    ui.sidebar_identity(lang)  # who is signed in and sign-out, or the discreet local-mode note

ui.set_selection(ui.Selection(
    flt=Filter(segments=tuple(s for s in SEGMENTS if s in segments), start=start, end=end,
               entities=tuple(entities), channels=tuple(channels)),
    grain=grain, lang=lang, version=version, fiscal_start=config.fiscal_start, compare=compare))

pages = {
    t("nav.steering", lang): [
        st.Page("app_pages/cdo_view.py", title=t("nav.cdo", lang), icon=":material/dashboard:", url_path="vue-cdo",
                default=True, help=t("help.cdo", lang)),
        st.Page("app_pages/side_by_side.py", title=t("nav.side_by_side", lang), icon=":material/compare:",
                url_path="cote-a-cote", help=t("help.side_by_side", lang)),
    ],
    t("nav.worlds", lang): [
        st.Page("app_pages/external.py", title=t("nav.external", lang), icon=":material/campaign:", url_path="externe",
                help=t("help.external", lang)),
        st.Page("app_pages/internal.py", title=t("nav.internal", lang), icon=":material/groups:", url_path="interne",
                help=t("help.internal", lang)),
        st.Page("app_pages/e_reputation.py", title=t("nav.reputation", lang), icon=":material/forum:",
                url_path="e-reputation", help=t("help.reputation", lang)),
    ],
    t("nav.data", lang): [
        *([st.Page("app_pages/importer.py", title=t("nav.importer", lang), icon=":material/upload_file:",
                   url_path="importer", help=t("help.importer", lang))] if ui.can_edit() else []),
        st.Page("app_pages/history.py", title=t("nav.history", lang), icon=":material/history:", url_path="historique",
                help=t("help.history", lang)),
        st.Page("app_pages/catalog.py", title=t("nav.catalog", lang), icon=":material/menu_book:",
                url_path="referentiel", help=t("help.catalog", lang)),
        *([st.Page("app_pages/access.py", title=t("nav.access", lang), icon=":material/admin_panel_settings:",
                   url_path="acces", help=t("help.access", lang))] if rights.admin else []),
    ],
}
page = st.navigation(pages, position="sidebar")
st.title(page.title, anchor=False)
if not rights.everything:  # what this person sees is cut to their grants: said on every page
    st.caption(t("access.scope_note", lang, segments=", ".join(rights.readable),
                 entities=", ".join(rights.entities) or t("export.all", lang)), help=t("access.scope_help", lang))

ui.demo_banner(version)  # removing the demo data asks first, showing what goes

try:
    page.run()
except StoreUnreadable as exc:  # damage found while reading: the message names the backup to restore
    ui.store_error(exc)
