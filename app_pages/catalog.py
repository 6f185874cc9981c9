from functools import partial

import streamlit as st

import ui
from kpis import dashboard, reports
from kpis.access import AccessDenied
from kpis.catalog import KPIS, source_name
from kpis.i18n import escape_markdown as md
from kpis.model import SEGMENTS
from kpis.targets import from_editor, read_targets

sel = ui.selection()
ui.sources_caption(sel.flt.segments)
lang = sel.lang
t = ui.t
store = ui.store()

st.subheader(t("catalog.kpis"))
st.dataframe(reports.catalog_frame(lang), hide_index=True)

st.subheader(t("orgkpi.title"))
st.caption(t("orgkpi.help"))
ui.show_kpi_message()
definitions = {d.code: d for d in ui.kpi_definitions(sel.version)}
if st.session_state.get("orgkpi_pick") not in definitions:  # a KPI just removed: back to a new one
    st.session_state["orgkpi_pick"] = None
picked = st.selectbox(t("orgkpi.pick"), [None, *definitions], key="orgkpi_pick",
                      format_func=lambda c: t("orgkpi.new") if c is None else KPIS[c].label(lang) if c in KPIS else c)
ui.kpi_form(f"orgkpi_form_{picked or 'new'}", before=definitions.get(picked))
if picked is not None:
    ui.remove_button(definitions[picked], key=f"orgkpi_remove_{picked}")
history = ui.kpi_history(sel.version)
with st.expander(t("orgkpi.history"), icon=":material/history:"):
    if history.empty:
        st.caption(t("orgkpi.history_none"))
    else:
        st.dataframe(reports.kpi_history_frame(history, lang), hide_index=True)

st.subheader(t("catalog.references"))
st.caption(t("catalog.references_help"))
choices = dashboard.reference_choices(ui.kpi_origins(sel.version), ui.reference_origins(sel.version))
if choices.empty:
    st.caption(t("catalog.references_none"))
else:
    auto = t("catalog.reference_auto")
    names = dashboard.source_names(ui.batches(sel.version), lang)
    left, right = st.columns(2)
    labels = [f"{r.segment} · {KPIS[r.kpi].label(lang)}" for r in choices.itertuples()]
    pick = left.selectbox(t("catalog.reference_kpi"), range(len(choices)), key="reference_kpi",
                          format_func=labels.__getitem__)
    row = choices.iloc[pick]
    options = [None, *row["origins"]]
    origin = right.selectbox(t("catalog.reference_origin"), options, key=f"reference_origin_{pick}",
                             index=options.index(row["chosen"]) if row["chosen"] in options else 0,
                             format_func=lambda o: auto if o is None else names.get(o, source_name(o, lang)))
    if ui.can_edit(row["segment"]) and st.button(t("catalog.reference_save"), key="reference_save"):
        store.set_reference_origin(row["segment"], row["kpi"], origin, by=ui.user())
        st.success(t("catalog.reference_saved", kpi=KPIS[row["kpi"]].label(lang), segment=row["segment"],
                     origin=auto if origin is None else names.get(origin, source_name(origin, lang))))

st.subheader(t("subjects.title"))
st.caption(t("subjects.help"))
ui.subjects_section(sel.version)

st.subheader(t("catalog.targets"))
st.caption(t("catalog.targets_help"))
stored = ui.targets(sel.version)
current = reports.targets_frame(stored, lang)
if not ui.can_edit():  # read only: the targets as a table, no editor, no upload
    st.dataframe(current, hide_index=True)
    ui.excel_download(partial(reports.catalog_workbook, reports.targets_rows(stored), lang,
                              ui.export_context("nav.catalog")), "passerelle_referentiel.xlsx", key="download_catalog")
    st.stop()
edited = st.data_editor(current, num_rows="dynamic", hide_index=True, key=f"targets_editor_{lang}", column_config={
    "kpi": st.column_config.SelectboxColumn(t("catalog.kpi"), options=[k.label(lang) for k in KPIS.values()],
                                            required=True),
    "unit": st.column_config.TextColumn(t("catalog.unit"), disabled=True, help=t("catalog.unit_help")),
    "segment": st.column_config.SelectboxColumn("Segment", options=list(SEGMENTS), required=True),
    "entity": st.column_config.TextColumn(t("catalog.entity")),
    "period": st.column_config.TextColumn(t("catalog.period"), required=True),
    "value": st.column_config.TextColumn(t("catalog.value"), required=True, help=t("catalog.value_help")),
})
if st.button(t("catalog.save"), type="primary", key="targets_editor_save"):
    changes, problems = from_editor(current, edited)
    for problem in problems:
        st.warning(md(t("catalog.unreadable") + " " + problem))
    try:
        st.success(t("catalog.saved_changes", n=store.set_targets(changes, by=ui.user()) if len(changes) else 0))
    except AccessDenied as exc:  # a row of a segment this person may not edit: nothing saved
        st.error(md(exc.message(lang)), icon=":material/block:")
ui.excel_download(partial(reports.catalog_workbook, reports.targets_rows(stored), lang,
                          ui.export_context("nav.catalog")), "passerelle_referentiel.xlsx", key="download_catalog")
uploaded = st.file_uploader(t("catalog.upload"), type=["xlsx", "xls", "ods", "csv"], key="targets_upload")
if uploaded is not None:
    targets, issues = read_targets(uploaded.getvalue(), uploaded.name)
    for issue in issues:
        st.warning(md(f"{issue.sheet or ''} {issue.row or ''} {issue.column or ''} — {issue.message(lang)}"))
    if len(targets) and st.button(t("catalog.save"), type="primary", key="targets_save"):
        try:
            st.success(t("catalog.saved", n=store.set_targets(targets, by=ui.user())))
        except AccessDenied as exc:
            st.error(md(exc.message(lang)), icon=":material/block:")
