"""Topics (terms used by at least 5 people) and influencer profiles (reply-graph PageRank), golden by hand."""

from datetime import date

import pytest

from kpis.esn.influence import pagerank, profile_text, profiles
from kpis.esn.layout import find_layout
from kpis.esn.messages import read_messages
from kpis.esn.topics import term_counts, terms, top_terms
from kpis.model import ALL

EXPORT = [
    ["Date", "Communauté", "Auteur", "Texte"],
    ["01/09/2026", "Usine", "u1", "La cantine de Lyon ferme trop tôt"],
    ["02/09/2026", "Usine", "u2", "Cantine de Lyon : menu du jour ?"],
    ["03/09/2026", "Usine", "u3", "Merci pour la cantine de Lyon"],
    ["04/09/2026", "Siège", "u4", "Le badge ne marche pas, cantine de Lyon fermée"],
    ["05/09/2026", "Siège", "u5", "Cantine de Lyon top"],
    ["06/09/2026", "Usine", "u6", "Badge perdu"],
    ["07/09/2026", "Siège", "u7", "Mon badge encore"],
    ["08/09/2026", "Usine", "u1", "Badge bloqué"],
    ["09/09/2026", "Usine", "u1", "Le projet Atlas avance"],
    ["10/09/2026", "Usine", "u2", "projet Atlas en retard"],
    ["11/09/2026", "Siège", "u3", "Réunion projet Atlas"],
    ["12/09/2026", "Siège", "u4", "projet Atlas : bravo"],
    ["13/09/2026", "Usine", "u5", "Le projet Atlas, enfin"],
    ["14/09/2026", "Usine", "u6", "Atlas super"],
    ["14/10/2026", "Usine", "u1", "La cantine de Lyon rouvre"],
]


def _messages(rows):
    return read_messages(rows, list(range(1, len(rows) + 1)), find_layout(rows))


def test_terms_drop_stop_words_elisions_mentions_and_addresses():
    assert terms("L'équipe d'Amélie a vu @amelie.f et [[user:123]] : jean.dupont@example.com") == [
        "équipe", "amélie", "équipe amélie"]
    assert terms("Thanks for the new canteen!") == ["new", "canteen", "new canteen"]


def test_only_terms_used_by_five_people_are_kept_and_ranked():
    counts = term_counts(_messages(EXPORT))
    september = [c for c in counts if c.month == date(2026, 9, 1)]
    # network-wide in September: cantine and lyon (u1–u5), projet and « projet atlas » (u1–u5), atlas (u1–u6);
    # badge has 4 people (u1, u4, u6, u7): never kept. No group reaches 5 people on any term.
    assert {(c.group, c.term, c.authors, c.messages) for c in september} == {
        (ALL, "cantine", 5, 5), (ALL, "lyon", 5, 5), (ALL, "projet", 5, 5), (ALL, "atlas", 6, 6),
        (ALL, "projet atlas", 5, 5)}
    assert [c for c in counts if c.month == date(2026, 10, 1)] == []  # one person in October
    top = top_terms(counts, date(2026, 9, 1), date(2026, 9, 30), previous=(date(2026, 8, 1), date(2026, 8, 31)))
    # « projet » is said by « projet atlas » (5 messages each) and dropped; with no group cell every term has the
    # same weight, so the order is messages (atlas 6), then the term
    assert [(t["term"], t["messages"], t["authors"], t["previous"]) for t in top] == [
        ("atlas", 6, 6, 0), ("cantine", 5, 5, 0), ("lyon", 5, 5, 0), ("projet atlas", 5, 5, 0)]


def test_a_term_common_to_every_space_sinks_below_a_specific_one():
    from kpis.esn.topics import TermCount
    sept = date(2026, 9, 1)
    counts = [TermCount(sept, "A", "réunion", 5, 10), TermCount(sept, "B", "réunion", 5, 10),
              TermCount(sept, "A", "atlas", 6, 8), TermCount(sept, ALL, "réunion", 9, 20),
              TermCount(sept, ALL, "atlas", 6, 8)]
    top = top_terms(counts, sept, date(2026, 9, 30))
    # 2 cells (A, B): réunion in both, idf ln(1 + 2/2) = 0.693, score 20 × 0.693 = 13.86;
    # atlas in one, idf ln(1 + 2/1) = 1.099, score 8 × 1.099 = 8.79: réunion first still, by volume
    assert [(t["term"], round(t["score"], 2)) for t in top] == [("réunion", 13.86), ("atlas", 8.79)]


# --- influencers: a 10-person reply graph ------------------------------------------------------------------
# P1–P6 are in Direction Industrie (6 people: named), P7–P10 in R&D (4 people: never named).
# T1: P1 starts, answered by P2, P3, P4, P5, P6 and P10.  T2: P7 starts, answered by P1 and P8.
# T3: P2 starts, answered by P9.  T4: P8 starts, unanswered.  T5: P3 starts and answers themself (no edge).
GRAPH = [  # (author, starts a thread, answers)
    ("P1", True, None), *((p, False, "P1") for p in ("P2", "P3", "P4", "P5", "P6", "P10")),
    ("P7", True, None), ("P1", False, "P7"), ("P8", False, "P7"),
    ("P2", True, None), ("P9", False, "P2"),
    ("P8", True, None),
    ("P3", True, None), ("P3", False, "P3"),
]
DEPARTMENT = {**{f"P{k}": "Direction Industrie" for k in range(1, 7)}, **{f"P{k}": "R&D" for k in range(7, 11)}}

# PageRank by hand (d = 0.85, 10 people, P7 the only one who answers nobody: its rank is shared by all).
# Let L be the rank of one of the seven people nobody answers (P3–P6, P8–P10): L = 0.015 + 0.085 r7.
#   r2 = L + 0.85 L (from P9)                        = 1.85 L
#   r1 = L + 0.85 (r2 + 5 L) (P2–P6, P10)            = 6.8225 L
#   r7 = L + 0.85 (r1 + L)   (P1, P8)                = 7.649125 L
#   7 L + 1.85 L + 6.8225 L + 7.649125 L = 23.321625 L = 1  →  L = 0.0428787
# r7 = 0.327984, r1 = 0.292540, r2 = 0.0793255 (0.079326 in 6 digits):
# P7, answered by P1 whom six people answer, comes first.
HAND = {"P7": 7.649125 / 23.321625, "P1": 6.8225 / 23.321625, "P2": 1.85 / 23.321625}


def test_pagerank_of_the_ten_person_graph_is_the_one_computed_by_hand():
    people = [f"P{k}" for k in range(1, 11)]
    edges: dict = {}
    for author, _, answered in GRAPH:
        if answered and answered != author:
            edges[(author, answered)] = edges.get((author, answered), 0) + 1.0
    rank = pagerank(people, edges)
    for person, value in HAND.items():
        assert rank[person] == pytest.approx(value, abs=1e-9)
    assert sum(rank.values()) == pytest.approx(1.0)


def test_influencer_profiles_show_a_department_of_five_or_more_and_no_name():
    authors = [a for a, _, _ in GRAPH]
    found = profiles(authors, [s for _, s, _ in GRAPH], [r for _, _, r in GRAPH], [DEPARTMENT[a] for a in authors])
    assert [(p.rank, p.department, p.threads, p.replies) for p in found] == [
        (1, None, 1, 2),                       # P7: R&D has 4 people, so no department
        (2, "Direction Industrie", 1, 6),      # P1
        (3, "Direction Industrie", 1, 1)]      # P2; P3 answered only themself: not ranked
    assert [round(p.score, 6) for p in found] == [0.327984, 0.29254, 0.079326]
    assert profile_text(found[1], "fr") == "n°2 — Direction Industrie, 1 conversation lancée, 6 réponses reçues"
    assert profile_text(found[0], "en") == "#1 — 1 conversation started, 2 replies received"
    assert not any("P" in profile_text(p) for p in found)


def test_profiles_from_an_export_follow_reply_ids():
    rows = [["Date", "Groupe", "Auteur", "Direction", "Texte", "ID", "Réponse à"],
            *[[f"0{k}/09/2026", "G", f"e{k}", "Industrie", "Question ?", f"m{k}", "m1" if k > 1 else ""]
              for k in range(1, 7)]]
    msgs = _messages(rows)
    found = profiles(msgs.author, msgs.starter.tolist(), msgs.replied_author, msgs.department)
    # e1 starts m1, answered by e2–e6: 5 replies; the department has 6 people
    assert [(p.rank, p.department, p.threads, p.replies) for p in found] == [(1, "Industrie", 1, 5)]


def test_a_name_the_export_lists_is_never_a_topic():
    rows = [["Date", "Groupe", "Auteur", "Nom", "E-mail", "Texte"]]
    rows += [[f"0{k}/09/2026", "G", f"e{k}", f"Personne{k} Durand", f"p{k}@horizon.example",
              "Bravo Amélie pour la démo Zephyr"] for k in range(1, 6)]
    rows += [["06/09/2026", "G", "e6", "Amélie Morel", "amelie.morel@horizon.example", "Merci à tous"]]
    counts = term_counts(_messages(rows))
    # five people wrote « amélie » and « démo zephyr »; Amélie is a listed author's name: never a term
    assert {c.term for c in counts} == {"bravo", "démo", "zephyr", "démo zephyr"}


def test_mentions_are_edges_of_the_graph_computed_by_hand():
    # five authors (ids as Viva Engage writes them); "2" thanks [[user:1]], "3" copies @1 and @2, "4" answers
    # "1"'s thread, "5" mentions nobody, "x@1.fr" is an address, not a mention. Edges: 2→1, 3→1, 3→2 (3 gives
    # half to each), 4→1; "1" and "5" give nothing (dangling: their rank is shared by all).
    # With b = 0.03 + 0.17 (r1 + r5), the rank of each person nobody cites (3, 4, 5):
    #   r2 = b + 0.85 × b/2 = 1.425 b;  r1 = b + 0.85 (r2 + b/2 + b) = 3.48625 b
    #   3 b + 1.425 b + 3.48625 b = 7.91125 b = 1  →  r1 = 0.440670, r2 = 0.180123
    from kpis.dashboard import influencers
    from kpis.ingest.exports.esn import aggregates

    rows = [["Date", "Groupe", "Auteur", "Texte", "ID", "Réponse à"],
            ["01/09/2026", "G", "1", "Lancement du projet Zephyr", "m1", ""],
            ["02/09/2026", "G", "2", "Bravo [[user:1]] !", "m2", ""],
            ["03/09/2026", "G", "3", "cc @1 et @2, écrire à x@1.fr", "m3", ""],
            ["04/09/2026", "G", "4", "Je prends", "m4", "m1"],
            ["05/09/2026", "G", "5", "Rien à signaler", "m5", ""]]
    people = aggregates(_messages(rows))["esn_profiles"]
    assert people[["rank", "threads", "replies", "mentions"]].values.tolist() == [[1, 1, 1, 2], [2, 1, 0, 1]]
    assert people["score"].tolist() == pytest.approx([3.48625 / 7.91125, 1.425 / 7.91125], abs=1e-6)
    _, texts = influencers(people, date(2026, 9, 30), "fr")
    assert texts == ["n°1 — 1 conversation lancée, 1 réponse reçue, 2 mentions",
                     "n°2 — 1 conversation lancée, 1 mention"]
