"""Exports of the families of issue 12 (web analytics, search, e-mail), written as the vendors write them.

Used by ingest/test_exports_families.py and the format contract of ingest/test_exports.py. Each function returns
``(bytes, file name)``; the layouts follow what the vendors' help and public schemas describe (quoted in the
recognisers' docstrings). Hand-computed totals are in comments next to the rows and repeated as constants.
"""

from __future__ import annotations

from pathlib import Path

from formats_files import csv_bytes, shuffle_columns, xlsx_openpyxl, xlsx_xlsxwriter

# --- Google Search Console ---------------------------------------------------------------------------

GSC_DATES = [
    ["Date", "Clicks", "Impressions", "CTR", "Position"],
    ["2026-09-01", 120, 4000, "3%", 8.2],
    ["2026-09-02", 95, 3800, "2.5%", 8.9],
    ["2026-09-03", 130, 5200, "2.5%", 7.4],
    ["2026-09-04", 55, 1000, "5.5%", 12.1],
]
# clicks 120 + 95 + 130 + 55 = 400; impressions 4,000 + 3,800 + 5,200 + 1,000 = 14,000
# CTR recomputed 400 / 14,000 = 2.857 %, not the mean of the daily CTRs (3 + 2.5 + 2.5 + 5.5) / 4 = 3.375 %
GSC_TOTALS = {"clicks": 400.0, "impressions": 14000.0}
GSC_QUERIES = [["Top queries", "Clicks", "Impressions", "CTR", "Position"],
               ["passerelle kpi", 150, 2000, "7.5%", 2.1], ["tableau de bord cdo", 90, 3000, "3%", 5.4]]
GSC_PAGES = [["Top pages", "Clicks", "Impressions", "CTR", "Position"],
             ["https://www.exemple.fr/", 300, 9000, "3.33%", 6.0]]
GSC_COUNTRIES = [["Country", "Clicks", "Impressions", "CTR", "Position"], ["France", 350, 12000, "2.92%", 7.9],
                 ["Belgium", 50, 2000, "2.5%", 9.3]]
GSC_DEVICES = [["Device", "Clicks", "Impressions", "CTR", "Position"], ["Mobile", 260, 9000, "2.89%", 8.8],
               ["Desktop", 140, 5000, "2.8%", 7.1]]
GSC_APPEARANCE = [["Search Appearance", "Clicks", "Impressions", "CTR", "Position"],
                  ["Review snippet", 12, 300, "4%", 3.2]]
GSC_FILTERS = [["Filter", "Value"], ["Search type", "Web"], ["Date", "Last 28 days"]]


def search_console_xlsx(tmp: Path) -> tuple[bytes, str]:
    """The workbook the EXPORT button writes: one sheet per tab, Dates fifth, Filters last (openpyxl)."""
    return xlsx_openpyxl({"Queries": GSC_QUERIES, "Pages": GSC_PAGES, "Countries": GSC_COUNTRIES,
                          "Devices": GSC_DEVICES, "Search appearance": GSC_APPEARANCE, "Dates": GSC_DATES,
                          "Filters": GSC_FILTERS}, tmp), "www.exemple.fr-Performance-on-Search-2026-09-05.xlsx"


GSC_FR_DATES = [
    ["Date", "Clics", "Impressions", "CTR", "Position"],
    ["2026-09-01", "12", "1 500", "0,8 %", "11,2"],
    ["2026-09-02", "8", "900", "0,89 %", "10,5"],
]
# clics 12 + 8 = 20; impressions 1 500 + 900 = 2 400 (French thousands separator, decimal commas in CTR and Position)


def search_console_fr_dates_csv() -> tuple[bytes, str]:
    """The Dates.csv of the zip the French interface writes, columns shuffled."""
    return csv_bytes(shuffle_columns(GSC_FR_DATES, [4, 2, 0, 3, 1])), "Dates.csv"


def search_console_comparison_csv() -> tuple[bytes, str]:
    rows = [["Date", "Last 28 days Clicks", "Previous 28 days Clicks", "Last 28 days Impressions",
             "Previous 28 days Impressions", "Last 28 days CTR", "Previous 28 days CTR", "Last 28 days Position",
             "Previous 28 days Position"], ["2026-09-01", 120, 100, 4000, 3900, "3%", "2.56%", 8.2, 8.5]]
    return csv_bytes(rows), "Dates.csv"


def search_console_bad_value_csv() -> tuple[bytes, str]:
    """A Dates sheet whose clicks cell was overwritten by hand: the cell is reported, the file not imported as is."""
    rows = [r[:] for r in GSC_DATES]
    rows[3][1] = "cent trente"  # line 4, column B: words where a number is expected
    return csv_bytes(rows), "Dates.csv"


def search_console_xlsxwriter(tmp: Path) -> tuple[bytes, str]:
    """Dates only, written by xlsxwriter with real numbers and a real date column."""
    from datetime import date

    rows = [GSC_DATES[0]] + [[date(2026, 9, int(r[0][-2:])), *r[1:3], float(r[3].rstrip("%")) / 100, r[4]]
                             for r in GSC_DATES[1:]]
    return xlsx_xlsxwriter({"Dates": rows}, tmp), "gsc.xlsx"


# --- Matomo ------------------------------------------------------------------------------------------

MATOMO_EN = [
    ["Date", "Visits", "Unique visitors", "Users", "Actions", "Maximum actions in one visit", "Bounces",
     "Total time spent by visitors (in seconds)", "Visits with Conversions", "Actions per Visit",
     "Avg. Visit Duration (in seconds)", "Bounce Rate"],
    ["2026-09-01", "1200", "950", "12", "4100", "87", "540", "190000", "31", "3.4", "158", "45%"],
    ["2026-09-02", "1100", "900", "10", "3900", "54", "500", "170000", "28", "3.5", "155", "45%"],
    ["2026-09-03", "1300", "1000", "15", "4500", "61", "600", "210000", "40", "3.5", "162", "46%"],
]
# visits (sessions) 1,200 + 1,100 + 1,300 = 3,600; unique visitors, a distinct count per day: 950, 900, 1,000
# (their sum 2,850 is what the check totals show per column; the dashboard averages them: 950 a day)
# users, actions, bounces, visits with conversions: Matomo's meanings, not imported
MATOMO_EN_TOTALS = {"sessions": 3600.0, "unique_visitors": 2850.0}


def matomo_csv() -> tuple[bytes, str]:
    """Matomo's default CSV: UTF-16LE with a BOM, commas, one row per day."""
    return csv_bytes(MATOMO_EN, ",", "utf-16-le"), "export_visits_summary.csv"


MATOMO_FR_WEEKS = [
    ["Date", "Visites", "Visiteurs uniques", "Actions", "Nombre maximum d'actions en une visite", "Rebonds",
     "Taux de rebond", "Actions par visite"],
    ["2026-08-31,2026-09-06", "8 400", "6 100", "29 000", "90", "3 900", "46 %", "3,5"],
    ["2026-09-07,2026-09-13", "7 600", "5 500", "26 500", "75", "3 500", "46 %", "3,5"],
]
# visits 8,400 + 7,600 = 16,000 over two ISO weeks; unique visitors 6,100 and 5,500 (a weekly distinct count)


def matomo_fr_weeks_csv() -> tuple[bytes, str]:
    """French interface, weeks written as "start,end", columns shuffled, UTF-8 with a BOM (re-saved)."""
    return csv_bytes(shuffle_columns(MATOMO_FR_WEEKS, [2, 0, 5, 1, 3, 4, 6, 7]), bom=True), "visites.csv"


def matomo_no_date_csv() -> tuple[bytes, str]:
    """One date range exported as a single row: no Date column."""
    return csv_bytes([[h for h in MATOMO_EN[0] if h != "Date"], MATOMO_EN[1][1:]]), "export.csv"


# --- e-mail campaign reports -----------------------------------------------------------------------------

MAILCHIMP_HEADER = ["Title", "Subject", "List", "Send Date", "Send Weekday", "Total Recipients",
                    "Successful Deliveries", "Soft Bounces", "Hard Bounces", "Total Bounces", "Times Forwarded",
                    "Forwarded Opens", "Unique Opens", "Open Rate", "Total Opens", "Unique Clicks", "Click Rate",
                    "Total Clicks", "Unsubscribes", "Abuse Complaints", "Times Liked on Facebook", "Folder Id",
                    "Unique Id"]
MAILCHIMP_ROWS = [
    ["Newsletter septembre", "Les nouveautés de la rentrée", "Clients FR", "Sep 03, 2026 10:00 am", "Thursday",
     "10,000", "9,800", "150", "50", "200", "12", "30", "2,450", "25.00%", "4,100", "490", "5.00%", "720", "35",
     "2", "0", "", "a1b2c3d4e5"],
    ["Offre salon", "Rendez-vous au salon", "Pros", "Sep 10, 2026 02:30 pm", "Thursday", "2,000", "1,900", "60",
     "40", "100", "1", "2", "760", "40.00%", "1,300", "95", "5.00%", "140", "5", "0", "0", "", "f6g7h8i9j0"],
    ["Relance 13", "Dernière chance", "Clients FR", "Sep 13, 2026 09:00 am", "Sunday", "500", "495", "3", "2", "5",
     "0", "0", "99", "20.00%", "150", "10", "2.02%", "12", "1", "0", "0", "", "k1l2m3n4o5"],
]
# sent 10,000 + 2,000 + 500 = 12,500; delivered 9,800 + 1,900 + 495 = 12,195; bounces 200 + 100 + 5 = 305
# unique opens 2,450 + 760 + 99 = 3,309; total opens 4,100 + 1,300 + 150 = 5,550;
# unique clicks 490 + 95 + 10 = 595; total clicks 720 + 140 + 12 = 872; unsubscribes 35 + 5 + 1 = 41
# open rate recomputed 3,309 / 12,195 = 27.13 %, not the mean of the rates (25 + 40 + 20) / 3 = 28.33 %
MAILCHIMP_TOTALS = {"clicks": 872.0, "email_bounces": 305.0, "email_opens": 5550.0, "email_unique_clicks": 595.0,
                    "email_unique_opens": 3309.0, "email_unsubscribes": 41.0, "emails_delivered": 12195.0,
                    "emails_sent": 12500.0}


def mailchimp_csv() -> tuple[bytes, str]:
    """The Reports page's campaign export: US dates with a time, thousands separators, columns shuffled."""
    order = [3, 0, *range(4, 23), 1, 2]
    return csv_bytes(shuffle_columns([MAILCHIMP_HEADER, *MAILCHIMP_ROWS], order)), "campaigns.csv"


def mailchimp_bad_date_csv() -> tuple[bytes, str]:
    """A campaign still scheduled: no send date (row 3). The row is refused, named; the others import."""
    rows = [MAILCHIMP_HEADER, MAILCHIMP_ROWS[0][:], MAILCHIMP_ROWS[1][:]]
    rows[2][3] = "bientôt"
    return csv_bytes(rows), "campaigns.csv"


HUBSPOT_HEADER = ["Email name", "Subject", "Campaign", "Send date", "Sent", "Delivered", "Opened", "Clicked",
                  "Bounced", "Unsubscribed", "Spam reports", "Open rate", "Click rate", "Click-through rate"]
HUBSPOT_ROWS = [
    ["Webinar invite", "Join us", "Q3 launch", "2026-09-08", 3000, 2940, 882, 147, 60, 9, 1, "30%", "5%", "16.67%"],
    ["Webinar reminder", "Tomorrow", "Q3 launch", "2026-09-14", 2900, 2880, 1008, 202, 20, 4, 0, "35%", "7.01%",
     "20.04%"],
]
# sent 3,000 + 2,900 = 5,900; delivered 2,940 + 2,880 = 5,820; opened (unique) 882 + 1,008 = 1,890;
# clicked (unique) 147 + 202 = 349; bounced 60 + 20 = 80; unsubscribed 9 + 4 = 13
# click-to-open rate recomputed 349 / 1,890 = 18.47 %
HUBSPOT_TOTALS = {"email_bounces": 80.0, "email_unique_clicks": 349.0, "email_unique_opens": 1890.0,
                  "email_unsubscribes": 13.0, "emails_delivered": 5820.0, "emails_sent": 5900.0}


def hubspot_email_xlsx(tmp: Path) -> tuple[bytes, str]:
    return xlsx_xlsxwriter({"Emails": [HUBSPOT_HEADER, *HUBSPOT_ROWS]}, tmp), "hubspot-marketing-emails.xlsx"


# --- CRM reports --------------------------------------------------------------------------------------------

SALESFORCE_HEADER = ["Opportunity Name", "Account Name", "Opportunity Owner", "Stage", "Amount", "Probability (%)",
                     "Close Date", "Created Date", "Lead Source", "Won", "Closed"]
SALESFORCE_ROWS = [  # (US dates, as a US-locale report writes them)
    ["Acme - Renouvellement", "Acme", "Camille Durand", "Closed Won", "12000", "100", "9/15/2026", "9/1/2026",
     "Web", "1", "1"],
    ["Globex - Extension", "Globex", "Camille Durand", "Closed Won", "8000", "100", "9/22/2026", "9/1/2026",
     "Partner", "1", "1"],
    ["Initech - Pilote", "Initech", "Bruno Petit", "Closed Lost", "5000", "0", "9/20/2026", "9/3/2026", "Web", "0",
     "1"],
    ["Umbrella - Licences", "Umbrella", "Bruno Petit", "Proposal/Price Quote", "20000", "60", "10/30/2026",
     "9/3/2026", "Web", "0", "0"],
    ["Hooli - Audit", "Hooli", "Camille Durand", "Negotiation/Review", "", "80", "10/15/2026", "9/14/2026",
     "Event", "0", "0"],
]
# created: 1 Sept 2 opportunities (12,000 + 8,000 = 20,000), 3 Sept 2 (5,000 + 20,000 = 25,000), 14 Sept 1 (no
# amount: 0) — opportunities 5, pipeline 45,000
# won (Won = 1): 15 Sept 12,000 and 22 Sept 8,000 — won deals 2, won amount 20,000
# win rate 2 / 5 = 40 %; average deal 20,000 / 2 = 10,000
SALESFORCE_TOTALS = {"opportunities": 5.0, "pipeline_amount": 45000.0, "won_deals": 2.0, "won_amount": 20000.0}
SALESFORCE_FOOTER = [[""], ["Groupe Exemple"], ["Copyright (c) 2000-2026 salesforce.com, inc. All rights reserved."],
                     ["Confidential Information - Do Not Distribute"],
                     ["Generated By:  Camille Durand  9/30/2026 6:02 PM"], ["Groupe Exemple"]]


def salesforce_csv() -> tuple[bytes, str]:
    """A "details only" opportunities report as CSV, with Salesforce's footer naming who exported it."""
    return csv_bytes([SALESFORCE_HEADER, *SALESFORCE_ROWS, *SALESFORCE_FOOTER]), "report1759248120000.csv"


def salesforce_two_currencies_csv() -> tuple[bytes, str]:
    currencies = ["EUR", "EUR", "USD", "EUR", "EUR"]
    rows = [SALESFORCE_HEADER + ["Amount Currency"]] + [r + [c] for r, c in zip(SALESFORCE_ROWS, currencies,
                                                                                strict=True)]
    return csv_bytes(rows), "report.csv"


HUBSPOT_DEALS = [
    ["Record ID", "Deal Name", "Deal Stage", "Amount", "Close Date", "Create Date", "Pipeline", "Deal owner"],
    ["101", "Contrat cadre", "Closed won", "30000", "2026-09-25 14:00", "2026-09-02 09:12", "Sales Pipeline",
     "Inès Michel"],
    ["102", "Maintenance", "Closed lost", "4000", "2026-09-18 10:00", "2026-09-02 11:40", "Sales Pipeline",
     "Inès Michel"],
    ["103", "Formation", "Appointment scheduled", "1 500", "2026-10-10 00:00", "2026-09-21 16:03", "Sales Pipeline",
     "Jules Garcia"],
    ["104", "Déploiement", "Closed won", "beaucoup", "2026-09-29 09:00", "2026-09-21 08:00", "Sales Pipeline",
     "Jules Garcia"],
]
# created: 2 Sept 2 deals (30,000 + 4,000), 21 Sept 2 deals (1,500 + unreadable amount, counted 0 with a warning)
# — opportunities 4, pipeline 35,500; won: 25 Sept 30,000 and 29 Sept (amount unreadable: 0) — won deals 2,
# won amount 30,000
HUBSPOT_DEALS_TOTALS = {"opportunities": 4.0, "pipeline_amount": 35500.0, "won_deals": 2.0, "won_amount": 30000.0}


def hubspot_deals_xlsx(tmp: Path) -> tuple[bytes, str]:
    return xlsx_openpyxl({"All deals": HUBSPOT_DEALS}, tmp), "hubspot-crm-exports-all-deals-2026-09-30.xlsx"


# --- YouTube Studio -----------------------------------------------------------------------------------------

YOUTUBE_TABLE_BY_DATE = [
    ["Date", "Views", "Watch time (hours)", "Subscribers", "Subscribers gained", "Subscribers lost", "Impressions",
     "Impressions click-through rate (%)", "Average view duration"],
    ["Total", "3500", "210.5", "37", "45", "8", "70000", "4.1", "0:03:36"],
    ["2026-09-01", "1200", "70.2", "15", "18", "3", "25000", "4.2", "0:03:30"],
    ["2026-09-02", "1000", "61.3", "10", "12", "2", "20000", "4.0", "0:03:40"],
    ["2026-09-03", "1300", "79.0", "12", "15", "3", "25000", "4.1", "0:03:39"],
]
# views 1,200 + 1,000 + 1,300 = 3,500; watch time 70.2 + 61.3 + 79.0 = 210.5 h; gained 18 + 12 + 15 = 45;
# lost 3 + 2 + 3 = 8; impressions 25,000 + 20,000 + 25,000 = 70,000 — the Total row says the same, dropped
# view rate recomputed 3,500 / 70,000 = 5 % (the file's CTR of impressions is YouTube's own, not imported)
YOUTUBE_TOTALS = {"impressions": 70000.0, "lost_followers": 8.0, "new_followers": 45.0, "video_views": 3500.0,
                  "watch_time_hours": 210.5}


def youtube_table_csv() -> tuple[bytes, str]:
    return csv_bytes(YOUTUBE_TABLE_BY_DATE), "Table data.csv"


YOUTUBE_CHART = [
    ["Date", "Content", "Video title", "Video publish time", "Duration", "Views"],
    ["2026-09-01", "dQw4w9WgXcQ", "Lancement produit", "Aug 28, 2026", "212", "800"],
    ["2026-09-01", "oHg5SJYRHA0", "Tutoriel", "Jul 2, 2026", "540", "400"],
    ["2026-09-02", "dQw4w9WgXcQ", "Lancement produit", "Aug 28, 2026", "212", "600"],
    ["2026-09-02", "oHg5SJYRHA0", "Tutoriel", "Jul 2, 2026", "540", "400"],
]
# views 800 + 400 + 600 + 400 = 2,200 (Lancement produit 1,400, Tutoriel 800)


def youtube_chart_csv() -> tuple[bytes, str]:
    return csv_bytes(YOUTUBE_CHART), "Chart data.csv"


def youtube_by_content_csv() -> tuple[bytes, str]:
    rows = [["Content", "Video title", "Video publish time", "Duration", "Views", "Watch time (hours)",
             "Subscribers", "Impressions", "Impressions click-through rate (%)"],
            ["Total", "", "", "", "3500", "210.5", "37", "70000", "4.1"],
            ["dQw4w9WgXcQ", "Lancement produit", "Aug 28, 2026", "212", "2000", "120", "20", "40000", "4.5"]]
    return csv_bytes(rows), "Table data.csv"


YOUTUBE_FR = [
    ["Date", "Vues", "Durée de visionnage (heures)", "Abonnés", "Impressions", "Taux de clics des impressions (%)"],
    ["2026-09-01", "1 200", "70,2", "15", "25 000", "4,2"],
    ["2026-09-02", "1 000", "61,3", "10", "20 000", "4,0"],
]
# vues 1 200 + 1 000 = 2 200 ; durée 70,2 + 61,3 = 131,5 h ; impressions 45 000 (Abonnés, un solde : non importé)


# --- Microsoft 365: Teams team activity ---------------------------------------------------------------------

TEAMS_TEAM_HEADER = ["Report Refresh Date", "Team Name", "Team Id", "Team Type", "Last Activity Date",
                     "Report Period", "Active Users", "Active Channels", "Guests", "Reactions", "Meetings Organized",
                     "Post Messages", "Reply Messages", "Channel Messages", "Urgent Messages", "Mentions",
                     "Active Shared Channels", "Active External Users"]
TEAMS_TEAMS = [  # (name, type, last activity, active users, reactions, posts, replies)
    ("Projet Atlas", "Private", "2026-09-29", 40, 120, 30, 90),
    ("Communication interne", "Public", "2026-09-15", 250, 400, 60, 140),
    ("Comité de direction", "Private", "2026-09-10", 3, 5, 2, 4),
    ("Ancien projet", "Private", "2026-05-02", 0, 0, 0, 0),
]
# window 1 … 30 Sept 2026 (refresh 30 Sept, period 30); teams 4, active (last activity in the window) 3
# contributions = posts + replies: Atlas 120, Communication 200, Comité 6 (3 active users: folded into (other)
# with the smallest next team, Ancien projet, 0 users… still under 5, so the next, Atlas (40), joins: (other) =
# 6 + 0 + 120 = 126); reactions Atlas 120, Communication 400, Comité 5 → (other) 125
# totals: contributions 120 + 200 + 6 = 326 (Channel Messages, which counts them again, is not added); reactions 525


def teams_team_activity_csv() -> tuple[bytes, str]:
    rows = [TEAMS_TEAM_HEADER]
    for k, (name, kind, last, users, reactions, posts, replies) in enumerate(TEAMS_TEAMS):
        rows.append(["2026-09-30", name, f"19:{k:032x}@thread.tacv2", kind, last, 30, users, 2, 0, reactions, 1,
                     posts, replies, posts + replies, 0, 3, 0, 0])
    return csv_bytes(rows, bom=True), "TeamsTeamActivityDetail9_30_2026.csv"


# --- Instagram: Meta Business Suite content export -----------------------------------------------------------

INSTAGRAM_HEADER = ["Post ID", "Account ID", "Account username", "Account name", "Description", "Duration (sec)",
                    "Publish time", "Permalink", "Post type", "Data comment", "Date", "Views", "Reach", "Likes",
                    "Shares", "Follows", "Comments", "Saves"]
INSTAGRAM_ROWS = [
    ["18063412345678901", "17841400000000001", "passerelle.demo", "Passerelle Démo",
     "Rentrée : nos nouveautés, en 30 secondes", "32", "09/02/2026 18:00", "https://www.instagram.com/reel/DAbc123/",
     "IG reel", "", "Lifetime", "15,000", "9,800", "410", "120", "14", "20", "55"],
    ["18063412345678902", "17841400000000001", "passerelle.demo", "Passerelle Démo", "L'équipe au salon \"Data\"",
     "0", "09/09/2026 12:30", "https://www.instagram.com/p/DAbc124/", "IG image", "", "Lifetime", "2,400",
     "1,900", "150", "8", "2", "12", "30"],
    ["18063412345678903", "17841400000000001", "passerelle.demo", "Passerelle Démo", "5 chiffres de septembre",
     "0", "09/15/2026 08:00", "https://www.instagram.com/p/DAbc125/", "IG carousel", "", "Lifetime", "3,100",
     "2,500", "220", "15", "5", "18", "61"],
    ["18063412345678904", "17841400000000001", "passerelle.demo", "Passerelle Démo", "Coulisses", "12",
     "09/15/2026 19:45", "https://www.instagram.com/reel/DAbc126/", "IG reel", "", "Lifetime", "800", "700", "40",
     "1", "0", "3", "4"],
]
# each row is a post's lifetime, dated by its publish day: 2 Sept (09/02, month first: 15 in 09/15 settles it),
# 9 Sept, 15 Sept twice
# views (impressions) 15,000 + 2,400 + 3,100 + 800 = 21,300; likes (reactions) 410 + 150 + 220 + 40 = 820;
# shares (reposts) 120 + 8 + 15 + 1 = 144; follows (new followers) 14 + 2 + 5 + 0 = 21;
# comments 20 + 12 + 18 + 3 = 53. Reach 9,800 + 1,900 + 2,500 + 700 = 14,900 accounts would count a person
# reached by two posts twice: not imported; saves (150) have no KPI: not imported
INSTAGRAM_TOTALS = {"comments": 53.0, "impressions": 21300.0, "new_followers": 21.0, "reactions": 820.0,
                    "reposts": 144.0}
INSTAGRAM_BY_DAY = {"2026-09-02": 15000.0, "2026-09-09": 2400.0, "2026-09-15": 3900.0}  # 3,100 + 800 on the 15th


def instagram_csv() -> tuple[bytes, str]:
    """Insights > Content > Export as Meta writes it: UTF-8 with a BOM, quoted thousands, ``Date`` = Lifetime."""
    return csv_bytes([INSTAGRAM_HEADER, *INSTAGRAM_ROWS], bom=True), "content.csv"


def instagram_other_order_csv() -> tuple[bytes, str]:
    """The same posts with the metrics in the order another reader's sample has them (Views, Likes, Shares,
    Comments, Saves, Reach, Follows)."""
    order = [*range(11), 11, 13, 14, 16, 17, 12, 15]
    return csv_bytes(shuffle_columns([INSTAGRAM_HEADER, *INSTAGRAM_ROWS], order), bom=True), "content.csv"


def instagram_bad_date_csv() -> tuple[bytes, str]:
    """A post whose publish time was cut when the file was edited (row 3): that row is refused, named."""
    rows = [INSTAGRAM_HEADER, *(r[:] for r in INSTAGRAM_ROWS)]
    rows[2][6] = "09/09"
    return csv_bytes(rows, bom=True), "content.csv"


INSTAGRAM_ES_HEADER = ["identificador de la publicación", "Identificador de la cuenta",
                       "Nombre de usuario de la cuenta", "Nombre de la cuenta", "Descripción", "Duración (segundos)",
                       "Hora de publicación", "Enlace permanente", "Tipo de publicación",
                       "Comentario sobre los datos", "Fecha", "Visualizaciones", "Alcance", "Me gusta",
                       "Veces que se ha compartido", "Seguidores", "Comentarios", "Veces guardado"]
INSTAGRAM_ES_ROWS = [
    ["1001", "9000000001", "passerelle.es", "Passerelle España", "Vuelta al cole", "32", "09/03/2026 14:30",
     "https://instagram.com/reel/example1", "Reel de Instagram", "", "Total", "48500", "31200", "2840", "420", "89",
     "134", "680"],
    ["1002", "9000000001", "passerelle.es", "Passerelle España", "Detrás de cámaras", "15", "09/12/2026 19:00",
     "https://instagram.com/reel/example2", "Reel de Instagram", "", "Total", "7200", "4980", "521", "89", "12",
     "21", "32"],
]
# no day above 12 settles the order: month first, as both interfaces write it (3 and 12 September)
# visualizaciones 48,500 + 7,200 = 55,700; me gusta 2,840 + 521 = 3,361; compartido 420 + 89 = 509;
# seguidores 89 + 12 = 101; comentarios 134 + 21 = 155 (alcance and veces guardado not imported)
INSTAGRAM_ES_TOTALS = {"comments": 155.0, "impressions": 55700.0, "new_followers": 101.0, "reactions": 3361.0,
                       "reposts": 509.0}


def instagram_es_csv() -> tuple[bytes, str]:
    return csv_bytes([INSTAGRAM_ES_HEADER, *INSTAGRAM_ES_ROWS], bom=True), "Contenido_Posts_Sep01_Sep30.csv"


FACEBOOK_CONTENT_HEADER = ["Post ID", "Page ID", "Page name", "Title", "Description", "Duration (sec)",
                           "Publish time", "Caption type", "Permalink", "Is crosspost", "Is share", "Post type",
                           "Languages", "Custom labels", "Funded content status", "Data comment", "Date", "Views",
                           "Reach", "Reactions", "Comments", "Shares", "Total clicks", "Other Clicks", "Link Clicks"]
"""The near miss beside it: the first columns of Meta Business Suite's content export of a Facebook Page (a Page ID
and name, no account username), as a public reader of that file maps them. Not the Instagram format."""


# --- Microsoft 365: SharePoint pages viewed per day ------------------------------------------------------------

SHAREPOINT_PAGES = [
    ["Report Refresh Date", "Site Type", "Page View Count", "Report Date", "Report Period"],
    ["2026-09-30", "All", "1360", "2026-09-30", "7"],
    ["2026-09-30", "All", "1420", "2026-09-29", "7"],
    ["2026-09-30", "All", "1500", "2026-09-28", "7"],
    ["2026-09-30", "All", "420", "2026-09-27", "7"],
    ["2026-09-30", "All", "380", "2026-09-26", "7"],
    ["2026-09-30", "All", "1310", "2026-09-25", "7"],
    ["2026-09-30", "All", "1240", "2026-09-24", "7"],
]
# pages viewed across all sites, 24 … 30 Sept: 1,240 + 1,310 + 380 + 420 + 1,500 + 1,420 + 1,360 = 7,630
SHAREPOINT_PAGES_TOTALS = {"page_views": 7630.0}


def sharepoint_pages_csv() -> tuple[bytes, str]:
    return csv_bytes(SHAREPOINT_PAGES, bom=True), "SharePointSiteUsagePages.csv"


def sharepoint_pages_other_type_csv() -> tuple[bytes, str]:
    """The guard, not a real file: a row of a site type other than All (none seen in Microsoft's samples) on 30
    Sept. Only the All rows count: 7,630 still."""
    rows = [*SHAREPOINT_PAGES[:2], ["2026-09-30", "Team site", "900", "2026-09-30", "7"], *SHAREPOINT_PAGES[2:]]
    return csv_bytes(rows, bom=True), "SharePointSiteUsagePages.csv"


SHAREPOINT_ACTIVITY_PAGES = [["Report Refresh Date", "Visited Page Count", "Report Date", "Report Period"],
                             ["2026-09-30", "10", "2026-09-30", "7"]]
"""A near miss beside it: distinct pages visited per day (``getSharePointActivityPages``), no KPI of the catalog."""
SHAREPOINT_SITE_COUNTS = [["Report Refresh Date", "Site Type", "Total", "Active", "Report Date", "Report Period"],
                          ["2026-09-30", "All", "159", "2", "2026-09-30", "7"]]
"""Another: sites and active sites per day (``getSharePointSiteUsageSiteCounts``), not pages viewed."""


CSV_FILES = [search_console_fr_dates_csv, matomo_csv, matomo_fr_weeks_csv, mailchimp_csv, salesforce_csv,
             youtube_table_csv, youtube_chart_csv, youtube_by_content_csv, teams_team_activity_csv,
             instagram_csv, instagram_other_order_csv, instagram_es_csv, sharepoint_pages_csv]
"""Every recognised file of this module, for the format contract of ingest/test_exports.py."""
XLSX_FILES = [search_console_xlsx, search_console_xlsxwriter, hubspot_email_xlsx,
              hubspot_deals_xlsx]
