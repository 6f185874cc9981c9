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


CSV_FILES = [search_console_fr_dates_csv]
"""Every recognised file of this module, for the format contract of ingest/test_exports.py."""
XLSX_FILES = [search_console_xlsx, search_console_xlsxwriter]
