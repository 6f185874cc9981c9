"""Vendor exports as teams download them, written byte for byte.

Used by ingest/test_exports.py, test_privacy.py and test_reports.py.

Each function returns ``(bytes, file name)``. The layouts follow the vendors'
real files: title lines, comment blocks, totals rows, BOMs, UTF-16 "Excel
CSV", French UI, ``--`` placeholders. Hand-computed totals are in comments
next to the rows, and repeated as constants for the tests.
"""

from __future__ import annotations

import codecs
import csv
import io
from datetime import date
from pathlib import Path

import xlsxwriter

from conftest import write_xlsx_openpyxl

NBSP = "\u00a0"


def csv_bytes(rows: list[list], delimiter: str = ",", encoding: str = "utf-8", bom: bool = False) -> bytes:
    out = io.StringIO(newline="")
    csv.writer(out, delimiter=delimiter, lineterminator="\r\n").writerows(rows)
    text = out.getvalue()
    if encoding == "utf-16-le":  # Google Ads "Excel CSV": UTF-16LE with a BOM, tab-separated
        return codecs.BOM_UTF16_LE + text.encode("utf-16-le")
    return (codecs.BOM_UTF8 if bom else b"") + text.encode(encoding)


def xlsx_openpyxl(sheets: dict[str, list[list]], tmp: Path) -> bytes:
    path = tmp / "book.xlsx"
    write_xlsx_openpyxl(path, sheets)
    return path.read_bytes()


def xlsx_xlsxwriter(sheets: dict[str, list[list]], tmp: Path) -> bytes:
    path = tmp / "book_xw.xlsx"
    book = xlsxwriter.Workbook(path)
    for name, rows in sheets.items():
        ws = book.add_worksheet(name)
        for r, row in enumerate(rows):
            for c, value in enumerate(row):
                if value is not None:
                    ws.write(r, c, value)
    book.close()
    return path.read_bytes()


def shuffle_columns(rows: list[list], order: list[int]) -> list[list]:
    """Columns in another order (exports change it): rows shorter than the header keep their cells."""
    return [[row[j] if j < len(row) else "" for j in order] if len(row) > 1 else row for row in rows]


# --- Google Ads ----------------------------------------------------------------------------------

GOOGLE_ADS_EN_HEADER = ["Campaign", "Campaign type", "Campaign status", "Currency code", "Impr.", "Clicks", "CTR",
                        "Avg. CPC", "Cost", "Conversions", "Conv. rate", "Cost / conv.", "All conv.", "Conv. value"]
GOOGLE_ADS_EN_ROWS = [
    ["Brand FR", "Search", "Enabled", "EUR", "1,103,153", "1,103", "0.10%", "0.49", "540.47", "12.00", "1.09%",
     "45.04", "14.00", "2,144.69"],
    ["Retargeting", "Display", "Enabled", "EUR", "250,000", "800", "0.32%", "0.30", "240.00", "3.00", "0.38%",
     "80.00", "4.00", "300.00"],
    ["Launch film", "Video", "Enabled", "EUR", "90,000", "150", "0.17%", "1.00", "150.00", " --", " --", " --",
     "0.00", "0.00"],
    ["Old promo", "Search", "Paused", "EUR", "0", "0", " --", " --", "0.00", "0.00", " --", " --", "0.00", "0.00"],
    ["Total: Account", " --", " --", "EUR", "1,443,153", "2,053", "0.14%", "0.45", "930.47", "15.00", "0.73%",
     "62.03", "18.00", "2,444.69"],
    ["Total: Search", " --", " --", "EUR", "1,103,153", "1,103", "0.10%", "0.49", "540.47", "12.00", "1.09%",
     "45.04", "14.00", "2,144.69"],
    ["Total: Campaigns", " --", " --", "EUR", "1,443,153", "2,053", "0.14%", "0.45", "930.47", "15.00", "0.73%",
     "62.03", "18.00", "2,444.69"],
    ["Total: Filtered campaigns", " --", " --", "EUR", "1,443,153", "2,053", "0.14%", "0.45", "930.47", "15.00",
     "0.73%", "62.03", "18.00", "2,444.69"],
]
# impressions 1,103,153 + 250,000 + 90,000 + 0 = 1,443,153; clicks 1,103 + 800 + 150 + 0 = 2,053;
# cost 540.47 + 240.00 + 150.00 + 0 = 930.47; conversions 12 + 3 + 0 + 0 = 15; revenue 2,144.69 + 300 = 2,444.69
GOOGLE_ADS_EN_TOTALS = {"impressions": 1443153.0, "clicks": 2053.0, "cost": 930.47, "conversions": 15.0,
                        "revenue": 2444.69}


def google_ads_en_csv() -> tuple[bytes, str]:
    """English UI, UTF-8 comma CSV, US date range on line 2, four ``Total:`` rows at the bottom."""
    rows = [["Campaign report"], ["September 1, 2026 - September 30, 2026"], GOOGLE_ADS_EN_HEADER,
            *GOOGLE_ADS_EN_ROWS]
    return csv_bytes(rows), "Campaign report.csv"


GOOGLE_ADS_FR_HEADER = ["Jour", "Campagne", "Type de campagne", "Code de la devise", "Impr.", "Clics", "CTR",
                        "CPC moy.", "Coût", "Conversions", "Taux de conv.", "Coût/conv.", "Valeur de conv.",
                        "Libellés"]
GOOGLE_ADS_FR_ROWS = [
    ["2026-06-01", "Marque", "Réseau de Recherche", "EUR", f"1{NBSP}103{NBSP}153", f"1{NBSP}103", "0,10 %",
     "0,49", "540,47", "12,00", "1,09 %", "45,04", "2 144,69", "hiver"],
    ["2026-06-01", "Relance", "Display", "EUR", "250 000", "800", "0,32 %", "0,30", "240,00", "3,00", "0,38 %",
     "80,00", "300,00", ""],
    ["2026-06-02", "Marque", "Réseau de Recherche", "EUR", "1 000", "20", "2,00 %", "0,50", "10,00", "1,00",
     "5,00 %", "10,00", "50,00", "hiver"],
    ["2026-06-02", "Film", "Vidéo", "EUR", "9 000", "15", "0,17 %", "1,00", "15,00", " --", " --", " --",
     "0,00", ""],
    ["Total : compte", " --", " --", "EUR", "1 363 153", "1 938", "0,14 %", "0,42", "805,47", "16,00", "0,83 %",
     "50,34", "2 494,69", ""],
    ["Total : campagnes", " --", " --", "EUR", "1 363 153", "1 938", "0,14 %", "0,42", "805,47", "16,00",
     "0,83 %", "50,34", "2 494,69", ""],
]
# impressions 1,103,153 + 250,000 + 1,000 + 9,000 = 1,363,153; clicks 1,103 + 800 + 20 + 15 = 1,938;
# cost 540.47 + 240 + 10 + 15 = 805.47; conversions 12 + 3 + 1 = 16; revenue 2,144.69 + 300 + 50 = 2,494.69
GOOGLE_ADS_FR_TOTALS = {"impressions": 1363153.0, "clicks": 1938.0, "cost": 805.47, "conversions": 16.0,
                        "revenue": 2494.69}
GOOGLE_ADS_FR_ORDER = [5, 0, 8, 4, 13, 1, 3, 2, 6, 7, 9, 10, 11, 12]  # Clics, Jour, Coût, Impr., … shuffled


def google_ads_fr_excel_csv() -> tuple[bytes, str]:
    """French UI "Excel CSV": UTF-16LE with BOM, tabs, by day, shuffled columns, an extra column (Libellés)."""
    rows = [["Rapport sur les campagnes"], ["1 juin 2026 - 30 juin 2026"],
            *shuffle_columns([GOOGLE_ADS_FR_HEADER, *GOOGLE_ADS_FR_ROWS], GOOGLE_ADS_FR_ORDER)]
    return csv_bytes(rows, "\t", "utf-16-le"), "Rapport sur les campagnes.csv"


GOOGLE_ADS_XLSX_ROWS = [
    ["Campaign report"], ["1 June 2026 - 30 June 2026"],
    ["Campaign", "Impr.", "Clicks", "Cost", "Conversions", "Avg. CPC", "Currency code"],
    ["Brand UK", 1200, 30, 15.5, 2, 0.52, "EUR"],
    ["Generic UK", 800, 10, 4.5, 0, 0.45, "EUR"],
    ["Total: Account", 2000, 40, 20.0, 2, 0.5, "EUR"],
]
# impressions 1,200 + 800 = 2,000; clicks 30 + 10 = 40; cost 15.5 + 4.5 = 20; conversions 2


def google_ads_xlsx(tmp: Path) -> tuple[bytes, str]:
    """UK English .xlsx (xlsxwriter), real numbers, no campaign type (search implied), no Day column."""
    return xlsx_xlsxwriter({"Campaign report": GOOGLE_ADS_XLSX_ROWS}, tmp), "Campaign report.xlsx"


# --- Google Analytics 4 --------------------------------------------------------------------------

GA4_COMMENTS = [
    "# ----------------------------------------",
    "# Traffic acquisition: Session primary channel group (Default Channel Group)",
    "# Account: Groupe Exemple",
    "# Property: www.exemple.fr - GA4",
    "# ----------------------------------------",
    "#",
    "# Start date: 20260901",
    "# End date: 20260930",
]
GA4_ROWS = [
    ["Session primary channel group (Default Channel Group)", "Users", "Sessions", "Engaged sessions",
     "Average engagement time per session", "Engagement rate", "Event count", "Key events", "Total revenue",
     "Sessions avg"],
    ["", "15000", "20500", "13300", "61.2", "0.6488", "150000", "620", "24000.5", "x"],  # grand total, no label
    ["Direct", "6000", "8000", "5000", "55.1", "0.625", "60000", "250", "10000.25", "x"],
    ["Organic Search", "5000", "7000", "4800", "70.3", "0.6857", "50000", "200", "8000.25", "x"],
    ["Paid Search", "3000", "4000", "2500", "58.0", "0.625", "30000", "150", "6000", "x"],
    ["Email", "1000", "1500", "1000", "60.0", "0.6667", "10000", "20", "0", "x"],
]
# sessions 8,000 + 7,000 + 4,000 + 1,500 = 20,500 (the blank-label grand total says the same: it is dropped)
# engaged 5,000 + 4,800 + 2,500 + 1,000 = 13,300; key events 250 + 200 + 150 + 20 = 620;
# users 6,000 + 5,000 + 3,000 + 1,000 = 15,000; revenue 10,000.25 + 8,000.25 + 6,000 + 0 = 24,000.5
GA4_TOTALS = {"sessions": 20500.0, "engaged_sessions": 13300.0, "conversions": 620.0, "active_users": 15000.0,
              "revenue": 24000.5}


def ga4_csv(with_dates: bool = True) -> tuple[bytes, str]:
    """GA4 traffic acquisition CSV: comment block, a grand-total row without label, a second table after it."""
    comments = GA4_COMMENTS if with_dates else [c for c in GA4_COMMENTS if "date" not in c.lower()]
    body = csv_bytes(GA4_ROWS).decode()
    second = "\r\n".join(["", "# ----------------------------------------", "# Sessions by day", "#",
                          "Nth day,Sessions", "0000,700", "0001,680", ""])
    return ("\r\n".join(comments) + "\r\n" + body + second).encode(), "Traffic_acquisition.csv"


GA4_FR_ROWS = [
    ["Date", "Groupe de canaux principal de la session (Groupe de canaux par défaut)", "Sessions",
     "Sessions avec engagement", "Taux d'engagement", "Événements clés", "Utilisateurs actifs", "Revenu total"],
    ["20260901", "Direct", "100", "60", "60,0 %", "3", "80", "120,50"],
    ["20260901", "Organic Search", "200", "150", "75,0 %", "5", "170", "0"],
    ["20260902", "Direct", "110", "70", "63,6 %", "4", "90", "1 103,25"],
]
# sessions 100 + 200 + 110 = 410; engaged 60 + 150 + 70 = 280; key events 3 + 5 + 4 = 12;
# active users 80 + 170 + 90 = 340; revenue 120.50 + 0 + 1,103.25 = 1,223.75


def ga4_fr_csv() -> tuple[bytes, str]:
    comments = ["# ----------------------------------------", "# Acquisition de trafic", "#",
                "# Date de début : 20260901", "# Date de fin : 20260902"]
    return ("\n".join(comments) + "\n" + csv_bytes(GA4_FR_ROWS).decode()).encode("utf-8"), "acquisition.csv"


# --- LinkedIn ------------------------------------------------------------------------------------

def _triplets(*names: str) -> list[str]:
    return [f"{n} ({k})" for n in names for k in ("desktop", "mobile", "total")]


LINKEDIN_VISITORS_HEADER = ["Date", *_triplets("Overview page views", "Overview unique visitors",
                                               "Life page views", "Jobs page views",
                                               "Total page views", "Total unique visitors")]
LINKEDIN_VISITORS_DAYS = [  # MM/DD/YYYY text; every day ≤ 12: day-first would read 1 Sept as 9 January
    ("09/01/2026", 40, 25), ("09/02/2026", 35, 20), ("09/03/2026", 50, 30), ("09/04/2026", 10, 8),
]
# page views 40 + 35 + 50 + 10 = 135; unique visitors 25 + 20 + 30 + 8 = 83


def linkedin_visitors_xlsx(tmp: Path) -> tuple[bytes, str]:
    rows = [LINKEDIN_VISITORS_HEADER]
    for day, views, uniques in LINKEDIN_VISITORS_DAYS:
        ov = [views // 2, views - views // 2, views]
        ou = [uniques // 2, uniques - uniques // 2, uniques]
        rows.append([day, *ov, *ou, 1, 1, 2, 0, 1, 1, *ov, *ou])
    location = [["Location", "Total views"], ["Paris, Île-de-France", 80], ["Lyon", 20]]
    return xlsx_openpyxl({"Visitor metrics": rows, "Location": location}, tmp), "company_visitors.xlsx"


LINKEDIN_FOLLOWERS_ROWS = [
    ["Date", "Sponsored followers", "Organic followers", "Auto-invited followers", "Total followers"],
    ["09/01/2026", 0, 12, 0, 12],
    ["09/02/2026", 3, 5, 0, 8],
    ["09/03/2026", 0, -2, 0, -2],  # more people left than followed: negative, kept with a warning
    ["09/13/2026", 0, 7, 1, 8],
]
# new followers 12 + 8 − 2 + 8 = 26


def linkedin_followers_xlsx(tmp: Path) -> tuple[bytes, str]:
    followers = shuffle_columns(LINKEDIN_FOLLOWERS_ROWS, [4, 0, 2, 1, 3])
    return xlsx_openpyxl({"New followers": followers, "Location": [["Location", "Total followers"],
                                                                   ["Paris", 1500]]}, tmp), "followers.xlsx"


LINKEDIN_CONTENT_HEADER = ["Date", "Impressions (organic)", "Impressions (sponsored)", "Impressions (total)",
                           "Unique impressions (organic)", "Clicks (organic)", "Clicks (sponsored)",
                           "Clicks (total)", "Reactions (organic)", "Reactions (sponsored)", "Reactions (total)",
                           "Comments (organic)", "Comments (sponsored)", "Comments (total)", "Reposts (organic)",
                           "Reposts (sponsored)", "Reposts (total)", "Engagement rate (organic)",
                           "Engagement rate (sponsored)", "Engagement rate (total)"]
LINKEDIN_CONTENT_ROWS = [
    ["09/01/2026", 1000, 500, 1500, 800, 20, 10, 30, 15, 5, 20, 2, 1, 3, 1, 0, 1, 0.038, 0.032, 0.036],
    ["09/02/2026", 2000, 0, 2000, 1500, 40, 0, 40, 30, 0, 30, 4, 0, 4, 2, 0, 2, 0.038, 0, 0.038],
]
# impressions (total) 1,500 + 2,000 = 3,500; clicks 30 + 40 = 70; reactions 20 + 30 = 50; comments 3 + 4 = 7;
# reposts 1 + 2 = 3 — the (organic) and (sponsored) columns are never added on top


def linkedin_content_xlsx(tmp: Path) -> tuple[bytes, str]:
    note = ["Metrics: aggregated daily metrics for all posts. Learn more: https://www.linkedin.com/help"]
    posts = [["Post title", "Post link", "Post type", "Campaign name", "Posted by", "Created date", "Impressions",
              "Clicks", "Likes", "Comments", "Reposts"],
             ["Rentrée 2026", "https://lnkd.in/x", "Organic", "", "Camille Durand", "09/01/2026", 1500, 30, 20, 3,
              1]]
    return xlsx_openpyxl({"Metrics": [note, LINKEDIN_CONTENT_HEADER, *LINKEDIN_CONTENT_ROWS],
                          "All posts": posts}, tmp), "content.xlsx"


# --- Meta Ads Manager ------------------------------------------------------------------------------

META_EN_ROWS = [
    ["Reporting starts", "Reporting ends", "Campaign name", "Campaign delivery", "Reach", "Impressions",
     "Frequency", "Amount spent (EUR)", "Link clicks", "Results", "Result indicator", "Cost per result", "Ends"],
    ["2026-09-01", "2026-09-30", "Rentrée", "active", "40000", "100000", "2.5", "1234.56", "1103", "50",
     "actions:link_click", "24.69", "Ongoing"],
    ["2026-09-15", "2026-10-14", "Salon", "inactive", "9000", "20000", "2.22", "300.10", "250", "12",
     "actions:lead", "25.01", "2026-10-14"],
]
# impressions 100,000 + 20,000 = 120,000; cost 1,234.56 + 300.10 = 1,534.66; clicks 1,103 + 250 = 1,353


def meta_en_csv() -> tuple[bytes, str]:
    return csv_bytes(META_EN_ROWS), "Groupe-Campaigns-Sep-1-2026-Sep-30-2026.csv"


META_FR_ROWS = [
    ["Nom de la campagne", "Début des rapports", "Fin des rapports", "Couverture", "Impressions",
     "Montant dépensé (EUR)", "Clics sur un lien", "Résultats", "Indicateur de résultats", "Fin", "Commentaire"],
    ["Rentrée", "01/09/2026", "30/09/2026", "40 000", "100 000", "1 234,56", "1 103", "50",
     "actions:link_click", "En cours", "ok"],
    ["Salon", "15/09/2026", "14/10/2026", "9 000", "20 000", "300,1", "250", "12", "actions:lead",
     "14/10/2026", ""],
]
# same totals as English: impressions 120,000; cost 1,534.66; clicks 1,353 (1 103 with a space: French)


def meta_fr_csv() -> tuple[bytes, str]:
    return csv_bytes(META_FR_ROWS, ";", bom=True), "campagnes.csv"


# --- Microsoft 365 -------------------------------------------------------------------------------

REFRESH = "2026-09-30"  # window of a 30-day report: 2026-09-01 … 2026-09-30

# (upn, display name, state, last activity, posted, read, liked, department)
VIVA_USERS = [
    ("alice.martin@contoso.com", "Alice Martin", "Active", "2026-09-28", 3, 40, 5, "Finance"),
    ("bruno.petit@contoso.com", "Bruno Petit", "Active", "2026-09-02T00:00:00Z", 0, 12, 1, "Finance"),
    ("chloe.roux@contoso.com", "Chloé Roux", "Active", "2026-08-20", 0, 0, 0, "Finance"),  # before the window
    ("david.leroy@contoso.com", "David Leroy", "Active", "", 0, 0, 0, "Finance"),  # never active
    ("emma.moreau@contoso.com", "Emma Moreau", "Deleted", "2026-09-05", 1, 3, 0, "Finance"),
    ("farid.haddad@contoso.com", "Farid Haddad", "Active", "2026-09-30", 2, 7, 4, "Finance"),
    ("gaelle.simon@contoso.com", "Gaëlle Simon", "Active", "2026-09-10", 0, 5, 2, "Juridique"),
    ("hugo.laurent@contoso.com", "Hugo Laurent", "Active", "2026-09-11", 5, 9, 0, "Juridique"),
    ("ines.michel@contoso.com", "Inès Michel", "Active", "2026-09-12", 0, 1, 0, "DSI"),
    ("jules.garcia@contoso.com", "Jules Garcia", "Active", "2026-09-13", 1, 0, 3, "DSI"),
    ("karim.bernard@contoso.com", "Karim Bernard", "Active", "not a date", 0, 2, 0, "DSI"),
]
# window 2026-09-01 … 2026-09-30 (refresh 30 Sept, period 30)
# population (not deleted): 11 − 1 = 10
# active (last activity in window): alice, bruno, emma, farid, gaelle, hugo, ines, jules = 8
# readers (read > 0): alice, bruno, emma, farid, gaelle, hugo, ines, karim = 8
# contributors (posted > 0): alice, emma, farid, hugo, jules = 5; contributions 3+1+2+5+1 = 12
# reactions 5+1+4+2+3 = 15
# by department: Finance 6 people (kept); Juridique 2 and DSI 3 are below 5 → "(other)", 5 people
VIVA_TOTALS = {"population": 10.0, "active_users": 8.0, "readers": 8.0, "contributors": 5.0,
               "contributions": 12.0, "reactions": 15.0}
VIVA_FINANCE = {"population": 5.0, "active_users": 4.0, "readers": 4.0, "contributors": 3.0,
                "contributions": 6.0, "reactions": 10.0}
VIVA_HEADER = ["Report Refresh Date", "User Principal Name", "Display Name", "User State", "State Change Date",
               "Last Activity Date", "Posted Count", "Read Count", "Liked Count", "Assigned Products",
               "Report Period"]


def viva_user_detail_csv(department: bool = True, bad_row: bool = True) -> tuple[bytes, str]:
    """Viva Engage activity user detail, UTF-8 with BOM; a Department column a team added; a bad refresh date."""
    header = VIVA_HEADER + (["Department"] if department else [])
    rows = [header]
    for upn, name, state, last, posted, read, liked, dept in VIVA_USERS:
        row = [REFRESH, upn, name, state, "2026-01-05" if state == "Deleted" else "", last, posted, read, liked,
               "MICROSOFT 365 E3+VIVA ENGAGE", 30]
        rows.append(row + ([dept] if department else []))
    if bad_row:  # not counted: the refresh date cannot be read
        rows.append(["30/13/2026", "zoe.lambert@contoso.com", "Zoé Lambert", "Active", "", "2026-09-01", 9, 9, 9,
                     "", 30] + (["DSI"] if department else []))
    return csv_bytes(rows, bom=True), "YammerActivityUserDetail9_30_2026.csv"


def viva_user_detail_concealed_csv() -> tuple[bytes, str]:
    """Names concealed as 32-hex hashes (the tenant's privacy setting), ISO datetimes, no department."""
    import hashlib

    rows = [VIVA_HEADER]
    for upn, name, state, last, posted, read, liked, _ in VIVA_USERS[:6]:
        h = hashlib.md5(upn.encode()).hexdigest().upper()
        rows.append(["2026-09-30T00:00:00Z", h, hashlib.md5(name.encode()).hexdigest().upper(), state, "", last,
                     posted, read, liked, "", "30"])
    return csv_bytes(rows, bom=True), "YammerActivityUserDetail.csv"
# first six users: population 5 (emma deleted); active alice, bruno, emma, farid = 4; readers 4;
# contributors alice, emma, farid = 3; contributions 3 + 1 + 2 = 6; reactions 5 + 1 + 4 = 10


VIVA_GROUPS_HEADER = ["Report Refresh Date", "Group Display Name", "Is Deleted", "Owner Principal Name",
                      "Last Activity Date", "Group Type", "Office 365 Connected", "Member Count", "Posted Count",
                      "Read Count", "Liked Count", "Report Period"]
VIVA_GROUPS = [
    ("Communauté Qualité", "False", "owner.one@contoso.com", "2026-09-20", "public", "True", 120, 14, 300, 40),
    ("Projet Atlas", "False", "owner.two@contoso.com", "2026-09-03", "private", "True", 25, 6, 80, 9),
    ("Club photo", "False", "owner.three@contoso.com", "2026-06-01", "public", "False", 40, 0, 0, 0),
    ("Comité restreint", "False", "owner.four@contoso.com", "2026-09-15", "private", "True", 3, 2, 10, 1),
    ("Ancien projet", "True", "owner.five@contoso.com", "2026-09-01", "private", "True", 10, 1, 2, 0),
]
# spaces (not deleted) 4; active spaces (posted > 0) Qualité, Atlas, Comité, Ancien = 4
# contributions 14 + 6 + 0 + 2 + 1 = 23; reactions 40 + 9 + 0 + 1 + 0 = 50
# per-group flows, by members: Comité restreint (3 members) is below 5, and (other) would describe 3 people,
# so the next smallest group (Ancien projet, 10) joins it: (other) = 2 + 1 = 3 contributions, 1 + 0 = 1 reaction


def viva_groups_csv() -> tuple[bytes, str]:
    rows = [VIVA_GROUPS_HEADER] + [[REFRESH, *g[:7], *g[7:], 30] for g in VIVA_GROUPS]
    return csv_bytes(rows, bom=True), "YammerGroupsActivityDetail.csv"


SHAREPOINT_HEADER = ["Report Refresh Date", "Site Id", "Site URL", "Owner Display Name", "Is Deleted",
                     "Last Activity Date", "File Count", "Active File Count", "Page View Count",
                     "Visited Page Count", "Storage Used (Byte)", "Storage Allocated (Byte)", "Root Web Template",
                     "Owner Principal Name", "Report Period"]
SHAREPOINT_SITES = [
    ("https://contoso.sharepoint.com/sites/intranet", "Alice Martin", "False", "2026-09-29", 500, 40, 12000, 300),
    ("https://contoso.sharepoint.com/sites/rh", "Bruno Petit", "False", "2026-09-02", 80, 5, 900, 40),
    ("https://contoso.sharepoint.com/sites/old", "Chloé Roux", "True", "2026-09-01", 10, 0, 3, 2),
    ("https://contoso.sharepoint.com/sites/archive", "David Leroy", "False", "2026-03-01", 2000, 0, 0, 0),
]
# page views 12,000 + 900 + 3 + 0 = 12,903; spaces (not deleted) 3; active (last activity in window) 3


def sharepoint_csv() -> tuple[bytes, str]:
    rows = [SHAREPOINT_HEADER]
    for i, (url, owner, deleted, last, files, active, views, visited) in enumerate(SHAREPOINT_SITES):
        rows.append([REFRESH, f"{i:08d}-0000-0000-0000-000000000000", url, owner, deleted, last, files, active,
                     views, visited, 10 ** 9, 2 * 10 ** 9, "Group", owner.lower().replace(" ", ".") + "@contoso.com",
                     30])
    return csv_bytes(rows, bom=True), "SharePointSiteUsageDetail.csv"


TEAMS_HEADER = ["Report Refresh Date", "User Id", "User Principal Name", "Last Activity Date", "Is Deleted",
                "Deleted Date", "Assigned Products", "Team Chat Message Count", "Private Chat Message Count",
                "Call Count", "Meeting Count", "Has Other Action", "Post Messages", "Reply Messages",
                "Urgent Messages", "Tenant Display Name", "Is Licensed", "Report Period"]
TEAMS_USERS = [  # (upn, last activity, deleted, team chat, private chat, posts, replies, licensed)
    ("alice.martin@contoso.com", "2026-09-28", "No", 10, 50, 2, 3, "Yes"),
    ("bruno.petit@contoso.com", "2026-09-01", "No", 0, 200, 0, 0, "Yes"),  # private chats only
    ("chloe.roux@contoso.com", "", "No", 0, 0, 0, 0, "Yes"),
    ("david.leroy@contoso.com", "2026-09-15", "Yes", 5, 5, 1, 0, "Yes"),
    ("emma.moreau@contoso.com", "2026-09-20", "No", 4, 4, 0, 4, "No"),
    ("farid.haddad@contoso.com", "2026-07-01", "No", 0, 0, 0, 0, "Yes"),
]
# population (licensed, not deleted): alice, bruno, chloe, farid = 4
# active (in window): alice, bruno, david, emma = 4
# contributors (posts + replies > 0): alice, david, emma = 3; contributions 2+3 + 1 + 4 = 10 (private chats not)


def teams_csv() -> tuple[bytes, str]:
    rows = [TEAMS_HEADER]
    for i, (upn, last, deleted, team, private, posts, replies, licensed) in enumerate(TEAMS_USERS):
        rows.append([REFRESH, f"{i:032x}", upn, last, deleted, "", "MICROSOFT 365 E3", team, private, 0, 1, "No",
                     posts, replies, 0, "Contoso", licensed, 30])
    return csv_bytes(rows, bom=True), "TeamsUserActivityUserDetail.csv"


VIVA_DAILY_ROWS = [
    ["Report Refresh Date", "Liked", "Posted", "Read", "Report Date", "Report Period"],
    [REFRESH, "12", "4", "300", "2026-09-28", "7"],
    [REFRESH, "8", "2", "150", "2026-09-29", "7"],
    [REFRESH, "0", "0", "20", "2026-09-30", "7"],
]
# reactions 12 + 8 + 0 = 20; contributions 4 + 2 + 0 = 6; reads are not readers: ignored


def viva_daily_csv() -> tuple[bytes, str]:
    return csv_bytes(VIVA_DAILY_ROWS, bom=True), "YammerActivityCounts.csv"


M365_ACTIVE_ROWS = [
    ["Report Refresh Date", "Office 365", "Exchange", "OneDrive", "SharePoint", "Skype For Business", "Yammer",
     "Teams", "Report Date", "Report Period"],
    [REFRESH, "900", "850", "400", "600", "0", "120", "700", "2026-09-29", "7"],
    [REFRESH, "880", "840", "390", "580", "0", "110", "690", "2026-09-30", "7"],
]
# active users per channel and day: ESN 120 + 110 = 230; intranet 600 + 580 = 1,180; Teams 700 + 690 = 1,390;
# (all) 900 + 880; email 850 + 840; OneDrive 790; Skype 0 — total 1,780 + 1,690 + 790 + 1,180 + 0 + 230 + 1,390


def m365_active_csv() -> tuple[bytes, str]:
    return csv_bytes(M365_ACTIVE_ROWS, bom=True), "Office365ActiveUserCounts.csv"


DATE_WINDOW = (date(2026, 9, 1), date(2026, 9, 30))


ESN_VIVA_HEADER = ("id,replied_to_id,thread_id,conversation_id,group_id,group_name,participants,in_private_group,"
               "in_private_conversation,sender_id,sender_type,sender_name,sender_email,body,api_url,attachments,"
               "deleted_by_id,deleted_by_type,created_at,deleted_at")


def _esn_viva(i, replied, thread, gid, gname, private_group, private_conv, sender, name, body, created, deleted=""):
    email = name.lower().replace(" ", ".") + "@example.com"
    return (f'{i},{replied},{thread},,{gid},{gname},,{private_group},{private_conv},{sender},user,{name},{email},'
            f'"{body}",,,,,{created},{deleted}')


# A hand-written Viva Engage network data export (Messages.csv), golden values in tests/esn/test_esn_import.py.
# Tones are the library's, checked one by one (kpis.esn.sentiment).
ESN_VIVA_ROWS = [
    _esn_viva(1, "", 1, 10, "Atlas", "false", "false", 101, "Alice Martin",
          "Bravo à toute l'équipe, superbe travail !", "2026-09-01 09:00:00 UTC"),          # +
    _esn_viva(2, 1, 1, 10, "Atlas", "false", "false", 102, "Bruno Petit", "Merci, c'est génial !",
          "2026-09-01 10:00:00 UTC"),                                                        # +
    _esn_viva(3, 2, 1, 10, "Atlas", "false", "false", 103, "Chloé Durand", "La réunion est décalée à 14h.",
          "2026-09-02 08:00:00 UTC"),                                                        # 0
    _esn_viva(4, "", 4, 10, "Atlas", "false", "false", 104, "David Roux",
          "Le nouvel outil est une catastrophe, très déçu.", "2026-09-05 08:00:00 UTC"),      # −
    _esn_viva(5, "", 5, 10, "Atlas", "false", "false", 105, "Emma Faure", "Où trouver le modèle de présentation ?",
          "2026-09-10 08:00:00 UTC"),                                                        # 0
    _esn_viva(6, 5, 5, 10, "Atlas", "false", "false", 106, "Farid Nasri", "Dans le dossier partagé.",
          "2026-10-02 08:00:00 UTC"),                                                        # 0, October
    _esn_viva(7, "", 7, 20, "Beta", "false", "false", 107, "Gaëlle Simon",
          "Quelqu'un a le contact du service juridique ?", "2026-09-03 08:00:00 UTC"),       # 0
    _esn_viva(8, 7, 7, 20, "Beta", "false", "false", 108, "Hugo Blanc", "Really disappointed with the new policy.",
          "2026-09-04 08:00:00 UTC"),                                                        # −
    _esn_viva(9, "", 9, 30, "RH confidentiel", "true", "false", 109, "Inès Morel", "Secret salary talk",
          "2026-09-06 08:00:00 UTC"),                                                        # private group
    _esn_viva(10, "", 10, "", "", "false", "true", 101, "Alice Martin", "Private chat about Hugo",
          "2026-09-07 08:00:00 UTC"),                                                        # private conversation
    _esn_viva(11, "", 11, 10, "Atlas", "false", "false", 103, "Chloé Durand", "Deleted rant",
          "2026-09-08 08:00:00 UTC", "2026-09-08 09:00:00 UTC"),                              # deleted
    _esn_viva(12, "", 12, "", "", "false", "false", 110, "Jules Vidal", "Great job everyone, well done!",
          "2026-09-15 08:00:00 UTC"),                                                        # + network feed
    _esn_viva(13, "", 13, 10, "Atlas", "false", "false", 101, "Alice Martin", "Point projet jeudi à 10h.",
          "2026-10-03 08:00:00 UTC"),                                                        # 0, October
]
ESN_VIVA_CSV = "\n".join([ESN_VIVA_HEADER, *ESN_VIVA_ROWS]).encode("utf-8")


def esn_viva_messages_csv() -> tuple[bytes, str]:
    return ESN_VIVA_CSV, "Messages.csv"


def esn_generic_csv() -> tuple[bytes, str]:
    """A generic ESN export: French headers, semicolons, day-first dates, reply ids."""
    lines = ["Date;Communauté;Auteur;Direction;Texte;ID;Réponse à"]
    lines += [f"0{d}/09/2026;Usine;e{d};Industrie;Bravo pour le travail !;m{d};" for d in range(1, 7)]
    lines += ["07/09/2026;Usine;e7;Industrie;Merci;m7;m1", "08/09/2026;Usine;e8;Industrie;Question ?;m8;m7"]
    return "\n".join(lines).encode("utf-8"), "rse.csv"
