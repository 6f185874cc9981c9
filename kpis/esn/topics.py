"""What the network talks about: terms and two-word phrases, counted by distinct authors, never quoted whole.

    >>> texts = ["La cantine ferme tôt", "Cantine fermée ?", "the canteen is closed"]
    >>> terms(texts[0]), terms(texts[2])
    (['cantine', 'ferme', 'tôt', 'cantine ferme', 'ferme tôt'], ['canteen', 'closed'])

``term_counts`` gives, per month × group, each term's distinct authors and messages, and keeps only the terms
that at least ``MIN_AUTHORS`` distinct authors used in that month and group (and, under ``"(all)"``, in the
whole network that month): this is what is kept of the messages' words. A word of an author's name or address
is never a term when the export lists them (``Messages.name_words``: « Bravo Amélie » five times is no topic).

``top_terms`` ranks the kept terms of a window by messages weighted by how specific they are (a TF-IDF over
the month × group cells: a word every space uses, such as « merci », sinks), with their change against the
previous window; a word is dropped when a phrase holding it has as many messages (« projet atlas » says what
« atlas » would).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from datetime import date
from typing import Iterable, Sequence

import numpy as np

from kpis.esn.messages import Messages
from kpis.model import ALL

__all__ = ["terms", "term_counts", "TermCount", "top_terms", "MIN_AUTHORS", "STOP_WORDS"]

MIN_AUTHORS = 5
"""A term is kept (and shown) only when at least this many distinct authors used it."""

MIN_LENGTH = 3
"""Shorter words (« ok », « rh ») are no topic."""

STOP_WORDS = frozenset("""
a à ai aie ainsi alors au aucun aucune aujourd aussi autre aux avait avant avec avez avoir avons bien bon ça car ce
ceci cela celle celles celui ces cet cette chaque chez ci comme comment d dans de des deux dire doit donc dont du
elle elles en encore entre est et été être eu fait faire faut fois font hier ici il ils j je jour juste l la là le
les leur leurs lui m ma mais me même mes moi moins mon n ne ni non nos notre nous on ont ou où par parce pas peu
peut plus pour pourquoi qu quand que quel quelle quelles quels qui quoi s sa sans se ses si sera son sont sous
suis sur t ta te tes toi ton tous tout toute toutes très tu un une vers vos votre vous y merci bonjour salut
svp stp semaine mois matin soir demain chose choses gens vraiment déjà toujours jamais rien tout-le-monde
about after again all also am an and any are as at be been before being but by can could did do does doing
done for from had has have having he her here hers him his how i if in into is it its just me more most my no
nor not now of off on once only or other our ours out over own same she should so some still such than that the
their them then there these they this those through to too under until up very was we well were what when where
which while who whom why will with would you your yours thanks thank hello please week today tomorrow really
get got one also yes
""".split())
"""French and English function words and greetings: never a topic."""

_WORD = re.compile(r"[0-9a-zà-öø-ÿœæ]+(?:-[0-9a-zà-öø-ÿœæ]+)*")
_ELISION = re.compile(r"\b(?:l|d|j|c|n|m|t|s|qu|jusqu|lorsqu|puisqu)['’]")
_MENTION = re.compile(r"\[\[[a-z]+:\d+\]\]|@\S+|https?://\S+|\S+@\S+")


def terms(text: str) -> list[str]:
    """The distinct words of a message that can be topics, then its two-word phrases, in order of appearance.

    Mentions, links and e-mail addresses are removed first: a person's name or address is never a term.
    """
    text = _MENTION.sub(" ", text.lower())
    text = _ELISION.sub(" ", text)
    words = [w for w in _WORD.findall(text)]
    kept = [w if (len(w) >= MIN_LENGTH and w not in STOP_WORDS and not w.isdigit()) else None for w in words]
    unigrams = list(dict.fromkeys(w for w in kept if w))
    bigrams = list(dict.fromkeys(f"{a} {b}" for a, b in zip(kept, kept[1:], strict=False) if a and b))
    return unigrams + bigrams


@dataclass(frozen=True)
class TermCount:
    """A term's use in one month and group: what is stored of the words (no author, no message)."""

    month: date
    group: str
    term: str
    authors: int
    messages: int


def term_counts(messages: Messages, groups: Sequence[str] | None = None,
                min_authors: int = MIN_AUTHORS) -> list[TermCount]:
    """Per month × group (``groups``: the published label of each message, default its group) and per month
    under ``"(all)"``, the terms used by at least ``min_authors`` distinct authors."""
    groups = list(groups if groups is not None else messages.group)
    months = [d.replace(day=1) for d in messages.day.astype(object).tolist()]
    cells: dict[tuple[date, str, str], tuple[set, list]] = {}
    names = messages.name_words
    for i, text in enumerate(messages.text):
        for term in terms(text):
            if names and any(w in names for w in term.split(" ")):
                continue
            for g in (groups[i], ALL):
                authors, count = cells.setdefault((months[i], g, term), (set(), [0]))
                authors.add(messages.author[i])
                count[0] += 1
    return sorted((TermCount(m, g, t, len(a), c[0]) for (m, g, t), (a, c) in cells.items()
                   if len(a) >= min_authors), key=lambda x: (x.month, x.group, -x.messages, x.term))


def top_terms(counts: Iterable[TermCount], start: date, end: date, previous: tuple[date, date] | None = None,
              group: str = ALL, n: int = 10) -> list[dict]:
    """The ``n`` most telling terms of ``group`` between ``start`` and ``end`` (months whose first day is
    inside), with their messages, largest monthly authors, score and messages in the ``previous`` window.

        >>> c = [TermCount(date(2026, 9, 1), ALL, "cantine", 6, 9), TermCount(date(2026, 9, 1), "A", "cantine", 6, 9)]
        >>> [(t["term"], t["messages"], t["previous"]) for t in top_terms(c, date(2026, 9, 1), date(2026, 9, 30))]
        [('cantine', 9, 0)]
    """
    counts = list(counts)
    inside = [c for c in counts if start <= c.month <= end]
    cells = {(c.month, c.group) for c in inside if c.group != ALL}
    docs: dict[str, set] = {}
    for c in inside:
        if c.group != ALL:
            docs.setdefault(c.term, set()).add((c.month, c.group))
    mine = [c for c in inside if c.group == group]
    messages: dict[str, int] = {}
    authors: dict[str, int] = {}
    for c in mine:
        messages[c.term] = messages.get(c.term, 0) + c.messages
        authors[c.term] = max(authors.get(c.term, 0), c.authors)
    before: dict[str, int] = {}
    if previous is not None:
        for c in counts:
            if c.group == group and previous[0] <= c.month <= previous[1]:
                before[c.term] = before.get(c.term, 0) + c.messages
    subsumed = {t for t in messages if " " not in t and any(
        " " in p and t in p.split(" ") and messages[p] >= messages[t] for p in messages)}
    n_docs = max(len(cells), 1)
    scored: list[dict] = []
    for t, m in messages.items():
        if t in subsumed:
            continue
        idf = math.log(1 + n_docs / max(len(docs.get(t, ())), 1))
        scored.append({"term": t, "messages": m, "authors": authors[t], "score": float(np.round(m * idf, 6)),
                       "previous": before.get(t, 0)})
    scored.sort(key=lambda r: (-float(r["score"]), -int(r["messages"]), str(r["term"])))
    return scored[:n]
