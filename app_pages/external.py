import streamlit as st

import ui
from kpis import dashboard
from kpis.model import EXTERNAL_SEGMENTS

sel = ui.selection()
flt = ui.world_filter(sel, EXTERNAL_SEGMENTS)
view = ui.cdo_view(sel.version, flt, sel.grain, sel.lang)
if view.empty:
    ui.empty_state()
    st.stop()

kpi, segment = ui.world_overview(view, flt, dashboard.EXTERNAL_KPIS, key="external")
left, right = st.columns(2)
with left, st.container(border=True):
    ui.breakdown_chart(flt, kpi, segment, "entity", "world.entity")
with right, st.container(border=True):
    ui.breakdown_chart(flt, kpi, segment, "channel", "world.channel")
with st.container(border=True):
    st.markdown(f"**{ui.t('world.top_campaigns')}**")
    ui.breakdown_chart(flt, kpi, segment, "initiative", "world.campaign", fallback="clicks")

ui.world_detail(view, flt, "passerelle_digital_externe.xlsx")
