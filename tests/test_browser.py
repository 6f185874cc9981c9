"""The journey as a person makes it, in Debian's Chromium driven by Playwright against `streamlit run`.

Open the app (demo data seeded), upload a workbook, import it, see the new value on Vue CDO, keep B2E only,
switch to English. Screenshots of every page go to artifacts/ (git-ignored).
"""

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from conftest import ROOT, b2e_november

CHROMIUM = "/usr/bin/chromium"
ARTIFACTS = ROOT / "artifacts"
NNBSP = "\u202f"

pytestmark = pytest.mark.skipif(not Path(CHROMIUM).exists(),
                                reason="Debian's chromium is not installed (apt-get install chromium; .ci/run does it)")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    port = free_port()
    store = tmp_path_factory.mktemp("browser") / "store.duckdb"
    env = {**os.environ, "PASSERELLE_STORE": str(store)}
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", "app.py", "--server.port", str(port), "--server.address",
         "127.0.0.1", "--server.headless", "true", "--server.fileWatcherType", "none"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if urllib.request.urlopen(f"{url}/_stcore/health", timeout=2).read() == b"ok":
                break
        except OSError:
            time.sleep(0.3)
    else:
        proc.kill()
        pytest.fail("streamlit did not start: " + proc.stderr.read().decode()[-2000:])
    yield url
    proc.terminate()
    proc.wait(timeout=20)


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=[
            "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
            "--disable-component-update", "--disable-sync"])
        yield b
        b.close()


def shot(page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.wait_for_timeout(500)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def metric_value(page, label: str) -> str:
    card = page.locator('[data-testid="stMetric"]').filter(
        has=page.locator('[data-testid="stMetricLabel"]', has_text=label)).first
    return card.locator('[data-testid="stMetricValue"]').inner_text()


def test_upload_import_filter_and_switch_language(server, browser, tmp_path):
    page = browser.new_page(viewport={"width": 1500, "height": 1000})
    started = time.perf_counter()
    page.goto(server)
    page.locator('[data-testid="stMetric"]').first.wait_for(timeout=60_000)
    first_load = time.perf_counter() - started
    print(f"first load of Vue CDO with demo seeding: {first_load:.2f} s")
    assert page.get_by_role("heading", name="Vue CDO").is_visible()
    assert metric_value(page, "Population") == f"12{NNBSP}214"  # the demo data's October headcount
    shot(page, "01_vue_cdo")

    page.get_by_test_id("stSidebarNav").get_by_text("Importer").click()
    upload = tmp_path / "usage_novembre.xlsx"
    upload.write_bytes(b2e_november("Collaborateurs"))
    page.locator('input[type="file"]').first.set_input_files(str(upload))
    page.get_by_text("Prêt à importer").wait_for(timeout=60_000)
    shot(page, "02_importer_compris")
    page.get_by_role("button", name="Importer 1 fichier(s)").click()
    page.get_by_text("lot n° 4 importé").wait_for(timeout=60_000)
    shot(page, "03_importer_importe")

    page.get_by_test_id("stSidebarNav").get_by_text("Vue CDO").click()
    page.get_by_text("B2E — collaborateurs").wait_for(timeout=60_000)
    page.wait_for_function(
        "() => [...document.querySelectorAll('[data-testid=stMetricValue]')].some(e => e.innerText === '20\u202f000')",
        timeout=60_000)
    assert metric_value(page, "Population") == f"20{NNBSP}000"  # November 2026 is now the latest month

    for segment in ("B2C", "B2B"):  # keep B2E only
        page.get_by_test_id("stSidebar").get_by_role("button", name=segment, exact=True).click()
        page.wait_for_timeout(800)
    # wait until the page shows B2E alone (the two clicks rerun the page twice: no fixed sleep is enough)
    page.wait_for_function("() => [...document.querySelectorAll('h5')].map(e => e.innerText).join('|') === "
                           "'B2E — collaborateurs'", timeout=60_000)
    headings = page.locator("h5").all_inner_texts()
    assert headings == ["B2E — collaborateurs"]
    assert "seg=B2E" in page.url  # the filtered view is a link one can send
    shot(page, "04_vue_cdo_b2e")

    page.get_by_test_id("stSidebar").get_by_role("radio", name="English", exact=True).click()
    page.get_by_role("heading", name="CDO view").wait_for(timeout=60_000)
    page.wait_for_function(  # the heading can change before the cards are drawn again
        "() => [...document.querySelectorAll('[data-testid=stMetricValue]')].some(e => e.innerText === '20,000')",
        timeout=60_000)
    assert metric_value(page, "Population") == "20,000"
    shot(page, "05_cdo_view_english")
    for name in ("Side by side", "External digital", "Internal digital", "History", "Catalog"):
        page.get_by_test_id("stSidebarNav").get_by_text(name, exact=True).click()
        page.get_by_role("heading", name=name, exact=True).wait_for(timeout=60_000)
        page.wait_for_timeout(1500)
        shot(page, "06_" + name.lower().replace(" ", "_"))
    page.close()
