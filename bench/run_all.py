"""``make bench``: run every bench/bench_*.py script in turn."""

import subprocess
import sys
from pathlib import Path

here = Path(__file__).resolve().parent
failed = 0
for script in sorted(here.glob("bench_*.py")):
    print(f"\n== {script.name}", flush=True)
    failed |= subprocess.call([sys.executable, str(script)], cwd=here.parent) != 0
sys.exit(failed)
