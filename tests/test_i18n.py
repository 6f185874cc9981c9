"""Labels in both languages; numbers formatted for the locale."""

import re
from pathlib import Path

import pytest

from kpis import i18n
from kpis.i18n import fmt_change, fmt_period, fmt_value, t

NNBSP, NBSP = "\u202f", "\u00a0"


def test_every_label_has_french_and_english():
    for key, (fr, en) in i18n._LABELS.items():
        assert fr.strip() and en.strip(), key
        assert set(re.findall(r"{(\w+)}", fr)) == set(re.findall(r"{(\w+)}", en)), key


def test_every_label_used_by_the_app_exists():
    root = Path(__file__).resolve().parent.parent
    sources = [root / "app.py", *(root / "ui").glob("*.py"), *(root / "app_pages").glob("*.py")]
    used = {k for p in sources for k in re.findall(r"""\bt\(\s*f?["']([a-z_]+\.[a-z_0-9.{}]+)["']""", p.read_text())}
    missing = {k for k in used if "{" not in k and k not in i18n._LABELS}
    assert missing == set()


@pytest.mark.parametrize(
    "value, unit, lang, text",
    [
        (1234.4, "count", "fr", f"1{NNBSP}234"),  # counts of 100 and more are shown without decimals
        (12.5, "count", "en", "12.5"),
        (1234567, "count", "fr", f"1{NNBSP}234{NNBSP}567"),
        (0.125, "%", "fr", f"12,5{NNBSP}%"),
        (0.125, "%", "en", "12.5%"),
        (4.6667, "€", "fr", f"4,67{NBSP}€"),
        (4.6667, "€", "en", "€4.67"),
        (3.5, "×", "en", "3.50×"),
        (None, "count", "fr", "—"),
        (float("nan"), "%", "en", "—"),
    ],
)
def test_fmt_value(value, unit, lang, text):
    assert fmt_value(value, unit, lang) == text


@pytest.mark.parametrize(
    "change, unit, change_unit, lang, text",
    [
        (1.2, "%", "pp", "fr", f"+1,2{NBSP}pt"),  # metrics gives % changes in points already
        (-0.34, "%", "pp", "en", "−0.34 pt"),  # under one point: two decimals
        (-0.30, "€", "abs", "fr", f"−0,30{NBSP}€"),
        (0.12, "count", "relative", "en", "+12.0%"),
        (0, "count", "abs", "fr", "±0"),
    ],
)
def test_fmt_change(change, unit, change_unit, lang, text):
    assert fmt_change(change, unit, change_unit, lang) == text


@pytest.mark.parametrize(
    "label, lang, text",
    [("2026-09", "fr", "sept. 2026"), ("2026-09", "en", "Sep 2026"), ("2026-Q3", "fr", "T3 2026"),
     ("2026-W37", "fr", "S37 2026"), ("2026", "fr", "2026"), ("FY2026", "en", "FY2026")],
)
def test_fmt_period(label, lang, text):
    assert fmt_period(label, lang) == text


@pytest.mark.parametrize(
    "value, unit, lang, text",
    [(13_791_234, "count", "fr", f"13,8{NBSP}M"), (360_590.6, "€", "fr", f"360{NNBSP}591{NBSP}€"),
     (1_642_000, "€", "en", "€1.6M"), (2.5e9, "count", "en", "2.5bn"), (999_999, "count", "fr", f"999{NNBSP}999"),
     (0.25, "%", "fr", f"25,0{NNBSP}%")],
)
def test_compact_values_for_cards(value, unit, lang, text):
    assert fmt_value(value, unit, lang, compact=True) == text


def test_explicit_decimals():
    assert fmt_value(1234.5, "count", "fr", decimals=1) == f"1{NNBSP}234,5"
    assert fmt_value(1234.5, "count", "en", decimals=1) == "1,234.5"


def test_placeholders_are_filled():
    assert t("import.button", "fr", n=2) == "Importer 2 fichier(s)"
    assert t("nav.cdo", "en") == "CDO view"


@pytest.mark.parametrize(
    "text, shown",
    [("**Total** [clic](javascript:x)", r"\*\*Total\*\* \[clic\]\(javascript\:x\)"),
     (":red[alerte] :material/home:", r"\:red\[alerte\] \:material/home\:"),
     ("Campagne\nRentrée", "Campagne Rentrée"), ("=1+1", r"\=1\+1"), ("Plain text", "Plain text")],
)
def test_escape_markdown(text, shown):
    assert i18n.escape_markdown(text) == shown


def test_a_source_is_named_in_the_page_language():
    """Every recognised format has an English name free of the French qualifiers, and the lines that name
    sources (under a page's title, the Importer's origin) use it; a format's name in either language finds its
    code back (the Importer's origin field)."""
    from kpis.catalog import SOURCE_NAMES, source_name, source_origin
    from kpis.dashboard import source_names, sources_line

    french = ("abonnés", "visiteurs", "contenus", "utilisateurs", "communautés", "quotidienne", "opportunités",
              "transactions", "équipes", "Réseau social", "e-mails marketing")
    english = {o: source_name(o, "en") for o in SOURCE_NAMES}
    assert [n for n in english.values() if any(w in n for w in french)] == []
    assert source_name("linkedin_followers", "fr") == "LinkedIn (abonnés)"
    assert source_name("demo-1234", "en") == "demo-1234"  # a file's structural origin stays as it is
    batches = [{"origin": "linkedin_followers", "file": "followers.xls", "segments": ["B2B"], "id": 1,
                "period_end": "2026-09-30", "status": "current"}]
    assert source_names(batches, "en") == {"linkedin_followers": "LinkedIn (followers)"}
    assert sources_line(batches, ("B2B",), "en") == "Sources: LinkedIn (followers) — data to 2026-09-30"
    assert sources_line(batches, ("B2B",), "fr").startswith("Sources : LinkedIn (abonnés) — données")
    assert source_origin("LinkedIn (followers)") == source_origin("LinkedIn (abonnés)") == "linkedin_followers"
    assert source_origin("followers.xls") is None


def test_every_action_the_audit_trail_records_has_a_label_in_both_languages():
    """Historique names each action of the trail; an action without its label would break the page."""
    source = (Path(__file__).resolve().parent.parent / "kpis" / "store.py").read_text()
    actions = set(re.findall(r'_audit\(\s*con,\s*\w+,\s*"(\w+)"', source)) | set(
        re.findall(r'_audit\(\s*con,\s*\w+,\s*"\w+" if [^,]* else "(\w+)"', source))  # "kpi_add" if … else "kpi_edit"
    assert {"import", "subject_add", "kpi_edit"} <= actions  # the pattern does find them
    assert sorted(a for a in actions if f"audit.action.{a}" not in i18n._LABELS) == []
