import ui
from kpis.dashboard import EXTERNAL_WORLD

ui.render_world(EXTERNAL_WORLD)
