"""What the dashboard pages show, computed from a small store whose every value is known."""

from datetime import date

import pandas as pd
import pytest

from kpis import dashboard, metrics
from kpis.model import Filter
from kpis.store import Store

NNBSP, NBSP = "\u202f", "\u00a0"


def obs(rows):
    frame = pd.DataFrame(rows, columns=["period_start", "period_end", "segment", "entity", "channel", "initiative",
                                        "kpi", "value"])
    frame["period_start"] = pd.to_datetime(frame["period_start"])
    frame["period_end"] = pd.to_datetime(frame["period_end"])
    return frame


@pytest.fixture
def store(tmp_path):
    s = Store(tmp_path / "s.duckdb")
    rows = []
    for month, (clicks, conv, cost) in {"2026-08": (1000, 50, 500.0), "2026-09": (1200, 80, 560.0)}.items():
        start = pd.Timestamp(month + "-01")
        end = start + pd.offsets.MonthEnd(0)
        for camp, share in (("Rentrée", 0.75), ("Soldes", 0.25)):
            rows += [(start, end, "B2C", "FR", "search", camp, "clicks", clicks * share),
                     (start, end, "B2C", "FR", "search", camp, "conversions", conv * share),
                     (start, end, "B2C", "FR", "search", camp, "cost", cost * share),
                     (start, end, "B2C", "FR", "search", camp, "impressions", clicks * share * 40)]
    s.import_batch(obs(rows), file_name="ads.xlsx", sha256="a")
    s.set_targets(pd.DataFrame({"kpi": ["cpa", "clicks"], "segment": ["B2C", "B2C"],
                                "period_start": ["2026-01-01", "2026-01-01"],
                                "period_end": ["2026-12-31", "2026-12-31"],
                                "value": [6.0, 14_600.0]}))
    return s


FLT = Filter(segments=("B2C",), start=date(2026, 8, 1), end=date(2026, 9, 30))


def test_cards_show_the_whole_window_and_say_what_it_covers(store):
    view = metrics.cdo_view(store, FLT, "month", lang="fr")
    cards = {c.kpi: c for c in dashboard.cards(view, "B2C", ("clicks", "cpa", "ctr"), "fr")}
    # clicks over August–September: 1 000 + 1 200 = 2 200 (not September's 1 200); June–July has no data
    assert (cards["clicks"].value, cards["clicks"].delta) == (f"2{NNBSP}200", None)
    # CPA over the window from its components: (500 + 560) / (50 + 80) = 8,15 €
    assert cards["cpa"].value == f"8,15{NBSP}€"
    assert "cumul du 01/08/2026 au 30/09/2026" in cards["clicks"].help
    assert cards["clicks"].sparkline == (1000.0, 1200.0)
    assert "baisse = favorable" in cards["cpa"].help
    # the badge is the status table's: CPA 6 / 8.15 = 73.6 % (red), clicks 2 200 / 2 433 = 90.4 % (amber)
    table = view.targets.set_index("kpi")
    assert (cards["cpa"].status, cards["clicks"].status) == (table.at["cpa", "status"], table.at["clicks", "status"])
    assert (cards["cpa"].status, cards["clicks"].status) == ("red", "amber")
    # the same number on Côte à côte (clicks is the engagement stage of B2C)
    sbs = view.side_by_side
    assert sbs.loc[sbs["stage"] == "engagement", "external_value"].iloc[0] == 2200


def test_cards_compare_with_the_previous_window_and_colour_by_direction(store):
    september = Filter(segments=("B2C",), start=date(2026, 9, 1), end=date(2026, 9, 30))
    view = metrics.cdo_view(store, september, "month", lang="fr")
    cards = {c.kpi: c for c in dashboard.cards(view, "B2C", ("clicks", "cpa", "ctr"), "fr")}
    # clicks: 1 200 in September, +200 vs August (the previous window of one month): up and good
    assert (cards["clicks"].value, cards["clicks"].delta) == (f"1{NNBSP}200", "+200")
    assert (cards["clicks"].delta_color, cards["clicks"].delta_arrow) == ("green", "up")
    # CPA: 560 / 80 = 7,00 € in September, 500 / 50 = 10,00 € in August: down 3 € and that is good (green)
    assert (cards["cpa"].value, cards["cpa"].delta) == (f"7,00{NBSP}€", f"−3,00{NBSP}€")
    assert (cards["cpa"].delta_color, cards["cpa"].delta_arrow) == ("green", "down")
    # CTR is clicks / impressions = 1 / 40 both months: 2,5 %, no change shown in grey
    assert cards["ctr"].value == f"2,5{NNBSP}%" and cards["ctr"].delta_color == "gray"
    assert cards["clicks"].sparkline == (1200.0,)  # the window's buckets only
    assert cards["clicks"].delta_description == "vs période précédente"
    assert "vs période précédente (01/08/2026 – 31/08/2026) : +200 (+20,0\u202f%)" in cards["clicks"].help
    # CPA 10 € → 7 €: −3 € and −30 % (€ and × KPIs have a relative change too)
    assert f"−3,00{NBSP}€ (−30,0\u202f%)" in cards["cpa"].help


def test_status_table_lists_targets_worst_first(store):
    view = metrics.cdo_view(store, FLT, "month", lang="en")
    table = dashboard.status_table(view.targets, "en")
    # CPA over Aug–Sep = (500 + 560) / (50 + 80) = 8.15 € against 6 €: attainment 6 / 8.15 = 73.6 %, red.
    # Clicks 2 200 against 14 600 a year prorated over 2 months (14 600 × 2 / 12 = 2 433): 90.4 %, amber.
    assert table["KPI"].tolist() == ["Cost per acquisition (CPA)", "Clicks"]
    assert table["Status"].tolist() == ["Behind", "Close"]
    assert table["Attainment"].tolist() == ["73.6%", "90.4%"]


def test_trend_frame_prorates_a_yearly_flow_target_by_days(store):
    view = metrics.cdo_view(store, FLT, "month", lang="fr")
    frame = dashboard.trend_frame(view.table, "clicks", store.targets(), "fr")
    # 14 600 a year = 40 a day: August and September have 31 and 30 days
    assert frame["target"].tolist() == pytest.approx([1240.0, 1200.0])
    assert frame["value"].tolist() == [1000.0, 1200.0]


def test_breakdown_frame_ranks_members_and_never_shows_all(store):
    nb = metrics.fetch(store, FLT, "month", by=("initiative",))
    bd = metrics.breakdown(nb, "initiative", FLT, n=5, lang="fr")
    frame = dashboard.breakdown_frame(bd, "clicks", "B2C", "initiative")
    # Rentrée 750 + 900 = 1 650, Soldes 250 + 300 = 550: shares 75 % and 25 %
    assert frame["name"].tolist() == ["Rentrée", "Soldes"]
    assert frame["share"].tolist() == pytest.approx([0.75, 0.25])
    extra = pd.concat([bd, bd.iloc[:1].assign(initiative="(all)")], ignore_index=True)
    assert "(all)" not in dashboard.breakdown_frame(extra, "clicks", "B2C", "initiative")["name"].tolist()


def test_funnel_table_names_each_world_own_kpis():
    funnel = pd.DataFrame({"segment": ["B2C", "B2E", "B2C", "B2E"],
                           "stage": ["engagement", "engagement", "rate", "rate"],
                           "kpi": ["clicks", "active_users", "funnel_engagement_rate", "funnel_engagement_rate"],
                           "value": [1200.0, 700.0, 0.025, 0.6], "unit": ["count", "count", "%", "%"]})
    table = dashboard.funnel_table(funnel, "fr")
    assert table.loc["Engagement"].tolist() == [f"Clics : 1{NNBSP}200", "Utilisateurs actifs : 700"]
    assert table.loc["Taux d'engagement"].tolist() == [f"Taux de clic (CTR) : 2,5{NNBSP}%",
                                                       f"Taux d'adoption : 60,0{NNBSP}%"]


def test_target_badge_shows_attainment_first():
    assert dashboard.status_label("amber", "fr", 0.9432) == f":orange-badge[94{NNBSP}%]"
    assert dashboard.status_label("green", "en") == ":green-badge[On target]"
    assert dashboard.status_label(None, "fr", 1.2) == ""


# --- the two worlds, declared once as data -----------------------------------------------------------------


def test_the_worlds_split_the_segments_and_name_their_own_things():
    from kpis import i18n
    from kpis.catalog import KPIS
    from kpis.model import SEGMENTS

    assert [w.segments for w in dashboard.WORLDS] == [("B2C", "B2B"), ("B2E",)]
    assert sorted(s for w in dashboard.WORLDS for s in w.segments) == sorted(SEGMENTS)
    assert len({w.key for w in dashboard.WORLDS}) == len({w.file_name for w in dashboard.WORLDS}) == 2
    for world in dashboard.WORLDS:
        for key in (world.initiative_label, world.top_title):
            assert i18n.t(key, "fr") != i18n.t(key, "en"), key  # a label in both languages
        for kpi in world.kpis:  # each KPI exists in one of the world's segments
            assert set(KPIS[kpi].segments) & set(world.segments), (world.key, kpi)
        # the top-initiatives fallback is a flow of the world: it always has a breakdown by initiative
        assert world.top_fallback in world.kpis and KPIS[world.top_fallback].aggregation == "flow"
    assert (i18n.t(dashboard.EXTERNAL_WORLD.initiative_label, "fr"), i18n.t(dashboard.INTERNAL_WORLD.top_title, "en")) \
        == ("Campagne", "Most active collaborative spaces")
    assert (dashboard.EXTERNAL_WORLD.profile_segment, dashboard.INTERNAL_WORLD.profile_segment) == (None, "B2E")


@pytest.mark.parametrize("selected, world, expected", [
    (("B2C", "B2E"), "EXTERNAL_WORLD", ("B2C",)),  # the selected segments of the world
    (("B2C", "B2E"), "INTERNAL_WORLD", ("B2E",)),
    (("B2E",), "EXTERNAL_WORLD", ("B2C", "B2B")),  # none of them selected: the whole world
    (("B2B", "B2C"), "EXTERNAL_WORLD", ("B2B", "B2C")),  # the selection's order is kept
])
def test_a_world_restricts_the_filter_to_its_segments(selected, world, expected):
    flt = Filter(segments=selected, start=date(2026, 1, 1), entities=("FR",))
    restricted = getattr(dashboard, world).restrict(flt)
    assert restricted.segments == expected
    assert (restricted.start, restricted.entities) == (date(2026, 1, 1), ("FR",))  # the rest is untouched


def test_headline_segment_merges_several_segments():
    assert [dashboard.headline_segment(s) for s in (("B2E",), ("B2C", "B2B"), ("B2C", "B2B", "B2E"))] \
        == ["B2E", "ALL", "ALL"]


def test_kpis_with_values_keeps_the_candidates_order(store):
    view = metrics.cdo_view(store, FLT, "month", lang="fr")
    # the store has clicks, conversions, cost and impressions (so CTR and CPA too), no leads and no NPS
    assert dashboard.kpis_with_values(view.table, ("nps", "cpa", "leads", "clicks", "ctr")) == ["cpa", "clicks", "ctr"]
    assert dashboard.kpis_with_values(view.table, ("leads", "nps")) == []


def test_world_trend_frame_leaves_out_the_merged_segment(store):
    view = metrics.cdo_view(store, Filter(segments=("B2C", "B2B"), start=FLT.start, end=FLT.end), "month", lang="fr")
    assert set(view.table["segment"]) == {"B2C", "ALL"}  # the merged rows a multi-segment view carries
    frame = dashboard.world_trend_frame(view.table, "clicks", store.targets(), "fr")
    # B2C clicks only, once per month (August 1 000, September 1 200), with the prorated target 40 a day
    assert frame["segment"].tolist() == ["B2C", "B2C"]
    assert frame["value"].tolist() == [1000.0, 1200.0]
    assert frame["target"].tolist() == pytest.approx([1240.0, 1200.0])


def test_breakdown_or_fallback_ranks_the_fallback_when_the_kpi_has_no_member(store):
    bd = metrics.breakdown(metrics.fetch(store, FLT, "month", by=("initiative",)), "initiative", FLT, n=5, lang="fr")
    # conversions by campaign: Rentrée 37,5 + 60 = 97,5, Soldes 12,5 + 20 = 32,5
    kpi, frame = dashboard.breakdown_or_fallback(bd, "conversions", "B2C", "initiative", fallback="clicks")
    expected = ("conversions", ["Rentrée", "Soldes"], [97.5, 32.5])
    assert (kpi, frame["name"].tolist(), frame["value"].tolist()) == expected
    # no leads by campaign (as a population has no space): the campaigns are ranked by clicks, 1 650 and 550
    kpi, frame = dashboard.breakdown_or_fallback(bd, "leads", "B2C", "initiative", fallback="clicks")
    assert (kpi, frame["value"].tolist(), frame["share"].tolist()) == ("clicks", [1650.0, 550.0], [0.75, 0.25])
    kpi, frame = dashboard.breakdown_or_fallback(bd, None, "B2C", "initiative", fallback="clicks")
    assert (kpi, frame["name"].tolist()) == ("clicks", ["Rentrée", "Soldes"])
    kpi, frame = dashboard.breakdown_or_fallback(bd, None, "B2C", "initiative")
    assert kpi is None and frame.empty and frame.columns.tolist() == ["name", "value", "share"]
    kpi, frame = dashboard.breakdown_or_fallback(bd, "leads", "B2B", "initiative", fallback="clicks")
    assert kpi == "clicks" and frame.empty  # no B2B data at all: nothing to show


@pytest.fixture
def two_years(tmp_path):
    """B2C clicks: 800 in September 2025, 1 000 in August 2026, 1 200 in September 2026, then 10 a day from 1 to
    20 October 2026; B2E active users 700 (August) and 800 (September 2026), population 1 000 both months."""
    s = Store(tmp_path / "y.duckdb")
    rows = [(start, pd.Timestamp(start) + pd.offsets.MonthEnd(0), "B2C", "FR", "search", "(all)", "clicks", v)
            for start, v in (("2025-09-01", 800), ("2026-08-01", 1000), ("2026-09-01", 1200))]
    rows += [(d, d, "B2C", "FR", "search", "(all)", "clicks", 10) for d in pd.date_range("2026-10-01", "2026-10-20")]
    rows += [(start, pd.Timestamp(start) + pd.offsets.MonthEnd(0), "B2E", "FR", "intranet", "(all)", kpi, v)
             for start, kpi, v in (("2026-08-01", "active_users", 700), ("2026-09-01", "active_users", 800),
                                   ("2026-08-01", "population", 1000), ("2026-09-01", "population", 1000))]
    s.import_batch(obs(rows), file_name="mix.xlsx", sha256="y")
    return s


def _view(store, flt, grain_="month"):
    from kpis import grain

    return grain.with_data_grain(metrics.cdo_view(store, flt, grain_, lang="fr"), metrics.fetch(store, flt, grain_),
                                 flt)


@pytest.mark.parametrize(("compare", "delta", "description"), [
    ("previous", "+200", "vs période précédente"),  # September 2026 vs August 2026: 1 200 − 1 000
    ("year", "+400", "vs N-1"),  # September 2026 vs September 2025: 1 200 − 800
    (None, "+200", "vs période précédente"),  # a one-month window: the previous one by default
    ("bogus", "+200", "vs période précédente"),  # an unknown code is the default, not an error
])
def test_cards_show_the_comparison_chosen_and_the_help_keeps_both(two_years, compare, delta, description):
    september = Filter(segments=("B2C",), start=date(2026, 9, 1), end=date(2026, 9, 30))
    card = dashboard.cards(_view(two_years, september), "B2C", ("clicks",), "fr", compare)[0]
    assert (card.value, card.delta, card.delta_description) == (f"1{NNBSP}200", delta, description)
    assert "vs période précédente (01/08/2026 – 31/08/2026) : +200" in card.help
    assert "vs N-1 (01/09/2025 – 30/09/2025) : +400" in card.help


def test_a_card_says_its_last_month_has_data_only_part_of_the_way(two_years):
    autumn = Filter(segments=("B2C",), start=date(2026, 8, 1), end=date(2026, 10, 31))
    card = dashboard.cards(_view(two_years, autumn), "B2C", ("clicks",), "fr")[0]
    # 1 000 + 1 200 + 20 days × 10 = 2 400, October's data stop on the 20th
    assert card.value == f"2{NNBSP}400"
    assert card.note == "oct. 2026 : données jusqu'au 20/10"
    assert "oct. 2026 : données jusqu'au 20/10" in card.help
    english = dashboard.cards(_view(two_years, autumn), "B2C", ("clicks",), "en")[0]
    assert english.note == "Oct 2026: data to 20/10"
    september = Filter(segments=("B2C",), start=date(2026, 8, 1), end=date(2026, 9, 30))
    assert dashboard.cards(_view(two_years, september), "B2C", ("clicks",), "fr")[0].note is None


def test_at_week_grain_monthly_kpis_keep_their_card_and_chart_by_month(two_years):
    summer = Filter(segments=("B2E",), start=date(2026, 8, 1), end=date(2026, 9, 30))
    view = _view(two_years, summer, "week")
    cards = {c.kpi: c for c in dashboard.cards(view, "B2E", ("active_users", "adoption_rate"), "fr")}
    # the window's value, never hidden: (700 + 800) / 2 = 750 active users, 750 / 1 000 = 75 % adoption
    assert (cards["active_users"].value, cards["adoption_rate"].value) == ("750", f"75,0{NNBSP}%")
    assert cards["active_users"].note == cards["adoption_rate"].note == "grain natif : mois"
    assert cards["active_users"].sparkline == ()  # no invented weeks
    assert dashboard.chart_grain(view, "active_users", ("B2E",)) == "month"
    monthly = metrics.kpi_table(metrics.fetch(two_years, summer, "month"), summer, "month")
    frame = dashboard.world_trend_frame(monthly, "active_users")
    assert frame["value"].tolist() == [700.0, 800.0]
    assert _view(two_years, summer, "month").grain == "month"
    assert dashboard.cards(_view(two_years, summer, "month"), "B2E", ("active_users",), "fr")[0].note is None


def test_trend_frame_notes_the_partial_last_bucket(two_years):
    autumn = Filter(segments=("B2C",), start=date(2026, 8, 1), end=date(2026, 10, 31))
    view = _view(two_years, autumn)
    partial = dashboard.partial_buckets(view, "clicks", ("B2C",))
    frame = dashboard.trend_frame(view.table, "clicks", lang="fr", partial=partial)
    assert frame["value"].tolist() == [1000.0, 1200.0, 200.0]
    assert frame["note"].fillna("").tolist() == ["", "", "oct. 2026 : données jusqu'au 20/10"]


def test_trend_kpis_are_the_cdo_views_and_their_grain_is_never_finer_than_the_data(two_years):
    summer = Filter(segments=("B2C", "B2E"), start=date(2026, 8, 1), end=date(2026, 9, 30))
    week = _view(two_years, summer, "week")
    assert set(metrics.cdo_view(two_years, summer, "month").trends["kpi"]) <= set(dashboard.TREND_KPIS)
    # B2C clicks and B2E active users (monthly): by month, not by invented weeks
    assert dashboard.trends_grain(week, summer.segments) == "month"
    assert dashboard.trends_grain(_view(two_years, summer, "month"), summer.segments) == "month"
    assert dashboard.trends_grain(_view(two_years, summer, "quarter"), summer.segments) == "quarter"


def test_by_quarter_a_card_says_only_what_its_window_misses_the_chart_says_the_quarter(two_years):
    # B2E active users, monthly, in a window from July to August
    view = _view(two_years, Filter(segments=("B2E",), start=date(2026, 7, 1), end=date(2026, 8, 31)), "quarter")
    # Q3 2026 holds July–August in this window and the data go to 31/08 only: the quarter is partial on the chart
    assert dashboard.partial_buckets(view, "active_users", ("B2E",), "quarter")["B2E"].text("fr") == \
        "T3 2026 : données jusqu'au 31/08"
    # the card's number covers July–August, whose months are whole: nothing to say
    assert dashboard.cards(view, "B2E", ("active_users",), "fr")[0].note is None
    # clicks daily to 20/10, by quarter: the card says October (a month), the chart the quarter
    autumn = Filter(segments=("B2C",), start=date(2026, 8, 1), end=date(2026, 10, 31))
    by_quarter = _view(two_years, autumn, "quarter")
    assert dashboard.cards(by_quarter, "B2C", ("clicks",), "fr")[0].note == "oct. 2026 : données jusqu'au 20/10"
    assert dashboard.partial_buckets(by_quarter, "clicks", ("B2C",), "quarter")["B2C"].text("fr") == \
        "T4 2026 : données jusqu'au 20/10"


def test_indexed_trends_show_the_selections_headline_funnel_by_default_and_a_picker_adds_others(two_years):
    summer = Filter(segments=("B2C", "B2E"), start=date(2026, 8, 1), end=date(2026, 9, 30))
    view = _view(two_years, summer)
    assert dashboard.trend_defaults(summer.segments) == (
        "impressions", "clicks", "conversions", "population", "active_users", "contributors")
    shown = dashboard.indexed_frame(view.trends, "fr", dashboard.trend_defaults(summer.segments), summer.segments)
    # not the 6 series of every segment including "Tous segments", 3: each segment's own funnel
    assert sorted(set(dashboard.indexed_frame(view.trends, "fr")["series"])) != sorted(set(shown["series"]))
    assert sorted(set(shown["series"])) == ["B2C · Clics", "B2E · Population cible", "B2E · Utilisateurs actifs"]
    assert shown.loc[shown["series"] == "B2E · Utilisateurs actifs", "index"].round(1).tolist() == [100.0, 114.3]
    assert shown.loc[shown["series"] == "B2C · Clics", "shown"].tolist() == ["1\u202f000", "1\u202f200"]
    # the picker offers labels mapped to codes; picking only clicks leaves one series
    choices = dashboard.trend_choices(view.trends, "en")
    assert choices == {"Target population": "population", "Clicks": "clicks", "Active users": "active_users"}
    picked = dashboard.indexed_frame(view.trends, "fr", (choices["Clicks"],), summer.segments)
    assert set(picked["series"]) == {"B2C · Clics"}
    # a B2C selection does not show B2E's KPIs
    assert dashboard.trend_defaults(("B2C",)) == ("impressions", "clicks", "conversions")
