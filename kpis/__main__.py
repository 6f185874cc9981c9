"""``python -m kpis``: see ``kpis.cli``."""

import sys

from kpis.cli import main

sys.exit(main())
