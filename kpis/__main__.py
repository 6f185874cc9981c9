"""``python -m kpis``: see ``kpis.cli``."""

import os
import sys

from kpis.cli import main

code = main()
# Every command has written and closed what it writes (the store commits per operation, the sandbox's
# children are reaped by its context manager): skip the interpreter's teardown of a million objects.
sys.stdout.flush()
sys.stderr.flush()
os._exit(code)
