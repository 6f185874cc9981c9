"""The demo network's export: two subjects whose tone turns at a known date, visible in the computed series."""

import sys

import pytest

from conftest import ROOT
from kpis import ingest, metrics
from kpis.model import Filter
from kpis.store import Store

sys.path.insert(0, str(ROOT / "sample_data"))
import generate  # noqa: E402


@pytest.fixture(scope="module")
def table(tmp_path_factory):
    store = Store(tmp_path_factory.mktemp("demo") / "s.duckdb")
    result = ingest.check_file(ROOT / "sample_data" / "rse_messages.csv")
    assert result.importable and result.sheets[0].format == "esn_messages"
    store.import_batch(**result.batch(imported_by="test", sample=True))
    out = {}
    for community in generate.TONE_CHANGES:
        flt = Filter(segments=("B2E",), initiatives=(community,))
        rows = metrics.kpi_table(metrics.fetch(store, flt), flt, "month")
        out[community] = rows[rows["kpi"] == "esn_sentiment_score"].set_index("period")["value"]
    return out


def _mean(series, months):
    return series[[m for m in series.index if m in months]].mean()


BEFORE_MAY = [f"2025-{m}" for m in ("11", "12")] + [f"2026-0{m}" for m in range(1, 5)]
FROM_JUNE = [f"2026-0{m}" for m in range(6, 10)] + ["2026-10"]


def test_atlas_sours_in_may_2026(table):
    atlas = table["Projet Atlas"]
    assert len(atlas) == 12
    # generated 60 % positive / 10 % negative before, the reverse after: a score near +50 % turns near −50 %,
    # blurred by the analyser's misses (75 % accuracy)
    before, after = _mean(atlas, BEFORE_MAY), _mean(atlas, [f"2026-0{m}" for m in range(5, 10)] + ["2026-10"])
    assert before > 0.2 and after < -0.1
    assert atlas.loc["2026-04"] > 0 > atlas.loc["2026-05"]
    assert atlas.diff().idxmin() == "2026-05"  # the largest fall of the year is the month it was written in


def test_the_intranet_wins_people_over_in_june_2026(table):
    intranet = table["Nouvel intranet"]
    before, after = _mean(intranet, BEFORE_MAY + ["2026-05"]), _mean(intranet, FROM_JUNE)
    # the analyser reads « nouvel » as mildly positive: the negative months stay near 0, the turn is clear
    assert before < 0 and after > 0.4 and after - before > 0.5
    assert intranet.diff().idxmax() == "2026-06"  # the largest rise of the year is the month it was written in


def test_the_demo_tracks_its_two_subjects_and_their_tone_turns_at_the_known_dates(tmp_path):
    from kpis.demo import seed

    store = Store(tmp_path / "demo.duckdb")
    seed(store)
    assert [(s.code, s.name_fr) for s in store.subjects()] == [("atlas", "Projet Atlas"),
                                                                ("intranet", "Nouvel intranet")]
    mentions = store.esn_subjects()
    mentions = mentions[mentions["grp"] == "(all)"].copy()
    mentions["period"] = mentions["month"].astype(str).str[:7]
    # the subject's score as the page gives it: (positive − negative) / messages mentioning it, per month
    mentions["score"] = (mentions["positive"] - mentions["negative"]) / mentions["messages"]
    atlas = mentions[mentions["subject"] == "atlas"].set_index("period")["score"]
    intranet = mentions[mentions["subject"] == "intranet"].set_index("period")["score"]
    assert len(atlas) == len(intranet) == 12
    assert atlas.loc["2026-04"] > 0 > atlas.loc["2026-05"] and atlas.diff().idxmin() == "2026-05"
    assert intranet.diff().idxmax() == "2026-06"
    # the page's chart of the subjects' tone draws these same monthly scores (every demo month has 5 authors)
    from datetime import date

    from kpis.dashboard import subjects_trend_frame

    drawn = subjects_trend_frame(store.esn_subjects(), store.subjects(), date(2025, 11, 1), date(2026, 10, 31))
    assert drawn[drawn["series"] == "Projet Atlas"].set_index("period")["value"].to_dict() == pytest.approx(
        atlas.to_dict())
    # the demo's removal takes its subjects with it, and its undo brings them back
    out = store.delete_demo(by="test")
    assert store.subjects() == []
    store.undelete(out.deletion_id, by="test")
    assert [s.code for s in store.subjects()] == ["atlas", "intranet"]
