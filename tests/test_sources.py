"""Combining sources: ratios from matched components only, one reference origin for stocks and head counts.

Each store here is a real DuckDB file; the batches carry the origins real imports give them.
"""

import io
import json

import pandas as pd
import pytest
from formats_files import viva_user_detail_csv
from openpyxl import load_workbook
from test_metrics import obs, run_cli

from kpis import dashboard, demo, metrics
from kpis.model import Filter
from kpis.store import Store


def add(store: Store, origin: str, *rows) -> None:
    o = obs(*rows)
    store.import_batch(o, file_name=f"{origin}.csv", sheets=["Feuil1"], origin=origin, sha256=f"sha-{origin}",
                       rows_read=len(o), rows_kept=len(o), rows_rejected=0, parser_version="1")


SEPTEMBER = Filter(segments=("B2C",), start=pd.Timestamp("2026-09-01").date(), end=pd.Timestamp("2026-09-30").date())


@pytest.fixture
def two_tools(tmp_path):
    """Google Ads gives clicks, impressions and cost of two campaigns; GA4 gives conversions and revenue."""
    store = Store(tmp_path / "s.duckdb")
    day = ("2026-09-01", "2026-09-30", "B2C", "FR", "search")
    add(store, "google_ads_campaign",
        (*day, "C1", "clicks", 400), (*day, "C1", "impressions", 10_000), (*day, "C1", "cost", 800),
        (*day, "C2", "clicks", 100), (*day, "C2", "impressions", 5_000), (*day, "C2", "cost", 200))
    add(store, "ga4", ("2026-09-01", "2026-09-30", "B2C", "FR", "(all)", "(all)", "conversions", 274),
        ("2026-09-01", "2026-09-30", "B2C", "FR", "(all)", "(all)", "revenue", 5_000))
    return store


def test_a_conversion_rate_of_one_tool_over_another_has_no_value_and_says_why(two_tools):
    sc = metrics.scorecard(metrics.fetch(two_tools, SEPTEMBER), SEPTEMBER, lang="fr").set_index("kpi")
    # 274 GA4 conversions over 500 Google Ads clicks would read 54.8 %: no series holds both
    assert pd.isna(sc.at["conversion_rate", "value"])
    assert sc.at["conversion_rate", "reason"] == \
        "Conversions : Google Analytics 4 ; Clics : Google Ads — pas de source commune"
    # ROAS: GA4 revenue over Google Ads cost, the same: no value
    assert pd.isna(sc.at["roas", "value"]) and "pas de source commune" in sc.at["roas", "reason"]
    # CTR: clicks and impressions of the same campaigns, (400 + 100) / (10 000 + 5 000) = 3.33 %
    assert sc.at["ctr", "value"] == pytest.approx(500 / 15_000)
    # the flows themselves are each tool's own: 500 clicks, 274 conversions
    assert (sc.at["clicks", "value"], sc.at["conversions", "value"]) == (500, 274)


def test_the_cli_scorecard_says_why_a_ratio_has_no_value(two_tools):
    out = run_cli("report", "--store", str(two_tools.path), "--view", "scorecard", "--format", "json",
                  "--segments", "B2C", "--from", "2026-09-01", "--to", "2026-09-30")
    rows = {r["kpi"]: r for r in json.loads(out.stdout) if r["segment"] == "B2C"}
    assert rows["conversion_rate"]["value"] is None
    assert rows["conversion_rate"]["reason"] == "Conversions: Google Analytics 4; Clicks: Google Ads — no common source"
    assert rows["ctr"]["value"] == pytest.approx(500 / 15_000) and rows["ctr"]["reason"] is None


def test_roas_divides_the_revenue_and_cost_of_the_same_campaigns_only(tmp_path):
    store = Store(tmp_path / "s.duckdb")
    day = ("2026-09-01", "2026-09-30", "B2C", "FR")
    # Google Ads: C1 cost 1 000 € with 4 000 € of conversion value; C2 cost 500 € and no value column
    add(store, "google_ads_campaign", (*day, "search", "C1", "cost", 1_000), (*day, "search", "C1", "revenue", 4_000),
        (*day, "search", "C2", "cost", 500))
    # Meta: spend 2 000 € on M1, its revenue 3 000 €; GA4: 10 000 € of revenue on the site, no cost
    add(store, "meta_ads", (*day, "social", "M1", "cost", 2_000), (*day, "social", "M1", "revenue", 3_000))
    add(store, "ga4", (*day, "(all)", "(all)", "revenue", 10_000))
    sc = metrics.scorecard(metrics.fetch(store, SEPTEMBER), SEPTEMBER).set_index("kpi")
    # matched: C1 (4 000 / 1 000) and M1 (3 000 / 2 000): (4 000 + 3 000) / (1 000 + 2 000) = 2.333 ×;
    # C2 (cost, no revenue) and GA4 (revenue, no cost) stay out. All revenue over all cost would be 17 000 / 3 500
    assert sc.at["roas", "value"] == pytest.approx(7_000 / 3_000)
    assert sc.at["cost", "value"] == 3_500  # the flow itself is every campaign's cost


@pytest.fixture
def demo_and_viva(tmp_path):
    """The demo's monthly B2E workbook, then a Viva Engage per-user report (a 30-day window) imported beside it."""
    store = Store(tmp_path / "s.duckdb")
    demo.seed(store)
    data, name = viva_user_detail_csv(bad_row=False)
    text = data.decode("utf-8-sig").replace("2026-09-30", "2026-10-31").replace("2026-09-", "2026-10-")
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return store, path


TWELVE_MONTHS = Filter(start=pd.Timestamp("2025-11-01").date(), end=pd.Timestamp("2026-10-31").date())
B2E_TWELVE = Filter(segments=("B2E",), start=TWELVE_MONTHS.start, end=TWELVE_MONTHS.end)


def surfaces(store: Store) -> dict[str, float]:
    """Active users and adoption of B2E over the twelve months, as each page, the CLI and the download read them."""
    out = {}
    cdo = metrics.cdo_view(store, TWELVE_MONTHS, "month", lang="fr")
    for kpi in ("active_users", "adoption_rate"):
        [card] = dashboard.cards(cdo, "B2E", (kpi,), "fr")
        out[f"cdo {kpi}"] = card.raw_value
    world = metrics.cdo_view(store, B2E_TWELVE, "month", lang="fr")
    for kpi in ("active_users", "adoption_rate"):
        [card] = dashboard.cards(world, "B2E", (kpi,), "fr")
        out[f"world {kpi}"] = card.raw_value
    sbs = cdo.side_by_side.set_index("stage")
    out["side by side active_users"] = sbs.at["engagement", "internal_value"]
    out["side by side adoption"] = sbs.at["funnel_engagement_rate", "internal_value"]
    status = world.targets.set_index("kpi")
    out["status active_users"] = status.at["active_users", "actual"]
    rows = json.loads(run_cli("report", "--store", str(store.path), "--view", "scorecard", "--format", "json",
                              "--segments", "B2E", "--from", "2025-11-01", "--to", "2026-10-31").stdout)
    for r in rows:
        if r["kpi"] in ("active_users", "adoption_rate"):
            out[f"cli {r['kpi']}"] = r["value"]
    book = load_workbook(io.BytesIO(dashboard.view_workbook(world, "fr")), read_only=True)
    lines = [r for r in book["Synthèse"].iter_rows(values_only=True)]
    header = next(r for r in lines if r and "Indicateur" in r)
    labels = {dashboard.kpi_label(k, "fr"): k for k in ("active_users", "adoption_rate")}
    for r in lines:
        if r[header.index("Indicateur")] in labels and r[header.index("Segment")] == "B2E":
            out[f"excel {labels[r[header.index('Indicateur')]]}"] = r[header.index("Valeur")]
    return out


def test_a_community_report_beside_the_monthly_workbook_changes_no_number(demo_and_viva):
    store, viva = demo_and_viva
    before = surfaces(store)
    out = run_cli("import", str(viva), "--store", str(store.path), "--segment", "B2E")
    assert out.returncode == 0, out.stdout + out.stderr
    assert any(b["origin"] == "m365_viva_engage_user_detail" for b in store.batches())
    after = surfaces(store)
    # the demo's own figures, read before the import: the Viva report's 8 active people (a 30-day window over
    # October) are a different population and are never averaged with the group's monthly figures
    assert after == pytest.approx(before)
    # eleven readings (two cards on two pages, Côte à côte, the status table, the CLI, the download), two numbers
    assert len(before) == 11
    active = [v for k, v in before.items() if "active" in k]
    adoption = [v for k, v in before.items() if "adoption" in k]
    assert len(active) + len(adoption) == 11
    assert active == pytest.approx([active[0]] * len(active))
    assert adoption == pytest.approx([adoption[0]] * len(adoption))
    # the card says where its number comes from, and that another source was left aside
    world = metrics.cdo_view(store, B2E_TWELVE, "month", lang="fr")
    [card] = dashboard.cards(world, "B2E", ("active_users",), "fr")
    assert "Source : usage-" in card.help and "Viva Engage (utilisateurs)" in card.help
    # by source: the Viva community's own active users, 8 (see formats_files), beside the reference's
    by = metrics.by_source(metrics.fetch(store, B2E_TWELVE), B2E_TWELVE, "fr")
    active = by[by["kpi"] == "active_users"].set_index("origin")
    assert active.at["m365_viva_engage_user_detail", "value"] == 8
    assert bool(active["reference"].sum() == 1) and not active.at["m365_viva_engage_user_detail", "reference"]
    assert active.loc[active["reference"], "value"].iloc[0] == pytest.approx(before["cdo active_users"])
    # shown as a person names them: the demo workbook by its file, Viva by its format
    shown = dashboard.by_source_frame(by, "fr", dashboard.source_names(store.batches()))
    rows = shown[shown["Indicateur"] == dashboard.kpi_label("active_users", "fr")]["Source"].tolist()
    assert rows == ["★ interne_b2e.xlsx", "Viva Engage (utilisateurs)"]
    # the breakdown by entity follows the headline's source: the Viva departments are not entities of the group
    bd = metrics.breakdown(metrics.fetch(store, B2E_TWELVE, by=("entity",)), "entity", B2E_TWELVE, n=50)
    assert not set(bd.loc[bd["kpi"] == "active_users", "entity"]) & {"Finance", "(other)"}


def test_a_reference_source_chosen_by_a_person_is_the_headline(demo_and_viva):
    store, viva = demo_and_viva
    assert run_cli("import", str(viva), "--store", str(store.path), "--segment", "B2E").returncode == 0
    october = Filter(segments=("B2E",), start=pd.Timestamp("2026-10-01").date(),
                     end=pd.Timestamp("2026-10-31").date())
    store.set_reference_origin("B2E", "active_users", "m365_viva_engage_user_detail", by="cdo")
    sc = metrics.scorecard(metrics.fetch(store, october), october).set_index("kpi")
    # the Viva report alone: 8 active people in its window ending 31 October
    assert sc.at["active_users", "value"] == 8
    assert sc.at["active_users", "source"] == "m365_viva_engage_user_detail"
    store.set_reference_origin("B2E", "active_users", None)
    sc = metrics.scorecard(metrics.fetch(store, october), october).set_index("kpi")
    assert sc.at["active_users", "source"].startswith("usage-")  # back to the best coverage: the workbook
    choices = dashboard.reference_choices(store.kpi_origins(), store.reference_origins())
    assert ("B2E", "active_users") in set(zip(choices["segment"], choices["kpi"], strict=True))


def test_the_reference_is_the_origin_covering_most_of_the_window():
    # monthly workbook W covers July–September (92 days); report R three overlapping 28-day windows in
    # September (Sept 3–30, Sept 1–28, Aug 20–Sept 16): their union Aug 20–Sept 30 is 42 days, 42 < 92,
    # though the three rows add up to 84 days; R ends later (Sept 30 = W's end), so coverage decides
    native = pd.DataFrame({
        "period_start": pd.to_datetime(["2026-07-01", "2026-08-01", "2026-09-01", "2026-09-03", "2026-09-01",
                                        "2026-08-20"]),
        "period_end": pd.to_datetime(["2026-07-31", "2026-08-31", "2026-09-30", "2026-09-30", "2026-09-28",
                                      "2026-09-16"]),
        "segment": "B2E", "kpi": "active_users", "value": [600.0, 700.0, 800.0, 40.0, 45.0, 50.0],
        "n": 1, "origin": ["W", "W", "W", "R", "R", "R"], "preferred": False})
    flt = Filter(segments=("B2E",), start=pd.Timestamp("2026-07-01").date(), end=pd.Timestamp("2026-09-30").date())
    sc = metrics.scorecard(native, flt).set_index("kpi")
    assert sc.at["active_users", "source"] == "W" and sc.at["active_users", "other_sources"] == "R"
    assert sc.at["active_users", "value"] == pytest.approx(700)  # (600 + 700 + 800) / 3, R never averaged in


def test_the_store_and_the_pandas_contract_match_the_same_parts(two_tools):
    # the SQL (entity_totals, and the raw path a channel filter takes) and pandas agree on every origin and part:
    # ctr~clicks 500 and ctr~impressions 15 000 (both campaigns), no conversion_rate part (no series has both)
    observations = two_tools.observations(Filter())
    origins = {b["id"]: b["origin"] for b in two_tools.batches()}
    observations["origin"] = observations["batch_id"].map(origins)
    cols = ["period_start", "period_end", "segment", "kpi", "origin", "value", "n"]
    for flt in (Filter(), Filter(channels=("search", "(all)"))):
        sql = two_tools.native_totals(flt, sources=True)[cols].sort_values(cols[:5]).reset_index(drop=True)
        pandas = metrics.native_totals_from_observations(observations, flt, sources=True)[cols]
        pandas = pandas.sort_values(cols[:5]).reset_index(drop=True)
        pd.testing.assert_frame_equal(sql, pandas, check_dtype=False)
        parts = sql[sql["kpi"].str.contains("~")].set_index("kpi")["value"]
        assert (parts["ctr~clicks"], parts["ctr~impressions"]) == (500, 15_000)
        assert not any(k.startswith("conversion_rate~") for k in parts.index)
