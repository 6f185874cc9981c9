"""Architecture rules that keep the domain package reusable."""

import ast
from pathlib import Path

KPIS_DIR = Path(__file__).resolve().parent.parent / "kpis"


def test_kpis_never_imports_streamlit():
    offenders = []
    for path in KPIS_DIR.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            offenders += [f"{path.name}: {n}" for n in names if n.split(".")[0] == "streamlit"]
    assert offenders == []
