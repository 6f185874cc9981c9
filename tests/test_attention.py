"""Points d'attention (kpis.attention): golden cases written by hand on a real store of real workbooks.

Every case imports monthly B2C clicks from an .xlsx written with openpyxl, September 2025 to October 2026,
and looks at October 2026 (the last complete month, as a monthly committee does). The clicks alternate
1,010 / 1,000 from month to month, so the twelve changes before October are −10, +10, … +10 (six of each):
their median is 0 and their median absolute deviation (MAD) 10.
"""

import io
from datetime import date

import openpyxl
import pandas as pd
import pytest

from kpis import attention, ingest
from kpis.model import Filter
from kpis.store import Store

OCTOBER = Filter(segments=("B2C",), start=date(2026, 10, 1), end=date(2026, 10, 31))
MONTHS = [f"{y}-{m:02d}" for y in (2025, 2026) for m in range(1, 13)]
MONTHS = MONTHS[MONTHS.index("2025-09"):MONTHS.index("2026-10") + 1]  # 14 months, Sep 2025 → Oct 2026


def _xlsx(header: list[str], rows: list[list]) -> bytes:
    book = openpyxl.Workbook()
    book.active.append(header)
    for row in rows:
        book.active.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _import(store: Store, data: bytes, name: str) -> None:
    result = ingest.check_bytes(data, name)
    assert result.importable, [i.message_en for i in result.issues]
    store.import_batch(**result.batch(imported_by="test"))


def _clicks(october: float) -> bytes:
    """Clicks 1,010 in even months of the list (Sep 2025, Nov 2025…, Sep 2026), 1,000 in odd ones; October
    2026 (the last, odd) takes ``october``."""
    values = [1010 if i % 2 == 0 else 1000 for i in range(len(MONTHS))]
    values[-1] = october
    return _xlsx(["Mois", "Segment", "Clics"], [[m, "B2C", v] for m, v in zip(MONTHS, values, strict=True)])


@pytest.fixture
def store(tmp_path) -> Store:
    return Store(tmp_path / "s.duckdb")


def _points(store: Store, flt: Filter = OCTOBER, lang: str = "fr", **kw):
    return attention.for_selection(store, flt, "month", lang=lang, **kw)[1]


def test_a_normal_month_raises_nothing(store):
    _import(store, _clicks(1000), "clics.xlsx")  # October −10 against September: one MAD, the usual
    assert _points(store) == []


def test_a_move_of_four_deviations_in_the_bad_direction(store):
    _import(store, _clicks(970), "clics.xlsx")  # October 970 − September 1,010 = −40: (−40 − 0) / 10 = −4 MADs
    points = _points(store)
    assert [(p.kind, p.key, p.page, p.tone) for p in points] == [("move", "move:B2C:clicks", "external", "red")]
    assert points[0].size == pytest.approx(4.0)
    assert points[0].title == "Clics (B2C) : évolution inhabituelle"
    # history: September 2025 → October 2026, 13 changes of which 12 before October (six +10, six −10)
    assert points[0].reason == ("oct. 2026 : −40 par rapport à sept. 2026, 4,0 fois l'écart habituel (médiane "
                                "des 12 variations passées ±0, écart absolu médian 10).")


def test_a_move_of_four_deviations_in_the_good_direction_is_an_improvement_not_a_problem(store):
    _import(store, _clicks(1050), "clics.xlsx")  # +40 from September's 1,010: (40 − 0) / 10 = +4 MADs, more clicks
    points = _points(store, lang="en")
    assert [(p.kind, p.key) for p in points] == [("improvement", "improvement:B2C:clicks")]
    assert points[0].reason == "1,050, +40 vs previous period."  # the card's number and delta: 1,050 − 1,010


def test_a_target_missed(store):
    _import(store, _clicks(1000), "clics.xlsx")
    store.set_targets(pd.DataFrame({"kpi": ["clicks"], "segment": ["B2C"], "period_start": ["2026-10-01"],
                                    "period_end": ["2026-10-31"], "value": [1250.0]}))
    points = _points(store)
    # 1,000 / 1,250 = 80 % attained: below the 90 % amber threshold, red
    assert [(p.kind, p.key, p.tone) for p in points] == [("target", "target:B2C:clicks", "red")]
    assert points[0].size == pytest.approx(0.2)
    assert points[0].reason == "1\u202f000 sur la période pour un objectif de 1\u202f250, soit 80\u202f% d'atteinte."


def test_a_target_at_risk_comes_after_a_missed_one(store):
    _import(store, _clicks(1000), "clics.xlsx")
    _import(store, _xlsx(["Mois", "Segment", "Impressions"], [[m, "B2C", 50_000] for m in MONTHS]), "impr.xlsx")
    store.set_targets(pd.DataFrame({"kpi": ["impressions", "clicks"], "segment": ["B2C", "B2C"],
                                    "period_start": ["2026-10-01"] * 2, "period_end": ["2026-10-31"] * 2,
                                    "value": [52_000.0, 1250.0]}))
    # impressions 50,000 / 52,000 = 96 %: amber; clicks 80 %: red, first
    assert [(p.key, p.tone) for p in _points(store)] == [("target:B2C:clicks", "red"),
                                                          ("target:B2C:impressions", "orange")]


def test_a_source_two_cadences_late(store):
    _import(store, _clicks(1000), "clics.xlsx")
    b2e = [[m, "B2E", 2000, 1200] for m in MONTHS[:-2]]  # monthly, up to August 2026
    _import(store, _xlsx(["Mois", "Segment", "Effectif", "Utilisateurs actifs"], b2e), "interne.xlsx")
    both = Filter(segments=("B2C", "B2E"), start=date(2026, 10, 1), end=date(2026, 10, 31))
    points = _points(store, both, lang="en")
    stale = [p for p in points if p.kind == "stale"]
    assert len(stale) == 1 and stale[0].page == "history" and stale[0].title == "Late source: interne.xlsx"
    # 31/10 − 31/08 = 61 days late; the median month of Sep 2025–Aug 2026 is 31 days; 61 / 31 ≈ 1.97 → 2
    assert stale[0].size == pytest.approx(61 / 31)
    assert stale[0].reason == ("Latest data on 2026-08-31; the source usually covers 31 days per period: "
                               "2 period(s) missing at 2026-10-31.")
    assert [p.kind for p in points] == ["stale"]  # the clicks source is up to date, its October usual


def test_a_source_one_month_short_is_late_a_source_up_to_date_is_not(store):
    _import(store, _clicks(1000), "clics.xlsx")
    _import(store, _xlsx(["Mois", "Segment", "Effectif"], [[m, "B2E", 2000] for m in MONTHS[:-1]]), "rh.xlsx")
    both = Filter(segments=("B2C", "B2E"), start=date(2026, 10, 1), end=date(2026, 10, 31))
    assert [p.title for p in _points(store, both)] == ["Source en retard : rh.xlsx"]  # 31 days, one month short


def test_dismissed_points_are_left_out_and_the_next_ones_come_up(store):
    _import(store, _clicks(970), "clics.xlsx")
    store.set_targets(pd.DataFrame({"kpi": ["clicks"], "segment": ["B2C"], "period_start": ["2026-10-01"],
                                    "period_end": ["2026-10-31"], "value": [1250.0]}))
    assert [p.key for p in _points(store)] == ["target:B2C:clicks", "move:B2C:clicks"]  # red target first
    assert [p.key for p in _points(store, dismissed=frozenset({"target:B2C:clicks"}))] == ["move:B2C:clicks"]


def test_at_most_seven_points_and_one_improvement_kept(store):
    _import(store, _clicks(1050), "clics.xlsx")  # clicks improving
    kpis = ["impressions", "conversions", "cost", "revenue", "leads", "sessions", "followers"]
    header = ["Mois", "Segment", "Impressions", "Conversions", "Coût", "Chiffre d'affaires", "Leads", "Sessions",
              "Abonnés"]
    _import(store, _xlsx(header, [[m, "B2C", 50_000, 50, 500, 5000, 80, 9000, 3000] for m in MONTHS]), "autres.xlsx")
    store.set_targets(pd.DataFrame({"kpi": kpis, "segment": "B2C", "period_start": "2026-10-01",
                                    "period_end": "2026-10-31", "value": [1e9, 1e9, 1.0, 1e9, 1e9, 1e9, 1e9]}))
    points = _points(store)
    # seven red targets (every attainment far below 90 %) and one improvement: six targets, then the improvement
    assert len(points) == attention.MAX_POINTS == 7
    assert [p.kind for p in points] == ["target"] * 6 + ["improvement"]


def test_the_demo_data_of_october_2026(tmp_path):
    from kpis import demo

    store = Store(tmp_path / "demo.duckdb")
    demo.seed(store)
    flt = Filter(segments=("B2C", "B2B", "B2E"), start=date(2026, 10, 1), end=date(2026, 10, 31))
    view, points = attention.for_selection(store, flt, "month", lang="fr")
    # the target points are exactly the red and amber rows of the view's target table, red first
    bad = view.targets[view.targets["status"].isin(["red", "amber"])]
    assert {p.key for p in points if p.kind == "target"} == {f"target:{r.segment}:{r.kpi}"
                                                            for r in bad.itertuples()}
    tiers = [p.tier for p in points]
    assert tiers == sorted(tiers) and len(points) <= 7
    assert {p.kind for p in points} >= {"target", "improvement"}


@pytest.mark.usefixtures("clean_streamlit_caches")
def test_vue_cdo_shows_the_points_links_them_and_hides_one_for_the_period(store_path):
    from streamlit.testing.v1 import AppTest

    from conftest import APP
    from kpis.i18n import t

    at = AppTest.from_file(APP, default_timeout=90).run()
    assert not at.exception, [e.value for e in at.exception]
    sel = at.session_state["selection"]
    _, expected = attention.for_selection(Store(store_path), sel.flt, sel.grain, lang="fr", compare=sel.compare)
    assert expected, "the demo's last twelve months have red targets"
    shown = [m.value for m in at.markdown if m.value.startswith(":material/")]
    assert [s.split("**")[1] for s in shown] == [p.title for p in expected]
    assert all(p.reason in s for p, s in zip(expected, shown, strict=True))
    links = [link for link in at.get("page_link")]
    assert len(links) >= len(expected)
    first = expected[0]
    at.button(key=f"hide_{sel.flt.start}/{sel.flt.end}_{first.key}").click().run()
    assert not at.exception
    titles = [m.value.split("**")[1] for m in at.markdown if m.value.startswith(":material/")]
    assert first.title not in titles and titles[0] == expected[1].title
    assert t("attention.dismissed", "fr", n=1) in [c.value for c in at.caption]


def test_a_month_without_data_inside_a_source_is_a_gap(store):
    rows = [[m, "B2C", 1000] for m in MONTHS if m != "2026-03"]  # March 2026 missing, months around it present
    _import(store, _xlsx(["Mois", "Segment", "Clics"], rows), "clics.xlsx")
    year = Filter(segments=("B2C",), start=date(2025, 11, 1), end=date(2026, 10, 31))
    gaps = [p for p in _points(store, year, lang="en") if p.kind == "gap"]
    assert [(p.title, p.reason, p.page) for p in gaps] == [
        ("Missing data: clics.xlsx", "No data for 1 month(s) (Mar 2026), while the source covers the months around "
                                     "them.", "history")]
