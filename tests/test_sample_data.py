"""The demo workbooks: deterministic, recognised by the catalog, plausible.

The generator is re-run into temporary folders; its output must be byte-identical
run after run and to the committed workbooks (after a deliberate change, re-run
``python sample_data/generate.py`` and commit the workbooks with the script).
Plausibility is checked on the workbooks as written, re-read with openpyxl.
"""

from __future__ import annotations

import importlib.util
import re
import sys
from collections import defaultdict
from datetime import datetime
from itertools import pairwise
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from kpis.catalog import KPIS, match_header, segment_of
from kpis.model import SEGMENTS

SAMPLE_DIR = Path(__file__).resolve().parent.parent / "sample_data"


def _load_generator():
    spec = importlib.util.spec_from_file_location("sample_data_generate", SAMPLE_DIR / "generate.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


gen = _load_generator()

# sheet -> (header row, {header: intended role or KPI code})
EXPECTED = {
    "externe_b2c.xlsx": {
        "Campagnes": (4, {"Mois": "period", "Segment": "segment", "Marque": "entity", "Pays": "entity",
                          "Canal": "channel", "Campagne": "initiative", "Impressions": "impressions",
                          "Clics": "clicks", "CTR": "ratio", "Conversions": "conversions", "Coût (€)": "cost",
                          "Chiffre d'affaires (€)": "revenue"}),
        "Audience": (1, {"Mois": "period", "Segment": "segment", "Marque": "entity", "Canal": "channel",
                         "Sessions": "sessions", "Sessions avec engagement": "engaged_sessions",
                         "Abonnés": "followers", "Nouveaux abonnés": "new_followers", "Mentions": "mentions",
                         "Mentions positives": "positive_mentions", "Mentions négatives": "negative_mentions"}),
        "Satisfaction": (1, {"Trimestre": "period", "Segment": "segment", "Marque": "entity",
                             "Promoteurs": "nps_promoters", "Détracteurs": "nps_detractors",
                             "Répondants": "nps_respondents"}),
    },
    "externe_b2b.xlsx": {
        "Campaigns": (1, {"Month": "period", "Segment": "segment", "Brand": "entity", "Country": "entity",
                          "Channel": "channel", "Campaign": "initiative", "Impressions": "impressions",
                          "Clicks": "clicks", "Leads": "leads", "Conversions": "conversions", "Cost (EUR)": "cost",
                          "Revenue (EUR)": "revenue"}),
    },
    "interne_b2e.xlsx": {
        "Usage": (1, {"Mois": "period", "Segment": "segment", "Direction": "entity", "Outil": "channel",
                      "Effectif": "population", "Utilisateurs actifs": "active_users", "Contributeurs": "contributors",
                      "Lecteurs": "readers", "Contributions": "contributions", "Commentaires": "comments",
                      "Réactions": "reactions", "Pages vues": "page_views"}),
        "Espaces": (1, {"Mois": "period", "Segment": "segment", "Direction": "entity", "Espaces": "spaces",
                        "Espaces actifs": "active_spaces"}),
        "eNPS": (1, {"Trimestre": "period", "Segment": "segment", "Direction": "entity",
                     "Promoteurs eNPS": "enps_promoters", "Détracteurs eNPS": "enps_detractors",
                     "Répondants eNPS": "enps_respondents"}),
        "Espaces collaboratifs": (1, {"Mois": "period", "Segment": "segment", "Direction": "entity", "Outil": "channel",
                                      "Espace": "initiative", "Contributions": "contributions",
                                      "Commentaires": "comments", "Réactions": "reactions"}),
    },
}
SEGMENT_OF_FILE = {"externe_b2c.xlsx": "B2C", "externe_b2b.xlsx": "B2B", "interne_b2e.xlsx": "B2E"}
COUNTS = {"impressions", "clicks", "conversions", "leads", "sessions", "engaged_sessions", "followers",
          "new_followers", "mentions", "positive_mentions", "negative_mentions", "nps_promoters", "nps_detractors",
          "nps_respondents", "population", "active_users", "contributors", "readers", "contributions", "comments",
          "reactions", "page_views", "spaces", "active_spaces", "enps_promoters", "enps_detractors",
          "enps_respondents"}


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    first = tmp_path_factory.mktemp("run1")
    second = tmp_path_factory.mktemp("run2")
    return gen.generate(first), gen.generate(second)


def _sheet(path: Path, name: str) -> pd.DataFrame:
    """A data sheet as a frame whose columns are the intended codes (Pays/Country → ``country``)."""
    header_row, expected = EXPECTED[path.name][name]
    wb = openpyxl.load_workbook(path, read_only=True)
    rows = list(wb[name].iter_rows(min_row=header_row, values_only=True))
    wb.close()
    columns = []
    for header in rows[0]:
        target = expected[header]
        if header in ("Pays", "Country"):
            target = "country"
        elif target == "period":
            target = "quarter" if header == "Trimestre" else "month"
        columns.append(target)
    df = pd.DataFrame([r for r in rows[1:] if any(v is not None for v in r)], columns=columns, dtype=object)
    return df


@pytest.fixture(scope="module")
def sheets():
    out = {}
    for file, sheets_ in EXPECTED.items():
        for name in sheets_:
            out[(file, name)] = _sheet(SAMPLE_DIR / file, name)
    return out


def _without_total(df: pd.DataFrame) -> pd.DataFrame:
    return df[df["month"] != "Total"].copy()


# --- determinism and size ----------------------------------------------------------------------


@pytest.mark.parametrize("name", gen.FILES)
def test_generation_is_byte_identical_run_after_run_and_to_the_committed_workbook(runs, name):
    first, second = ({p.name: p for p in run} for run in runs)
    assert first[name].read_bytes() == second[name].read_bytes()
    committed = SAMPLE_DIR / name
    assert committed.exists(), f"{name} missing: run python sample_data/generate.py"
    assert committed.read_bytes() == first[name].read_bytes(), (
        f"{name} differs from what generate.py makes: run python sample_data/generate.py and commit both")


@pytest.mark.parametrize("name", gen.FILES)
def test_workbooks_are_small(name):
    assert (SAMPLE_DIR / name).stat().st_size < 1_500_000


def test_workbook_properties_are_fixed():
    wb = openpyxl.load_workbook(SAMPLE_DIR / "externe_b2c.xlsx", read_only=True)
    assert wb.properties.created == gen.CREATED
    assert wb.properties.modified == gen.CREATED
    wb.close()


# --- headers and layout ------------------------------------------------------------------------


@pytest.mark.parametrize("file", list(EXPECTED))
def test_every_header_of_every_data_sheet_is_recognised_as_intended(file):
    wb = openpyxl.load_workbook(SAMPLE_DIR / file, read_only=True)
    data_sheets = [s for s in wb.sheetnames if s != "Notes"]
    assert data_sheets == list(EXPECTED[file])
    for name, (header_row, expected) in EXPECTED[file].items():
        headers = next(wb[name].iter_rows(min_row=header_row, max_row=header_row, values_only=True))
        assert list(headers) == list(expected), name
        for header, target in expected.items():
            m = match_header(header)
            assert m is not None and m.target == target and m.match == "exact", (name, header, m)
    wb.close()


def test_b2c_title_block_and_total_row():
    wb = openpyxl.load_workbook(SAMPLE_DIR / "externe_b2c.xlsx")
    ws = wb["Campagnes"]
    assert ws["A1"].value == "Tableau de bord marketing digital — Grand public"
    assert ws["A2"].value == "Période : novembre 2023 – octobre 2026"
    assert all(c.value is None for c in ws[3])
    first = ws["A5"]
    assert isinstance(first.value, datetime) and first.value == datetime(2023, 11, 1)
    assert first.number_format == "mmm yyyy"
    last = ws.max_row
    assert ws.cell(last, 1).value == "Total"
    wb.close()


def test_b2c_total_row_is_the_sum_of_the_rows(sheets):
    df = sheets[("externe_b2c.xlsx", "Campagnes")]
    total = df[df["month"] == "Total"].iloc[0]
    body = _without_total(df)
    assert len(df) - len(body) == 1
    for code in ("impressions", "clicks", "conversions"):
        assert total[code] == body[code].sum()
    for code in ("cost", "revenue"):
        assert total[code] == pytest.approx(body[code].astype(float).sum(), abs=0.01)


def test_months_cover_nov_2023_to_oct_2026(sheets):
    expected = list(pd.date_range("2023-11-01", "2026-10-01", freq="MS").to_pydatetime())
    for key in [("externe_b2c.xlsx", "Campagnes"), ("externe_b2c.xlsx", "Audience"), ("interne_b2e.xlsx", "Usage"),
                ("interne_b2e.xlsx", "Espaces")]:
        months = sorted(set(_without_total(sheets[key])["month"]))
        assert months == expected, key
    b2b = sheets[("externe_b2b.xlsx", "Campaigns")]
    assert all(isinstance(m, str) and re.fullmatch(r"20\d\d-\d\d", m) for m in b2b["month"])
    assert sorted(set(b2b["month"])) == [m.strftime("%Y-%m") for m in expected]
    for key in [("externe_b2c.xlsx", "Satisfaction"), ("interne_b2e.xlsx", "eNPS")]:
        quarters = list(dict.fromkeys(sheets[key]["quarter"]))
        assert quarters[0] == "T1 2024" and quarters[-1] == "T3 2026" and len(quarters) == 11


def test_every_data_row_says_its_segment(sheets):
    for (file, name), df in sheets.items():
        body = _without_total(df) if "month" in df else df
        assert {segment_of(v) for v in body["segment"]} == {SEGMENT_OF_FILE[file]}, (file, name)


def test_counts_are_integers_and_euros_have_two_decimals(sheets):
    for (file, name), df in sheets.items():
        for code in df.columns:
            values = [v for v in df[code] if v is not None]
            if code in COUNTS:
                assert all(isinstance(v, int) and v >= 0 for v in values), (file, name, code)
            elif code in ("cost", "revenue"):
                assert all(isinstance(v, (int, float)) and round(v, 2) == v and v > 0 for v in values), (name, code)


def test_the_notes_sheet_holds_free_text_only():
    wb = openpyxl.load_workbook(SAMPLE_DIR / "interne_b2e.xlsx", read_only=True)
    assert wb.sheetnames[-1] == "Notes"
    rows = list(wb["Notes"].iter_rows(values_only=True))
    wb.close()
    assert rows and all(len([v for v in r if v is not None]) <= 1 for r in rows)
    for (text,) in (r[:1] for r in rows):
        assert isinstance(text, str) and len(text.split()) >= 4
        assert match_header(text) is None or match_header(text).match == "partial"


# --- plausibility ------------------------------------------------------------------------------


def _ratios(df: pd.DataFrame) -> pd.DataFrame:
    s = df[["impressions", "clicks", "conversions", "cost", "revenue"]].astype(float)
    return pd.DataFrame({"ctr": s.clicks / s.impressions, "conversion_rate": s.conversions / s.clicks,
                         "cpc": s.cost / s.clicks, "roas": s.revenue / s.cost})


RANGES = {"ctr": (0.01, 0.05), "conversion_rate": (0.01, 0.08), "cpc": (0.3, 3.0), "roas": (2.0, 8.0)}


@pytest.mark.parametrize("key", [("externe_b2c.xlsx", "Campagnes"), ("externe_b2b.xlsx", "Campaigns")])
def test_external_ratios_per_row_and_per_month_are_plausible(sheets, key):
    body = _without_total(sheets[key])
    monthly = body.groupby("month")[["impressions", "clicks", "conversions", "cost", "revenue"]].sum()
    for level, df in (("row", body), ("month", monthly)):
        ratios = _ratios(df)
        for code, (low, high) in RANGES.items():
            assert ratios[code].between(low, high).all(), (key, level, code, ratios[code].min(), ratios[code].max())
    assert (body["clicks"] <= body["impressions"]).all()
    if "leads" in body:
        assert (body["conversions"] <= body["leads"]).all()
        assert (body["leads"] <= body["clicks"]).all()


def test_b2c_peaks_in_december_and_dips_in_august(sheets):
    body = _without_total(sheets[("externe_b2c.xlsx", "Campagnes")])
    revenue = body.groupby("month")["revenue"].sum().astype(float)
    revenue.index = pd.DatetimeIndex(revenue.index)
    for year in (2024, 2025):
        in_year = revenue[revenue.index.year == year]
        assert in_year.idxmax().month == 12
        assert in_year.idxmin().month == 8


def test_b2b_dips_in_august(sheets):
    body = sheets[("externe_b2b.xlsx", "Campaigns")]
    leads = body.groupby("month")["leads"].sum()
    for year in (2024, 2025, 2026):
        in_year = leads[[m for m in leads.index if m.startswith(str(year))]]
        assert in_year.idxmin() == f"{year}-08"


def test_campaigns_per_channel_and_some_run_only_some_months(sheets):
    for key in [("externe_b2c.xlsx", "Campagnes"), ("externe_b2b.xlsx", "Campaigns")]:
        body = _without_total(sheets[key])
        per_channel = body.groupby("channel")["initiative"].nunique()
        assert per_channel.between(2, 3).all(), per_channel
        months = body.groupby(["channel", "initiative"])["month"].nunique()
        assert months.max() == 36 and months.min() < 36
    b2c = _without_total(sheets[("externe_b2c.xlsx", "Campagnes")])
    assert set(b2c["entity"]) == {"Horizon Maison", "Horizon Mode", "Horizon Beauté"}
    assert set(b2c["country"]) == {"France", "Belgique", "Suisse"}
    assert set(b2c["channel"]) == {"Search", "Social", "Display", "Email"}
    b2b = sheets[("externe_b2b.xlsx", "Campaigns")]
    assert set(b2b["channel"]) == {"Search", "LinkedIn", "Events", "Email"}


def test_b2c_audience_followers_grow_on_social_and_sessions_are_on_web(sheets):
    df = sheets[("externe_b2c.xlsx", "Audience")]
    social, web = df[df["channel"] == "Social"], df[df["channel"] == "Web"]
    assert set(df["channel"]) == {"Social", "Web"}
    assert social["sessions"].isna().all() and web["followers"].isna().all()
    for brand, rows in social.groupby("entity"):
        followers = list(rows.sort_values("month")["followers"])
        assert all(b > a for a, b in pairwise(followers)), brand
    assert (web["engaged_sessions"] <= web["sessions"]).all()
    assert (social["positive_mentions"] + social["negative_mentions"] <= social["mentions"]).all()


@pytest.mark.parametrize("key,prefix,low,high", [(("externe_b2c.xlsx", "Satisfaction"), "nps", 10, 50),
                                                (("interne_b2e.xlsx", "eNPS"), "enps", -10, 30)])
def test_scores_per_entity_and_quarter_are_plausible(sheets, key, prefix, low, high):
    df = sheets[key]
    p, d, r = (df[f"{prefix}_{x}"].astype(float) for x in ("promoters", "detractors", "respondents"))
    assert ((p + d) <= r).all()
    score = (p - d) / r * 100
    assert score.between(low, high).all(), (score.min(), score.max())


def test_b2e_usage_is_plausible(sheets):
    df = sheets[("interne_b2e.xlsx", "Usage")]
    assert set(df["channel"]) == {"Intranet", "RSE", "Teams", "SharePoint"}
    assert len(set(df["entity"])) == 6
    # the population is a stock repeated on each tool's row: identical across tools for a BU-month
    assert (df.groupby(["month", "entity"])["population"].nunique() == 1).all()
    num = df[["population", "active_users", "contributors", "readers"]].astype(float)
    assert (num.active_users <= num.population).all() and (num.readers <= num.active_users).all()
    assert (num.active_users / num.population).between(0.3, 0.8).all()
    assert (num.contributors / num.active_users).between(0.05, 0.2).all()
    per_bu = df.groupby(["month", "entity"])[["population", "active_users", "contributors"]].max().astype(float)
    adoption = per_bu.active_users / per_bu.population
    assert adoption.between(0.3, 0.8).all()
    assert (per_bu.contributors / per_bu.active_users).between(0.05, 0.2).all()
    # adoption rises: the last six months beat the first six for every BU
    by_bu = adoption.unstack("entity").sort_index()
    assert (by_bu.tail(6).mean() > by_bu.head(6).mean() + 0.05).all()


def test_b2e_spaces_are_consistent(sheets):
    spaces = sheets[("interne_b2e.xlsx", "Espaces")]
    assert (spaces["active_spaces"] <= spaces["spaces"]).all()
    for bu, rows in spaces.groupby("entity"):
        counts = list(rows.sort_values("month")["spaces"])
        assert all(b >= a for a, b in pairwise(counts)), bu
    detail = sheets[("interne_b2e.xlsx", "Espaces collaboratifs")]
    assert detail["initiative"].nunique() == 13  # 12 named spaces + "Autres espaces"
    assert {"Communauté Qualité", "Projet Atlas", "Autres espaces"} <= set(detail["initiative"])
    # ESN and SharePoint contributions come only from the per-space sheet: never counted twice
    usage = sheets[("interne_b2e.xlsx", "Usage")]
    space_tools = usage["channel"].isin(["RSE", "SharePoint"])
    assert usage.loc[space_tools, "contributions"].isna().all()
    assert usage.loc[~space_tools, "contributions"].notna().all()
    assert set(detail["channel"]) == {"RSE", "SharePoint"}
    assert (detail[["contributions", "comments", "reactions"]] >= 0).all().all()
    for bu, rows in detail.groupby("entity"):  # spaces named for their BU's spaces count stays far above
        assert rows["initiative"].nunique() <= spaces[spaces["entity"] == bu]["spaces"].min()


# --- targets -----------------------------------------------------------------------------------


def _targets() -> list[dict]:
    wb = openpyxl.load_workbook(SAMPLE_DIR / "cibles.xlsx", read_only=True)
    assert wb.sheetnames == ["Cibles"]
    rows = list(wb["Cibles"].iter_rows(values_only=True))
    wb.close()
    assert rows[0] == ("KPI", "Segment", "Entité", "Période", "Cible")
    return [dict(zip(("kpi", "segment", "entity", "period", "target"), r, strict=True)) for r in rows[1:]]


def test_targets_name_catalog_kpis_segments_entities_and_periods(sheets):
    entities = {seg: set() for seg in SEGMENTS}
    for (file, _), df in sheets.items():
        entities[SEGMENT_OF_FILE[file]] |= set(_without_total(df)["entity"] if "month" in df else df["entity"])
    targets = _targets()
    assert len(targets) >= 15
    for t in targets:
        assert t["kpi"] in KPIS and t["segment"] in KPIS[t["kpi"]].segments, t
        assert t["segment"] in SEGMENTS
        assert t["entity"] is None or t["entity"] in entities[t["segment"]], t
        assert re.fullmatch(r"20\d\d|T[1-4] 20\d\d|20\d\d-\d\d", t["period"]), t
        assert isinstance(t["target"], (int, float)) and t["target"] > 0
        if KPIS[t["kpi"]].unit == "%":
            assert 0 < t["target"] < 1, t
    assert {t["kpi"] for t in targets} >= {"ctr", "conversion_rate", "cpa", "revenue", "leads", "adoption_rate",
                                           "participation_rate", "enps", "nps", "active_users"}


def test_targets_give_a_mix_of_statuses_against_the_workbooks(sheets):
    """Recompute each 2026 actual from the workbooks (as re-read) and check its designed status."""
    b2c = _without_total(sheets[("externe_b2c.xlsx", "Campagnes")])
    b2b = sheets[("externe_b2b.xlsx", "Campaigns")].assign(
        month=lambda d: pd.to_datetime(d["month"] + "-01"))
    data = {"b2c": b2c.assign(month=pd.to_datetime(b2c["month"])), "b2b": b2b,
            "b2c_nps": sheets[("externe_b2c.xlsx", "Satisfaction")],
            "b2e_enps": sheets[("interne_b2e.xlsx", "eNPS")],
            "b2e_usage": sheets[("interne_b2e.xlsx", "Usage")].assign(
                month=lambda d: pd.to_datetime(d["month"])),
            "b2e_spaces": sheets[("interne_b2e.xlsx", "Espaces")].assign(
                month=lambda d: pd.to_datetime(d["month"]))}
    for df in data.values():
        for c in df.columns:
            if c in COUNTS or c in ("cost", "revenue"):
                df[c] = df[c].astype(float)
    seen = defaultdict(set)
    designed = {(k, s, e or None, p): gen.status(a) for k, s, e, p, a in gen.TARGET_PLAN}
    for t in _targets():
        value = gen.actual(data, t["kpi"], t["segment"], t["entity"] or "", t["period"])
        if t["kpi"] in gen.FLOWS and len(t["period"]) == 4:  # yearly flow target vs Jan–Oct, prorated
            value *= 12 / len(gen.period_months(t["period"]))
        got = gen.status(gen.attainment(t["kpi"], value, t["target"]))
        assert got == designed[(t["kpi"], t["segment"], t["entity"], t["period"])], t
        seen[t["segment"]].add(got)
    assert seen["B2C"] == seen["B2B"] == seen["B2E"] == {"green", "amber", "red"}
