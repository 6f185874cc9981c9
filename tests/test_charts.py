"""Charts are titled, labelled with units, carry tooltips and speak the chosen language."""

import pandas as pd

from kpis import charts

FRAME = pd.DataFrame({
    "period_start": pd.to_datetime(["2026-08-01", "2026-09-01"]), "period": ["2026-08", "2026-09"],
    "series": ["B2C", "B2C"], "value": [0.021, 0.024], "target": [0.025, 0.025],
})


def test_trend_has_title_units_tooltips_target_and_french_locale():
    spec = charts.trend(FRAME, title="Taux de clic", unit="%", lang="fr").to_dict()
    lines, target = spec["layer"]
    title = spec["title"]
    assert (title["text"] if isinstance(title, dict) else title) == "Taux de clic"
    assert lines["encoding"]["y"]["title"] == "Taux de clic (%)"
    assert lines["encoding"]["y"]["axis"]["format"] == ".1%"
    assert [t["field"] for t in lines["encoding"]["tooltip"]] == ["series", "period", "value"]
    assert target["mark"]["strokeDash"] == [6, 4]
    assert spec["config"]["locale"]["number"]["decimal"] == ","
    assert spec["config"]["locale"]["time"]["shortMonths"][8] == "sept."


def test_english_locale_and_no_target_layer_without_targets():
    spec = charts.trend(FRAME.drop(columns="target"), title="Cost", unit="€", lang="en").to_dict()
    assert len(spec["layer"]) == 1
    assert spec["config"]["locale"]["number"]["currency"] == ["€", ""]
    assert spec["layer"][0]["encoding"]["y"]["axis"]["format"] == "$,.2f"


def test_breakdown_sorted_with_share_tooltip():
    frame = pd.DataFrame({"name": ["A", "B"], "value": [10.0, 30.0], "share": [0.25, 0.75]})
    spec = charts.breakdown(frame, title="Clics", unit="count", lang="fr", label="Campagne").to_dict()
    assert spec["encoding"]["y"]["sort"] == "-x"
    assert spec["encoding"]["tooltip"][-1] == {"field": "share", "format": ".1%", "title": "Part du total",
                                               "type": "quantitative"}


def test_value_formats():
    formats = [charts.value_format(u) for u in ("%", "€", "×", "count", "score")]
    assert formats == [".1%", "$,.2f", ",.2f", ",.0f", ",.1f"]


def test_a_partial_last_bucket_is_a_hollow_point_on_a_dashed_segment_with_its_note():
    frame = pd.DataFrame({
        "period_start": pd.to_datetime(["2026-09-01", "2026-10-01", "2026-11-01"]),
        "period": ["sept. 2026", "oct. 2026", "nov. 2026"], "series": "B2C", "value": [190.0, 200.0, 30.0],
        "note": [None, None, "nov. 2026 : données jusqu'au 20/11"]})
    spec = charts.trend(frame, title="Clics", unit="count", lang="fr").to_dict()
    solid, dashed, points, hollow = spec["layer"][0]["layer"]
    data = spec["datasets"]
    assert dashed["mark"]["strokeDash"] == [4, 3]
    # the dashed segment joins October (the last whole bucket) to November (the partial one), nothing else
    assert [r["value"] for r in data[dashed["data"]["name"]]] == [200.0, 30.0]
    assert hollow["mark"]["filled"] is False and points["mark"]["filled"] is True
    assert [t["field"] for t in hollow["encoding"]["tooltip"]] == ["series", "period", "value", "note"]
    assert solid["transform"] == [{"filter": "(datum.note === null)"}]
    assert hollow["transform"] == [{"filter": "(!(datum.note === null))"}]


def _indexed(periods: list[str]) -> pd.DataFrame:
    series = ["B2C · Impressions", "B2C · Clics", "B2E · Contributeurs actifs sur la période"]
    return pd.DataFrame({
        "period_start": pd.to_datetime([p for p in periods for _ in series]),
        "period": [p[:7] for p in periods for _ in series], "series": series * len(periods),
        "index": [100.0] * 3 + [110.0, 120.0, 90.0] * (len(periods) - 1),
        "value": [1000.0, 50.0, 12.0] * len(periods), "shown": ["1 000", "50", "12"] * len(periods)})


def test_indexed_trends_keep_their_legend_whole_below_the_chart():
    spec = charts.indexed(_indexed(["2026-08-01", "2026-09-01"]), title="Tendances", lang="fr").to_dict()
    legend = spec["layer"][0]["encoding"]["color"]["legend"]
    assert (legend["orient"], legend["labelLimit"], legend["columns"], legend["labelFontSize"]) == ("bottom", 0, 2, 12)
    assert spec["title"] == "Tendances"
    assert spec["layer"][0]["encoding"]["y"]["field"] == "index"
    assert len(spec["layer"]) == 2  # the lines and the base-100 rule


def test_a_single_bucket_is_drawn_as_its_values_with_a_note_never_as_an_index_of_one_point():
    spec = charts.indexed(_indexed(["2026-01-01"]), title="Tendances", lang="fr",
                          single=("Valeurs de la période", "une seule période : pas d'évolution à indexer")).to_dict()
    assert spec["title"]["text"] == "Valeurs de la période — 2026-01"
    assert spec["title"]["subtitle"] == "une seule période : pas d'évolution à indexer"
    assert spec["mark"]["type"] == "text" and spec["encoding"]["text"]["field"] == "shown"
    assert "layer" not in spec and "index" not in str(spec["encoding"])  # no base-100 rule, no index
    assert sorted(r["shown"] for r in spec["datasets"][spec["data"]["name"]]) == ["1 000", "12", "50"]
