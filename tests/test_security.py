"""Known advisories: the installed versions are at or above the ones that fix them.

Vulnerability databases cannot be reached from here, so the minimums are written down:
Streamlit 1.54 fixes CVE-2026-33682 (and the earlier path-traversal and XSS fixes come before it);
openpyxl 3.1.5 is the current release line. requirements.txt pins the same lower bounds.
"""

import re
from importlib.metadata import version

import pytest
from packaging.version import Version

from conftest import ROOT

MINIMUMS = {"streamlit": "1.54", "openpyxl": "3.1.5"}


@pytest.mark.parametrize("package, minimum", MINIMUMS.items())
def test_installed_versions_fix_the_known_advisories(package, minimum):
    assert Version(version(package)) >= Version(minimum)


@pytest.mark.parametrize("package, minimum", MINIMUMS.items())
def test_requirements_pin_the_same_minimums(package, minimum):
    text = (ROOT / "requirements.txt").read_text()
    pinned = re.search(rf"^{package}>=([\d.]+)", text, re.MULTILINE)
    assert pinned and Version(pinned.group(1)) >= Version(minimum)


def test_upload_limit_matches_the_gate():
    from kpis.ingest.gate import DEFAULT_LIMITS

    config = (ROOT / ".streamlit" / "config.toml").read_text()
    mb = int(re.search(r"^maxUploadSize\s*=\s*(\d+)", config, re.MULTILINE).group(1))
    assert mb * 1024 * 1024 == DEFAULT_LIMITS.max_bytes


def test_error_details_are_hidden_from_users():
    config = (ROOT / ".streamlit" / "config.toml").read_text()
    assert re.search(r'^showErrorDetails\s*=\s*"none"', config, re.MULTILINE)
