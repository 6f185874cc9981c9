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


def test_make_run_listens_on_this_machine_and_checks_the_host_by_default():
    import subprocess

    done = subprocess.run(["make", "-n", "run"], capture_output=True, text=True, cwd=ROOT, timeout=60,
                          env={"PATH": "/usr/bin:/bin"})
    command = " ".join(done.stdout.replace("\\\n", " ").split())
    assert "--server.address 127.0.0.1" in command
    # a spoofed Host (DNS rebinding) is refused by Streamlit once allowedHosts is set: 403 on the websocket
    assert "--server.allowedHosts localhost --server.allowedHosts 127.0.0.1" in command


def test_make_run_on_every_interface_warns():
    import subprocess

    def warning(address: str) -> str:
        planned = subprocess.run(["make", "-n", "run", f"ADDRESS={address}"], capture_output=True, text=True,
                                 cwd=ROOT, timeout=60, env={"PATH": "/usr/bin:/bin"}).stdout
        case = planned[planned.index("case "):planned.index("esac") + 4]  # the check, run alone
        return subprocess.run(["sh", "-c", case], capture_output=True, text=True, timeout=60).stderr

    assert warning("0.0.0.0").startswith("warning: listening on 0.0.0.0: anyone who can reach this machine on "
                                         "port 8501 can use the app")
    assert warning("127.0.0.1") == ""
