"""Recognised exports (kpis.ingest.exports): each vendor layout with its quirks, hand totals, near misses, privacy.

Files are written by ``formats_files`` with the real writers (csv bytes in the
vendor's encoding, openpyxl, xlsxwriter) and read through
``kpis.ingest.readers.read_file``, so the tests see what production sees. When the
hook is wired into ``kpis.ingest``, the end-to-end tests at the bottom run
the same files through ``check_bytes``.
"""

from __future__ import annotations

import dataclasses
import json
import subprocess
import sys
import unicodedata
from datetime import date
from pathlib import Path

import families_files as fam
import formats_files as ff
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kpis import ingest
from kpis.catalog import KPIS
from kpis.ingest import exports, parsing
from kpis.ingest.exports import MIN_GROUP_SIZE, Recognised, recognise
from kpis.ingest.readers import RawSheet, read_file
from kpis.model import ALL, OTHER

ROOT = Path(__file__).resolve().parents[2]
SEPT, JUNE = ff.DATE_WINDOW, (date(2026, 6, 1), date(2026, 6, 30))


# --- helpers ------------------------------------------------------------------------------------


def _recognised(made: tuple[bytes, str], sheet: int = 0) -> Recognised:
    data, name = made
    found = recognise(read_file(data, name)[sheet])
    assert found is not None
    return found


def _column(rec: Recognised, header: str) -> list:
    j = rec.sheet.rows[0].index(header)
    return [row[j] for row in rec.sheet.rows[1:]]


def _is_total(row: list) -> bool:
    return any(isinstance(c, str) and c.strip().lower().startswith(("total:", "total :")) for c in row)


def _kpi_totals(rec: Recognised) -> dict[str, float]:
    """What ingestion will sum: each mapped KPI column parsed with its forced convention, totals rows skipped."""
    out: dict[str, float] = {}
    body = [r for r in rec.sheet.rows[1:] if not _is_total(r)]
    for header, target in rec.maps.items():
        code, _, conv = target.partition(":")
        if code not in KPIS:
            continue
        j = rec.sheet.rows[0].index(header)
        values, bad = parsing.parse_numbers([r[j] for r in body], conv or None)
        assert not bad.any(), header
        out[code] = out.get(code, 0.0) + float(np.nansum(values))
    return {k: round(v, 6) for k, v in sorted(out.items())}


def _rows_by(rec: Recognised, header: str) -> dict[str, dict[str, object]]:
    head = rec.sheet.rows[0]
    return {row[head.index(header)]: dict(zip(head, row, strict=True)) for row in rec.sheet.rows[1:]}


def _dump(rec: Recognised) -> str:
    """Everything recognise returns, as text (the privacy tests search it)."""
    payload = dataclasses.asdict(rec)
    payload["issues"] = [i.to_json() for i in rec.issues]
    return json.dumps(payload, default=str, ensure_ascii=False)


def _fold(text: str) -> str:
    text = unicodedata.normalize("NFKD", text.lower())
    return "".join(ch for ch in text if not unicodedata.combining(ch))


# --- Google Ads -----------------------------------------------------------------------------------


def test_google_ads_english_csv_title_lines_totals_rows_and_placeholders():
    rec = _recognised(ff.google_ads_en_csv())
    assert (rec.format, rec.segment, rec.number_convention, rec.period) == ("google_ads_campaign", None, "en", SEPT)
    assert rec.sheet.row_numbers[0] == 3 and rec.sheet.rows[0][0] == "Campaign"  # title and date lines gone
    assert rec.maps["Impr."] == "impressions:en" and rec.maps["Clicks"] == "clicks:en"
    assert rec.maps["Conv. value"] == "revenue:en" and rec.maps["All conv."] == "ignore"
    assert rec.maps["Campaign"] == "initiative" and rec.maps["Currency code"] == "currency"
    assert rec.maps["Campaign type"] == "channel" and rec.channels == ("display", "search", "video")
    assert _column(rec, "Campaign type") == ["search", "display", "video", "search", "", "", "", ""]
    # no Day column: the whole file covers line 2's range, written as two constant columns on the right
    assert set(_column(rec, "Date de début")) == {SEPT[0]} and set(_column(rec, "Date de fin")) == {SEPT[1]}
    assert rec.maps["Date de début"] == "period_start" and rec.maps["Date de fin"] == "period_end"
    assert _kpi_totals(rec) == ff.GOOGLE_ADS_EN_TOTALS
    assert rec.issues == []


def test_google_ads_french_excel_csv_utf16_tabs_shuffled_by_day():
    data, name = ff.google_ads_fr_excel_csv()
    assert data.startswith(b"\xff\xfe")
    rec = _recognised((data, name))
    assert (rec.format, rec.number_convention, rec.date_order, rec.period) == ("google_ads_campaign", "fr", "dmy",
                                                                                JUNE)
    assert rec.maps["Clics"] == "clicks:fr" and rec.maps["Coût"] == "cost:fr"
    assert rec.maps["Valeur de conv."] == "revenue:fr" and rec.maps["Campagne"] == "initiative"
    assert "Libellés" not in rec.maps  # the extra column stays unknown, ingestion lists it
    assert "Date de début" not in rec.sheet.rows[0]  # the Jour column dates the rows
    assert _column(rec, "Type de campagne")[:4] == ["search", "display", "search", "video"]
    assert _column(rec, "Jour")[:4] == [date(2026, 6, 1)] * 2 + [date(2026, 6, 2)] * 2
    assert rec.sheet.rows[0][:2] == ["Clics", "Jour"]  # the file's columns keep their letters
    assert _kpi_totals(rec) == ff.GOOGLE_ADS_FR_TOTALS


def test_google_ads_xlsx_uk_dates_no_campaign_type_is_search(tmp_path):
    rec = _recognised(ff.google_ads_xlsx(tmp_path))
    assert (rec.format, rec.period, rec.channels) == ("google_ads_campaign", JUNE, ("search",))
    assert set(_column(rec, "Canal")) == {"search"} and rec.maps["Canal"] == "channel"
    assert _kpi_totals(rec) == {"clicks": 40.0, "conversions": 2.0, "cost": 20.0, "impressions": 2000.0}


def test_google_ads_us_day_column_read_month_first():
    rows = [["Campaign report"], ["September 1, 2026 - September 30, 2026"],
            ["Day", "Campaign", "Impr.", "Clicks", "Cost"], ["09/02/2026", "A", "10", "1", "0.5"],
            ["09/13/2026", "A", "10", "1", "0.5"]]
    rec = _recognised((ff.csv_bytes(rows), "r.csv"))
    assert rec.date_order == "mdy" and _column(rec, "Day") == [date(2026, 9, 2), date(2026, 9, 13)]


def test_google_ads_all_time_without_day_is_an_error_a_user_understands():
    rows = [["Campaign report"], ["All time"], ["Campaign", "Impr.", "Clicks", "Cost"], ["A", "10", "1", "0.5"]]
    rec = _recognised((ff.csv_bytes(rows), "r.csv"))
    assert rec.period is None and [(i.code, i.severity, i.row) for i in rec.issues] == [
        ("all_time_report", "error", 2)]


# --- GA4 --------------------------------------------------------------------------------------------


def test_ga4_comment_block_period_total_row_and_second_table():
    rec = _recognised(ff.ga4_csv())
    assert (rec.format, rec.segment, rec.period, rec.channels) == ("ga4", None, SEPT, ())
    assert rec.maps["Session primary channel group (Default Channel Group)"] == "channel"
    assert rec.maps["Key events"] == "conversions:en" and rec.maps["Users"] == "active_users:en"
    assert rec.sheet.row_numbers[:2] == [9, 11]  # header on line 9; the blank-label total on line 10 dropped
    assert _column(rec, "Session primary channel group (Default Channel Group)") == [
        "Direct", "Organic Search", "Paid Search", "Email"]
    assert set(_column(rec, "Date de début")) == {SEPT[0]} and set(_column(rec, "Date de fin")) == {SEPT[1]}
    assert _kpi_totals(rec) == ff.GA4_TOTALS
    assert [(i.code, i.row) for i in rec.issues] == [("ga4_other_tables", 19), ("total_row", 10)]


def test_ga4_french_with_date_column():
    rec = _recognised(ff.ga4_fr_csv())
    assert (rec.format, rec.number_convention, rec.period) == ("ga4", "fr", (date(2026, 9, 1), date(2026, 9, 2)))
    assert rec.maps["Date"] == "period:day" and rec.maps["Événements clés"] == "conversions:fr"
    assert rec.maps["Groupe de canaux principal de la session (Groupe de canaux par défaut)"] == "channel"
    assert "Date de début" not in rec.sheet.rows[0]
    assert _kpi_totals(rec) == {"active_users": 340.0, "conversions": 12.0, "engaged_sessions": 280.0,
                                "revenue": 1223.75, "sessions": 410.0}


# --- LinkedIn ---------------------------------------------------------------------------------------


def test_linkedin_visitors_mdy_text_dates_and_total_columns(tmp_path):
    data, name = ff.linkedin_visitors_xlsx(tmp_path)
    rec = _recognised((data, name))
    assert (rec.format, rec.channels, rec.date_order) == ("linkedin_visitors", ("social",), "mdy")
    assert _column(rec, "Date") == [date(2026, 9, d) for d in (1, 2, 3, 4)]  # not 9 January, 9 February…
    assert rec.maps["Total page views (total)"] == "page_views:en"
    assert rec.maps["Total unique visitors (total)"] == "unique_visitors:en"
    assert rec.maps["Overview page views (total)"] == "ignore" and rec.maps["Total page views (mobile)"] == "ignore"
    assert _kpi_totals(rec) == {"page_views": 135.0, "unique_visitors": 83.0}
    location = _recognised((data, name), sheet=1)  # the demographic sheet: no dates, deliberately skipped
    assert location.format == "linkedin_visitors" and location.sheet.rows == []
    assert [i.code for i in location.issues] == ["linkedin_breakdown"]


def test_linkedin_followers_total_is_new_followers_a_flow_negatives_kept(tmp_path):
    rec = _recognised(ff.linkedin_followers_xlsx(tmp_path))
    assert rec.format == "linkedin_followers" and rec.sheet.rows[0][0] == "Total followers"  # shuffled
    assert rec.maps["Total followers"] == "new_followers:en"
    assert {rec.maps[h] for h in ("Organic followers", "Sponsored followers", "Auto-invited followers")} == {"ignore"}
    assert _column(rec, "Date")[-1] == date(2026, 9, 13)
    assert _kpi_totals(rec) == {"new_followers": 26.0}


def test_linkedin_content_note_row_triplets_and_per_post_sheet(tmp_path):
    data, name = ff.linkedin_content_xlsx(tmp_path)
    rec = _recognised((data, name))
    assert rec.format == "linkedin_content" and rec.sheet.row_numbers[0] == 2  # the note row above is gone
    assert {h for h, t in rec.maps.items() if t == "ignore"} >= {
        "Impressions (organic)", "Impressions (sponsored)", "Unique impressions (organic)", "Clicks (sponsored)",
        "Engagement rate (organic)"}
    assert _kpi_totals(rec) == {"clicks": 70.0, "comments": 7.0, "impressions": 3500.0, "reactions": 50.0,
                                "reposts": 3.0}
    posts = _recognised((data, name), sheet=1)
    assert posts.sheet.rows == [] and [i.code for i in posts.issues] == ["linkedin_per_post"]
    assert "Camille" not in _dump(posts)


# --- Meta -------------------------------------------------------------------------------------------


def test_meta_english_reach_results_and_schedule_ignored():
    rec = _recognised(ff.meta_en_csv())
    assert (rec.format, rec.channels, rec.number_convention) == ("meta_ads", ("social",), "en")
    assert rec.maps["Reporting starts"] == "period_start" and rec.maps["Reporting ends"] == "period_end"
    assert rec.maps["Campaign name"] == "initiative" and rec.maps["Link clicks"] == "clicks:en"
    assert rec.maps["Amount spent (EUR)"] == "cost:en"
    for header in ("Reach", "Results", "Result indicator", "Ends", "Campaign delivery"):
        assert rec.maps[header] == "ignore", header
    assert _kpi_totals(rec) == {"clicks": 1353.0, "cost": 1534.66, "impressions": 120000.0}


def test_meta_french_semicolons_decimal_commas():
    rec = _recognised(ff.meta_fr_csv())
    assert (rec.format, rec.number_convention) == ("meta_ads", "fr")
    assert rec.maps["Début des rapports"] == "period_start" and rec.maps["Nom de la campagne"] == "initiative"
    assert rec.maps["Clics sur un lien"] == "clicks:fr" and rec.maps["Montant dépensé (EUR)"] == "cost:fr"
    for header in ("Couverture", "Résultats", "Indicateur de résultats", "Fin", "Commentaire"):
        assert rec.maps[header] == "ignore", header  # "Fin" alone would clash with "Fin des rapports"
    assert _kpi_totals(rec) == {"clicks": 1353.0, "cost": 1534.66, "impressions": 120000.0}


# --- Microsoft 365 ------------------------------------------------------------------------------------

M365_KPI = {"population": "Population cible", "active_users": "Utilisateurs actifs", "readers": "Lecteurs",
            "contributors": "Contributeurs", "contributions": "Contributions", "reactions": "Réactions",
            "spaces": "Espaces collaboratifs", "active_spaces": "Espaces actifs", "page_views": "Pages vues"}


def _values(row: dict, *kpis: str) -> dict[str, float]:
    return {k: row[M365_KPI[k]] for k in kpis}


def test_viva_engage_user_detail_aggregated_per_window_and_department():
    rec = _recognised(ff.viva_user_detail_csv())
    assert (rec.format, rec.segment, rec.channels, rec.period) == ("m365_viva_engage_user_detail", "B2E",
                                                                  ("ESN",), SEPT)
    head = rec.sheet.rows[0]
    assert head[:5] == ["Date de début", "Date de fin", "Segment", "Canal", "Department"]
    assert rec.maps["Department"] == "entity" and rec.maps["Segment"] == "segment"
    by = _rows_by(rec, "Department")
    assert set(by) == {"Finance", OTHER}  # Juridique (2) and DSI (3) are below 5: folded together, 5 people
    assert _values(by["Finance"], *ff.VIVA_FINANCE) == ff.VIVA_FINANCE
    kpis = ff.VIVA_TOTALS
    assert {k: by["Finance"][M365_KPI[k]] + by[OTHER][M365_KPI[k]] for k in kpis} == kpis
    assert by["Finance"]["Date de début"] == SEPT[0] and by["Finance"]["Date de fin"] == SEPT[1]
    assert rec.sheet.row_numbers == [1, 2, 8]  # first source row of each group
    assert [(i.severity, i.row, i.column) for i in rec.issues] == [("warning", 12, "F"), ("error", 13, "A")]


def test_viva_engage_concealed_names_iso_datetimes():
    rec = _recognised(ff.viva_user_detail_concealed_csv())
    assert len(rec.sheet.rows) == 2 and rec.period == SEPT
    row = dict(zip(*rec.sheet.rows, strict=True))
    assert _values(row, "population", "active_users", "readers", "contributors", "contributions", "reactions") == {
        "population": 5.0, "active_users": 4.0, "readers": 4.0, "contributors": 3.0, "contributions": 6.0,
        "reactions": 10.0}


def test_viva_engage_groups_spaces_overall_flows_per_group_small_groups_folded():
    rec = _recognised(ff.viva_groups_csv())
    assert (rec.format, rec.segment, rec.channels) == ("m365_viva_engage_groups", "B2E", ("ESN",))
    assert rec.maps["Espace"] == "initiative"
    by = _rows_by(rec, "Espace")
    assert _values(by[ALL], "spaces", "active_spaces") == {"spaces": 4.0, "active_spaces": 4.0}
    assert by[ALL]["Contributions"] == ""  # spaces are counted once, never per group (a stock's max would be 1)
    flows = {name: _values(row, "contributions", "reactions") for name, row in by.items() if name != ALL}
    assert flows == {"Communauté Qualité": {"contributions": 14.0, "reactions": 40.0},
                     "Projet Atlas": {"contributions": 6.0, "reactions": 9.0},
                     "Club photo": {"contributions": 0.0, "reactions": 0.0},
                     OTHER: {"contributions": 3.0, "reactions": 1.0}}
    assert "owner" not in _dump(rec)


def test_sharepoint_site_usage_totals_without_owner_names():
    rec = _recognised(ff.sharepoint_csv())
    assert (rec.format, rec.channels) == ("m365_sharepoint_site_usage", ("intranet",))
    row = dict(zip(*rec.sheet.rows, strict=True))
    assert _values(row, "page_views", "spaces", "active_spaces") == {"page_views": 12903.0, "spaces": 3.0,
                                                                     "active_spaces": 3.0}


def test_teams_user_activity_licensed_population_posts_and_replies_only():
    rec = _recognised(ff.teams_csv())
    assert (rec.format, rec.channels, rec.segment) == ("m365_teams_user_activity", ("Teams",), "B2E")
    row = dict(zip(*rec.sheet.rows, strict=True))
    assert _values(row, "population", "active_users", "contributors", "contributions") == {
        "population": 4.0, "active_users": 4.0, "contributors": 3.0, "contributions": 10.0}


def test_daily_counts_viva_engage_liked_posted_read():
    rec = _recognised(ff.viva_daily_csv())
    assert (rec.format, rec.segment, rec.channels) == ("m365_daily_counts", "B2E", ("ESN",))
    assert rec.maps["Posted"] == "contributions:en" and rec.maps["Liked"] == "reactions:en"
    assert rec.maps["Read"] == "ignore" and rec.maps["Report Period"] == "ignore"
    assert rec.maps["Report Date"] == "period:day"
    assert _kpi_totals(rec) == {"contributions": 6.0, "reactions": 20.0}


def test_daily_counts_m365_active_users_one_row_per_product():
    rec = _recognised(ff.m365_active_csv())
    assert rec.format == "m365_daily_counts"
    assert rec.channels == ("ESN", "intranet", "Teams", "email", "OneDrive", "Skype")
    per_channel: dict[str, float] = {}
    for _day, _, channel, value in rec.sheet.rows[1:]:
        per_channel[channel] = per_channel.get(channel, 0) + float(value)
    assert per_channel == {"ESN": 230.0, "intranet": 1180.0, "Teams": 1390.0, "email": 1690.0, "OneDrive": 790.0,
                           "Skype": 0.0, ALL: 1780.0}
    assert set(rec.sheet.row_numbers[1:]) == {2, 3}


def test_same_user_listed_twice_counted_once_without_quoting_them():
    data, name = ff.teams_csv()
    text = data.decode("utf-8-sig").splitlines()
    rec = _recognised(("\r\n".join(text + [text[1]]).encode("utf-8-sig"), name))
    row = dict(zip(*rec.sheet.rows, strict=True))
    assert row["Population cible"] == 4.0 and row["Contributions"] == 10.0
    assert [(i.code, i.row) for i in rec.issues] == [("m365_repeat", 8)]
    assert "alice" not in _dump(rec)


# --- privacy by design --------------------------------------------------------------------------------

PEOPLE = [(u[0], u[1]) for u in ff.VIVA_USERS] + [("zoe.lambert@contoso.com", "Zoé Lambert")] + \
    [(u[0], "") for u in ff.TEAMS_USERS] + [("", s[1]) for s in ff.SHAREPOINT_SITES]
SENSITIVE = sorted({part for upn, name in PEOPLE for part in (upn, upn.split("@")[0], name, name.split(" ")[-1])
                    if part}, key=len)


@pytest.mark.parametrize("make", [ff.viva_user_detail_csv, ff.viva_groups_csv, ff.sharepoint_csv, ff.teams_csv,
                                  ff.viva_user_detail_concealed_csv])
def test_no_personal_identifier_reaches_anything_recognise_returns(make):
    data, name = make()
    text = _fold(_dump(_recognised((data, name))))
    for secret in SENSITIVE:
        assert _fold(secret) not in text, secret
    for line in data.decode("utf-8-sig").splitlines()[1:]:  # concealed 32-hex names too
        for cell in line.split(","):
            if len(cell) == 32 and all(c in "0123456789ABCDEF" for c in cell):
                assert cell.lower() not in text


def test_breakdown_under_five_people_folded_even_when_other_stays_small():
    rows = [ff.VIVA_HEADER + ["Department"]]
    sizes = {"Finance": 7, "RH": 6, "Juridique": 2}  # (other) = 2 < 5: RH (the smallest left) joins it
    for dept, n in sizes.items():
        for k in range(n):
            rows.append([ff.REFRESH, f"{dept}{k}@c.com", f"{dept} {k}", "Active", "", "2026-09-10", 1, 1, 1, "", 30,
                         dept])
    rec = _recognised((ff.csv_bytes(rows, bom=True), "u.csv"))
    by = _rows_by(rec, "Department")
    assert {k: v["Population cible"] for k, v in by.items()} == {"Finance": 7.0, OTHER: 8.0}
    assert all(v["Population cible"] >= MIN_GROUP_SIZE for v in by.values())


def test_everyone_in_small_groups_is_one_other_group():
    rows = [ff.VIVA_HEADER + ["Site"]]
    for k in range(6):
        rows.append([ff.REFRESH, f"u{k}@c.com", f"U {k}", "Active", "", "", 0, 0, 0, "", 30, f"Site {k % 3}"])
    rec = _recognised((ff.csv_bytes(rows, bom=True), "u.csv"))
    assert list(_rows_by(rec, "Site")) == [OTHER]


# --- near misses: one required header missing, or a hand-made sheet that only looks alike ------------------

NEAR_MISSES = {
    "google ads without its title lines": [["Campaign", "Impr.", "Clicks", "Cost"], ["A", "10", "1", "0.5"]],
    "google ads-like, Impressions spelled out": [["Campaign report"], ["September 1, 2026 - September 30, 2026"],
                                                 ["Campaign", "Impressions", "Clicks", "Cost"], ["A", "1", "1", "1"]],
    "google ads-like, no date range above the header": [["Campaign report"], ["Campaign", "Impr.", "Clicks", "Cost"],
                                                        ["A", "10", "1", "0.5"]],
    "linkedin-like visitors, no (total) triplets": [["Date", "Page views", "Unique visitors"], ["09/01/2026", 1, 1]],
    "a followers stock, not LinkedIn's new followers": [["Date", "Total followers"], ["09/01/2026", 1500]],
    "linkedin-like content, plain columns": [["Date", "Impressions", "Clicks", "Reactions"], ["09/01/2026", 1, 1, 1]],
    "meta-like hand-made campaign sheet": [["Date de début", "Date de fin", "Campagne", "Impressions", "Coût"],
                                           ["01/09/2026", "30/09/2026", "A", "10", "1"]],
    "viva user detail without Report Period": [[h for h in ff.VIVA_HEADER if h != "Report Period"],
                                               [ff.REFRESH, "a@c.com", "A", "Active", "", "", 1, 1, 1, ""]],
    "viva groups without Member Count": [[h for h in ff.VIVA_GROUPS_HEADER if h != "Member Count"],
                                         [ff.REFRESH, "G", "False", "o@c.com", "", "public", "True", 1, 1, 1, 30]],
    "sharepoint without Site URL or Site Id": [[h for h in ff.SHAREPOINT_HEADER if h not in ("Site URL", "Site Id")],
                                               [ff.REFRESH, "O", "False", "", 1, 1, 1, 1, 1, 1, "G", "o@c", 30]],
    "teams without Is Licensed": [[h for h in ff.TEAMS_HEADER if h != "Is Licensed"], [ff.REFRESH] + [""] * 16],
    "daily counts without Report Refresh Date": [["Report Date", "Liked", "Posted", "Read", "Report Period"],
                                                 ["2026-09-28", 1, 1, 1, 7]],
    "active user counts with a foreign column": [["Report Refresh Date", "Exchange", "Teams", "Budget",
                                                  "Report Date", "Report Period"], [ff.REFRESH, 1, 1, 1, "2026-09-28",
                                                                                   7]],
}


@pytest.mark.parametrize("rows", NEAR_MISSES.values(), ids=NEAR_MISSES.keys())
def test_near_miss_is_not_recognised(rows):
    assert recognise(read_file(ff.csv_bytes(rows), "x.csv")[0]) is None


def test_ga4_like_csv_without_start_and_end_dates_is_not_ga4():
    data, name = ff.ga4_csv(with_dates=False)
    assert recognise(read_file(data, name)[0]) is None


def test_linkedin_like_workbook_without_triplets_is_not_recognised(tmp_path):
    data = ff.xlsx_openpyxl({"Visitor metrics": [["Date", "Page views (total)", "Unique visitors (total)"],
                                                 ["09/01/2026", 1, 1]]}, tmp_path)
    assert recognise(read_file(data, "v.xlsx")[0]) is None


# --- contract ---------------------------------------------------------------------------------------------

ALL_FILES = [ff.google_ads_en_csv, ff.google_ads_fr_excel_csv, ff.ga4_csv, ff.ga4_fr_csv, ff.meta_en_csv,
             ff.meta_fr_csv, ff.viva_user_detail_csv, ff.viva_user_detail_concealed_csv, ff.viva_groups_csv,
             ff.sharepoint_csv, ff.teams_csv, ff.viva_daily_csv, ff.m365_active_csv, ff.esn_viva_messages_csv,
             ff.esn_generic_csv, *fam.CSV_FILES]
XLSX_FILES = [ff.google_ads_xlsx, ff.linkedin_visitors_xlsx, ff.linkedin_followers_xlsx, ff.linkedin_content_xlsx,
              *fam.XLSX_FILES]


def _all_recognised(tmp_path) -> list[Recognised]:
    made = [m() for m in ALL_FILES] + [m(tmp_path) for m in XLSX_FILES]
    return [recognise(s) for data, name in made for s in read_file(data, name)]


def test_every_map_is_a_valid_map_target_and_every_format_is_declared(tmp_path):
    found = _all_recognised(tmp_path)
    assert all(f is not None for f in found)
    assert {f.format for f in found} == set(exports.FORMATS)
    for f in found:
        for header, target in f.maps.items():
            ingest.parse_target(target)
            assert header in f.sheet.rows[0], (f.format, header)
        assert len(f.sheet.rows) == len(f.sheet.row_numbers)
        assert f.segment in (None, "B2E") and all(i.sheet == f.sheet.name for i in f.issues)


def test_column_order_does_not_matter():
    data, name = ff.google_ads_en_csv()
    rows = [["Campaign report"], ["September 1, 2026 - September 30, 2026"],
            *ff.shuffle_columns([ff.GOOGLE_ADS_EN_HEADER, *ff.GOOGLE_ADS_EN_ROWS], list(range(13, -1, -1)))]
    reversed_ = _recognised((ff.csv_bytes(rows), name))
    assert _kpi_totals(reversed_) == _kpi_totals(_recognised((data, name))) == ff.GOOGLE_ADS_EN_TOTALS


def test_the_source_sheet_is_never_mutated():
    data, name = ff.google_ads_en_csv()
    sheet = read_file(data, name)[0]
    before = json.dumps([sheet.rows, sheet.row_numbers])
    recognise(sheet)
    assert json.dumps([sheet.rows, sheet.row_numbers]) == before


CELLS = st.one_of(st.sampled_from(["", "Date", "Report Period", "Report Refresh Date", "Impr.", "Campaign",
                                   "Clicks", "Cost", "# Start date: 20260901", "Total followers", "Is Deleted",
                                   "Last Activity Date", "Posted Count", "Reporting starts", "Amount spent (EUR)",
                                   "User Principal Name", "Report Date", "Yammer", "Teams", "--", "2026-09-30",
                                   "All time"]), st.text(max_size=8), st.integers(-5, 10 ** 6), st.floats(),
                  st.booleans(), st.dates())


@settings(max_examples=300, deadline=None)
@given(st.lists(st.lists(CELLS, max_size=8), max_size=8))
def test_recognise_never_raises_on_any_sheet(rows):
    found = recognise(RawSheet("s", rows, list(range(1, len(rows) + 1))))
    assert found is None or found.format in exports.FORMATS


@pytest.mark.parametrize("first", ["kpis.ingest.exports", "kpis.ingest"])
def test_formats_and_ingest_import_in_either_order(first):
    code = f"import {first}, kpis.ingest.exports, kpis.ingest; import sys; assert 'streamlit' not in sys.modules"
    subprocess.run([sys.executable, "-c", code], cwd=ROOT, check=True)


# --- end to end through ingestion ---------------------------------------

END_TO_END = [  # (file, segment asked, format, totals)
    (ff.google_ads_en_csv, "B2C", "google_ads_campaign", ff.GOOGLE_ADS_EN_TOTALS),
    (ff.google_ads_fr_excel_csv, "B2B", "google_ads_campaign", ff.GOOGLE_ADS_FR_TOTALS),
    (ff.ga4_csv, "B2C", "ga4", ff.GA4_TOTALS),
    (ff.meta_fr_csv, "B2C", "meta_ads", {"clicks": 1353.0, "cost": 1534.66, "impressions": 120000.0}),
    (ff.viva_user_detail_csv, None, "m365_viva_engage_user_detail", ff.VIVA_TOTALS),
    (ff.viva_groups_csv, None, "m365_viva_engage_groups",
     {"active_spaces": 4.0, "contributions": 23.0, "reactions": 50.0, "spaces": 4.0}),
    (ff.sharepoint_csv, None, "m365_sharepoint_site_usage", {"active_spaces": 3.0, "page_views": 12903.0,
                                                              "spaces": 3.0}),
    (ff.teams_csv, None, "m365_teams_user_activity", {"active_users": 4.0, "contributions": 10.0,
                                                      "contributors": 3.0, "population": 4.0}),
    (ff.viva_daily_csv, None, "m365_daily_counts", {"contributions": 6.0, "reactions": 20.0}),
]


@pytest.mark.parametrize("make, segment, fmt, totals", END_TO_END, ids=[e[2] + "-" + e[0].__name__
                                                                          for e in END_TO_END])
def test_check_bytes_end_to_end(make, segment, fmt, totals):
    data, name = make()
    result = ingest.check_bytes(data, name, segment=segment)
    sheet = result.sheets[0]
    assert result.importable and result.origin == fmt and sheet.format == fmt
    assert sheet.segments == [segment or "B2E"]
    assert {k: round(v, 6) for k, v in sheet.totals.items()} == totals
    assert json.loads(json.dumps(result.to_json()))["sheets"][0]["format"] == fmt


def test_check_bytes_end_to_end_linkedin_workbook(tmp_path):
    data, name = ff.linkedin_followers_xlsx(tmp_path)
    result = ingest.check_bytes(data, name, segment="B2B")
    followers, location = result.sheets
    assert (result.origin, followers.totals) == ("linkedin_followers", {"new_followers": 26.0})
    assert [(i.code, i.row) for i in followers.issues if i.code == "negative_count"] == [("negative_count", 4)]
    assert location.status == "skipped" and result.importable
    channels = set(result.observations["channel"])
    assert channels == {"social"}


def test_user_maps_win_over_the_format_maps():
    data, name = ff.meta_en_csv()
    result = ingest.check_bytes(data, name, segment="B2C", maps={"Reach": "impressions", "Impressions": "ignore"})
    assert result.sheets[0].totals["impressions"] == 49000.0  # reach 40,000 + 9,000, as the user asked


@pytest.mark.parametrize("make", [ff.viva_user_detail_csv, ff.teams_csv, ff.sharepoint_csv, ff.viva_groups_csv])
def test_no_personal_identifier_in_the_check_report_or_observations(make):
    data, name = make()
    result = ingest.check_bytes(data, name)
    text = _fold(json.dumps(result.to_json(), ensure_ascii=False) + result.observations.to_csv()
                 + " ".join(i.message_fr + i.message_en for i in result.all_issues))
    for secret in SENSITIVE:
        assert _fold(secret) not in text, secret
