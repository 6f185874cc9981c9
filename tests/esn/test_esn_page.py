"""The E-réputation page's « Sujets qui montent » and « Influenceurs » panels on the demo network, checked against
an independent count of the demo CSV (pandas over the raw file, PageRank by networkx), and the page's workbook."""

import io
from datetime import date

import networkx as nx
import pandas as pd
import pytest
from networkx.algorithms.link_analysis.pagerank_alg import _pagerank_python
from streamlit.testing.v1 import AppTest

from conftest import APP, ROOT
from kpis import dashboard, metrics
from kpis.esn.topics import terms
from kpis.store import Store

pytestmark = pytest.mark.usefixtures("clean_streamlit_caches")


def _page(lang: str = "fr") -> AppTest:
    at = AppTest.from_file(APP, default_timeout=90).run()
    if lang != "fr":
        at.segmented_control(key="lang").set_value(lang).run()
    at.switch_page("app_pages/e_reputation.py").run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _raw() -> pd.DataFrame:
    """The demo export as written, public messages only (the 320 « Privé = Oui » are never read)."""
    raw = pd.read_csv(ROOT / "sample_data" / "rse_messages.csv", sep=";", dtype=str)
    raw = raw[raw["Privé"] == "Non"].copy()
    raw["month"] = pd.to_datetime(raw["Date"]).dt.to_period("M").dt.start_time.dt.date
    return raw


def _messages_with(raw: pd.DataFrame, term: str, first: date, last: date) -> int:
    inside = raw[(raw["month"] >= first) & (raw["month"] <= last)]
    return sum(term in terms(text) for text in inside["Message"])


def test_the_panels_show_the_window_s_topics_and_profiles(store_path):
    at = _page()
    heads = [m.value for m in at.markdown if m.value.startswith("####")]
    assert "#### Sujets qui montent" in heads and "#### Influenceurs" in heads
    sel = at.session_state["selection"]
    view = metrics.cdo_view(Store(store_path), sel.flt, sel.grain, lang="fr")
    first, last, (p0, p1) = dashboard.month_window(view.period_start, view.period_end)
    shown = at.dataframe[0].value
    assert list(shown.columns) == ["Rang", "Terme", "Messages", "Auteurs (max. par mois)", "Période précédente",
                                   "Évolution"]
    assert len(shown) == 10 and shown["Rang"].tolist() == list(range(1, 11))
    raw = _raw()
    covered = ((raw["month"] >= p0) & (raw["month"] <= p1)).any()  # the export reaches the previous window
    # every term's messages in the window and in the previous one, counted again from the raw CSV's texts
    for row in shown.itertuples(index=False):
        assert row[2] == _messages_with(raw, row[1], first, last), row[1]
        assert row[3] >= 5  # never a term fewer than 5 people used
        if not covered:  # no export before the window: no previous count, no change (not 0 and « nouveau »)
            assert row[4] == row[5] == "—"
            continue
        assert row[4] == _messages_with(raw, row[1], p0, p1), row[1]
        change = "nouveau" if not row[4] else f"{(row[2] - row[4]) / row[4] * 100:+.1f}".replace(".", ",")
        assert row[5].replace("\u202f", " ").replace("−", "-").replace("±", "+") == (
            change if change == "nouveau" else f"{change} %")

    # influencers: the last month of the window, PageRank of its reply graph by networkx
    month = raw[raw["month"] <= last]["month"].max()
    ours = raw[raw["month"] == month]
    author_of = dict(zip(raw["ID message"], raw["ID auteur"], strict=True))
    graph = nx.DiGraph()
    graph.add_nodes_from(ours["ID auteur"])
    received: dict = {}
    for a, to in zip(ours["ID auteur"], ours["Réponse à"], strict=True):
        b = author_of.get(to) if isinstance(to, str) else None
        if b is None or b == a:
            continue
        graph.add_node(b)
        w = graph.get_edge_data(a, b, {"weight": 0})["weight"]
        graph.add_edge(a, b, weight=w + 1)
        received[b] = received.get(b, 0) + 1
    rank = _pagerank_python(graph, alpha=0.85, tol=1e-12, max_iter=1000)  # the pure-Python one: no scipy
    best = max(received, key=lambda p: (round(rank[p], 12), received[p]))
    started = int((ours["ID auteur"] == best).sum() - ours.loc[ours["ID auteur"] == best, "Réponse à"].notna().sum())
    dept = ours.loc[ours["ID auteur"] == best, "Direction"].iloc[0]
    dept_size = ours.groupby("Direction")["ID auteur"].nunique().get(dept, 0)
    parts = ([dept] if dept_size >= 5 else []) + [
        f"{started} conversation{'s' if started != 1 else ''} lancée{'s' if started != 1 else ''}",
        f"{received[best]} réponse{'s' if received[best] != 1 else ''} reçue{'s' if received[best] != 1 else ''}"]
    listing = next(m.value for m in at.markdown if m.value.startswith("- n°1"))
    assert listing.splitlines()[0].replace("\\", "") == "- n°1 — " + ", ".join(parts)
    assert len(listing.splitlines()) == 10
    # no name nor e-mail on the page
    page = "\n".join(m.value for m in at.markdown) + shown.to_string()
    for name in set(raw["Nom"]) | set(raw["E-mail"]):
        assert name not in page
    # the last quarter has an export before it: each term's previous count and change, from the raw CSV
    at.pills(key="period").set_value("lq").run()
    sel = at.session_state["selection"]
    view = metrics.cdo_view(Store(store_path), sel.flt, sel.grain, lang="fr")
    first, last, (p0, p1) = dashboard.month_window(view.period_start, view.period_end)
    quarter = at.dataframe[0].value
    assert ((raw["month"] >= p0) & (raw["month"] <= p1)).any() and len(quarter) == 10
    for row in quarter.itertuples(index=False):
        assert row[4] == _messages_with(raw, row[1], p0, p1), row[1]
        change = "nouveau" if not row[4] else f"{(row[2] - row[4]) / row[4] * 100:+.1f}".replace(".", ",")
        assert row[5].replace("\u202f", " ").replace("−", "-").replace("±", "+") == (
            change if change == "nouveau" else f"{change} %")


def test_the_panels_in_english_and_in_the_workbook(store_path):
    at = _page("en")
    heads = [m.value for m in at.markdown if m.value.startswith("####")]
    assert "#### Rising topics" in heads and "#### Influencers" in heads
    assert list(at.dataframe[0].value.columns)[:2] == ["Rank", "Term"]
    assert any(m.value.replace("\\", "").startswith("- #1 — ") for m in at.markdown)  # "#" escaped in Markdown
    sel = at.session_state["selection"]
    store = Store(store_path)
    view = metrics.cdo_view(store, sel.flt, sel.grain, lang="en")
    first, last, previous = dashboard.month_window(view.period_start, view.period_end)
    topics = dashboard.topics_frame(store.esn_terms(previous[0], last), first, last, "en")
    book = dashboard.view_workbook(view, "en", {
        "Rising topics": topics,
        "Influencers": dashboard.influencers_frame(store.esn_profiles(first, last), last, "en")})
    sheets = pd.read_excel(io.BytesIO(book), sheet_name=None, header=None, engine="openpyxl")
    assert {"Rising topics", "Influencers"} <= set(sheets)
    cells = sheets["Rising topics"].astype(str).to_numpy().ravel().tolist()
    assert topics["Term"].iloc[0] in cells
    assert any(str(c).startswith("#1 — ") for c in sheets["Influencers"].to_numpy().ravel())
