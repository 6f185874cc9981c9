from datetime import date
from functools import partial

import streamlit as st

import ui
from kpis import reports

sel = ui.selection()
ui.sources_caption(sel.flt.segments)
lang = sel.lang
t = ui.t

batches = ui.batches(sel.version)
st.subheader(t("history.batches"))
if not batches:
    st.info(t("history.none"))
else:
    st.dataframe(reports.batches_frame(batches, lang), hide_index=True)
    if editable := [b for b in batches if ui.can_edit(*b["segments"])]:  # a viewer deletes nothing
        with st.expander(t("history.delete"), icon=":material/delete:"):
            ui.batch_delete_form(editable, sel.version)

coverage = ui.coverage(sel.version)
st.subheader(t("history.coverage"))
st.caption(t("history.coverage_help"))
grid = reports.coverage_grid(coverage, lang)
if not grid.empty:
    st.dataframe(grid)
stale = reports.stale_origins(coverage, date.today(), lang)
if not stale.empty:
    st.warning(t("history.stale"), icon=":material/schedule:")
    st.dataframe(stale, hide_index=True)

deletions = ui.deletions(sel.version)
if deletions:
    st.subheader(t("history.deletions"))
    if ui.can_edit():
        ui.undo_buttons(deletions)
    st.dataframe(reports.deletions_frame(deletions, lang), hide_index=True)

audit = ui.audit(sel.version)
st.subheader(t("history.audit"))
st.caption(t("history.audit_help"))
actions = st.multiselect(t("history.audit_filter"), sorted(set(audit["action"])), key="audit_actions",
                         format_func=lambda a: t(f"audit.action.{a}"), placeholder=t("filter.all"))
if actions:
    audit = audit[audit["action"].isin(actions)]
st.dataframe(reports.audit_frame(audit, lang), hide_index=True)

ui.excel_download(partial(reports.history_workbook, batches, coverage, deletions, lang,
                          ui.export_context("nav.history"), audit), "passerelle_historique.xlsx",
                  key="download_history")
