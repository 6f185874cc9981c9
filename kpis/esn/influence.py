"""Who carries the network's conversations: a reply and mention graph ranked by PageRank, shown as profiles.

    >>> p = profiles(["a", "b", "c", "d", "e"], [True, False, False, False, False], [None, "a", "a", "a", "a"],
    ...              [None] * 5, min_people=5)
    >>> [(x.rank, x.threads, x.replies) for x in p]
    [(1, 1, 4)]
    >>> profile_text(p[0], "fr")
    'n°1 — 1 conversation lancée, 4 réponses reçues'

Each reply is an edge from its author to the author it answers, and each mention of another author of the
export an edge from the message's author to that person (``mentioned``: Viva Engage writes a mention
``[[user:ID]]`` with the sender's id, other tools ``@id``); a person answering or mentioning themself is no edge.
``pagerank`` ranks the authors (damping 0.85, the standard; a person with no edge given spreads their weight
evenly), so that being answered or cited by people who are themselves answered counts more than many answers
from people nobody answers. Ties are broken by replies received, then mentions, then conversations started.
Only people who received a reply or a mention are ranked.

    >>> p = profiles(["a", "b", "c", "d", "e", "a"], [True] * 6, [None] * 6, [None] * 6,
    ...              mentions=[[], ["a"], ["a"], ["a", "b"], [], ["a"]], min_people=5)
    >>> [(x.rank, x.replies, x.mentions) for x in p], profile_text(p[0], "en")
    ([(1, 0, 3), (2, 0, 1)], '#1 — 2 conversations started, 3 mentions')

A profile keeps the rank, the person's department or entity when the export has one and at least
``MIN_PEOPLE`` authors of the export share it (else no department), the conversations started and the
replies received: what is stored. Ids never leave this module; a name only when the caller asks for it (the
``esn_names`` setting) and the period has at least ``MIN_PEOPLE`` authors.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Sequence

import numpy as np

__all__ = ["Profile", "profiles", "pagerank", "profile_text", "mentioned", "MIN_PEOPLE", "TOP_PROFILES", "DAMPING"]

MIN_PEOPLE = 5
"""A department is named on a profile only when at least this many authors of the export belong to it."""
TOP_PROFILES = 10
"""Profiles kept per period."""
DAMPING = 0.85


@dataclass(frozen=True)
class Profile:
    rank: int
    department: str | None
    threads: int  # conversations started
    replies: int  # replies received from others
    score: float  # PageRank, the people of the period summing to 1
    name: str | None = None  # the person's display name: only when asked for and the period has enough authors
    mentions: int = 0  # messages of others mentioning the person


_VIVA_MENTION = re.compile(r"\[\[user:(\d+)\]\]")
_AT_MENTION = re.compile(r"(?<![\w.])@([\w.-]*\w)")


def mentioned(texts: Sequence[str], authors: Sequence[str]) -> list[list[str]]:
    """The authors each message mentions (``[[user:ID]]``, ``@ID``), among the export's authors (a mention of
    anyone else names nobody the graph knows).

        >>> mentioned(["Merci [[user:17]] et @u2 !", "écrire à x@u2.fr", "@u9"], ["17", "u2"])
        [['17', 'u2'], [], []]
    """
    known = set(authors)
    return [[m for m in dict.fromkeys(_VIVA_MENTION.findall(text) + _AT_MENTION.findall(text)) if m in known]
            for text in texts]


def pagerank(nodes: Sequence[str], edges: dict[tuple[str, str], float], damping: float = DAMPING,
             tol: float = 1e-12, max_iter: int = 1000) -> dict[str, float]:
    """PageRank of a weighted directed graph by power iteration (``edges``: (from, to) → weight).

        >>> r = pagerank(["a", "b"], {("b", "a"): 1.0})
        >>> round(r["a"], 4), round(r["b"], 4)      # b gives all to a; a, with no edge, spreads evenly
        (0.6491, 0.3509)
    """
    index = {n: i for i, n in enumerate(nodes)}
    n = len(nodes)
    if n == 0:
        return {}
    out_weight = np.zeros(n)
    src, dst, w = [], [], []
    for (a, b), weight in edges.items():
        src.append(index[a])
        dst.append(index[b])
        w.append(weight)
        out_weight[index[a]] += weight
    src_, dst_, w_ = np.array(src, dtype=int), np.array(dst, dtype=int), np.array(w, dtype=float)
    rank = np.full(n, 1.0 / n)
    dangling = out_weight == 0
    for _ in range(max_iter):
        new = np.zeros(n)
        np.add.at(new, dst_, rank[src_] * w_ / out_weight[src_]) if len(src_) else None
        new = damping * (new + rank[dangling].sum() / n) + (1 - damping) / n
        if np.abs(new - rank).sum() < tol * n:
            rank = new
            break
        rank = new
    return {node: float(rank[i]) for node, i in index.items()}


def profiles(authors: Sequence[str], starters: Sequence[bool], replied: Sequence[str | None],
             departments: Sequence[str | None], top: int = TOP_PROFILES,
             min_people: int = MIN_PEOPLE, names: Sequence[str | None] | None = None,
             mentions: Sequence[Sequence[str]] | None = None) -> list[Profile]:
    """The ``top`` people of these messages by PageRank of the reply and mention graph, as profiles (no id).

    ``mentions``: the authors each message mentions (``mentioned``). ``names`` (each message's author name, the
    ``show names`` setting on) names the profiles, only when these messages have at least ``min_people``
    distinct authors; otherwise, and without ``names``, no name."""
    people = list(dict.fromkeys(authors))
    edges: dict[tuple[str, str], float] = {}
    received: dict[str, int] = {}
    cited: dict[str, int] = {}
    started: dict[str, int] = {}
    for k, (a, s, r) in enumerate(zip(authors, starters, replied, strict=True)):
        if s:
            started[a] = started.get(a, 0) + 1
        if r is not None and r != a:
            if r not in people:
                people.append(r)
            edges[(a, r)] = edges.get((a, r), 0.0) + 1.0
            received[r] = received.get(r, 0) + 1
        for m in (mentions[k] if mentions is not None else ()):
            if m != a:
                if m not in people:
                    people.append(m)
                edges[(a, m)] = edges.get((a, m), 0.0) + 1.0
                cited[m] = cited.get(m, 0) + 1
    dept_of: dict[str, str] = {}
    for a, d in zip(authors, departments, strict=True):
        if d:
            dept_of.setdefault(a, d)
    size: dict[str, int] = {}
    for d in dept_of.values():
        size[d] = size.get(d, 0) + 1
    name_of: dict[str, str] = {}
    if names is not None and len(set(authors)) >= min_people:
        for a, n in zip(authors, names, strict=True):
            if n:
                name_of.setdefault(a, n)
    scores = pagerank(people, edges)
    ranked = sorted((p for p in people if received.get(p) or cited.get(p)),
                    key=lambda p: (-round(scores[p], 12), -received.get(p, 0), -cited.get(p, 0), -started.get(p, 0),
                                   people.index(p)))
    out = []
    for k, p in enumerate(ranked[:top], start=1):
        d = dept_of.get(p)
        out.append(Profile(k, d if d and size[d] >= min_people else None, started.get(p, 0), received.get(p, 0),
                           round(scores[p], 6), name_of.get(p), cited.get(p, 0)))
    return out


_WORDS = {
    "fr": ("n°{rank}", "{n} conversation lancée", "{n} conversations lancées", "{n} réponse reçue",
           "{n} réponses reçues", "{n} mention", "{n} mentions"),
    "en": ("#{rank}", "{n} conversation started", "{n} conversations started", "{n} reply received",
           "{n} replies received", "{n} mention", "{n} mentions"),
}


def profile_text(p: Profile, lang: str = "fr") -> str:
    """``n°1 — Direction Industrie, 34 conversations lancées, 212 réponses reçues`` (the name first when the
    profile has one: ``n°1 — Jeanne Roux, Direction Industrie, …``)."""
    rank, t1, tn, r1, rn, m1, mn = _WORDS["fr" if lang == "fr" else "en"]
    parts = [x for x in (p.name, p.department) if x]
    parts += [(t1 if p.threads == 1 else tn).format(n=p.threads)]
    parts += [(r1 if p.replies == 1 else rn).format(n=p.replies)] if p.replies or not p.mentions else []
    parts += [(m1 if p.mentions == 1 else mn).format(n=p.mentions)] if p.mentions else []
    return f"{rank.format(rank=p.rank)} — " + ", ".join(parts)
