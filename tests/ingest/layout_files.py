"""The layouts of ``kpis.ingest.layouts`` as real workbooks (openpyxl, merged cells really merged), with the
totals computed by hand beside each; shared by ``test_layouts`` and ``test_mapping``."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from openpyxl import Workbook

MONTHS = [dt.datetime(2026, 1, 1), dt.datetime(2026, 2, 1), dt.datetime(2026, 3, 1)]
KPI_NAMES = ["Visiteurs uniques", "Pages vues", "Contributions"]
SITES = {  # (unique visitors, page views, contributions) per month
    "Paris": [(100, 2000, 30), (110, 2100, 35), (120, 2300, 40)],
    "Lyon": [(50, 900, 10), (55, 950, 12), (60, 1000, 15)],
}
# page views 2000 + 2100 + 2300 + 900 + 950 + 1000 = 9250; contributions 30 + 35 + 40 + 10 + 12 + 15 = 142;
# unique visitors 100 + 110 + 120 + 50 + 55 + 60 = 495 (the checksum of kept values)
CONFIRM = {"Visiteurs uniques": "unique_visitors"}  # the catalog declares it B2C/B2B: asked in a B2E sheet


def monthly_report(path: Path, *, merged: bool = True, months=MONTHS, sites=SITES, bad: str | None = None) -> Path:
    """The hand-made monthly intranet report: a title, months over the KPIs (merged, or the month repeated
    over each KPI), a TOTAL block at the right, a total row at the bottom. Data from row 5, month b's KPI k
    in column 2 + 3b + k."""
    wb = Workbook()
    ws = wb.active
    ws.title = "Intranet"
    ws["A1"] = "Tableau de bord intranet 2026"
    ws["A3"] = "Site"
    ws.merge_cells("A3:A4")
    labels = [*months, "TOTAL"]
    for b, label in enumerate(labels):
        col = 2 + 3 * b
        for k, name in enumerate(KPI_NAMES):
            ws.cell(4, col + k, name)
            if not merged:
                ws.cell(3, col + k, label).number_format = "mmm yyyy"
        if merged:
            ws.cell(3, col, label).number_format = "mmm yyyy"
            ws.merge_cells(start_row=3, start_column=col, end_row=3, end_column=col + 2)
    for r, (site, values) in enumerate(sites.items(), start=5):
        ws.cell(r, 1, site)
        for b, triple in enumerate(values):
            for k in range(3):
                ws.cell(r, 2 + 3 * b + k, triple[k])
        for k in range(3):
            ws.cell(r, 2 + 3 * len(months) + k, sum(t[k] for t in values))
    last = 5 + len(sites)
    ws.cell(last, 1, "Total")
    for c in range(2, 2 + 3 * len(labels)):
        ws.cell(last, c, sum(ws.cell(r, c).value for r in range(5, last)))
    if bad:
        ws[bad] = "n/d"
    wb.save(path)
    return path


BRANDS = [  # (brand label as printed, channel, January, February, March)
    ("Marque A", "Search", 100, 120, 90), (None, "Social", 40, 50, 30),
    ("Marque B", "Search", 70, 80, 60), (None, "Display", 10, 20, 15),
]
# Marque A: Search 100 + 120 + 90 = 310, Social 40 + 50 + 30 = 120; Marque B: Search 70 + 80 + 60 = 210,
# Display 10 + 20 + 15 = 45; all clicks 310 + 120 + 210 + 45 = 685


def pivot_workbook(path: Path, measure: str = "Somme de Clics", *, in_filters: bool = False) -> Path:
    """An Excel pivot (tabular form) pasted as values: a filter block, the measure in the corner (or, with
    ``in_filters``, named in the filter block: ``Valeurs | Somme de Clics``), brands and channels down with a
    subtotal row per brand, months across, a grand total row and column. The measure cell is A4 (B2)."""
    wb = Workbook()
    ws = wb.active
    ws.title = "TCD"
    ws.append(["Segment", "B2C"])
    ws.append(["Valeurs", measure] if in_filters else ["Canal", "(Tous)"])
    ws.append([])
    ws.append([None, None, "Étiquettes de colonnes"] if in_filters else [measure, None, "Étiquettes de colonnes"])
    ws.append(["Marque", "Canal", "janv. 2026", "févr. 2026", "mars 2026", "Total général"])
    totals = [0, 0, 0]
    for brand in ("Marque A", "Marque B"):
        sub = [0, 0, 0]
        for label, channel, *months in [r for r in BRANDS if _brand_of(r) == brand]:
            ws.append([label, channel, *months, sum(months)])
            sub = [s + m for s, m in zip(sub, months, strict=True)]
        ws.append([f"Total {brand}", None, *sub, sum(sub)])
        totals = [s + m for s, m in zip(totals, sub, strict=True)]
    ws.append(["Total général", None, *totals, sum(totals)])
    wb.save(path)
    return path


def _brand_of(row: tuple) -> str:
    return "Marque A" if row in BRANDS[:2] else "Marque B"
