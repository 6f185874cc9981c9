from datetime import date
from functools import partial

import streamlit as st

import ui
from kpis import reports

sel = ui.selection()
lang = sel.lang
t = ui.t
store = ui.store()

batches = ui.batches(sel.version)
st.subheader(t("history.batches"))
if not batches:
    st.info(t("history.none"))
else:
    st.dataframe(reports.batches_frame(batches, lang), hide_index=True)
    with st.expander(t("history.delete"), icon=":material/delete:"):
        ids = [b["id"] for b in reversed(batches)]
        labels = {b["id"]: f"#{b['id']} · {b['file']} · {b['imported_at'][:10]}" for b in batches}
        picked = st.selectbox(t("history.delete_pick"), ids, format_func=labels.get, key="delete_pick")
        confirmed = st.checkbox(t("history.delete_confirm"), key="delete_confirm")
        if st.button(t("history.delete"), type="primary", disabled=not confirmed, key="delete_do"):
            outcome = store.delete_batch(picked, by="app")
            st.session_state["history_message"] = t("history.deleted", ids=", ".join(map(str, outcome.batch_ids)),
                                                    removed=outcome.rows_removed, restored=outcome.rows_restored)
            st.rerun()
    if "history_message" in st.session_state:
        st.success(st.session_state.pop("history_message"))

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
    st.dataframe(deletions, hide_index=True)

ui.excel_download(partial(reports.history_workbook, batches, grid, deletions, lang), "passerelle_historique.xlsx",
                  key="download_history")
