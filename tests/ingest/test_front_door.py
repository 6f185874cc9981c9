"""``kpis/ingest/__init__.py``: the package's front door lists exactly its public names, loaded lazily."""

from __future__ import annotations

import ast
import importlib
import os
import pkgutil
import subprocess
import sys
from pathlib import Path

import pytest

import kpis.ingest as ingest

ROOT = Path(__file__).resolve().parents[2]
# The names the front door promises (its docstring's example uses check_file and FileResult.batch).
PUBLIC = ["PARSER_VERSION", "Column", "FileResult", "Issue", "IssueLog", "SheetResult", "Target", "check_bytes",
          "check_file", "column_letter", "header_key", "parse_target"]
SUBMODULES = {m.name for m in pkgutil.iter_modules(ingest.__path__)}


def test_all_is_exactly_the_public_names():
    assert sorted(ingest.__all__) == sorted(PUBLIC)
    assert len(set(ingest.__all__)) == len(ingest.__all__)


@pytest.mark.parametrize("name", PUBLIC)
def test_each_name_is_served_from_its_home_module(name):
    value = getattr(ingest, name)
    homes = [m for m in SUBMODULES if name in vars(importlib.import_module(f"kpis.ingest.{m}"))]
    assert homes, name
    # the same object as where it is defined, not a copy
    assert all(getattr(importlib.import_module(f"kpis.ingest.{m}"), name) is value for m in homes)


def test_nothing_public_is_missing_from_the_front_door():
    """Every ``from kpis.ingest import X`` and ``ingest.X`` elsewhere in the code names an exported name
    (or a submodule, such as ``parsing``)."""
    used: set[str] = set()
    sources = [*ROOT.glob("*.py"), *ROOT.glob("app_pages/*.py"), *ROOT.glob("kpis/**/*.py"),
               *ROOT.glob("tests/**/*.py"), *ROOT.glob("bench/*.py")]
    for path in sources:
        if (path.parent.name == "ingest" and path.parent.parent.name == "kpis") or path == Path(__file__).resolve():
            continue  # the package's own modules import their siblings directly; this file probes on purpose
        tree = ast.parse(path.read_text(encoding="utf-8"))
        aliases = {a.asname or "ingest" for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)
                   and node.module == "kpis" for a in node.names if a.name == "ingest"}
        aliases |= {a.asname for node in ast.walk(tree) if isinstance(node, ast.Import)
                    for a in node.names if a.name == "kpis.ingest" and a.asname}
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module == "kpis.ingest":
                used |= {a.name for a in node.names}
            elif isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id in aliases:
                used.add(node.attr)
    used = {n for n in used - SUBMODULES if not n.startswith("_")}
    assert {"check_file", "check_bytes", "parse_target"} <= used  # the scan does find the CLI's uses
    assert sorted(used - set(ingest.__all__)) == []


def test_dir_shows_the_public_names_and_unknown_names_raise():
    assert set(PUBLIC) <= set(dir(ingest))
    with pytest.raises(AttributeError, match="no attribute 'check_everything'"):
        ingest.check_everything  # noqa: B018


def test_importing_the_package_loads_no_pandas_until_a_name_is_used():
    """The sandbox's child imports kpis.ingest.readers: the package itself must stay light."""
    code = ("import sys, kpis.ingest as i; before = 'pandas' in sys.modules; i.check_file; "
            "print(before, 'pandas' in sys.modules)")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT,
                          env={**os.environ, "PYTHONPATH": str(ROOT)}, timeout=60)
    assert done.stdout.split() == ["False", "True"], done.stderr
