import ui
from kpis.dashboard import INTERNAL_WORLD

ui.render_world(INTERNAL_WORLD)
