"""One selection, one number: a KPI over a window reads the same on every page, in the CLI and in the download.

The store: B2C clicks of 300, 400 and 500 in July, August and September 2026 (flow); B2E population
1 800 at the end of each month (stock) and 600, 700, 800 active users (distinct count); impressions
10 000 a month; one B2C survey over the third quarter (score). The window is July–September 2026.
"""

import io
import json

import pandas as pd
import pytest
from openpyxl import load_workbook
from test_metrics import make_store, obs, run_cli

from kpis import dashboard, metrics
from kpis.model import Filter

MONTHS = (("2026-07-01", "2026-07-31"), ("2026-08-01", "2026-08-31"), ("2026-09-01", "2026-09-30"))
ROWS = [
    *((s, e, "B2C", "(all)", "search", "(all)", "clicks", v)
      for (s, e), v in zip(MONTHS, (300, 400, 500), strict=True)),
    *((s, e, "B2C", "(all)", "search", "(all)", "impressions", 10_000) for s, e in MONTHS),
    *((s, e, "B2E", "(all)", "(all)", "(all)", "population", 1800) for s, e in MONTHS),
    *((s, e, "B2E", "(all)", "(all)", "(all)", "active_users", v) for (s, e), v in zip(MONTHS, (600, 700, 800),
                                                                                         strict=True)),
    *(("2026-07-01", "2026-09-30", "B2C", "(all)", "(all)", "(all)", kpi, v)
      for kpi, v in (("nps_promoters", 60), ("nps_detractors", 10), ("nps_respondents", 100))),
]
WINDOW = Filter(segments=("B2C", "B2E"), start=pd.Timestamp("2026-07-01").date(), end=pd.Timestamp("2026-09-30").date())

EXPECTED = {
    ("B2C", "clicks"): 1200.0,  # flow: 300 + 400 + 500
    ("B2C", "ctr"): 0.04,  # ratio of the window's components: 1 200 / 30 000
    ("B2E", "population"): 1800.0,  # stock: the value at the window's end
    ("B2E", "active_users"): 700.0,  # distinct count: mean of the three months (600 + 700 + 800) / 3
    ("B2E", "adoption_rate"): 700 / 1800,  # ratio: mean active users / end population = 38.9 %
    ("B2C", "nps"): 50.0,  # score: (60 − 10) / 100 × 100, the one survey ending in the window
}
SIDE_BY_SIDE = {"clicks": ("engagement", "external_value"), "nps": ("satisfaction", "external_value"),
                "population": ("audience", "internal_value"), "active_users": ("engagement", "internal_value")}
"""Where Côte à côte shows a KPI of ``EXPECTED``: its funnel stage and side."""


@pytest.fixture
def store(tmp_path):
    s = make_store(tmp_path, obs(*ROWS))
    s.set_targets(pd.DataFrame({"kpi": ["clicks", "adoption_rate"], "segment": ["B2C", "B2E"],
                                "period_start": ["2026-01-01", "2026-01-01"], "period_end": ["2026-12-31"] * 2,
                                "value": [4_000.0, 0.4]}))
    return s


@pytest.mark.parametrize(("segment", "kpi"), list(EXPECTED))
def test_cards_cli_and_status_table_agree(store, segment, kpi):
    view = metrics.cdo_view(store, WINDOW, "month", lang="fr")
    [card] = dashboard.cards(view, segment, (kpi,), "fr")
    assert card.raw_value == pytest.approx(EXPECTED[(segment, kpi)])
    world = metrics.cdo_view(store, Filter(segments=(segment,), start=WINDOW.start, end=WINDOW.end), "week")
    [world_card] = dashboard.cards(world, segment, (kpi,), "fr")  # the grain shapes charts, not the number
    assert world_card.raw_value == pytest.approx(card.raw_value)
    rows = json.loads(run_cli("report", "--store", str(store.path), "--view", "scorecard", "--format", "json",
                              "--from", "2026-07-01", "--to", "2026-09-30").stdout)
    [row] = [r for r in rows if r["segment"] == segment and r["kpi"] == kpi]
    assert row["value"] == pytest.approx(card.raw_value)
    assert (row["window_start"], row["window_end"]) == ("2026-07-01", "2026-09-30")
    # the page's Excel download: its first sheet holds the cards' numbers with their window
    book = load_workbook(io.BytesIO(dashboard.view_workbook(view, "fr")), read_only=True)
    sheet = book.worksheets[0]
    header, *lines = [list(r) for r in sheet.iter_rows(values_only=True) if any(v is not None for v in r)]
    header_row = next(i for i, r in enumerate([header, *lines]) if "Indicateur" in r)
    header, lines = [header, *lines][header_row], [header, *lines][header_row + 1:]
    [line] = [r for r in lines if r[header.index("Segment")] == dashboard.segment_label(segment, "fr")
              and r[header.index("Indicateur")] == dashboard.kpi_label(kpi, "fr")]
    assert sheet.title == "Synthèse" and line[header.index("Valeur")] == pytest.approx(card.raw_value)
    assert str(line[header.index("Du")])[:10] == "2026-07-01" and str(line[header.index("Au")])[:10] == "2026-09-30"
    if kpi in SIDE_BY_SIDE:  # Côte à côte
        stage, side = SIDE_BY_SIDE[kpi]
        assert view.side_by_side.set_index("stage").at[stage, side] == pytest.approx(card.raw_value)


def test_the_badge_and_the_status_table_are_one_status(store):
    view = metrics.cdo_view(store, WINDOW, "month", lang="en")
    cards = {c.kpi: c for c in dashboard.cards(view, "B2C", ("clicks",), "en")
             + dashboard.cards(view, "B2E", ("adoption_rate",), "en")}
    table = view.targets.set_index("kpi")
    # clicks: 4 000 a year prorated over 3 months = 1 000; 1 200 / 1 000 = 120 % → green
    assert table.at["clicks", "attainment"] == pytest.approx(1.2) and cards["clicks"].status == "green"
    # adoption: 38.9 % against 40 % → 97.2 % → amber, on the card as in the table
    assert table.at["adoption_rate", "attainment"] == pytest.approx((700 / 1800) / 0.4)
    assert cards["adoption_rate"].status == table.at["adoption_rate", "status"] == "amber"


def test_side_by_side_shows_the_card_numbers(store):
    view = metrics.cdo_view(store, WINDOW, "month", lang="en")
    sbs = view.side_by_side.set_index("stage")
    assert sbs.at["engagement", "external_value"] == pytest.approx(1200)  # clicks, as on the card
    assert sbs.at["engagement", "internal_value"] == pytest.approx(700)  # active users, as on the card


def test_a_twelve_month_window_compares_stocks_and_distinct_counts_with_the_year_before(tmp_path):
    # 24 months of population (1 000 + 10 a month) and active users (500 + 5 a month), October 2024 – September 2026
    months = pd.period_range("2024-10", "2026-09", freq="M")
    rows = [(str(m.start_time.date()), str(m.end_time.date()), "B2E", "(all)", "(all)", "(all)", kpi, base + step * i)
            for i, m in enumerate(months) for kpi, base, step in (("population", 1000, 10), ("active_users", 500, 5))]
    store = make_store(tmp_path, obs(*rows))
    flt = Filter(segments=("B2E",), start=pd.Timestamp("2025-10-01").date(), end=pd.Timestamp("2026-09-30").date())
    sc = metrics.scorecard(metrics.fetch(store, flt), flt).set_index("kpi")
    # population at the window's end (month 23): 1 230; a year earlier (month 11): 1 110; the previous window of
    # twelve months is that same year: both comparisons are 1 110
    assert (sc.at["population", "value"], sc.at["population", "previous_year"]) == (1230, 1110)
    assert sc.at["population", "previous"] == 1110
    # active users: mean of months 12–23 = 500 + 5 × 17.5 = 587.5; of months 0–11 = 500 + 5 × 5.5 = 527.5
    assert sc.at["active_users", "value"] == pytest.approx(587.5)
    assert sc.at["active_users", "previous_year"] == pytest.approx(527.5)


def test_the_world_download_holds_every_observation_of_the_demo(tmp_path):
    import io

    from openpyxl import load_workbook

    from kpis import demo
    from kpis.store import Store

    store = Store(tmp_path / "demo.duckdb")
    demo.seed(store)
    flt = Filter(segments=("B2C", "B2B"))
    observations = store.observations(flt)
    detail = dashboard.detail_frame(observations, store.batches(), "fr")
    # the 36 demo months of the external world are more rows than a page shows: nothing may be cut
    assert len(detail) == len(observations) > dashboard.DETAIL_ROWS_SHOWN
    assert detail["Début"].iloc[0] == max(detail["Début"])  # the most recent first
    view = metrics.cdo_view(store, flt, "month")
    book = load_workbook(io.BytesIO(dashboard.view_workbook(view, "fr", {"Détail": detail})), read_only=True)
    sheet = next(ws for ws in book.worksheets if ws.title.startswith("Détail"))
    data_rows = sum(1 for row in sheet.iter_rows(values_only=True) if isinstance(row[7], (int, float)))
    assert data_rows == len(observations)


def test_a_survey_counts_whole_in_the_window_holding_its_end(tmp_path):
    # quarterly B2C surveys: Q2 (April–June) 50 promoters, 20 detractors, 100 respondents (NPS 30);
    # Q3 (July–September) 60 / 10 / 100 (NPS 50); Q4 (October–December) 70 / 5 / 100 (NPS 65)
    surveys = {("2026-04-01", "2026-06-30"): (50, 20), ("2026-07-01", "2026-09-30"): (60, 10),
               ("2026-10-01", "2026-12-31"): (70, 5)}
    rows = [(s, e, "B2C", "(all)", "(all)", "(all)", kpi, v) for (s, e), (pro, det) in surveys.items()
            for kpi, v in (("nps_promoters", pro), ("nps_detractors", det), ("nps_respondents", 100))]
    store = make_store(tmp_path, obs(*rows))
    flt = Filter(segments=("B2C",), start=pd.Timestamp("2026-08-01").date(), end=pd.Timestamp("2026-12-31").date())
    native = metrics.fetch(store, flt)
    sc = metrics.scorecard(native, flt).set_index("kpi")
    # August–December holds the ends of Q3 and Q4, whole (Q3 started before the window), not Q2's:
    # (60 + 70 − 10 − 5) / (100 + 100) × 100 = 57.5 — prorating Q3 by 61/92 days would give another number
    assert sc.at["nps", "value"] == pytest.approx(57.5)
    assert sc.at["nps", "basis"] == "2 enquêtes : T3 2026, T4 2026"  # what the card says under the number
    table = metrics.kpi_table(native, flt, "month")
    nps = table[(table["kpi"] == "nps") & table["value"].notna()]
    # by month, each survey appears once, in the month of its end
    assert nps["period"].tolist() == ["2026-09", "2026-12"]
    assert nps["value"].tolist() == pytest.approx([50.0, 65.0])


def test_a_rate_above_100_percent_is_an_anomaly_never_a_target_met(tmp_path):
    # 50 clicks but 274 conversions in September (one tool's events over another tool's clicks): 548 %
    rows = [("2026-09-01", "2026-09-30", "B2C", "(all)", "(all)", "(all)", "clicks", 50),
            ("2026-09-01", "2026-09-30", "B2C", "(all)", "(all)", "(all)", "conversions", 274)]
    store = make_store(tmp_path, obs(*rows))
    store.set_targets(pd.DataFrame({"kpi": ["conversion_rate"], "segment": ["B2C"], "period_start": ["2026-01-01"],
                                    "period_end": ["2026-12-31"], "value": [0.05]}))
    flt = Filter(segments=("B2C",), start=pd.Timestamp("2026-09-01").date(), end=pd.Timestamp("2026-09-30").date())
    view = metrics.cdo_view(store, flt, "month", lang="fr")
    [card] = dashboard.cards(view, "B2C", ("conversion_rate",), "fr")
    assert card.raw_value == pytest.approx(274 / 50)
    assert (card.status, card.delta, card.delta_color) == (None, "anomalie", "red")  # not "548 % Atteint"
    row = view.targets.set_index("kpi").loc["conversion_rate"]
    assert row["status"] is None and pd.isna(row["attainment"])
    assert row["target_basis"].startswith("au-delà de 100 %")


def test_a_win_rate_above_100_percent_is_a_real_value_and_is_rated(tmp_path):
    # 12 deals won in September, partly from opportunities opened in August, over 10 opportunities opened in
    # September: 12 / 10 = 120 %, a real figure (two cohorts), rated against its 25 % target: 120 / 25 = 480 %
    rows = [("2026-09-01", "2026-09-30", "B2B", "(all)", "(all)", "(all)", "won_deals", 12),
            ("2026-09-01", "2026-09-30", "B2B", "(all)", "(all)", "(all)", "opportunities", 10)]
    store = make_store(tmp_path, obs(*rows))
    store.set_targets(pd.DataFrame({"kpi": ["win_rate"], "segment": ["B2B"], "period_start": ["2026-01-01"],
                                    "period_end": ["2026-12-31"], "value": [0.25]}))
    flt = Filter(segments=("B2B",), start=pd.Timestamp("2026-09-01").date(), end=pd.Timestamp("2026-09-30").date())
    view = metrics.cdo_view(store, flt, "month", lang="fr")
    [card] = dashboard.cards(view, "B2B", ("win_rate",), "fr")
    assert card.raw_value == pytest.approx(1.2)
    assert card.delta != "anomalie" and card.status == "green"
    row = view.targets.set_index("kpi").loc["win_rate"]
    assert row["attainment"] == pytest.approx(4.8) and row["status"] == "green"


def test_a_card_cut_like_for_like_says_over_how_many_first_days(tmp_path):
    # clicks reach 15 September 2026 only; September 2025 is complete: the card compares the first 15 days of
    # each (150 vs 30 × 10 × 15 / 30 = 150 prorated: unchanged) and says so in words
    rows = [(f"2026-09-{d:02d}", f"2026-09-{d:02d}", "B2C", "(all)", "(all)", "(all)", "clicks", 10)
            for d in range(1, 16)] + [("2025-09-01", "2025-09-30", "B2C", "(all)", "(all)", "(all)", "clicks", 300)]
    store = make_store(tmp_path, obs(*rows))
    flt = Filter(segments=("B2C",), start=pd.Timestamp("2026-09-01").date(), end=pd.Timestamp("2026-09-30").date())
    view = metrics.cdo_view(store, flt, "month", lang="fr")
    [fr] = dashboard.cards(view, "B2C", ("clicks",), "fr", compare="year")
    [en] = dashboard.cards(view, "B2C", ("clicks",), "en", compare="year")
    assert fr.raw_value == 150 and fr.delta_description.endswith(" (sur les 15 premiers jours)")
    assert en.delta_description.endswith(" (over the first 15 days)")
