import streamlit as st

import ui
from kpis import reports
from kpis.i18n import escape_markdown as md
from kpis.targets import read_targets

sel = ui.selection()
lang = sel.lang
t = ui.t
store = ui.store()

st.subheader(t("catalog.kpis"))
st.dataframe(reports.catalog_frame(lang), hide_index=True)

st.subheader(t("catalog.targets"))
st.caption(t("catalog.targets_help"))
st.dataframe(reports.targets_frame(store.targets()), hide_index=True)
uploaded = st.file_uploader(t("catalog.upload"), type=["xlsx", "xls", "ods", "csv"], key="targets_upload")
if uploaded is not None:
    targets, issues = read_targets(uploaded.getvalue(), uploaded.name)
    for issue in issues:
        st.warning(md(f"{issue.sheet or ''} {issue.row or ''} {issue.column or ''} — {issue.message(lang)}"))
    if len(targets) and st.button(t("catalog.save"), type="primary", key="targets_save"):
        st.success(t("catalog.saved", n=store.set_targets(targets, by="app")))
