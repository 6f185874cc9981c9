import ui
from kpis import dashboard
from kpis.model import EXTERNAL_SEGMENTS

flt, view = ui.world_view(EXTERNAL_SEGMENTS)
kpi, segment = ui.world_overview(view, flt, dashboard.EXTERNAL_KPIS, key="external")
ui.world_breakdowns(flt, kpi, segment, "world.top_campaigns", "world.campaign", fallback="clicks")
ui.world_detail(view, flt, "passerelle_digital_externe.xlsx")
