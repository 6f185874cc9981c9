"""The ``--map`` language and remembered mappings: what a column is forced to mean.

    >>> parse_target("clicks:fr")
    Target(role='kpi', kpi='clicks', grain=None, convention='fr')
    >>> header_key([" Clics", "Date", None, ""])
    ('clics', 'date')
    >>> map_keys("Pages vues#2"), map_keys("B"), map_keys("Clics")
    (('pages vues#2',), ('b', '@B'), ('clics',))

A column is named in one of three ways (``--map "NAME=TARGET"``, the Importer's
choices, remembered mappings):

- **its header text**, folded (``Coût (€)`` = ``cout``): every column with that header;
- **its header and occurrence**, ``Pages vues#2``: the second column, counting from the left, whose
  header is ``Pages vues`` (``#1`` the first): the way through a header that repeats;
- **its column letter**, ``B`` (one to three capital letters, as Excel shows it): that column, headed or
  not, unless a header of the sheet reads ``B``, which then wins (write ``B#1`` to name that header, or
  use its letter in a sheet without such a header).

Positions are counted in the header row as the file shows it: in a two-level header
(``kpis.ingest.layouts``) that is the lower row, the KPIs, and a letter is the sheet's own column. A
remembered mapping keeps the names as they were given, so a position stays a position: when a file comes
back next month with one more month added at the right, every column before it keeps its letter and its
occurrence, and the mapping applies as before; the new month's columns are read by their headers. A two-level
sheet is remembered under its KPI names and dimension headers, each once (``header_key`` of the flat table),
so adding a month does not change the key.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Sequence

from kpis.catalog import KPIS, fold
from kpis.errors import UsageError

__all__ = ["Target", "parse_target", "header_key", "map_keys", "column_target", "letter_index", "names_for",
           "LETTER_KEY",
           "DIMENSION_TARGETS", "GRAIN_TARGETS", "LONG_KPI_HEADERS",
           "LONG_VALUE_HEADERS"]

LONG_KPI_HEADERS = frozenset(fold(h) for h in ("kpi", "indicateur", "indicator", "metric", "metrique", "mesure",
                                               "measure", "nom du kpi", "kpi name", "libelle indicateur"))
LONG_VALUE_HEADERS = frozenset(fold(h) for h in ("value", "valeur", "valeurs", "values", "realise", "actual"))

DIMENSION_TARGETS = ("period", "period_start", "period_end", "segment", "entity", "channel", "initiative", "currency")
GRAIN_TARGETS = {f"period:{g}": g for g in ("day", "week", "month", "quarter", "year")}

_OCCURRENCE = re.compile(r"^(?P<header>.*?\S)\s*#\s*(?P<n>[1-9]\d*)$")
_LETTER = re.compile(r"^[A-Z]{1,3}$")
LETTER_KEY = "@"
"""A column letter's key in a forced mapping (``@B``): no folded header starts with it."""


@dataclass(frozen=True)
class Target:
    """A parsed ``--map`` target: a role, maybe a KPI, a forced grain or number convention."""

    role: str
    kpi: str | None = None
    grain: str | None = None
    convention: str | None = None


def parse_target(text: str) -> Target:
    """``"clicks"``, ``"clicks:fr"``, ``"period:month"``, ``"entity"``, ``"ignore"`` → a Target.

        >>> parse_target("period:month")
        Target(role='period', kpi=None, grain='month', convention=None)
    """
    t = text.strip()
    low = t.lower()
    if low in GRAIN_TARGETS:
        return Target("period", grain=GRAIN_TARGETS[low])
    if low in DIMENSION_TARGETS:
        return Target(low)
    if low in ("ignore", "ignorer"):
        return Target("ignored")
    code, _, conv = t.partition(":")
    if code in KPIS and KPIS[code].base and conv in ("", "fr", "en"):
        return Target("kpi", kpi=code, convention=conv or None)
    raise UsageError(
        f"Cible inconnue « {text} » : un code KPI de base, period, period:month, period_start, period_end, "
        "segment, entity, channel, initiative ou ignore.",
        f"Unknown target '{text}': a base KPI code, period, period:month, period_start, period_end, segment, "
        "entity, channel, initiative or ignore.",
    )


def header_key(headers: Sequence[object]) -> tuple[str, ...]:
    """The key of a header set: each text header folded, sorted (blank and non-text cells dropped, duplicates
    kept). A remembered mapping is stored under this key and found again when the same export comes back."""
    return tuple(sorted(fold(h) for h in headers if isinstance(h, str) and h.strip()))


def map_keys(name: str) -> tuple[str, ...]:
    """The keys under which a mapping's name is looked up in a forced mapping: the folded header, the folded
    header with its occurrence (``pages vues#2``), and for one to three capital letters also the column
    letter (``@B``). Folded text holds neither ``#`` nor ``@``, so no key is taken for another.

        >>> map_keys("Coût (€)#1"), map_keys("CA")
        (('cout#1',), ('ca', '@CA'))
    """
    text = name.strip()
    m = _OCCURRENCE.match(text)
    if m is not None and fold(m["header"]):
        return (f"{fold(m['header'])}#{int(m['n'])}",)
    if _LETTER.match(text):
        return (fold(text), LETTER_KEY + text)
    return (fold(text),)


def letter_index(name: str) -> int | None:
    """A column letter's 0-based index (``"B"`` → 1, ``"AA"`` → 26), None for anything else."""
    text = name.strip()
    if not _LETTER.match(text):
        return None
    index = 0
    for ch in text:
        index = index * 26 + ord(ch) - 64
    return index - 1


def column_target(forced: dict[str, Target], folded: str, occurrence: int, letter: str,
                  headers: set[str]) -> Target | None:
    """The forced meaning of one column: by header and occurrence, then by header, then by letter (unless
    some header of the sheet reads as that letter: the header wins).

        >>> forced = {"pages vues#2": Target("ignored"), "@A": Target("entity")}
        >>> column_target(forced, "pages vues", 2, "C", {"pages vues"}).role
        'ignored'
        >>> column_target(forced, "", 1, "A", {"pages vues"}).role
        'entity'
    """
    if folded:
        t = forced.get(f"{folded}#{occurrence}") or forced.get(folded)
        if t is not None:
            return t
    if fold(letter) in headers:
        return None
    return forced.get(LETTER_KEY + letter)


def names_for(maps: dict[str, str], headers: Sequence[str]) -> dict[str, str]:
    """The entries of ``maps`` that name a column of a sheet whose header row is ``headers``: a header or a
    header with its occurrence among them, or the letter of a column without a header (what the Importer
    remembers for that sheet).

        >>> names_for({"Pages vues#2": "ignore", "Clics": "clicks", "C": "entity", "A": "entity"},
        ...           ["Mois", "Pages vues", "", "Pages vues"])
        {'Pages vues#2': 'ignore', 'C': 'entity'}
    """
    folded = [fold(h) for h in headers]
    out = {}
    for name, target in maps.items():
        keys = map_keys(name)
        index = letter_index(name)
        named = any(k.split("#")[0] in folded for k in keys if not k.startswith(LETTER_KEY))
        blank = index is not None and (index >= len(folded) or not folded[index])
        if named or blank:
            out[name] = target
    return out
