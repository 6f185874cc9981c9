"""Display tables of the data pages."""

from datetime import date

import pandas as pd
import pytest

from kpis import reports
from kpis.catalog import KPIS
from kpis.ingest import check_bytes


def _coverage():
    # origin A: Jan, Feb, (gap in Mar), Apr; origin B: quarterly Jan, Apr; origin C: stopped in Feb
    rows = [("A", "2026-01-01", 10), ("A", "2026-02-01", 12), ("A", "2026-04-01", 9),
            ("B", "2026-01-01", 3), ("B", "2026-04-01", 3), ("C", "2026-01-01", 5), ("C", "2026-02-01", 5)]
    frame = pd.DataFrame(rows, columns=["origin", "month", "rows"])
    frame["month"] = pd.to_datetime(frame["month"])
    frame["last_import"] = pd.Timestamp("2026-05-02 10:00")
    return frame


def test_coverage_grid_leaves_gaps_empty():
    grid = reports.coverage_grid(_coverage(), "fr")
    assert list(grid.columns) == ["janv. 2026", "févr. 2026", "mars 2026", "avr. 2026"]
    assert grid.loc["A"].tolist() == ["10", "12", "", "9"]  # March is a gap, not a zero
    assert grid.loc["B"].tolist() == ["3", "", "", "3"]


def test_stale_origins_use_each_origin_usual_interval():
    stale = reports.stale_origins(_coverage(), date(2026, 5, 2), "en")
    # latest month overall is April. A: usual gap median(1, 2) = 1 (int of 1.5), behind 0 → fine.
    # B: usual 3 months, behind 0 → fine. C: usual 1, behind Apr − Feb = 2 > 1 → stale.
    assert stale["Origin"].tolist() == ["C"]
    assert stale["Behind (months)"].tolist() == [2]


def test_columns_and_issues_frames_from_a_real_check():
    data = "Jour;Campagne;Clics;CTR;État\n01/09/2026;Rentrée;12;1%;ok\n02/09/2026;Rentrée;abc;1%;ok\n".encode()
    result = check_bytes(data, "c.csv", segment="B2C")
    cols = reports.columns_frame(result.sheets[0], "fr")
    assert cols["Compris comme"].tolist()[:4] == ["Période", "Initiative", "Clics", "Ignorée"]
    issues = reports.issues_frame(result, "en")
    assert issues.iloc[0][["Severity", "Row", "Column", "Code"]].tolist() == ["Error", "3", "C", "number_unparseable"]
    book = reports.report_workbook(result, "fr")
    assert book[:2] == b"PK"


def test_columns_say_their_role_in_words_in_both_languages():
    data = "Jour;Campagne;Clics;CTR;État\n01/09/2026;Rentrée;12;1%;ok\n".encode()
    sheet = check_bytes(data, "c.csv", segment="B2C").sheets[0]
    assert reports.columns_frame(sheet, "fr")["Détail"].tolist() == [
        "Période — reconnu (en-tête « Jour »)", "Initiative — reconnu (en-tête « Campagne »)",
        "Clics — reconnu (en-tête « Clics »)",
        "CTR — recalculé à partir des indicateurs Clics et Impressions, non importé",
        "Non reconnue — choisissez ce qu'elle contient ci-dessous"]
    assert reports.columns_frame(sheet, "en")["Detail"].tolist() == [
        "Period — recognised (header 'Jour')", "Initiative — recognised (header 'Campagne')",
        "Clicks — recognised (header 'Clics')", "CTR — recomputed from the KPIs Clicks and Impressions, not imported",
        "Not recognised — choose what it holds below"]
    mapped = check_bytes(data, "c.csv", segment="B2C", maps={"État": "ignore", "Campagne": "channel"}).sheets[0]
    assert reports.columns_frame(mapped, "fr")["Détail"].tolist()[1::3] == [
        "Canal — associé à votre demande", "Ignorée — à votre demande"]
    assert reports.columns_frame(mapped, "en")["Detail"].tolist()[1::3] == [
        "Channel — mapped at your request", "Ignored — at your request"]


@pytest.mark.parametrize("layout, fr, en", [
    ("wide", "une ligne par période, un indicateur par colonne", "one row per period, one KPI per column"),
    ("long", "une ligne par période et par indicateur", "one row per period and KPI"),
    ("crosstab", "les périodes en colonnes, un indicateur par ligne", "periods in columns, one KPI per row"),
    ("two_level", "en-tête sur deux lignes : des périodes ou des groupes au-dessus des indicateurs",
     "two-row header: periods or groups above the KPIs"),
    ("pivot", "tableau croisé dynamique copié en valeurs", "pivot table pasted as values"),
    (None, "—", "—"),
])
def test_layout_in_words(layout, fr, en):
    assert (reports.layout_words(layout, "fr"), reports.layout_words(layout, "en")) == (fr, en)


def test_no_none_is_shown_for_a_missing_row_or_header():
    result = check_bytes(b"\x00\x01 not a workbook " * 20, "rapport.xlsx")
    for lang in ("fr", "en"):
        shown = pd.concat([reports.summary_frame(result, lang), reports.issues_frame(result, lang)])
        cells = shown.astype(str).to_numpy().ravel().tolist()
        assert "—" in cells and not any(c in ("None", "<NA>", "nan") for c in cells)


@pytest.mark.parametrize("fr_in, fr_out, en_in, en_out", [
    ("choisissez le segment (--segment ou l'écran d'import) ou ajoutez une colonne Segment.",
     "choisissez le segment (« Segment du fichier » ci-dessous) ou ajoutez une colonne Segment.",
     "choose the segment (--segment or the import screen) or add a Segment column.",
     "choose the segment ('The file's segment' below) or add a Segment column."),
    ("le segment choisi est B2C : retirez --segment ou corrigez la colonne.",
     "le segment choisi est B2C : retirez le segment choisi ci-dessous ou corrigez la colonne.",
     "the chosen segment is B2C: drop --segment or correct the column.",
     "the chosen segment is B2C: clear the segment chosen below or correct the column."),
    ("Indiquez la période avec l'option --window-days 28, ou ajoutez une colonne.",
     "Indiquez la période dans « Période couverte par chaque ligne (jours) » ci-dessous, ou ajoutez une colonne.",
     "Give the period with the --window-days 28 option, or add a column.",
     "Give the period in 'Period each row covers (days)' below, or add a column."),
    ("--window-days ignoré pour cette feuille.", "La période saisie ci-dessous est ignorée pour cette feuille.",
     "--window-days ignored for this sheet.", "The period entered below is ignored for this sheet."),
    ('précisez laquelle (la colonne D par exemple) avec --map "Pages vues#2=ignore" ou dans l\'écran d\'import.',
     "précisez laquelle (la colonne D par exemple) dans la liste « Associer les colonnes non reconnues » ci-dessous.",
     'say which one (column D for instance) with --map "Pages vues#2=ignore" or on the import screen.',
     "say which one (column D for instance) in the list 'Map the columns not recognised' below."),
    ('précisez laquelle avec --map "EN-TÊTE=ignore" ou dans l\'écran d\'import. Rien n\'est additionné.',
     "précisez laquelle dans la liste « Associer les colonnes non reconnues » ci-dessous. Rien n'est additionné.",
     'say which one with --map "HEADER=ignore" or on the import screen. Nothing is summed.',
     "say which one in the list 'Map the columns not recognised' below. Nothing is summed."),
    ('mais 2 valeur(s) négative(s). Vérifiez : confirmez avec --map "Nb abonnés=followers", ou écartez la '
     'colonne avec --map "Nb abonnés=ignore" (ou dans l\'écran d\'import).',
     "mais 2 valeur(s) négative(s). Vérifiez : répondez à la question « Que contient la colonne… ? » ci-dessous : "
     "confirmer, choisir un autre indicateur ou écarter la colonne.",
     'but 2 negative value(s). Check it: confirm with --map "Nb abonnés=followers", or drop the column with '
     '--map "Nb abonnés=ignore" (or on the import screen).',
     "but 2 negative value(s). Check it: answer the question 'What does column … hold?' below: confirm, choose "
     "another KPI or drop the column."),
    ("Dites s'il corrige ce lot (--replaces 3) ou s'il s'agit d'autres données (--adds) : rien n'a été enregistré.",
     "Dites s'il corrige ce lot (« C'est une correction de ce lot » ci-dessous) ou s'il s'agit d'autres données "
     "(« Ce sont d'autres données ») : rien n'a été enregistré.",
     "Say whether it corrects that batch (--replaces 3) or holds other data (--adds): nothing was stored.",
     "Say whether it corrects that batch ('It is a correction of this batch' below) or holds other data "
     "('It is other data'): nothing was stored."),
    ("confirmez avec --accept-rejections.", "confirmez avec la case « Importer quand même » ci-dessous.",
     "confirm with --accept-rejections.", "confirm with the 'Import anyway' box below."),
    ('par exemple --map "Vues=page_views".', "par exemple la liste « Associer les colonnes non reconnues » ci-dessous.",
     'e.g. --map "Views=page_views".', "e.g. the list 'Map the columns not recognised' below."),
])
def test_for_the_page_names_the_control_instead_of_the_flag(fr_in, fr_out, en_in, en_out):
    assert reports.for_the_page(fr_in, "fr") == fr_out
    assert reports.for_the_page(en_in, "en") == en_out
    assert "--" not in fr_out + en_out


def test_for_the_page_leaves_a_message_without_a_flag_as_it_is():
    assert reports.for_the_page("Nombre illisible : valeur ignorée.", "fr") == "Nombre illisible : valeur ignorée."


def test_outcome_line_says_each_file_in_one_line_in_both_languages():
    line = reports.outcome_line
    assert line("usage_novembre.xlsx", "fr", batch=4, rows=3) == \
        "✔ usage_novembre.xlsx — lot n° 4 importé, 3 valeurs enregistrées"
    assert line("usage_novembre.xlsx", "en", batch=4, rows=3) == \
        "✔ usage_novembre.xlsx — batch #4 imported, 3 values stored"
    assert line("a.csv", "fr", batch=5, rows=1200, superseded=12) == (
        "✔ a.csv — lot n° 5 importé, 1\u202f200 valeurs enregistrées ; 12 valeurs plus anciennes des mêmes séries et "
        "périodes sont remplacées")
    assert line("a.csv", "en", batch=5, rows=1200, superseded=12) == (
        "✔ a.csv — batch #5 imported, 1,200 values stored; 12 older values of the same series and periods are replaced")
    assert line("a.csv", "fr", duplicate_of=2) == "✖ a.csv — déjà importé (lot n° 2) : rien n'a été ajouté"
    assert line("a.csv", "en", duplicate_of=2) == "✖ a.csv — already imported (batch #2): nothing was added"
    assert line("a.csv", "fr", refused="Dites s'il corrige ce lot (--replaces 3) ou non.") == \
        "✖ a.csv — refusé : Dites s'il corrige ce lot (« C'est une correction de ce lot » ci-dessous) ou non."
    assert line("a.csv", "en", refused="Say whether it corrects that batch (--replaces 3) or not.") == \
        "✖ a.csv — refused: Say whether it corrects that batch ('It is a correction of this batch' below) or not."


def test_batches_frame_newest_first():
    batches = [{"id": 1, "file": "a.xlsx", "origin": "manual", "imported_by": "local",
                "imported_at": "2026-11-26T10:58:19Z", "rows_kept": 5, "segments": ["B2C"],
                "period_start": "2026-01-01",
                "period_end": "2026-01-31", "status": "superseded", "sample": False},
               {"id": 2, "file": "b.xlsx", "origin": "manual", "imported_by": "local",
                "imported_at": "2026-11-26T11:00:00Z", "rows_kept": 6, "segments": ["B2C", "B2B"],
                "period_start": "2026-01-01", "period_end": "2026-02-28", "status": "current", "sample": True}]
    frame = reports.batches_frame(batches, "fr")
    assert frame["Lot"].tolist() == [2, 1]
    assert frame["Statut"].tolist() == ["À jour", "Remplacé"]
    assert frame.iloc[0]["Segments"] == "B2C, B2B"


def test_catalog_frame_in_both_languages():
    fr = reports.catalog_frame("fr").set_index("Code")
    en = reports.catalog_frame("en").set_index("Code")
    assert fr.loc["cpa", "Sens"] == "↓ plus bas = mieux"
    assert en.loc["ctr", "Formula"] == "clicks / impressions"
    assert en.loc["population", "Aggregation"] == "Stock (end of period)"


def test_targets_editor_changes_set_edit_and_remove():
    from kpis.targets import from_editor

    before = pd.DataFrame({"kpi": ["ctr", "leads"], "segment": ["B2C", "B2B"], "entity": ["", ""],
                           "period": ["2026", "T3 2026"], "value": ["2", "500"]})
    # the CTR target edited (in percent), the leads target deleted, an adoption target added, one unreadable row
    after = pd.DataFrame({"kpi": ["ctr", "adoption_rate", "ctr"], "segment": ["B2C", "B2E", "B2C"],
                          "entity": ["", "Industrie", ""], "period": ["2026", "2026-10", "someday"],
                          "value": ["2,5", "60", "3"]})
    frame, problems = from_editor(before, after)
    rows = {(r.kpi, r.segment, None if pd.isna(r.entity) else r.entity, str(r.period_start.date()), r.grain): r.value
            for r in frame.itertuples(index=False)}
    assert rows[("ctr", "B2C", None, "2026-01-01", "year")] == 0.025
    assert rows[("adoption_rate", "B2E", "Industrie", "2026-10-01", "month")] == 0.6
    assert pd.isna(rows[("leads", "B2B", None, "2026-07-01", "quarter")])  # removed: NaN deletes it
    assert len(rows) == 3 and len(problems) == 1 and "someday" in problems[0]


def _stored_targets() -> pd.DataFrame:
    return pd.DataFrame({"kpi": ["active_space_rate", "clicks", "cpa"], "segment": ["B2E", "B2C", "B2C"],
                         "entity": [None, None, None], "period_start": pd.to_datetime(["2026-01-01"] * 3),
                         "grain": ["year", "quarter", "year"], "value": [0.7046, 120000.0, 30.5]})


def test_target_editor_shows_labels_units_and_percents_in_each_language():
    fr = reports.targets_frame(_stored_targets(), "fr")
    assert fr["kpi"].tolist() == ["Taux d'espaces actifs", "Clics", KPIS["cpa"].label("fr")]
    assert fr["unit"].tolist() == ["%", "nombre", "€"]
    assert fr["value"].tolist() == ["70,46", "120000", "30,5"]
    assert fr["period"].tolist() == ["2026", "T1 2026", "2026"]
    en = reports.targets_frame(_stored_targets(), "en")
    assert en["kpi"].tolist()[:2] == ["Active space rate", "Clicks"]
    assert en["value"].tolist() == ["70.46", "120000", "30.5"] and en["unit"].tolist()[1] == "number"
    # the workbook keeps codes and stored fractions
    assert reports.targets_rows(_stored_targets())["value"].tolist() == [0.7046, 120000.0, 30.5]


@pytest.mark.parametrize("typed", ["70,46", "70.46", "70,46 %", " 70.46"])
def test_a_rate_typed_in_percent_is_stored_as_a_fraction(typed):
    from kpis.targets import from_editor

    current = reports.targets_frame(_stored_targets(), "fr")  # the rate shows as "70,46"
    retyped = current.assign(value=[typed, *current["value"].iloc[1:]])
    frame, problems = from_editor(current, retyped)
    assert problems == [] and len(frame) == 0  # the same percent, however typed: nothing changed
    frame, _ = from_editor(current.iloc[1:], retyped)  # the rate typed as a new row
    assert frame["kpi"].tolist() == ["active_space_rate"] and frame["value"].tolist() == [0.7046]
    frame, _ = from_editor(current, current.assign(value=["71,5", *current["value"].iloc[1:]]))
    assert frame["value"].tolist() == [0.715]


def test_the_saved_count_is_the_rows_changed(tmp_path):
    from kpis.store import Store
    from kpis.targets import from_editor

    store = Store(tmp_path / "t.duckdb")
    store.set_targets(_stored_targets().assign(period_end=pd.to_datetime(["2026-12-31", "2026-03-31", "2026-12-31"])))
    current = reports.targets_frame(store.targets(), "fr")
    one = current.assign(value=current["value"].where(current["kpi"] != "Clics", "125000"))
    changes, _ = from_editor(current, one)
    assert store.set_targets(changes, by="app") == 1  # one change: 1, not the 3 rows of the table
    assert store.targets().set_index("kpi").loc["clicks", "value"] == 125000.0
    assert store.targets().set_index("kpi").loc["active_space_rate", "value"] == 0.7046  # untouched
    removed, _ = from_editor(current, current.iloc[:2])
    assert len(removed) == 1 and pd.isna(removed["value"].iloc[0])


def test_summary_names_the_recognised_format_and_the_channel_it_implies():
    import tempfile
    from pathlib import Path

    from formats_files import linkedin_followers_xlsx

    data, name = linkedin_followers_xlsx(Path(tempfile.mkdtemp()))
    summary = reports.summary_frame(check_bytes(data, name, segment="B2C"), "en")
    row = summary[summary["Status"] == "read"].iloc[0]
    # the English page names the format in English (it said "LinkedIn (abonnés)")
    assert (row["Source"], row["Segments"], row["Channels"]) == ("LinkedIn (followers)", "B2C", "social")
