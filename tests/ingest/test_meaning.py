"""A KPI matched from a look-alike header is questioned before import (``kpis.ingest.meaning``).

One realistic file per family, each with a near miss beside it; golden values are computed by hand in the
comments.
"""

from __future__ import annotations

import io
from pathlib import Path

import formats_files as ff
import openpyxl
import pytest

from kpis import catalog, ingest
from kpis.catalog import KPIS, fold
from kpis.ingest.meaning import AMBIGUOUS_WORDS, STOCK_CHANGES

ROOT = Path(__file__).resolve().parent.parent.parent


def xlsx(sheets: dict[str, list[list]]) -> bytes:
    book = openpyxl.Workbook()
    book.remove(book.active)
    for name, rows in sheets.items():
        sheet = book.create_sheet(name)
        for row in rows:
            sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def columns(sheet) -> dict[str, tuple[str, str | None]]:
    return {c.header: (c.role, c.kpi) for c in sheet.columns}


# --- a stock read from a column of daily changes ------------------------------------------------------

NET_FOLLOWERS = [12, -3, 40, 7, 0, 25, -1, 18, 33, 5, -2, 9, 14, 21]
# 12 − 3 + 40 + 7 + 0 + 25 − 1 = 80; + 18 + 33 + 5 − 2 + 9 + 14 + 21 = 178
VIEWS = [1200, 950, 1430, 1100, 870, 1620, 1310, 1250, 1480, 990, 1020, 1150, 1390, 1560]


STUDIO_HEADER = ["Date", "Vues", "Durée de visionnage (heures)", "Abonnés", "Impressions",
                 "Taux de clics des impressions (%)"]


def youtube_by_date(header: list[str] | None = None) -> bytes:
    """A video table by date copied into a team's own workbook: views, watch time, net subscribers of the day,
    impressions, under the team's own column names (YouTube Studio's own export, ``STUDIO_HEADER``, is a
    recognised format: ``kpis.ingest.exports.youtube``)."""
    rows: list[list] = [header or ["Date", "Vues", "Durée (h)", "Abonnés", "Impressions", "CTR (%)"]]
    for day, (views, net) in enumerate(zip(VIEWS, NET_FOLLOWERS, strict=True), start=1):
        rows.append([f"2026-10-{day:02d}", views, round(views * 0.07, 1), net, views * 10, 4.2])
    return xlsx({"Données du tableau": rows})


def test_youtube_studios_own_export_is_recognised_and_never_questioned():
    result = ingest.check_bytes(youtube_by_date(STUDIO_HEADER), "youtube.xlsx", segment="B2C")
    assert result.importable and result.questions == [] and result.origin == "youtube_studio"
    # views 17 320 are video views, the net subscribers are not imported (gained and lost are, when exported)
    assert result.sheets[0].totals["video_views"] == 17320.0 and "followers" not in result.sheets[0].totals


def test_daily_net_followers_are_questioned_and_the_flow_is_proposed():
    result = ingest.check_bytes(youtube_by_date(), "youtube.xlsx", segment="B2C")
    assert result.readable and not result.importable
    by_column = {q.column: q for q in result.questions}
    subs = by_column["D"]
    assert (subs.header, subs.kpi, subs.codes, subs.alternatives) == ("Abonnés", "followers", ("stock_change",),
                                                                     ("new_followers",))
    assert subs.targets == ("followers", "new_followers", "ignore")
    fr, en = subs.message("fr"), subs.message("en")
    assert "Feuille Données du tableau, colonne D « Abonnés »" in fr and "3 valeur(s) négative(s)" in fr  # −3, −1, −2
    assert '--map "Abonnés=followers"' in fr and '--map "Abonnés=new_followers"' in fr
    assert '--map "Abonnés=ignore"' in en and "New followers" in en
    # the issue log says it too, located on the column
    assert [(i.code, i.column) for i in result.sheets[0].issues if i.code == "meaning_questioned"] == [
        ("meaning_questioned", "B"), ("meaning_questioned", "D")]


def test_daily_net_followers_import_as_new_followers_once_remapped():
    maps = {"Abonnés": "new_followers", "Vues": "ignore"}
    result = ingest.check_bytes(youtube_by_date(), "youtube.xlsx", segment="B2C", maps=maps)
    assert result.importable and result.questions == []
    # new followers: 178 (the sum of the 14 daily net changes, above), not a stock of 21 on 14 October
    # impressions: 10 × the views, 10 × (1200 + 950 + … + 1560) = 10 × 17 320 = 173 200
    assert result.sheets[0].totals == {"impressions": 173200.0, "new_followers": 178.0}
    obs = result.observations
    assert obs[obs["kpi"] == "new_followers"]["value"].sum() == 178.0


def test_positive_daily_changes_are_questioned_by_how_they_move():
    # no negative value: 12, 5, 40, 7, 0, 25, 3. Moves 7, 35, 33, 7, 25, 22 → median 23.5;
    # values 0, 3, 5, 7, 12, 25, 40 → median 7; 23.5 ≥ 50 % × 7 → a change per day, not a level
    text = "Date;Abonnés\n" + "".join(f"0{d}/10/2026;{v}\n" for d, v in enumerate([12, 5, 40, 7, 0, 25, 3], 1))
    result = ingest.check_bytes(text.encode(), "abonnes.csv", segment="B2C")
    (q,) = result.questions
    assert q.codes == ("stock_change",) and "23.5" in q.message("en") and "median value of 7" in q.message("en")


def test_a_daily_stock_that_moves_little_is_not_questioned():
    # 5 000, 5 012, 5 020, 5 019, 5 031: moves 12, 8, 1, 12 → median 10, far below 50 % of 5 019
    text = "Date;Abonnés\n" + "".join(f"0{d}/10/2026;{v}\n" for d, v in enumerate([5000, 5012, 5020, 5019, 5031], 1))
    result = ingest.check_bytes(text.encode(), "abonnes.csv", segment="B2C")
    assert result.importable and result.questions == []


def test_a_monthly_followers_stock_is_not_questioned():
    months = ["janv. 2026", "févr. 2026", "mars 2026", "avr. 2026", "mai 2026", "juin 2026"]
    stock = [10200, 10340, 10490, 10610, 10800, 10950]
    rows = [["Mois", "Réseau", "Abonnés"]] + [[m, "LinkedIn", v] for m, v in zip(months, stock, strict=True)]
    result = ingest.check_bytes(xlsx({"Audience": rows}), "audience.xlsx", segment="B2B")
    assert result.importable and result.questions == []
    # the checksum is the plain sum: 10 200 + 10 340 + 10 490 + 10 610 + 10 800 + 10 950 = 63 390
    assert result.sheets[0].totals == {"followers": 63390.0}


def test_confirming_the_stock_with_map_imports_it_as_it_is():
    result = ingest.check_bytes(youtube_by_date(), "youtube.xlsx", segment="B2C",
                                maps={"Abonnés": "followers", "Vues": "page_views"})
    assert result.importable and result.sheets[0].totals["followers"] == 178.0


def test_every_stock_kpi_says_which_flow_its_changes_are():
    stocks = {code for code, k in KPIS.items() if k.aggregation == "stock"}
    assert set(STOCK_CHANGES) == stocks
    assert all(flow is None or KPIS[flow].aggregation == "flow" for flow in STOCK_CHANGES.values())


# --- words that mean different things across tools ----------------------------------------------------


def test_views_of_a_video_table_are_questioned():
    result = ingest.check_bytes(youtube_by_date(), "youtube.xlsx", segment="B2C", maps={"Abonnés": "new_followers"})
    (q,) = result.questions
    assert (q.column, q.header, q.kpi, q.codes) == ("B", "Vues", "page_views", ("ambiguous_word",))
    assert q.alternatives == ()  # impressions would be an alternative, but column E already gives them
    assert "vues d'une vidéo" in q.message("fr")


@pytest.mark.parametrize("header, questioned", [
    ("Vues", True), ("Views", True),
    ("Pages vues", False), ("Page views", False), ("Vues de pages", False),
])
def test_views_versus_page_views(header, questioned):
    text = f"Date;{header}\n01/10/2026;120\n02/10/2026;95\n"
    result = ingest.check_bytes(text.encode(), "site.csv", segment="B2C")
    assert columns(result.sheets[0])[header] == ("kpi", "page_views")
    assert bool(result.questions) == questioned and result.importable == (not questioned)
    if questioned:
        assert result.questions[0].alternatives == ("impressions",)


def test_views_of_a_video_are_video_views_and_not_questioned():
    text = "Date;Vues de la vidéo\n01/10/2026;120\n02/10/2026;95\n"
    result = ingest.check_bytes(text.encode(), "videos.csv", segment="B2C")
    assert columns(result.sheets[0])["Vues de la vidéo"] == ("kpi", "video_views")
    assert result.importable and result.sheets[0].totals == {"video_views": 215.0}  # 120 + 95


def test_views_beside_sessions_are_page_views():
    text = "Date;Sessions;Vues\n01/10/2026;40;120\n02/10/2026;31;95\n"
    result = ingest.check_bytes(text.encode(), "site.csv", segment="B2C")
    assert result.importable and result.sheets[0].totals == {"page_views": 215.0, "sessions": 71.0}


def test_every_ambiguous_word_is_a_catalog_synonym_and_documented():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for word in AMBIGUOUS_WORDS:
        match = catalog.match_header(word.word)
        assert match is not None and match.kpi, word.word
        assert match.synonym == word.word == fold(word.word)
        assert all(k in KPIS for k in (*word.alternatives, *word.settled_by))
    assert "AMBIGUOUS_WORDS" in readme


# --- a KPI outside the file's segment -----------------------------------------------------------------

TEAMS_HEADER = ["Report Date", "Team Name", "Team Type", "Active Users", "Channel Messages", "Reply Messages",
                "Post Messages", "Mentions", "Reactions", "Report Period"]
TEAMS_ROWS = [["2026-10-31", "Projet Alpha", "Private", 18, 120, 70, 50, 14, 33, 30],
              ["2026-10-31", "Comité RH", "Public", 9, 41, 25, 16, 3, 12, 30]]
# the 30 days ending on the report date: 2026-10-02 … 2026-10-31 (a report date alone would be asked about)


def teams_team_activity() -> bytes:
    """A Microsoft Teams team activity report, saved by an admin with a report date per row."""
    return ("\n".join(",".join(map(str, r)) for r in [TEAMS_HEADER, *TEAMS_ROWS]) + "\n").encode()


TEAM_MAPS = {"Team Name": "initiative", "Team Type": "ignore"}  # a team is a space: the user says so


def test_at_mentions_of_a_teams_report_are_questioned_in_b2e():
    result = ingest.check_bytes(teams_team_activity(), "teams.csv", segment="B2E", maps=TEAM_MAPS)
    assert result.readable and not result.importable
    (q,) = result.questions
    assert (q.column, q.header, q.kpi, q.codes) == ("H", "Mentions", "mentions", ("segment", "ambiguous_word"))
    assert q.alternatives == ()
    assert "déclare pour B2C, B2B seulement, et cette feuille est B2E" in q.message("fr")
    assert "@mentions" in q.message("en") and '--map "Mentions=ignore"' in q.message("en")
    assert "(no other catalog KPI fits)" in q.message("en")


def test_a_teams_report_imports_once_mentions_are_dropped():
    result = ingest.check_bytes(teams_team_activity(), "teams.csv", segment="B2E",
                                maps=TEAM_MAPS | {"Mentions": "ignore"})
    assert result.importable
    # Channel Messages is the KPI (120 + 41 = 161), Reply and Post Messages set aside for it;
    # active users 18 + 9 = 27, reactions 33 + 12 = 45
    assert result.sheets[0].totals == {"active_users": 27.0, "contributions": 161.0, "reactions": 45.0}
    cols = columns(result.sheets[0])
    assert cols["Channel Messages"] == ("kpi", "contributions")
    assert cols["Reply Messages"] == cols["Post Messages"] == ("ignored", None)


def test_brand_mentions_with_their_tone_are_not_questioned():
    text = "Date;Mentions;Mentions positives;Mentions négatives\n01/10/2026;80;30;12\n02/10/2026;64;21;9\n"
    result = ingest.check_bytes(text.encode(), "veille.csv", segment="B2C")
    assert result.importable and result.sheets[0].totals["mentions"] == 144.0  # 80 + 64


# --- a header naming a dimension and a KPI -------------------------------------------------------------


@pytest.mark.parametrize("header", ["Channel Messages", "Messages du canal", "Messages des canaux"])
def test_a_header_naming_a_dimension_and_a_kpi_is_the_kpi(header):
    text = f"Mois;Canal;{header}\n2026-09;Teams;120\n2026-09;Yammer;41\n2026-10;Teams;98\n"
    result = ingest.check_bytes(text.encode(), "messages.csv", segment="B2E")
    sheet = result.sheets[0]
    assert columns(sheet) == {"Mois": ("period", None), "Canal": ("channel", None),
                              header: ("kpi", "contributions")}
    assert result.importable and sheet.totals == {"contributions": 259.0}  # 120 + 41 + 98
    assert sorted(set(result.observations["channel"])) == ["Teams", "Yammer"]


def test_bare_messages_are_questioned():
    text = "Mois;Messages\n2026-09;120\n2026-10;98\n"
    result = ingest.check_bytes(text.encode(), "messages.csv", segment="B2E")
    (q,) = result.questions
    assert (q.kpi, q.codes) == ("contributions", ("ambiguous_word",))


# --- what must stay as it was ---------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["externe_b2b.xlsx", "externe_b2c.xlsx", "interne_b2e.xlsx"])
def test_sample_workbooks_raise_no_question(name):
    result = ingest.check_file(ROOT / "sample_data" / name)
    assert result.importable and result.questions == []


VENDOR_FILES = [(m, s) for m, s in [(ff.google_ads_en_csv, "B2C"), (ff.google_ads_fr_excel_csv, "B2B"),
                                    (ff.ga4_csv, "B2C"), (ff.ga4_fr_csv, "B2C"), (ff.meta_en_csv, "B2C"),
                                    (ff.meta_fr_csv, "B2C"), (ff.viva_user_detail_csv, None),
                                    (ff.viva_groups_csv, None), (ff.sharepoint_csv, None), (ff.teams_csv, None),
                                    (ff.viva_daily_csv, None), (ff.m365_active_csv, None)]]


@pytest.mark.parametrize("make, segment", VENDOR_FILES, ids=[m.__name__ for m, _ in VENDOR_FILES])
def test_vendor_formats_are_never_questioned(make, segment):
    data, name = make()
    result = ingest.check_bytes(data, name, segment=segment)
    assert result.origin is not None and result.questions == []


@pytest.mark.parametrize("make", [ff.linkedin_visitors_xlsx, ff.linkedin_followers_xlsx, ff.linkedin_content_xlsx,
                                  ff.google_ads_xlsx])
def test_vendor_workbooks_are_never_questioned(make, tmp_path):
    data, name = make(tmp_path)
    result = ingest.check_bytes(data, name, segment="B2B")
    assert result.origin is not None and result.questions == []
