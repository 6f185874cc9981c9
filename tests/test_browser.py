"""The journey as a person makes it, in Debian's Chromium driven by Playwright against `streamlit run`.

Open the app (demo data seeded), upload a workbook, import it, see the new value on Vue CDO, keep B2E only,
switch to English. Screenshots of every page go to artifacts/ (git-ignored).
"""

import os
import re
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
    yield from serve(tmp_path_factory.mktemp("browser") / "store.duckdb")


@pytest.fixture
def own_server(tmp_path):
    """An app on a store of its own (the demo data only), for a test that counts batches."""
    yield from serve(tmp_path / "store.duckdb")


def serve(store: Path, port: int | None = None, host: str = "127.0.0.1", args: tuple[str, ...] = (),
          env: dict[str, str] | None = None):
    """``streamlit run app.py`` on ``store`` (on ``port``, reached as ``host``, with more ``args`` and settings
    in ``env``); yields its URL, stops it afterwards."""
    port = port or free_port()
    env = {**os.environ, "PASSERELLE_STORE": str(store), **(env or {})}
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", "app.py", "--server.port", str(port), "--server.address",
         "127.0.0.1", "--server.headless", "true", "--server.fileWatcherType", "none", *args],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    url = f"http://{host}:{port}"
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
    try:
        yield url
    finally:  # also when the generator is closed
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
    # the file continues the demo's B2E workbook: the Importer says its head counts would be another source's
    # and offers the workbook's origin
    page.get_by_role("button", name=re.compile("Utiliser l'origine")).click()
    page.get_by_role("button", name=re.compile("Utiliser l'origine")).wait_for(state="detached", timeout=60_000)
    page.get_by_role("button", name="Importer 1 fichier(s)").click()
    page.get_by_text("lot n° 5 importé").wait_for(timeout=60_000)
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
    assert "lang=en" in page.url and "seg=B2E" in page.url and "English" not in page.url  # codes, not labels
    shot(page, "05_cdo_view_english")
    for name in ("Side by side", "External digital", "Internal digital", "History", "Catalog"):
        page.get_by_test_id("stSidebarNav").get_by_text(name, exact=True).click()
        page.get_by_role("heading", name=name, exact=True).wait_for(timeout=60_000)
        page.wait_for_timeout(1500)
        shot(page, "06_" + name.lower().replace(" ", "_"))
    assert "seg=B2E" in page.url and "lang=en" in page.url  # the link follows from page to page
    # a link asking for dates before the data opens, clamped to the data's first day, with a note
    page.goto(f"{server}/?period=custom&from=2001-01-01&to=2026-03-31&lang=en")
    page.get_by_text("Dates brought within the data available").wait_for(timeout=60_000)
    page.get_by_text("From 2023-11-01 to 2026-03-31").wait_for(timeout=60_000)  # the demo data start in November 2023
    page.locator('[data-testid="stMetricValue"]').first.wait_for(timeout=60_000)
    shot(page, "07_custom_range_clamped")
    assert not page.get_by_test_id("stException").count()
    page.close()


def corrected_copy(path: Path, delta: int) -> None:
    """sample_data/externe_b2b.xlsx as a colleague sends it back: its sheet renamed (so the file gets another
    origin than the demo batch's) and the clicks of the first October 2026 row raised by ``delta``."""
    import openpyxl

    book = openpyxl.load_workbook(ROOT / "sample_data" / "externe_b2b.xlsx")
    sheet = book["Campaigns"]
    sheet.title = "Campagnes corrigées"
    header = [c.value for c in sheet[1]]
    month, clicks = header.index("Month") + 1, header.index("Clicks") + 1
    row = next(r for r in range(2, sheet.max_row + 1) if sheet.cell(r, month).value == "2026-10")
    sheet.cell(row, clicks).value += delta
    book.save(path)


def settled(page) -> None:
    """Wait until the app has finished its run (Streamlit's "Running…" indicator gone)."""
    page.wait_for_timeout(500)
    page.wait_for_function("() => !document.querySelector('[data-testid=stStatusWidget]')", timeout=60_000)


def open_delete_form(page) -> None:
    """Historique's "Supprimer un lot" expander, opened (a rerun after a delete may close it)."""
    settled(page)
    expander = page.get_by_test_id("stExpander").filter(has_text="Supprimer un lot")
    if not expander.locator(".st-key-delete_pick").is_visible():
        expander.locator("summary").click()
    expander.locator(".st-key-delete_pick").wait_for(timeout=30_000)


def batch_options(page) -> list[str]:
    """The options of Historique's "Lot à supprimer" select box (one per batch, newest first)."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    box = page.locator(".st-key-delete_pick").get_by_role("combobox")
    for attempt in range(3):  # a rerun still under way can close the list just opened: open it again
        box.click()
        try:
            page.get_by_role("option").first.wait_for(timeout=10_000)
            break
        except PlaywrightTimeout:
            if attempt == 2:
                raise
            page.keyboard.press("Escape")
    options = page.get_by_role("option").all_inner_texts()
    page.keyboard.press("Escape")
    return options


def test_a_corrected_copy_is_a_correction_then_its_deletion_is_confirmed_and_undoable(own_server, browser, tmp_path):
    page = browser.new_page(viewport={"width": 1500, "height": 1000})
    october_b2b = f"{own_server}/?seg=B2B&period=lm"
    page.goto(october_b2b)
    page.get_by_role("heading", name="B2B — clients professionnels").wait_for(timeout=90_000)
    before = metric_value(page, "Clics")  # B2B clicks of October 2026 in the demo data
    clicks = int(before.replace(NNBSP, ""))
    assert clicks > 10_000

    upload = tmp_path / "externe_b2b_corrige.xlsx"
    corrected_copy(upload, delta=1000)
    page.get_by_test_id("stSidebarNav").get_by_text("Importer", exact=True).click()
    page.locator('input[type="file"]').first.set_input_files(str(upload))
    # the same series already hold the demo batch's values under another origin: the page asks
    page.get_by_text("Ces séries ont déjà des valeurs d'une autre origine").wait_for(timeout=60_000)
    correction = page.get_by_text("C'est une correction de ce lot : n° 1")  # the demo's B2B batch
    correction.wait_for(timeout=60_000)
    assert page.get_by_text("Ce sont d'autres données").is_visible()
    # the message names the size of the difference: the one value raised by 1 000
    warning = page.get_by_test_id("stAlert").filter(has_text="Ces séries ont déjà").inner_text()
    assert "Le lot n° 1 (externe_b2b.xlsx" in warning and f"(écart +1{NNBSP}000)" in warning
    import_button = page.locator(".st-key-do_import button")
    assert import_button.is_disabled() and import_button.inner_text() == "Importer 0 fichier(s)"  # choose first
    shot(page, "10_importer_correction_choice")
    correction.click()
    page.get_by_role("button", name="Importer 1 fichier(s)").wait_for(timeout=60_000)
    assert import_button.is_enabled()
    import_button.click()
    page.get_by_text("lot n° 5 importé").wait_for(timeout=60_000)
    page.get_by_text("valeurs plus anciennes des mêmes séries et périodes sont remplacées").wait_for()
    shot(page, "11_importer_correction_imported")

    # October's B2B clicks: one value changed by 1 000, nothing doubled (the demo batch is superseded)
    page.goto(october_b2b)
    page.get_by_role("heading", name="B2B — clients professionnels").wait_for(timeout=90_000)
    corrected = f"{clicks + 1000:,}".replace(",", NNBSP)
    page.wait_for_function(f"() => [...document.querySelectorAll('[data-testid=stMetricValue]')]"
                           f".some(e => e.innerText === '{corrected}')", timeout=60_000)
    assert metric_value(page, "Clics") == corrected

    page.get_by_test_id("stSidebarNav").get_by_text("Historique", exact=True).click()
    page.get_by_role("heading", name="Historique").wait_for(timeout=60_000)
    open_delete_form(page)
    options = batch_options(page)
    assert len(options) == 5 and options[0].startswith("#5 · externe_b2b_corrige.xlsx")  # 4 demo files + the copy
    # the preview of deleting the copy: the demo batch's values come back
    page.get_by_test_id("stExpanderDetails").get_by_text("Lot n° 5 · externe_b2b_corrige.xlsx").wait_for(
        timeout=60_000)  # the preview (the audit trail below names the batch too)
    preview = page.get_by_test_id("stExpander").filter(has_text="Supprimer un lot").locator("li").all_inner_texts()
    # 1 674 rows × 6 KPIs: the copy's 10 044 values go, the demo batch's 10 044 come back
    assert preview[0].startswith("Lot n° 5 · externe_b2b_corrige.xlsx · origine campaigns-") and \
        f"10{NNBSP}044 valeurs · du 01/11/2023 au 31/10/2026" in preview[0]
    assert preview[1].startswith(f"10{NNBSP}044 valeur(s) plus ancienne(s) redeviennent à jour") and \
        preview[1].endswith("— lot(s) 1")
    confirm = page.get_by_role("checkbox", name="Je confirme la suppression du lot n° 5")
    delete = page.locator(".st-key-delete_do button")
    assert delete.is_disabled()
    page.get_by_text("Je confirme la suppression du lot n° 5").click()
    page.wait_for_function("() => !document.querySelector('.st-key-delete_do button').disabled", timeout=60_000)
    assert confirm.is_checked()
    shot(page, "12_historique_delete_confirmed")
    delete.click()
    page.get_by_text("Lot(s) 5 supprimé(s)").wait_for(timeout=60_000)
    open_delete_form(page)
    # the selector moves to the next batch, whose confirmation is not ticked: one more click deletes nothing
    next_confirm = page.get_by_role("checkbox", name="Je confirme la suppression du lot n° 4")
    next_confirm.wait_for(state="attached", timeout=60_000)  # the input itself is drawn hidden
    assert not next_confirm.is_checked() and delete.is_disabled()
    # and the selector names the batch the box names, not the one just deleted
    assert page.locator(".st-key-delete_pick").get_by_role("combobox").input_value().startswith("#4 · rse_messages")
    undo = page.get_by_role("button", name="Annuler la suppression")
    undo.first.wait_for(timeout=60_000)  # the deletion log is drawn below, maybe a moment later
    assert undo.count() == 1
    assert len(batch_options(page)) == 4
    shot(page, "13_historique_deleted_undo")

    page.goto(october_b2b)  # the demo's value is current again
    page.get_by_role("heading", name="B2B — clients professionnels").wait_for(timeout=90_000)
    page.wait_for_function(f"() => [...document.querySelectorAll('[data-testid=stMetricValue]')]"
                           f".some(e => e.innerText === '{before}')", timeout=60_000)
    assert metric_value(page, "Clics") == before
    page.close()


def card_number(page, label: str) -> int:
    return int(metric_value(page, label).replace(NNBSP, "").replace(" ", ""))


def test_three_vendor_exports_imported_in_one_go_in_business_words(own_server, browser, tmp_path):
    """A Google Ads campaign report (French UI, UTF-16 tabs), LinkedIn's new-followers workbook and a Viva Engage
    per-user report dropped together: what the page proposes, the one question asked, the outcome at the top."""
    from formats_files import (
        GOOGLE_ADS_FR_TOTALS,
        google_ads_fr_excel_csv,
        linkedin_followers_xlsx,
        viva_user_detail_csv,
    )

    page = browser.new_page(viewport={"width": 1500, "height": 1000})
    june_b2c = f"{own_server}/externe?seg=B2C&period=custom&from=2026-06-01&to=2026-06-30"
    page.goto(june_b2c)
    page.locator('[data-testid="stMetric"]').first.wait_for(timeout=90_000)
    clicks_before = card_number(page, "Clics")

    page.get_by_test_id("stSidebarNav").get_by_text("Importer", exact=True).click()
    paths = []
    for data, name in (google_ads_fr_excel_csv(), linkedin_followers_xlsx(tmp_path), viva_user_detail_csv()):
        paths.append(tmp_path / name)
        paths[-1].write_bytes(data)
    page.locator('input[type="file"]').first.set_input_files([str(p) for p in paths])
    # Google Ads does not say B2C or B2B: the one question; LinkedIn is proposed B2B, with the reason; Viva is B2E
    page.get_by_text("Choisissez son segment ci-dessous pour l'importer").wait_for(timeout=90_000)
    page.get_by_text("Proposé : B2B, le segment habituel des exports LinkedIn (abonnés).").wait_for(timeout=60_000)
    names = ["Google Ads", "LinkedIn (abonnés)", "Viva Engage (utilisateurs)"]  # the sources' names, not codes
    page.wait_for_function("names => JSON.stringify([...document.querySelectorAll(\"[class*='st-key-origin_'] "
                           "input\")].map(e => e.value)) === JSON.stringify(names)", arg=names, timeout=60_000)
    # the grid's cells are drawn on a canvas: the accessible cell holds the text
    page.get_by_text("Clics — reconnu comme dans tout export Google Ads").first.wait_for(state="attached")
    shot(page, "20_three_vendors_dropped")
    page.locator("[class*='st-key-segment_']").first.get_by_role("radio", name="B2C", exact=True).click()
    page.get_by_role("button", name="Importer 3 fichier(s)").wait_for(timeout=90_000)
    shot(page, "21_three_vendors_ready")
    page.get_by_role("button", name="Importer 3 fichier(s)").click()
    page.get_by_text("Import terminé : 3 fichier(s) sur 3").wait_for(timeout=90_000)
    outcome = page.get_by_test_id("stAlert").filter(has_text="lot n° 5 importé").inner_text()
    # 4 days × campaigns of the report: 19 values; 4 days of new followers; 12 Viva values (6 KPIs × 2 groups)
    assert [line.split(" — ")[1] for line in outcome.splitlines() if " — " in line] == [
        "lot n° 5 importé, 19 valeurs enregistrées", "lot n° 6 importé, 4 valeurs enregistrées",
        "lot n° 7 importé, 12 valeurs enregistrées"]  # after the 4 demo batches
    assert page.evaluate("window.scrollY") == 0 and not page.locator("[class*='st-key-origin_']").count()
    shot(page, "22_three_vendors_imported")

    page.goto(june_b2c)  # the report's clicks are added to June's B2C clicks, its total rows are not
    page.locator('[data-testid="stMetric"]').first.wait_for(timeout=90_000)
    expected = clicks_before + int(GOOGLE_ADS_FR_TOTALS["clicks"])  # + 1 103 + 800 + 20 + 15 = + 1 938
    page.wait_for_function(f"() => [...document.querySelectorAll('[data-testid=stMetricValue]')]"
                           f".some(e => e.innerText.replace(/\\s/g, '') === '{expected}')", timeout=60_000)
    assert card_number(page, "Clics") == expected
    shot(page, "23_june_b2c_with_google_ads")
    page.close()


@pytest.fixture
def provider():
    """A real OpenID Connect provider on this machine (oidc-provider-mock): two people who can sign in."""
    from oidc_provider_mock import User, run_server_in_thread

    people = [User(sub="claire", claims={"email": "cdo@groupe.fr", "name": "Claire Durand"}),
              User(sub="ines", claims={"email": "ines.rh@groupe.fr", "name": "Inès Martin"})]
    with run_server_in_thread(user_claims=people) as server:
        yield f"http://localhost:{server.server_port}"


def test_sign_in_with_an_identity_provider_scopes_what_each_person_sees(provider, browser, tmp_path):
    from kpis import demo
    from kpis.access import Grant
    from kpis.store import Store

    store = Store(tmp_path / "store.duckdb")
    demo.seed(store)
    store.add_grant(Grant("viewer", ("B2E",), email="ines.rh@groupe.fr"), by="test")
    port = free_port()
    secrets = tmp_path / "secrets.toml"
    secrets.write_text(f'''[auth]
redirect_uri = "http://localhost:{port}/oauth2callback"
cookie_secret = "{"k" * 48}"
client_id = "passerelle"
client_secret = "not-a-real-secret"
server_metadata_url = "{provider}/.well-known/openid-configuration"
''')
    # the redirect URI names localhost: the browser reaches the app by that name
    server = serve(store.path, port, "localhost", ("--secrets.files", str(secrets)),
                   {"PASSERELLE_ADMINS": "cdo@groupe.fr"})
    url = next(server)
    try:
        context = browser.new_context(viewport={"width": 1500, "height": 1000})
        page = context.new_page()
        page.goto(url)
        page.get_by_role("button", name="Se connecter").click()
        page.get_by_role("button", name="claire", exact=True).click()  # the provider's page: Claire signs in
        page.get_by_role("heading", name="Vue CDO").wait_for(timeout=90_000)
        page.get_by_text("Claire Durand · administration · B2C, B2B, B2E").wait_for(timeout=60_000)
        page.wait_for_function("() => document.querySelectorAll('h5').length === 3", timeout=60_000)
        nav = page.get_by_test_id("stSidebarNav").inner_text()
        assert "Importer" in nav and "Accès" in nav
        shot(page, "30_signed_in_cdo")
        page.get_by_role("button", name="Se déconnecter").click()
        page.get_by_role("button", name="End session").click()  # the provider ends its session too
        page.get_by_role("button", name="Se connecter").wait_for(timeout=60_000)
        assert not page.locator('[data-testid="stMetric"]').count()

        page.get_by_role("button", name="Se connecter").click()
        page.get_by_role("button", name="ines", exact=True).click()
        page.get_by_text("Inès Martin · lecture · B2E").wait_for(timeout=90_000)
        page.wait_for_function("() => [...document.querySelectorAll('h5')].map(e => e.innerText).join('|') === "
                               "'B2E — collaborateurs'", timeout=60_000)
        nav = page.get_by_test_id("stSidebarNav").inner_text()
        assert "Importer" not in nav and "Accès" not in nav
        page.get_by_text("Vos droits couvrent : B2E").wait_for()
        shot(page, "31_signed_in_b2e_viewer")

        # a reload keeps Inès signed in (the identity cookie); the same cookie tampered with is refused
        page.reload()
        page.get_by_text("Inès Martin · lecture · B2E").wait_for(timeout=90_000)
        identity = [c for c in context.cookies() if c["name"].startswith("_streamlit_user")]
        assert identity, [c["name"] for c in context.cookies()]
        context.add_cookies([{**c, "value": c["value"][:-6] + ("AAAAAA" if not c["value"].endswith("AAAAAA")
                                                                 else "BBBBBB")} for c in identity])
        page.reload()
        page.get_by_role("button", name="Se connecter").wait_for(timeout=60_000)
        assert not page.locator('[data-testid="stMetric"]').count()
        context.close()
    finally:
        server.close()  # stops the app (the generator's cleanup)
