"""Stage 7a: is a KPI matched from its header plausible? Doubtful ones become ``Question``s.

A header that looks like a catalog synonym may mean something else in the tool
that wrote the file. A KPI column matched from its header (never one named by
``--map``, a remembered mapping or a recognised vendor format) is questioned,
and the file is not importable until the user confirms or remaps it, when:

1. **segment**: the catalog declares the KPI for other segments than the
   sheet's (``Mentions`` of a Teams report read in B2E: brand mentions are
   external);
2. **stock_change**: a stock column (followers, population, spaces) has
   negative values, or moves like a change per period rather than a level:
   over its series of dates, the median move from one date to the next is at
   least ``STOCK_CHANGE_SHARE`` of its median value (a followers count of
   10 200 moves by about a hundred a month; daily net changes of −3 … +40
   move by as much as they are worth). The flow it likely is comes from
   ``STOCK_CHANGES``;
3. **ambiguous_word**: the header matched through a word that means different
   things in different tools (``AMBIGUOUS_WORDS``), and no other column of the
   sheet settles which.

    >>> from kpis.ingest.results import Column
    >>> import numpy as np
    >>> q = question_columns("Vidéos", [Column(1, "Vues", "kpi", "page_views", "exact")], [], np.array([]),
    ...                      np.array([]), {}, ["B2C"])
    >>> q[0].codes, q[0].targets
    (('ambiguous_word',), ('page_views', 'impressions', 'ignore'))

Confirming is naming the header with ``--map "HEADER=kpi_code"`` (or the
Importer's choice, which feeds the same mapping); ``--map "HEADER=ignore"``
drops the column.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from kpis import catalog
from kpis.catalog import KPIS, match_header
from kpis.ingest.results import Column, Question
from kpis.model import DIMENSIONS

__all__ = ["AMBIGUOUS_WORDS", "AmbiguousWord", "STOCK_CHANGES", "STOCK_CHANGE_SHARE", "STOCK_MIN_STEPS",
           "question_columns"]

STOCK_CHANGE_SHARE = 0.5
"""A stock whose median move between successive dates is at least this share of its median value looks like a
change per period, not a level."""

STOCK_MIN_STEPS = 4
"""The move rule needs at least this many date-to-date moves (summed over the sheet's series)."""

STOCK_CHANGES: dict[str, str | None] = {"followers": "new_followers", "population": None, "spaces": None}
"""For each stock KPI, the catalog flow a column of its changes would be (None: the catalog has none).
``new_followers`` counts followers gained; a net change (gains minus losses) is the closest the catalog has."""


@dataclass(frozen=True)
class AmbiguousWord:
    """A header word that means different things across tools, what it may mean, the KPIs it may be instead,
    and the KPIs whose presence in the same sheet settles it."""

    word: str
    meanings_fr: str
    meanings_en: str
    alternatives: tuple[str, ...] = ()
    settled_by: tuple[str, ...] = ()


_VIEWS = ("des pages vues d'un site, des vues d'une vidéo ou des affichages d'une publication",
          "a website's page views, a video's views or a post's impressions")
_MENTIONS = ("des mentions de la marque relevées en ligne, ou des @mentions d'une personne dans un outil de "
             "messagerie (Teams, Slack)",
             "brand mentions found online, or @mentions of a person in a messaging tool (Teams, Slack)")
_MESSAGES = ("des messages publiés dans un espace, des messages de chat privés ou des e-mails",
             "messages posted in a space, private chat messages or e-mails")
_VISITORS = ("des personnes distinctes ou des visites", "distinct people or visits")

AMBIGUOUS_WORDS: tuple[AmbiguousWord, ...] = (
    AmbiguousWord("vues", *_VIEWS, ("impressions",), ("sessions", "engaged_sessions", "unique_visitors")),
    AmbiguousWord("views", *_VIEWS, ("impressions",), ("sessions", "engaged_sessions", "unique_visitors")),
    AmbiguousWord("mentions", *_MENTIONS, (), ("positive_mentions", "negative_mentions")),
    AmbiguousWord("mention", *_MENTIONS, (), ("positive_mentions", "negative_mentions")),
    AmbiguousWord("messages", *_MESSAGES),
    AmbiguousWord("visiteurs", *_VISITORS, ("sessions",), ("sessions",)),
)
"""The words, each a folded catalog synonym (``visitors`` alone is none: it stays unknown).
``Abonnés``/``followers`` is not one: a level and a change are told apart by the values (rule 2), so a
monthly followers workbook is not questioned. ``Interactions`` is no synonym either."""

_WORDS = {w.word: w for w in AMBIGUOUS_WORDS}


def question_columns(sheet: str, columns: list[Column], picks: list, starts: np.ndarray, segments: np.ndarray,
                     dims: dict[str, np.ndarray], found: list[str]) -> list[Question]:
    """The doubtful KPI columns of a wide sheet. ``picks`` are ``(kpi, rows, values)`` of the kept values,
    ``starts``, ``segments`` and ``dims`` per body row, ``found`` the sheet's segments."""
    values = {kpi: (idx, v) for kpi, idx, v in picks}
    present = {c.kpi for c in columns if c.role == "kpi" and c.kpi in values}
    taken = {c.kpi for c in columns if c.role == "kpi"}  # an alternative another column gives is no way out
    out = []
    for c in columns:
        if c.role != "kpi" or not c.kpi or c.match not in ("exact", "partial"):
            continue
        why: list[tuple[str, str, str]] = []
        alternatives: list[str] = []
        outside = [s for s in found if s not in KPIS[catalog.world_variant(c.kpi, s)].segments]
        if outside:
            declared = ", ".join(KPIS[c.kpi].segments)
            why.append(("segment", f"le catalogue le déclare pour {declared} seulement, et cette feuille est "
                        f"{', '.join(outside)}", f"the catalog declares it for {declared} only, and this sheet "
                        f"is {', '.join(outside)}"))
        if KPIS[c.kpi].aggregation == "stock" and c.kpi in values:
            idx, v = values[c.kpi]
            reason = _stock_change(v, idx, starts, segments, dims)
            if reason is not None:
                flow = STOCK_CHANGES.get(c.kpi)
                why.append(("stock_change", reason[0] + _flow_note(flow, "fr"), reason[1] + _flow_note(flow, "en")))
                alternatives += [flow] if flow else []
        word = _WORDS.get(getattr(match_header(c.header), "synonym", ""))
        if word is not None and not present & set(word.settled_by):
            why.append(("ambiguous_word", f"« {word.word} » désigne, selon l'outil, {word.meanings_fr}",
                        f"'{word.word}' means, depending on the tool, {word.meanings_en}"))
            alternatives += list(word.alternatives)
        if why:
            fit = [a for a in dict.fromkeys(alternatives)
                   if a not in taken and all(s in KPIS[a].segments for s in found)]
            out.append(Question(sheet, c.letter, c.header, c.kpi, tuple(w[0] for w in why),
                                tuple(w[1] for w in why), tuple(w[2] for w in why), tuple(fit)))
    return out


def _flow_note(flow: str | None, lang: str) -> str:
    if flow:
        return (f" ; ce serait plutôt « {KPIS[flow].label('fr')} » ({flow})" if lang == "fr"
                else f"; it is more likely '{KPIS[flow].label('en')}' ({flow})")
    return (" ; le catalogue n'a pas d'indicateur de variation pour ce stock" if lang == "fr"
            else "; the catalog has no KPI for the changes of this stock")


def _stock_change(values: np.ndarray, idx: np.ndarray, starts: np.ndarray, segments: np.ndarray,
                  dims: dict[str, np.ndarray]) -> tuple[str, str] | None:
    """Why a stock column looks like changes per period (French, English), or None."""
    negative = int((values < 0).sum())
    if negative:
        return (f"{negative} valeur(s) négative(s), impossibles pour un total en fin de période",
                f"{negative} negative value(s), impossible for an end-of-period total")
    frame = pd.DataFrame({"segment": segments[idx], **{d: dims[d][idx] for d in DIMENSIONS},
                          "start": starts[idx], "value": values})
    by_date = frame.groupby(["segment", *DIMENSIONS, "start"], sort=True, observed=True)["value"].sum()
    steps = by_date.groupby(level=list(range(1 + len(DIMENSIONS))), observed=True).diff().dropna().abs()
    if len(steps) < STOCK_MIN_STEPS:
        return None
    step, level = float(steps.median()), float(by_date.abs().median())
    if step < STOCK_CHANGE_SHARE * level:
        return None
    share = f"{STOCK_CHANGE_SHARE * 100:.0f} %"
    return (f"d'une date à l'autre, elle bouge de {step:g} en médiane pour une valeur médiane de {level:g} : un "
            f"total en fin de période bouge peu par rapport à son niveau (règle : écart médian ≥ {share} de la "
            "valeur médiane), ces chiffres ressemblent à une variation par période",
            f"from one date to the next it moves by {step:g} (median) for a median value of {level:g}: an "
            f"end-of-period total moves little against its level (rule: median move ≥ {share} of the median "
            "value), these look like changes per period")

