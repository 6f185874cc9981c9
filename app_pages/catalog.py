from functools import partial

import streamlit as st

import ui
from kpis import reports
from kpis.catalog import KPIS
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

st.subheader(t("catalog.targets"))
st.caption(t("catalog.targets_help"))
current = reports.targets_frame(ui.targets(sel.version))
edited = st.data_editor(current, num_rows="dynamic", hide_index=True, key="targets_editor", column_config={
    "kpi": st.column_config.SelectboxColumn(t("catalog.kpi"), options=list(KPIS), required=True),
    "segment": st.column_config.SelectboxColumn("Segment", options=list(SEGMENTS), required=True),
    "entity": st.column_config.TextColumn(t("catalog.entity")),
    "period": st.column_config.TextColumn(t("catalog.period"), required=True),
    "value": st.column_config.NumberColumn(t("catalog.value"), required=True, format="%.4g"),
})
if st.button(t("catalog.save"), type="primary", key="targets_editor_save"):
    changes, problems = from_editor(current, edited)
    for problem in problems:
        st.warning(md(t("catalog.unreadable") + " " + problem))
    st.success(t("catalog.saved", n=store.set_targets(changes, by="app") if len(changes) else 0))
ui.excel_download(partial(reports.catalog_workbook, current, lang), "passerelle_referentiel.xlsx",
                  key="download_catalog")
uploaded = st.file_uploader(t("catalog.upload"), type=["xlsx", "xls", "ods", "csv"], key="targets_upload")
if uploaded is not None:
    targets, issues = read_targets(uploaded.getvalue(), uploaded.name)
    for issue in issues:
        st.warning(md(f"{issue.sheet or ''} {issue.row or ''} {issue.column or ''} — {issue.message(lang)}"))
    if len(targets) and st.button(t("catalog.save"), type="primary", key="targets_save"):
        st.success(t("catalog.saved", n=store.set_targets(targets, by="app")))
