"""Make the demo workbooks of the fictitious "Groupe Horizon".

    python sample_data/generate.py          # rewrites the workbooks next to this file

Deterministic: one ``numpy.random.default_rng(SEED)`` drawn in a fixed order,
and xlsxwriter with a fixed creation date (it already stamps every zip entry
1980-01-01), so two runs give byte-identical files. ``generate(out_dir)``
writes the four workbooks into ``out_dir`` and returns their paths.

The workbooks (see README.md in this folder):

- ``externe_b2c.xlsx``  B2C, French headers, a title block, Excel dates, a
  "Total" row, plus "Audience" and "Satisfaction" (quarterly NPS) sheets;
- ``externe_b2b.xlsx``  B2B, English headers, months as "2026-09" text;
- ``interne_b2e.xlsx``  B2E usage per business unit × tool, spaces, eNPS,
  per-space activity and a free-text "Notes" sheet;
- ``cibles.xlsx``       targets (KPI codes) set against the generated 2026
  data so that the dashboard shows green, amber and red statuses;
- ``rse_messages.csv``  the enterprise social network's messages over 12
  months (French and English, a generic export with names and e-mails that
  the import drops), two subjects whose tone turns at a known date
  (``TONE_CHANGES``).

This script needs only numpy, pandas and xlsxwriter; it does not import the
``kpis`` package, so it stays a plain, stand-alone recipe.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import numpy as np
import pandas as pd
import xlsxwriter

SEED = 20261102
CREATED = datetime(2026, 11, 2, 9, 0, 0)
"""Fixed workbook creation/modification date: keeps the bytes stable."""

MONTHS = pd.date_range("2023-11-01", "2026-10-01", freq="MS")
"""36 months, Nov 2023 → Oct 2026, first of month."""

QUARTERS = [(y, q) for y in (2024, 2025, 2026) for q in (1, 2, 3, 4) if (y, q) <= (2026, 3)]
"""Complete quarters inside the months: T1 2024 → T3 2026 (11 quarters)."""

FILES = ("externe_b2c.xlsx", "externe_b2b.xlsx", "interne_b2e.xlsx", "cibles.xlsx", "rse_messages.csv")

# --- seasonality -----------------------------------------------------------------------------

SEASON_B2C = {1: 0.92, 2: 0.86, 3: 0.95, 4: 0.98, 5: 1.0, 6: 1.04, 7: 0.97, 8: 0.74, 9: 1.0, 10: 1.05, 11: 1.22,
              12: 1.42}
SEASON_B2B = {1: 0.95, 2: 1.0, 3: 1.08, 4: 1.02, 5: 1.0, 6: 1.02, 7: 0.85, 8: 0.58, 9: 1.1, 10: 1.12, 11: 1.06,
              12: 0.82}

# --- B2C -------------------------------------------------------------------------------------

B2C_BRANDS = {"Horizon Maison": 1.0, "Horizon Mode": 0.8, "Horizon Beauté": 0.6}
B2C_COUNTRIES = {"France": 1.0, "Belgique": 0.3, "Suisse": 0.25}
ALL_MONTHS = tuple(range(1, 13))


@dataclass(frozen=True)
class Channel:
    impressions: float  # per campaign-month, brand factor 1, main country
    ctr: float
    conversion_rate: float
    cpc: float
    roas: float
    lead_rate: float = 0.0  # leads / clicks (B2B)
    campaigns: tuple[tuple[str, float, tuple[int, ...]], ...] = ()  # (name, weight, active months)


B2C_CHANNELS = {
    "Search": Channel(180_000, 0.042, 0.050, 0.90, 4.2, campaigns=(
        ("Mots-clés marque", 0.6, ALL_MONTHS),
        ("Génériques", 1.0, ALL_MONTHS),
        ("Noël", 1.3, (11, 12)),
    )),
    "Social": Channel(600_000, 0.014, 0.018, 0.55, 2.6, campaigns=(
        ("Notoriété", 1.0, ALL_MONTHS),
        ("Soldes", 0.9, (1, 6, 7)),
        ("Noël", 1.2, (11, 12)),
    )),
    "Display": Channel(900_000, 0.011, 0.013, 0.36, 3.0, campaigns=(
        ("Retargeting", 1.0, ALL_MONTHS),
        ("Collection printemps", 0.8, (3, 4, 5)),
    )),
    "Email": Channel(150_000, 0.032, 0.050, 0.42, 6.5, campaigns=(
        ("Newsletter", 1.0, ALL_MONTHS),
        ("Programme fidélité", 0.7, tuple(m for m in ALL_MONTHS if m != 8)),
    )),
}

B2C_FOLLOWERS = {"Horizon Maison": 85_000, "Horizon Mode": 142_000, "Horizon Beauté": 64_000}
B2C_MENTIONS = {"Horizon Maison": 1_400, "Horizon Mode": 2_100, "Horizon Beauté": 1_100}
B2C_NPS = {"Horizon Maison": 30.0, "Horizon Mode": 22.0, "Horizon Beauté": 38.0}

# --- B2B -------------------------------------------------------------------------------------

B2B_BRANDS = {"Horizon Pro": 1.0, "Horizon Industrie": 0.7}
B2B_COUNTRIES = {"France": 1.0, "Belgium": 0.35, "Switzerland": 0.3}
B2B_CHANNELS = {
    "Search": Channel(120_000, 0.035, 0.030, 2.20, 5.0, lead_rate=0.10, campaigns=(
        ("Brand Search", 0.7, ALL_MONTHS),
        ("Solutions Search", 1.0, ALL_MONTHS),
    )),
    "LinkedIn": Channel(400_000, 0.012, 0.022, 2.70, 3.2, lead_rate=0.11, campaigns=(
        ("Lead Gen Forms", 1.0, ALL_MONTHS),
        ("Thought Leadership", 0.8, ALL_MONTHS),
        ("Product Launch", 1.1, (3, 4, 5, 6)),
    )),
    "Events": Channel(50_000, 0.045, 0.055, 2.60, 6.5, lead_rate=0.18, campaigns=(
        ("Trade Shows", 1.5, (3, 4, 9, 10, 11)),
        ("Webinars", 1.0, tuple(m for m in ALL_MONTHS if m != 8)),
        ("Customer Day", 1.3, (6,)),
    )),
    "Email": Channel(80_000, 0.038, 0.035, 0.90, 6.0, lead_rate=0.08, campaigns=(
        ("Nurturing", 1.0, ALL_MONTHS),
        ("Pro Newsletter", 0.8, ALL_MONTHS),
    )),
}

# --- B2E -------------------------------------------------------------------------------------

BUS = {  # headcount at start, monthly growth, adoption offset, eNPS at start
    "Direction Financière": (850, 0.0010, 0.02, 12.0),
    "Ressources Humaines": (420, 0.0015, 0.04, 20.0),
    "Industrie": (5200, 0.0008, -0.04, -6.0),
    "R&D": (1800, 0.0030, 0.03, 17.0),
    "Ventes": (2400, 0.0020, -0.01, 6.0),
    "Systèmes d'information": (950, 0.0025, 0.06, 14.0),
}
# adoption start → end, participation start, contributions per contributor, comments, reactions,
# page views per active user
TOOLS = {
    "Intranet": (0.46, 0.64, 0.060, 1.6, 2.5, 6.0, 28.0),
    "RSE": (0.32, 0.52, 0.120, 4.0, 1.8, 4.5, 14.0),
    "Teams": (0.50, 0.70, 0.130, 9.0, 0.6, 2.0, 9.0),
    "SharePoint": (0.38, 0.58, 0.080, 2.8, 0.5, 1.2, 22.0),
}
SPACES_START = {"Direction Financière": 18, "Ressources Humaines": 25, "Industrie": 60, "R&D": 85,
                "Ventes": 40, "Systèmes d'information": 55}
SPACE_TOOLS = ("RSE", "SharePoint")
"""Tools whose activity is reported per collaborative space (the Espaces collaboratifs sheet)."""
OTHER_SPACES = "Autres espaces"
NAMED_SPACES = (  # (space, business unit, first month)
    ("Clôture mensuelle", "Direction Financière", "2023-11"),
    ("Contrôle de gestion", "Direction Financière", "2023-11"),
    ("Onboarding", "Ressources Humaines", "2023-11"),
    ("Marque employeur", "Ressources Humaines", "2024-09"),
    ("Communauté Qualité", "Industrie", "2023-11"),
    ("Excellence opérationnelle", "Industrie", "2024-02"),
    ("Projet Atlas", "R&D", "2023-11"),
    ("Veille technologique", "R&D", "2023-11"),
    ("Club Grands Comptes", "Ventes", "2023-11"),
    ("Projet Boréal", "Ventes", "2025-03"),
    ("Cybersécurité", "Systèmes d'information", "2023-11"),
    ("Communauté Data", "Systèmes d'information", "2024-06"),
)

SEGMENT_LABEL = {"B2C": "Grand public", "B2B": "B2B", "B2E": "Collaborateurs"}


def quarter_label(year: int, q: int) -> str:
    return f"T{q} {year}"


# --- data ------------------------------------------------------------------------------------


def _ads(rng, brands, countries, channels, season, b2b: bool) -> pd.DataFrame:
    rows = []
    for i, month in enumerate(MONTHS):
        t = i / 12.0
        m = month.month
        for brand, bf in brands.items():
            for country, cf in countries.items():
                for ch_name, ch in channels.items():
                    for camp, weight, active in ch.campaigns:
                        if m not in active:
                            continue
                        imp = ch.impressions * bf * cf * weight * season[m] * (1 + 0.06 * t) * rng.lognormal(0, 0.10)
                        ctr = np.clip(ch.ctr * (1 + 0.04 * t) * rng.lognormal(0, 0.07), 0.011, 0.049)
                        festive = 1.08 if (not b2b and m in (11, 12)) else 1.0
                        cr = np.clip(ch.conversion_rate * festive * (0.92 if m == 8 else 1.0) * rng.lognormal(0, 0.08),
                                     0.012, 0.075)
                        cpc = np.clip(ch.cpc * (1.10 if (not b2b and m == 12) else 1.0) * rng.lognormal(0, 0.06),
                                      0.32, 2.9)
                        roas = np.clip(ch.roas * festive * rng.lognormal(0, 0.08), 2.2, 7.8)
                        impressions = int(round(imp))
                        clicks = int(round(impressions * ctr))
                        conversions = int(round(clicks * cr))
                        cost = round(clicks * cpc, 2)
                        row = {"month": month, "brand": brand, "country": country, "channel": ch_name,
                               "campaign": camp, "impressions": impressions, "clicks": clicks}
                        if b2b:
                            lead_rate = ch.lead_rate * rng.lognormal(0, 0.08)
                            row["leads"] = max(int(round(clicks * lead_rate)), conversions)
                        row.update(conversions=conversions, cost=cost, revenue=round(cost * roas, 2))
                        rows.append(row)
    return pd.DataFrame(rows)


def _b2c_audience(rng, ads: pd.DataFrame) -> pd.DataFrame:
    clicks = ads.groupby(["month", "brand"])["clicks"].sum()
    followers = dict(B2C_FOLLOWERS)
    rows = []
    for i, month in enumerate(MONTHS):
        m = month.month
        for brand in B2C_BRANDS:
            sessions = int(round(clicks[(month, brand)] * rng.uniform(2.2, 2.8)))
            rows.append({"month": month, "brand": brand, "channel": "Web", "sessions": sessions,
                         "engaged_sessions": int(round(sessions * rng.uniform(0.55, 0.68)))})
            new = int(round(followers[brand] * rng.uniform(0.015, 0.03) * SEASON_B2C[m]))
            followers[brand] += int(round(new * rng.uniform(0.6, 0.8)))  # net of unfollows
            mentions = int(round(B2C_MENTIONS[brand] * SEASON_B2C[m] * (1 + 0.05 * i / 12) * rng.lognormal(0, 0.12)))
            rows.append({"month": month, "brand": brand, "channel": "Social", "followers": followers[brand],
                         "new_followers": new, "mentions": mentions,
                         "positive_mentions": int(round(mentions * rng.uniform(0.38, 0.52))),
                         "negative_mentions": int(round(mentions * rng.uniform(0.08, 0.16)))})
    return pd.DataFrame(rows)


def _survey(rng, entities: dict[str, float], trend: float, low: float, high: float, size, prefix: str) -> pd.DataFrame:
    rows = []
    for k, (year, q) in enumerate(QUARTERS):
        for entity, base in entities.items():
            score = float(np.clip(base + trend * k + rng.normal(0, 2.0), low, high))
            respondents = int(size(entity))
            detractors_share = rng.uniform(0.12, 0.22)
            promoters = int(round(respondents * (detractors_share + score / 100)))
            detractors = int(round(respondents * detractors_share))
            rows.append({"quarter": quarter_label(year, q), "entity": entity, f"{prefix}_promoters": promoters,
                         f"{prefix}_detractors": detractors, f"{prefix}_respondents": respondents})
    return pd.DataFrame(rows)


def _b2e(rng) -> dict[str, pd.DataFrame]:
    headcount = {bu: float(v[0]) for bu, v in BUS.items()}
    spaces = dict(SPACES_START)
    usage, space_rows, detail = [], [], []
    n = len(MONTHS) - 1
    for i, month in enumerate(MONTHS):
        m = month.month
        dip = 0.88 if m == 8 else (0.95 if m == 12 else 1.0)
        for bu, (_, growth, offset, _) in BUS.items():
            if i:
                headcount[bu] *= 1 + growth + rng.normal(0, 0.002)
            population = int(round(headcount[bu]))
            bu_rows = {}
            for tool, (a0, a1, p0, per_contrib, com, rea, pv) in TOOLS.items():
                adoption = np.clip((a0 + (a1 - a0) * i / n + offset + rng.normal(0, 0.01)) * dip, 0.31, 0.79)
                participation = np.clip(p0 + 0.02 * i / n + rng.normal(0, 0.006), 0.055, 0.195)
                active = int(round(population * adoption))
                contributors = int(round(active * participation))
                contributions = int(round(contributors * per_contrib * rng.lognormal(0, 0.08)))
                bu_rows[tool] = contributions
                usage.append({"month": month, "entity": bu, "channel": tool, "population": population,
                              "active_users": active, "contributors": contributors,
                              "readers": int(round(active * rng.uniform(0.82, 0.95))),
                              "contributions": contributions,
                              "comments": int(round(contributions * com * rng.lognormal(0, 0.1))),
                              "reactions": int(round(contributions * rea * rng.lognormal(0, 0.1))),
                              "page_views": int(round(active * pv * dip * rng.lognormal(0, 0.08)))})
            if i:
                spaces[bu] += int(rng.poisson(0.8))
            rate = np.clip((0.45 + 0.2 * i / n + rng.normal(0, 0.02)) * (0.85 if m == 8 else 1.0), 0.3, 0.85)
            space_rows.append({"month": month, "entity": bu, "spaces": spaces[bu],
                               "active_spaces": int(round(spaces[bu] * rate))})
            # ESN and SharePoint activity is reported per collaborative space, not per tool: the
            # "Espaces collaboratifs" sheet is its only source, so nothing is counted twice
            named = [space for space, owner, start in NAMED_SPACES
                     if owner == bu and month >= pd.Timestamp(start + "-01")]
            for k, tool in enumerate(SPACE_TOOLS):
                row = next(r for r in reversed(usage) if r["entity"] == bu and r["channel"] == tool)
                pools = {kpi: row.pop(kpi) for kpi in ("contributions", "comments", "reactions")}
                left = dict(pools)
                for space in named[k::len(SPACE_TOOLS)]:
                    share = rng.uniform(0.10, 0.22)
                    part = {kpi: int(round(v * share)) for kpi, v in pools.items()}
                    detail.append({"month": month, "entity": bu, "channel": tool, "initiative": space, **part})
                    left = {kpi: left[kpi] - part[kpi] for kpi in left}
                detail.append({"month": month, "entity": bu, "channel": tool, "initiative": OTHER_SPACES, **left})
    usage_df = pd.DataFrame(usage)
    last = usage_df[usage_df["channel"] == "Intranet"].set_index(["month", "entity"])["population"]
    enps = _survey(rng, {bu: v[3] for bu, v in BUS.items()}, 0.9, -9.0, 29.0,
                   lambda bu: round(last[(MONTHS[-1], bu)] * rng.uniform(0.35, 0.6)), "enps")
    return {"usage": usage_df, "spaces": pd.DataFrame(space_rows), "enps": enps, "detail": pd.DataFrame(detail)}


def make_data(seed: int = SEED) -> dict[str, pd.DataFrame]:
    """Every table, in catalog codes (``month``, ``entity``, KPI codes…), drawn in a fixed order."""
    rng = np.random.default_rng(seed)
    b2c = _ads(rng, B2C_BRANDS, B2C_COUNTRIES, B2C_CHANNELS, SEASON_B2C, b2b=False)
    audience = _b2c_audience(rng, b2c)
    nps = _survey(rng, B2C_NPS, 0.5, 11.0, 49.0, lambda _: rng.integers(500, 1500), "nps")
    b2b = _ads(rng, B2B_BRANDS, B2B_COUNTRIES, B2B_CHANNELS, SEASON_B2B, b2b=True)
    return {"b2c": b2c.rename(columns={"brand": "entity"}),
            "b2c_audience": audience.rename(columns={"brand": "entity"}),
            "b2c_nps": nps, "b2b": b2b.rename(columns={"brand": "entity"}),
            **{f"b2e_{k}": v for k, v in _b2e(rng).items()}}


# --- targets ---------------------------------------------------------------------------------

GREEN, AMBER, RED = 1.06, 0.95, 0.82
"""Designed attainment (actual / target, inverted for lower-is-better KPIs)."""

TARGET_PLAN = (  # (kpi, segment, entity or "", period, designed attainment)
    # Brand-level targets only where the brand is the sheet's sole entity column (NPS):
    # the campaign sheets also have a country column, which ingestion joins into the entity.
    ("ctr", "B2C", "", "2026", GREEN),
    ("conversion_rate", "B2C", "", "2026", AMBER),
    ("cpa", "B2C", "", "2026", RED),
    ("roas", "B2C", "", "2026", GREEN),
    ("revenue", "B2C", "", "T3 2026", AMBER),
    ("revenue", "B2C", "", "2026-10", GREEN),
    ("revenue", "B2C", "", "2026", RED),
    ("cpc", "B2C", "", "2026-10", GREEN),
    ("nps", "B2C", "", "2026", AMBER),
    ("nps", "B2C", "Horizon Mode", "T3 2026", RED),
    ("nps", "B2C", "Horizon Beauté", "2026", GREEN),
    ("leads", "B2B", "", "2026-10", RED),
    ("leads", "B2B", "", "T3 2026", GREEN),
    ("conversion_rate", "B2B", "", "2026", GREEN),
    ("cpa", "B2B", "", "2026", AMBER),
    ("cpc", "B2B", "", "2026", AMBER),
    ("revenue", "B2B", "", "2026", RED),
    ("adoption_rate", "B2E", "", "2026", AMBER),
    ("adoption_rate", "B2E", "Industrie", "2026", RED),
    ("adoption_rate", "B2E", "Systèmes d'information", "2026", GREEN),
    ("participation_rate", "B2E", "", "2026", GREEN),
    ("participation_rate", "B2E", "Ventes", "T3 2026", RED),
    ("active_users", "B2E", "", "2026-10", GREEN),
    ("active_space_rate", "B2E", "", "2026", RED),
    ("enps", "B2E", "", "2026", AMBER),
    ("enps", "B2E", "R&D", "2026", GREEN),
)

LOWER_IS_BETTER = {"cpa", "cpc", "cost"}
RATIOS = {"ctr": ("clicks", "impressions"), "conversion_rate": ("conversions", "clicks"),
          "cpa": ("cost", "conversions"), "cpc": ("cost", "clicks"), "roas": ("revenue", "cost")}
FLOWS = {"revenue", "leads", "cost", "clicks", "impressions", "conversions"}


def period_months(period: str) -> list[pd.Timestamp]:
    """The data months a target period covers: ``2026``, ``T3 2026`` or ``2026-10``."""
    if period.startswith("T"):
        q, year = int(period[1]), int(period[3:])
        wanted = [pd.Timestamp(year, 3 * (q - 1) + k, 1) for k in (1, 2, 3)]
    elif "-" in period:
        wanted = [pd.Timestamp(period + "-01")]
    else:
        wanted = [pd.Timestamp(int(period), k, 1) for k in range(1, 13)]
    return [m for m in wanted if m in set(MONTHS)]


def _period_quarters(period: str) -> list[str]:
    if period.startswith("T"):
        return [period]
    year = int(period[:4])
    return [quarter_label(y, q) for y, q in QUARTERS if y == year]


def actual(data: dict[str, pd.DataFrame], kpi: str, segment: str, entity: str, period: str) -> float:
    """The value the dashboard should show for a target, by DESIGN.md's aggregation rules.

    Flows sum; ratios divide aggregated components; distinct counts are summed
    over business units (maximum over tools) per month, then averaged over the
    months; stocks are taken at the last month; scores pool the survey counts.
    """
    def pick(df, key="month"):
        sel = df[df[key].isin(period_months(period) if key == "month" else _period_quarters(period))]
        return sel[sel["entity"] == entity] if entity else sel

    if kpi in ("nps", "enps"):
        df = pick(data["b2c_nps" if kpi == "nps" else "b2e_enps"], "quarter")
        p, d, r = (df[f"{kpi}_{x}"].sum() for x in ("promoters", "detractors", "respondents"))
        return float((p - d) / r * 100)
    if segment in ("B2C", "B2B"):
        df = pick(data[segment.lower()])
        if kpi in RATIOS:
            num, den = RATIOS[kpi]
            return float(df[num].sum() / df[den].sum())
        return float(df[kpi].sum())
    if kpi == "active_space_rate":
        df = pick(data["b2e_spaces"])
        per_month = df.groupby("month")[["active_spaces", "spaces"]].sum()
        return float(per_month["active_spaces"].mean() / per_month["spaces"].iloc[-1])
    df = pick(data["b2e_usage"])
    per_entity = df.groupby(["month", "entity"])[["population", "active_users", "contributors"]].max()
    per_month = per_entity.groupby("month").sum()
    if kpi == "active_users":
        return float(per_month["active_users"].mean())
    if kpi == "adoption_rate":
        return float(per_month["active_users"].mean() / per_month["population"].iloc[-1])
    if kpi == "participation_rate":
        return float(per_month["contributors"].mean() / per_month["active_users"].mean())
    raise ValueError(f"no actual for {kpi}")


def attainment(kpi: str, actual_value: float, target: float) -> float:
    return target / actual_value if kpi in LOWER_IS_BETTER else actual_value / target


def status(att: float) -> str:
    return "green" if att >= 1.0 else ("amber" if att >= 0.9 else "red")


def _round_target(kpi: str, value: float) -> float:
    if kpi in ("nps", "enps"):
        return float(round(value))
    if kpi in ("ctr", "conversion_rate", "adoption_rate", "participation_rate", "active_space_rate"):
        return round(value, 4)
    if kpi in ("cpa", "cpc", "roas"):
        return round(value, 2)
    if kpi == "revenue":
        return float(round(value, -3))
    return float(round(value, -1))


def make_targets(data: dict[str, pd.DataFrame]) -> pd.DataFrame:
    rows = []
    for kpi, segment, entity, period, designed in TARGET_PLAN:
        value = actual(data, kpi, segment, entity, period)
        if kpi in FLOWS and len(period) == 4:  # a yearly flow target is for the whole year: annualise Jan–Oct
            value *= 12 / len(period_months(period))
        target = value * designed if kpi in LOWER_IS_BETTER else value / designed
        rows.append({"kpi": kpi, "segment": segment, "entity": entity, "period": period,
                     "target": _round_target(kpi, target), "designed": status(designed)})
    return pd.DataFrame(rows)


# --- writing ---------------------------------------------------------------------------------

B2C_HEADERS = {  # code → header, in column order
    "month": "Mois", "segment": "Segment", "entity": "Marque", "country": "Pays", "channel": "Canal",
    "campaign": "Campagne", "impressions": "Impressions", "clicks": "Clics", "ctr": "CTR",
    "conversions": "Conversions", "cost": "Coût (€)", "revenue": "Chiffre d'affaires (€)",
}
B2C_AUDIENCE_HEADERS = {
    "month": "Mois", "segment": "Segment", "entity": "Marque", "channel": "Canal", "sessions": "Sessions",
    "engaged_sessions": "Sessions avec engagement", "followers": "Abonnés", "new_followers": "Nouveaux abonnés",
    "mentions": "Mentions", "positive_mentions": "Mentions positives", "negative_mentions": "Mentions négatives",
}
B2C_NPS_HEADERS = {"quarter": "Trimestre", "segment": "Segment", "entity": "Marque", "nps_promoters": "Promoteurs",
                   "nps_detractors": "Détracteurs", "nps_respondents": "Répondants"}
B2B_HEADERS = {
    "month": "Month", "segment": "Segment", "entity": "Brand", "country": "Country", "channel": "Channel",
    "campaign": "Campaign", "impressions": "Impressions", "clicks": "Clicks", "leads": "Leads",
    "conversions": "Conversions", "cost": "Cost (EUR)", "revenue": "Revenue (EUR)",
}
B2E_USAGE_HEADERS = {
    "month": "Mois", "segment": "Segment", "entity": "Direction", "channel": "Outil", "population": "Effectif",
    "active_users": "Utilisateurs actifs", "contributors": "Contributeurs", "readers": "Lecteurs",
    "contributions": "Contributions", "comments": "Commentaires", "reactions": "Réactions", "page_views": "Pages vues",
}
B2E_SPACES_HEADERS = {"month": "Mois", "segment": "Segment", "entity": "Direction", "spaces": "Espaces",
                      "active_spaces": "Espaces actifs"}
B2E_ENPS_HEADERS = {"quarter": "Trimestre", "segment": "Segment", "entity": "Direction",
                    "enps_promoters": "Promoteurs eNPS", "enps_detractors": "Détracteurs eNPS",
                    "enps_respondents": "Répondants eNPS"}
B2E_DETAIL_HEADERS = {"month": "Mois", "segment": "Segment", "entity": "Direction", "channel": "Outil",
                      "initiative": "Espace", "contributions": "Contributions", "comments": "Commentaires",
                      "reactions": "Réactions"}
TARGET_HEADERS = {"kpi": "KPI", "segment": "Segment", "entity": "Entité", "period": "Période", "target": "Cible"}

NOTES = (
    "Groupe Horizon — usages numériques internes",
    "Extraction consolidée par la communication interne à partir des outils de la DSI.",
    "Les chiffres de chaque outil sont établis séparément : une même personne peut figurer dans plusieurs outils.",
    "L'onglet eNPS reprend l'enquête trimestrielle d'engagement.",
    "Document de démonstration : toutes les données sont fictives.",
)

EURO_CODES = {"cost", "revenue"}


class _Book:
    def __init__(self, path: Path, title: str):
        self.wb = xlsxwriter.Workbook(str(path), {"strings_to_numbers": False, "strings_to_formulas": False,
                                                  "strings_to_urls": False})
        self.wb.set_properties({"title": title, "author": "Groupe Horizon — Direction du digital",
                                "company": "Groupe Horizon (fictif)", "created": CREATED})
        f = self.wb.add_format
        self.fmt = {"header": f({"bold": True, "bg_color": "#DCE6F1", "border": 1, "text_wrap": True}),
                    "title": f({"bold": True, "font_size": 14}), "italic": f({"italic": True}),
                    "month": f({"num_format": "mmm yyyy"}), "int": f({"num_format": "#,##0"}),
                    "eur": f({"num_format": "#,##0.00"}), "pct": f({"num_format": "0.00%"}),
                    "bold": f({"bold": True}), "bold_int": f({"bold": True, "num_format": "#,##0"}),
                    "bold_eur": f({"bold": True, "num_format": "#,##0.00"}),
                    "bold_pct": f({"bold": True, "num_format": "0.00%"}), "rate": f({"num_format": "0.0%"})}

    def table(self, name: str, df: pd.DataFrame, headers: dict[str, str], start_row: int = 0, month_text=False):
        ws = self.wb.add_worksheet(name)
        for c, code in enumerate(headers):
            ws.write_string(start_row, c, headers[code], self.fmt["header"])
            ws.set_column(c, c, max(11, min(26, len(headers[code]) + 3)))
        for r, rec in enumerate(df.to_dict("records"), start=start_row + 1):
            for c, code in enumerate(headers):
                value = rec.get(code)
                if value is None or (isinstance(value, float) and np.isnan(value)):
                    continue
                if code == "month":
                    if month_text:
                        ws.write_string(r, c, value.strftime("%Y-%m"))
                    else:
                        ws.write_datetime(r, c, value.to_pydatetime(), self.fmt["month"])
                elif isinstance(value, str):
                    ws.write_string(r, c, value)
                elif code in EURO_CODES:
                    ws.write_number(r, c, round(float(value), 2), self.fmt["eur"])
                elif code == "ctr":
                    ws.write_number(r, c, float(value), self.fmt["pct"])
                else:
                    ws.write_number(r, c, int(value), self.fmt["int"])
        ws.freeze_panes(start_row + 1, 0)
        return ws

    def close(self):
        self.wb.close()


def _write_b2c(path: Path, data) -> None:
    book = _Book(path, "Tableau de bord marketing digital — Grand public")
    ads = data["b2c"].assign(segment=SEGMENT_LABEL["B2C"])
    ads["ctr"] = (ads["clicks"] / ads["impressions"]).round(4)
    ws = book.table("Campagnes", ads, B2C_HEADERS, start_row=3)
    ws.write_string(0, 0, "Tableau de bord marketing digital — Grand public", book.fmt["title"])
    ws.write_string(1, 0, "Période : novembre 2023 – octobre 2026", book.fmt["italic"])
    total_row = 3 + len(ads) + 1
    ws.write_string(total_row, 0, "Total", book.fmt["bold"])
    for c, code in enumerate(B2C_HEADERS):
        if code in ("impressions", "clicks", "conversions"):
            ws.write_number(total_row, c, int(ads[code].sum()), book.fmt["bold_int"])
        elif code in EURO_CODES:
            ws.write_number(total_row, c, round(float(ads[code].sum()), 2), book.fmt["bold_eur"])
        elif code == "ctr":
            ctr = round(ads["clicks"].sum() / ads["impressions"].sum(), 4)
            ws.write_number(total_row, c, ctr, book.fmt["bold_pct"])
    ws.freeze_panes(4, 0)
    book.table("Audience", data["b2c_audience"].assign(segment=SEGMENT_LABEL["B2C"]), B2C_AUDIENCE_HEADERS)
    book.table("Satisfaction", data["b2c_nps"].assign(segment=SEGMENT_LABEL["B2C"]), B2C_NPS_HEADERS)
    book.close()


def _write_b2b(path: Path, data) -> None:
    book = _Book(path, "Groupe Horizon — B2B digital marketing")
    book.table("Campaigns", data["b2b"].assign(segment=SEGMENT_LABEL["B2B"]), B2B_HEADERS, month_text=True)
    book.close()


def _write_b2e(path: Path, data) -> None:
    book = _Book(path, "Groupe Horizon — usages numériques internes")
    seg = SEGMENT_LABEL["B2E"]
    book.table("Usage", data["b2e_usage"].assign(segment=seg), B2E_USAGE_HEADERS)
    book.table("Espaces", data["b2e_spaces"].assign(segment=seg), B2E_SPACES_HEADERS)
    book.table("eNPS", data["b2e_enps"].assign(segment=seg), B2E_ENPS_HEADERS)
    book.table("Espaces collaboratifs", data["b2e_detail"].assign(segment=seg), B2E_DETAIL_HEADERS)
    ws = book.wb.add_worksheet("Notes")
    ws.set_column(0, 0, 110)
    for r, line in enumerate(NOTES):
        ws.write_string(r, 0, line, book.fmt["title"] if r == 0 else None)
    book.close()


def _write_targets(path: Path, targets: pd.DataFrame) -> None:
    book = _Book(path, "Groupe Horizon — cibles 2026")
    ws = book.wb.add_worksheet("Cibles")
    for c, code in enumerate(TARGET_HEADERS):
        ws.write_string(0, c, TARGET_HEADERS[code], book.fmt["header"])
    ws.set_column(0, 0, 22)
    ws.set_column(1, 1, 10)
    ws.set_column(2, 2, 24)
    ws.set_column(3, 4, 12)
    for r, rec in enumerate(targets.to_dict("records"), start=1):
        ws.write_string(r, 0, rec["kpi"])
        ws.write_string(r, 1, rec["segment"])
        if rec["entity"]:
            ws.write_string(r, 2, rec["entity"])
        ws.write_string(r, 3, rec["period"])
        kpi = rec["kpi"]
        fmt = (book.fmt["rate"] if kpi.endswith("rate") or kpi == "ctr" else
               book.fmt["eur"] if kpi in ("revenue", "cpa", "cpc") else None)
        ws.write_number(r, 4, rec["target"], fmt)
    ws.freeze_panes(1, 0)
    book.close()


# --- the enterprise social network's messages ------------------------------------------------

ESN_SEED = 20261130
ESN_MONTHS = pd.date_range("2025-11-01", "2026-10-01", freq="MS")
"""12 months, Nov 2025 → Oct 2026."""
ESN_HEADER = ["Date", "Communauté", "ID auteur", "Nom", "E-mail", "Direction", "Message", "ID message", "Réponse à",
              "Réactions", "Privé"]
ESN_COMMUNITIES = {  # community -> (subject word FR, subject word EN, share of the messages)
    "Projet Atlas": ("le projet Atlas", "project Atlas", 0.22),
    "Nouvel intranet": ("le nouvel intranet", "the new intranet", 0.22),
    "Vie du site de Lyon": ("la cantine de Lyon", "the Lyon canteen", 0.16),
    "Innovation & idées": ("la journée innovation", "the innovation day", 0.14),
    "Entraide informatique": ("le VPN", "the VPN", 0.14),
    "Comité de direction": ("le budget", "the budget", 0.06),  # a private group: never imported
    "Sécurité au travail": ("la formation sécurité", "the safety training", 0.06),
}
PRIVATE_COMMUNITIES = ("Comité de direction",)
TONE_CHANGES = {  # community -> (first day of the new tone, share positive/negative before, after)
    "Projet Atlas": ("2026-05-01", (0.6, 0.1), (0.1, 0.6)),
    "Nouvel intranet": ("2026-06-01", (0.1, 0.6), (0.6, 0.1)),
}
"""The two subjects whose tone turns: Atlas sours in May 2026, the intranet wins people over in June 2026."""
DEFAULT_TONE = (0.35, 0.2)
ESN_DIRECTIONS = ("Direction Industrie", "Direction Financière", "Ressources Humaines", "R&D", "Commercial",
                  "Systèmes d'information")
FIRST_NAMES = ("Camille", "Léa", "Hugo", "Louis", "Chloé", "Nathan", "Inès", "Jules", "Manon", "Lucas", "Sarah",
               "Adam", "Emma", "Noah", "Jade", "Tom", "Alice", "Yanis", "Clara", "Paul")
LAST_NAMES = ("Martin", "Bernard", "Dubois", "Thomas", "Robert", "Richard", "Petit", "Durand", "Leroy", "Moreau",
              "Simon", "Laurent", "Lefebvre", "Michel", "Garcia", "David", "Bertrand", "Roux", "Vincent", "Fournier")
ESN_TEXT = {
    ("fr", 1): ("Bravo pour {s}, c'est une vraie réussite !", "Très content de {s}, excellent travail de l'équipe.",
                "Super nouvelle pour {s}, merci à tous 👏", "{S} avance bien, les retours sont très positifs.",
                "J'adore {s}, c'est simple et efficace.", "Merci pour {s}, c'est parfait."),
    ("fr", -1): ("Je suis déçu par {s}, rien ne fonctionne.", "{S} est une catastrophe, très mauvaise "
                 "organisation.", "Franchement, {s} est lent et compliqué.", "Encore un problème avec {s}, "
                 "c'est pénible 😡", "Pas du tout convaincu par {s}.", "{S} : aucune information, c'est inquiétant."),
    ("fr", 0): ("Quelqu'un sait où trouver le planning de {s} ?", "Point sur {s} jeudi à 10h.",
                "Le compte rendu sur {s} est dans le dossier partagé.", "Qui s'occupe de {s} cette semaine ?",
                "Réunion sur {s} décalée à 14h."),
    ("en", 1): ("Great work on {s}, well done team!", "Really happy with {s}, excellent job.",
                "Thanks everyone for {s}, brilliant 👏", "Love {s}, it is simple and effective."),
    ("en", -1): ("Really disappointed with {s}, nothing works.", "{S} is a mess, terrible planning.",
                 "So annoying, {s} is slow again 😡", "Not convinced at all by {s}."),
    ("en", 0): ("Does anyone know where the {s} schedule is?", "Meeting about {s} moved to 2pm.",
                "Who is in charge of {s} this week?", "The {s} minutes are in the shared folder."),
}


def make_esn_messages(n: int = 4000, seed: int = ESN_SEED, months=ESN_MONTHS) -> list[list]:
    """``n`` messages of Groupe Horizon's social network, date order, as the rows of ``ESN_HEADER``."""
    rng = np.random.default_rng(seed)
    people = [(f"{4100000000 + k}", f"{FIRST_NAMES[k % 20]} {LAST_NAMES[(k * 7) % 20]}",
               ESN_DIRECTIONS[min(int(rng.integers(0, 8)), 5)]) for k in range(400)]
    weight = rng.pareto(1.2, len(people)) + 0.2  # a few people write a lot
    weight /= weight.sum()
    names = list(ESN_COMMUNITIES)
    share = np.array([ESN_COMMUNITIES[c][2] for c in names])
    first = months[0].to_datetime64().astype("datetime64[s]")
    span = int((months[-1] + pd.offsets.MonthEnd(1) - months[0]).days + 1) * 86400
    stamps = np.sort(first + rng.integers(0, span, n).astype("timedelta64[s]"))
    rows: list[list] = []
    open_threads: dict[str, list[int]] = {c: [] for c in names}
    for k in range(n):
        community = names[int(rng.choice(len(names), p=share))]
        person = people[int(rng.choice(len(people), p=weight))]
        when = pd.Timestamp(stamps[k])
        change = TONE_CHANGES.get(community)
        pos, neg = DEFAULT_TONE if change is None else (change[1] if when < pd.Timestamp(change[0]) else change[2])
        draw = rng.random()
        tone = 1 if draw < pos else -1 if draw < pos + neg else 0
        lang = "en" if rng.random() < 0.3 else "fr"
        subject = ESN_COMMUNITIES[community][0 if lang == "fr" else 1]
        templates = ESN_TEXT[(lang, tone)]
        text = templates[int(rng.integers(0, len(templates)))].format(s=subject, S=subject[:1].upper() + subject[1:])
        threads = open_threads[community]
        reply = bool(threads) and rng.random() < 0.6
        replied = f"M{threads[-1 - int(rng.integers(0, min(len(threads), 5)))]}" if reply else ""
        if not reply:
            threads.append(k)
        private = "Oui" if community in PRIVATE_COMMUNITIES or rng.random() < 0.02 else "Non"
        email = person[1].lower().replace(" ", ".").replace("é", "e").replace("è", "e").replace("ï", "i")
        rows.append([when.strftime("%Y-%m-%d %H:%M"), community, person[0], person[1], f"{email}@horizon.example",
                     person[2], text, f"M{k}", replied, int(rng.poisson(2)), private])
    return rows


def _write_esn(path: Path) -> None:
    import csv

    with open(path, "w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f, delimiter=";", lineterminator="\n")
        writer.writerow(ESN_HEADER)
        writer.writerows(make_esn_messages())


def generate(out_dir: Path) -> list[Path]:
    """Write the demo files into ``out_dir`` (created if needed); return their paths."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    data = make_data()
    paths = [out_dir / name for name in FILES]
    _write_b2c(paths[0], data)
    _write_b2b(paths[1], data)
    _write_b2e(paths[2], data)
    _write_targets(paths[3], make_targets(data))
    _write_esn(paths[4])
    return paths


def main() -> int:
    for path in generate(Path(__file__).resolve().parent):
        print(f"{path.name}: {path.stat().st_size / 1024:.0f} KiB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
