"""Settings: one table, resolved from the environment at the edges, validated, documented, and wired through."""

import ast
import json
from dataclasses import fields
from datetime import date
from pathlib import Path

import pandas as pd
import pytest

from conftest import ROOT
from kpis import cli
from kpis.errors import SettingError, UsageError
from kpis.model import preset_range
from kpis.settings import SETTINGS, Settings, resolve, setting
from kpis.store import Store


def test_defaults_when_the_environment_says_nothing():
    assert resolve({}) == Settings(store=Path("data") / "passerelle.duckdb", fiscal_start=1)
    # an empty variable is unset, as `PASSERELLE_STORE= make run` means
    assert resolve({"PASSERELLE_STORE": "", "PASSERELLE_FISCAL_START": "  "}) == resolve({})


def test_values_come_from_their_environment_variables():
    config = resolve({"PASSERELLE_STORE": "/srv/kpis/p.duckdb", "PASSERELLE_FISCAL_START": " 4 ", "PATH": "/bin"})
    assert config == Settings(store=Path("/srv/kpis/p.duckdb"), fiscal_start=4)


@pytest.mark.parametrize("text", ["13", "0", "-1", "avril", "4.5"])
def test_a_fiscal_start_that_is_not_a_month_is_a_clear_error_in_both_languages(text):
    with pytest.raises(SettingError) as caught:
        resolve({"PASSERELLE_FISCAL_START": text})
    assert isinstance(caught.value, UsageError)  # the command line exits 2
    assert caught.value.message_fr == (f"PASSERELLE_FISCAL_START (réglage fiscal_start) : un numéro de mois de 1 à 12 "
                                       f"est attendu, reçu « {text} ».")
    assert caught.value.message_en == (f"PASSERELLE_FISCAL_START (setting fiscal_start): expected a month number "
                                       f"from 1 to 12, got '{text}'.")


def test_the_table_and_the_resolved_values_have_the_same_names():
    assert [f.name for f in fields(Settings)] == [s.name for s in SETTINGS]
    assert len({s.env for s in SETTINGS}) == len(SETTINGS)
    assert all(s.env.startswith("PASSERELLE_") and s.help_fr and s.help_en for s in SETTINGS)
    assert setting("fiscal_start").env == "PASSERELLE_FISCAL_START"


@pytest.mark.parametrize("s", SETTINGS, ids=lambda s: s.name)
def test_each_default_reads_back_from_its_own_text(s):
    text = s.default_text if s.default_text != "—" else ""  # an empty list: the variable left empty
    assert (s.parse(text) if text else s.default) == s.default


def _readme_section(title: str) -> str:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    start = text.index(f"## {title}\n")
    end = text.find("\n## ", start + 1)
    return text[start:end if end > 0 else None]


@pytest.mark.parametrize("s", SETTINGS, ids=lambda s: s.name)
def test_every_setting_is_documented_in_the_readme(s):
    rows = [line for line in _readme_section("Settings / Réglages").splitlines() if line.startswith(f"| `{s.name}` |")]
    assert len(rows) == 1, f"README.md: no row for the setting {s.name!r}"
    cells = [c.strip() for c in rows[0].strip("|").split("|")]
    assert cells[:3] == [f"`{s.name}`", f"`{s.env}`", f"`{s.default_text}`"]
    assert cells[3]  # its meaning


def test_only_the_edges_read_the_environment():
    readers = set()
    for path in (ROOT / "kpis").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Attribute) and node.attr in ("environ", "getenv", "environb"):
                readers.add(path.name)
    # the command line resolves the settings; the sandbox hands its child process a bare PATH (not configuration)
    assert readers <= {"cli.py", "sandbox.py"}
    assert "cli.py" in readers


# --- the fiscal year, from the setting to the presets and the year buckets ---------------------------------


@pytest.mark.parametrize("fiscal, latest, expected", [
    # calendar year: year to date of October 2026 starts on 1 January 2026
    ("1", date(2026, 10, 31), (date(2026, 1, 1), date(2026, 10, 31))),
    # fiscal year from April: October 2026 is in FY April 2026 – March 2027, so year to date starts on 1 April 2026
    ("4", date(2026, 10, 31), (date(2026, 4, 1), date(2026, 10, 31))),
    # February 2026 is still in the fiscal year that began in April 2025
    ("4", date(2026, 2, 28), (date(2025, 4, 1), date(2026, 2, 28))),
])
def test_year_to_date_follows_the_fiscal_start_setting(fiscal, latest, expected):
    assert preset_range("ytd", latest, resolve({"PASSERELLE_FISCAL_START": fiscal}).fiscal_start) == expected


@pytest.fixture
def clicks_store(tmp_path) -> Path:
    """B2C clicks January … June 2026: 100, 200, 300, 400, 500, 600 (one month each)."""
    rows = []
    for month in range(1, 7):
        start = pd.Timestamp(2026, month, 1)
        rows.append((start, start + pd.offsets.MonthEnd(0), "B2C", "(all)", "(all)", "(all)", "clicks", 100.0 * month))
    obs = pd.DataFrame(rows, columns=["period_start", "period_end", "segment", "entity", "channel", "initiative", "kpi",
                                      "value"])
    path = tmp_path / "clicks.duckdb"
    Store(path).import_batch(obs, file_name="clicks.xlsx", sha256="clicks")
    return path


def _report(capsys, *args) -> list[dict]:
    assert cli.main(["report", *args, "--segments", "B2C", "--format", "json"]) == 0
    return [r for r in json.loads(capsys.readouterr().out) if r["kpi"] == "clicks"]


@pytest.mark.parametrize("fiscal, buckets", [
    # calendar years: January … June 2026 all fall in 2026: 100 + 200 + … + 600 = 2 100
    ("1", [("2026", "2026-01-01", "2026-12-31", 2100.0)]),
    # fiscal years from April, named after the year they end in: January – March 2026 close FY2026
    # (April 2025 – March 2026): 100 + 200 + 300 = 600; April – June open FY2027: 400 + 500 + 600 = 1 500
    ("4", [("FY2026", "2025-04-01", "2026-03-31", 600.0), ("FY2027", "2026-04-01", "2027-03-31", 1500.0)]),
])
def test_the_command_line_buckets_years_from_the_fiscal_start(clicks_store, capsys, monkeypatch, fiscal, buckets):
    monkeypatch.setenv("PASSERELLE_FISCAL_START", fiscal)
    rows = _report(capsys, "--store", str(clicks_store), "--grain", "year", "--from", "2026-01-01",
                   "--to", "2026-06-30")
    assert [(r["period"], r["period_start"], r["period_end"], r["value"]) for r in rows] == buckets


def test_the_scorecard_headline_is_the_window_whatever_the_grain_or_fiscal_year(clicks_store, capsys, monkeypatch):
    # without --from/--to the window is the twelve months ending with the data (July 2025 – June 2026): clicks
    # 100 + 200 + … + 600 = 2 100, at year grain as at month grain, with a calendar or an April fiscal year
    for fiscal, grain in (("1", "year"), ("4", "year"), ("4", "month")):
        monkeypatch.setenv("PASSERELLE_FISCAL_START", fiscal)
        rows = _report(capsys, "--store", str(clicks_store), "--grain", grain, "--view", "scorecard")
        assert [(r["window_start"], r["window_end"], r["value"]) for r in rows] == [
            ("2025-07-01", "2026-06-30", 2100.0)]


def test_the_command_line_refuses_a_bad_setting_with_exit_code_2(clicks_store, capsys, monkeypatch):
    monkeypatch.setenv("PASSERELLE_FISCAL_START", "13")
    assert cli.main(["batches", "--store", str(clicks_store)]) == 2
    err = capsys.readouterr().err
    assert err == ("python -m kpis batches: PASSERELLE_FISCAL_START (setting fiscal_start): expected a month number "
                   "from 1 to 12, got '13'.\n")


def test_the_command_line_opens_the_store_named_by_the_setting(clicks_store, capsys, monkeypatch):
    monkeypatch.setenv("PASSERELLE_STORE", str(clicks_store))
    assert cli.main(["batches", "--format", "json"]) == 0
    assert [b["file"] for b in json.loads(capsys.readouterr().out)] == ["clicks.xlsx"]


@pytest.mark.parametrize("command", ["check", "import"])
def test_the_command_line_offers_the_segments_of_the_model(command, capsys):
    with pytest.raises(SystemExit) as caught:
        cli.main([command, "export.xlsx", "--segment", "B2X"])
    assert caught.value.code == 2
    assert "invalid choice: 'B2X' (choose from 'B2C', 'B2B', 'B2E')" in capsys.readouterr().err


def test_report_names_the_segments_of_the_model(clicks_store, capsys):
    assert cli.main(["report", "--store", str(clicks_store), "--segments", "B2C,B2X"]) == 2
    assert capsys.readouterr().err == ("python -m kpis report: --segments: unknown ['B2X'] "
                                       "(expected B2C, B2B, B2E)\n")


def test_the_store_option_names_the_setting_and_its_default(capsys):
    with pytest.raises(SystemExit):
        cli.main(["batches", "--help"])
    assert "(default: $PASSERELLE_STORE or data/passerelle.duckdb)" in " ".join(capsys.readouterr().out.split())
