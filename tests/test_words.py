"""Every word a page shows is in the session's language: no French left in English, no English in French.

Each page is run with AppTest in both languages; every text it sends to the
browser (bodies, labels, help tooltips, options, placeholders, table headers
and cells, chart titles) is searched for the phrases only the other language
uses: the other side of each entry of ``kpis.i18n`` and of each KPI label.
"""

from __future__ import annotations

import json
import re

import pytest
from google.protobuf.message import Message
from streamlit.testing.v1 import AppTest

from conftest import APP
from kpis.catalog import KPIS, SOURCE_NAMES, source_name
from kpis.i18n import _LABELS

pytestmark = pytest.mark.usefixtures("clean_streamlit_caches")

PAGES = ("app_pages/cdo_view.py", "app_pages/side_by_side.py", "app_pages/external.py", "app_pages/internal.py",
         "app_pages/importer.py", "app_pages/history.py", "app_pages/catalog.py", "app_pages/access.py",
         "app_pages/e_reputation.py")
SKIPPED_FIELDS = frozenset({"id", "type", "icon", "deferred_file_id", "query_param_key", "raw_values", "tag",
                            "theme", "spec", "form_id", "url", "page_script_hash", "page", "data", "columns",
                            "default", "value", "set_value", "format", "selection_mode", "vega_lite_chart"})
_PLACEHOLDER = re.compile(r"\{[^}]*\}")


def _phrases(lang: str) -> set[str]:
    """The phrases of ``lang`` that the other language never uses: at least 12 characters with a space, or a
    KPI label; e.g. "Population cible" for French, "Target population" for English."""
    i = 0 if lang == "fr" else 1
    theirs = "en" if lang == "fr" else "fr"
    own = [pair[i] for pair in _LABELS.values()] + [k.label(lang) for k in KPIS.values()] + [
        source_name(o, lang) for o in SOURCE_NAMES]  # "LinkedIn (abonnés)" on an English page is a miss
    other = [pair[1 - i] for pair in _LABELS.values()] + [k.label(theirs) for k in KPIS.values()] + [
        k.short(theirs) for k in KPIS.values()] + [  # "Leads" is French too
        source_name(o, theirs) for o in SOURCE_NAMES]
    other_text = "\n".join(other)
    phrases = {p.strip(" .:;,—-()«»'\"") for text in own for p in _PLACEHOLDER.split(text)}
    phrases = {p for p in phrases if (len(p) >= 12 and " " in p) or p in {k.label(lang) for k in KPIS.values()}}
    return {p for p in phrases if p and p not in other_text}


def _strings(message: Message) -> list[str]:
    out = []
    for field, value in message.ListFields():
        if field.name in SKIPPED_FIELDS:
            continue
        values = value if isinstance(value, (list, tuple)) or hasattr(value, "__len__") and not isinstance(
            value, (str, bytes, Message)) else [value]
        for v in values:
            if isinstance(v, str):
                out.append(v)
            elif isinstance(v, Message):
                out += _strings(v)
    return out


def _chart_titles(spec: object) -> list[str]:
    if isinstance(spec, dict):
        return [v for k, v in spec.items() if k in ("title", "description", "text") and isinstance(v, str)] + [
            t for k, v in spec.items() if k != "datasets" for t in _chart_titles(v)]
    if isinstance(spec, list):
        return [t for v in spec for t in _chart_titles(v)]
    return []


def shown_texts(at: AppTest) -> list[str]:
    """Every string the page sends to the browser that a person reads."""
    texts: list[str] = []

    def walk(node) -> None:
        proto = getattr(node, "proto", None)
        if isinstance(proto, Message):
            texts.extend(_strings(proto))
            spec = getattr(proto, "spec", "")
            if isinstance(spec, str) and spec.startswith("{"):
                texts.extend(_chart_titles(json.loads(spec)))
        if type(node).__name__ == "Dataframe":
            frame = node.value
            texts.extend(str(c) for c in frame.columns)
            texts.extend(v for v in frame.astype(object).to_numpy().ravel() if isinstance(v, str))
        for child in getattr(node, "children", {}).values():
            walk(child)

    walk(at._tree)
    return texts


@pytest.mark.parametrize("page", PAGES)
@pytest.mark.parametrize("lang", ["en", "fr"])
def test_a_page_speaks_one_language(store_path, page, lang):
    at = AppTest.from_file(APP, default_timeout=90).run()
    if lang == "en":
        at.segmented_control(key="lang").set_value("en").run()
    at.switch_page(page).run()
    assert not at.exception, [e.value for e in at.exception]
    foreign = _phrases("fr" if lang == "en" else "en")
    texts = shown_texts(at)
    assert len(texts) > 20  # the page did render: its title, sidebar, labels and tables
    stray = sorted({p for text in texts for p in foreign if p in text})
    assert stray == [], (page, lang, stray[:10])


UPLOAD = ("Date;Segment;Nb abonnés;Visites du site;Inconnue\n"
          "01/01/2027;B2C;12;300;x\n02/01/2027;B2C;-3;280;y\n03/01/2027;Marsupilami;4;5;z\n")
# a column questioned (negative followers), one not understood, one row rejected: the Importer's every block


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_the_importer_speaks_one_language_about_a_file(store_path, lang):
    at = AppTest.from_file(APP, default_timeout=90).run()
    if lang == "en":
        at.segmented_control(key="lang").set_value("en").run()
    at.switch_page("app_pages/importer.py").run()
    at.file_uploader(key="uploads").upload("suivi.csv", UPLOAD.encode()).run()
    assert not at.exception, [e.value for e in at.exception]
    texts = shown_texts(at)
    assert any(t.startswith("Inconnue") or "Inconnue" in t for t in texts)  # the file's own header is shown
    stray = sorted({p for text in texts for p in _phrases("fr" if lang == "en" else "en") if p in text})
    assert stray == [], (lang, stray[:10])


def test_every_multiselect_names_its_placeholder():
    """Streamlit's default placeholder ("Choose options") is English: every multiselect gives its own."""
    import ast
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent
    missing = []
    for path in [root / "app.py", *sorted((root / "app_pages").glob("*.py")), *sorted((root / "ui").glob("*.py"))]:
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "multiselect"
                    and not any(k.arg == "placeholder" for k in node.keywords)):
                missing.append(f"{path.name}:{node.lineno}")
    assert missing == []


DISPLAY = frozenset({
    "title", "header", "subheader", "markdown", "caption", "text", "write", "info", "warning", "error", "success",
    "toast", "button", "download_button", "link_button", "page_link", "form_submit_button", "selectbox",
    "multiselect", "radio", "pills", "segmented_control", "checkbox", "toggle", "text_input", "text_area",
    "number_input", "date_input", "file_uploader", "expander", "tabs", "metric", "spinner", "status", "Page",
    "popover", "data_editor", "dialog"})
TEXT_KEYWORDS = frozenset({"label", "help", "placeholder", "body", "title", "caption", "value", "text"})
BILINGUAL = {
    "Langue / Language",  # the language picker, before a language is chosen
    "Chargement des données de démonstration… / Loading demo data…",  # the first run, before the sidebar exists
}


def _literal_words(node) -> str | None:
    """The words a literal argument shows, if it is one: a string, or an f-string's fixed parts."""
    import ast

    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        text = node.value
    elif isinstance(node, ast.JoinedStr):
        text = "".join(v.value for v in node.values if isinstance(v, ast.Constant) and isinstance(v.value, str))
    else:
        return None
    text = re.sub(r":material/\w+:|\*\*|[^\w\s]", " ", text)
    return text if re.search(r"[A-Za-zÀ-ÿ]{2,}", text) else None


def test_no_page_shows_a_string_that_is_not_in_the_message_catalog():
    """The pages and ``ui`` pass Streamlit only texts from ``kpis.i18n``, the catalog or the data, never a literal."""
    import ast
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent
    files = [root / "app.py", *sorted((root / "app_pages").glob("*.py")), *sorted((root / "ui").glob("*.py"))]
    assert len(files) > 10
    found = []
    for path in files:
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                    and node.func.attr in DISPLAY):
                continue
            path_first = node.func.attr in ("Page", "page_link")  # their first argument is a script's path
            args = [*node.args[int(path_first):1], *(k.value for k in node.keywords if k.arg in TEXT_KEYWORDS)]
            for arg in args:
                bilingual = isinstance(arg, ast.Constant) and arg.value in BILINGUAL
                if _literal_words(arg) and not bilingual:
                    found.append(f"{path.name}:{node.lineno}: {ast.unparse(arg)[:60]}")
    assert found == [], "\n".join(found)
