import streamlit as st

import ui
from kpis import charts, dashboard
from kpis.model import INTERNAL_SEGMENTS

flt, view = ui.world_view(INTERNAL_SEGMENTS)
kpi, segment = ui.world_overview(view, flt, dashboard.INTERNAL_KPIS, key="internal")
ui.world_breakdowns(flt, kpi, segment, "world.top_spaces", "world.space", fallback="contributions")

profile = dashboard.profile_frame(view.table, "B2E", ui.lang())
if not profile.empty:
    with st.container(border=True):
        title = ui.t("world.profile")
        st.altair_chart(charts.profile(profile, title=title, lang=ui.lang()), alt=title)
        st.caption(ui.t("world.profile_help"))

ui.world_detail(view, flt, "passerelle_digital_interne.xlsx")
