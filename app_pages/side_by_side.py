from functools import partial

import streamlit as st

import ui
from kpis import dashboard, metrics
from kpis.i18n import fmt_value
from kpis.model import EXTERNAL_SEGMENTS, INTERNAL_SEGMENTS

sel = ui.selection()
ui.sources_caption(sel.flt.segments)
lang = sel.lang
t = ui.t
view = ui.cdo_view(sel.version, sel.flt, sel.grain, lang, sel.fiscal_start)
sbs = view.side_by_side

if view.empty or sbs.empty:
    ui.empty_state()
    st.stop()

external = [s for s in sel.flt.segments if s in EXTERNAL_SEGMENTS]
internal = [s for s in sel.flt.segments if s in INTERNAL_SEGMENTS]
st.caption(t("sbs.caption"))
head_left, head_right = st.columns(2)
head_left.markdown(f"#### {t('world.external')}")
head_right.markdown(f"#### {t('world.internal')}")
if not external:
    head_left.caption(t("sbs.world_off"))
if not internal:
    head_right.caption(t("sbs.world_off"))

for row in sbs.itertuples(index=False):
    st.markdown(f"**{row.stage_label}**")
    left, right = st.columns(2)
    left.metric(row.external_label[:1].upper() + row.external_label[1:],
                fmt_value(row.external_value, row.unit, lang) if external else "—", border=True)
    right.metric(row.internal_label[:1].upper() + row.internal_label[1:],
                 fmt_value(row.internal_value, row.unit, lang) if internal else "—", border=True)

with st.expander(t("sbs.vocabulary"), icon=":material/translate:"):
    st.dataframe(metrics.vocabulary(lang), hide_index=True)

ui.excel_download(partial(dashboard.side_by_side_workbook, sbs, lang, ui.export_context("nav.side_by_side", sel.flt),
                          view.period_start, view.period_end), "passerelle_cote_a_cote.xlsx",
                  key="download_side_by_side")
