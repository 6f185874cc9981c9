"""Architecture rules that keep the domain package reusable."""

import ast
import importlib
from pathlib import Path

KPIS_DIR = Path(__file__).resolve().parent.parent / "kpis"


def test_kpis_never_imports_streamlit():
    offenders = []
    for path in KPIS_DIR.rglob("*.py"):  # the subpackages (kpis.ingest, kpis.ingest.exports) too
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            offenders += [f"{path.relative_to(KPIS_DIR)}: {n}" for n in names if n.split(".")[0] == "streamlit"]
    assert offenders == []


def test_the_installed_command_is_the_cli_and_requirements_txt_is_the_one_dependency_list():
    import tomllib

    from kpis import cli

    meta = tomllib.loads((KPIS_DIR.parent / "pyproject.toml").read_text(encoding="utf-8"))
    module, _, function = meta["project"]["scripts"]["passerelle"].partition(":")
    assert getattr(importlib.import_module(module), function) is cli.main
    assert "dependencies" in meta["project"]["dynamic"] and "dependencies" not in meta["project"]
    assert meta["tool"]["setuptools"]["dynamic"]["dependencies"] == {"file": ["requirements.txt"]}
    assert meta["tool"]["setuptools"]["packages"]["find"]["include"] == ["kpis", "kpis.*"]


def test_readme_points_at_the_design_document_inside_the_repository():
    readme = (KPIS_DIR.parent / "README.md").read_text(encoding="utf-8")
    assert "(docs/DESIGN.md)" in readme and (KPIS_DIR.parent / "docs" / "DESIGN.md").is_file()
    assert "../" not in readme and "shared/" not in readme  # nothing outside the repository
