"""Stage 2: what each column is (a KPI, a dimension, ignored or unknown), and conflicts between columns.

    >>> from kpis.ingest.issues import IssueLog
    >>> cols = map_columns(["Date", "Clics", "CTR", "Remarque"], [["01/09/2026", "3", "2 %", "x"]], {}, IssueLog())
    >>> [(c.letter, c.role, c.kpi) for c in cols]
    [('A', 'period', None), ('B', 'kpi', 'clicks'), ('C', 'ignored', None), ('D', 'unknown', None)]
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Sequence

from kpis import catalog
from kpis.catalog import fold, match_header
from kpis.ingest.cells import cell_text, is_blank
from kpis.ingest.issues import IssueLog, column_letter
from kpis.ingest.mapping import LONG_KPI_HEADERS, LONG_VALUE_HEADERS, Target, column_target
from kpis.ingest.results import Column

__all__ = ["AMBIGUOUS_REASON", "RATIO_REASON", "SPLIT_ROLES", "map_columns", "position_name", "roles",
           "unknown_columns", "value_profile"]

RATIO_REASON = "ratio recomputed from its components"
AMBIGUOUS_REASON = "ambiguous: choose with --map"
"""The reason of the columns of which several give one KPI: the user says which (the Importer offers them)."""
SPLIT_ROLES = ("unknown", "ignored")
"""Columns that may tell apart rows sharing a period and every dimension."""

SAMPLE_ROWS = 200
"""A column without a header counts when one of the first body rows has a value in it."""

_SINGLE_ROLES = ("kpi", "period", "period_start", "period_end", "segment", "currency", "long_kpi", "long_value")
"""Roles one column at most may take (several entity columns are joined instead)."""


def roles(columns: list[Column], *wanted: str) -> list[Column]:
    """The columns whose role is one of ``wanted``, in sheet order."""
    return [c for c in columns if c.role in wanted]


def map_columns(header: list, body: list[list], forced: dict[str, Target], log: IssueLog) -> list[Column]:
    """Every column with a header, or without one but holding values, understood; conflicts resolved.
    ``forced`` is keyed as ``kpis.ingest.mapping.map_keys`` says: by header, header and occurrence, or letter."""
    sample = body[:SAMPLE_ROWS]
    width = max([len(header)] + [len(r) for r in sample]) if body else len(header)
    texts = [cell_text(header[idx]) if idx < len(header) else "" for idx in range(width)]
    headers = {fold(t) for t in texts if t}
    seen: Counter[str] = Counter()
    columns = []
    for idx, text in enumerate(texts):
        folded = fold(text) if text else ""
        seen[folded] += 1
        mapped = column_target(forced, folded, seen[folded], column_letter(idx), headers) if forced else None
        if mapped is not None:
            columns.append(_mapped(idx, text, mapped))
        elif text:
            columns.append(_column(idx, text))
        elif any(idx < len(r) and not is_blank(r[idx]) for r in sample):
            columns.append(Column(idx, "", "unknown"))
    _resolve_conflicts(columns, log)
    return columns


def position_name(columns: list[Column], column: Column) -> str:
    """How ``--map`` names ``column`` whatever its neighbours: its header, with its occurrence when the header
    repeats (``Pages vues#2``), or its letter when it has no header.

        >>> cols = [Column(0, "Pages vues", "kpi"), Column(1, "Pages vues", "kpi"), Column(2, "", "unknown")]
        >>> [position_name(cols, c) for c in cols]
        ['Pages vues#1', 'Pages vues#2', 'C']
    """
    if not column.header:
        return column_letter(column.index)
    same = [c for c in columns if c.header and fold(c.header) == fold(column.header)]
    if len(same) < 2:
        return column.header
    return f"{column.header}#{[c.index for c in same].index(column.index) + 1}"


def unknown_columns(columns: list[Column], body: Sequence[list] = ()) -> list[dict]:
    """The columns not understood, each with the catalog's closest names (for the report) and the ``profile`` of
    its first values (``value_profile``: what a KPI made from it would count; never the values themselves)."""
    sample = body[:SAMPLE_ROWS]
    return [{"column": c.letter, "header": c.header, "closest": catalog.closest(c.header) if c.header else [],
             "profile": value_profile([r[c.index] for r in sample if c.index < len(r)])}
            for c in columns if c.role == "unknown"]


_NUMBER = re.compile(r"^[-+]?[\d\s\u00a0\u202f.,]*\d[\d\s\u00a0\u202f.,]*$")


def value_profile(values: list) -> str | None:
    """What a column's values look like: ``"integers"``, ``"euros"``, ``"percent"``, ``"fractions"`` (all between 0
    and 1), ``"decimals"``, or ``None`` (text, dates, nothing).

        >>> value_profile([12, 30, "7"]), value_profile(["1 200 €", "900 €"]), value_profile(["45 %", 0.3])
        ('integers', 'euros', 'percent')
        >>> value_profile([0.25, 0.5]), value_profile(["Alice", 3])
        ('fractions', None)
    """
    numbers, euro, percent = [], False, False
    for value in values:
        if is_blank(value):
            continue
        if isinstance(value, bool):
            return None
        if isinstance(value, (int, float)):
            numbers.append(float(value))
            continue
        text = str(value).strip()
        euro = euro or "€" in text
        percent = percent or text.endswith("%")
        core = text.replace("€", "").replace("%", "").strip()
        if not _NUMBER.match(core):
            return None
        try:
            numbers.append(float(re.sub(r"[\s\u00a0\u202f]", "", core).replace(",", ".")))
        except ValueError:
            numbers.append(1.5)  # 1.234,5 or 1,234.5: a number, not a fraction
    if not numbers:
        return None
    if percent:
        return "percent"
    if euro:
        return "euros"
    if all(n.is_integer() for n in numbers):
        return "integers"
    if all(0 <= n <= 1 for n in numbers):
        return "fractions"
    return "decimals"


def _mapped(idx: int, text: str, t: Target) -> Column:
    return Column(idx, text, t.role, t.kpi, "mapped", grain=t.grain, convention=t.convention,
                  reason="ignored on request" if t.role == "ignored" else None)


def _column(idx: int, text: str) -> Column:
    folded = fold(text)
    m = match_header(text)
    if m is None:
        role = "long_kpi" if folded in LONG_KPI_HEADERS else "long_value" if folded in LONG_VALUE_HEADERS else "unknown"
        return Column(idx, text, role, match="exact" if role != "unknown" else None)
    if m.role == "ratio":
        return Column(idx, text, "ignored", match=m.match, reason=RATIO_REASON)
    return Column(idx, text, m.role, m.kpi, m.match, total=m.total)


def _resolve_conflicts(columns: list[Column], log: IssueLog) -> None:
    """Several columns for one KPI or dimension: exact beats partial, then ``total``; a tie is an error."""
    groups: dict[str, list[Column]] = defaultdict(list)
    for c in columns:
        if c.role in _SINGLE_ROLES:
            groups[c.kpi or c.role].append(c)
    rank = {"mapped": 3, "remembered": 3, "exact": 2, "partial": 1}
    for target, group in groups.items():
        if len(group) < 2:
            continue
        best = max((rank.get(c.match or "", 0), c.total) for c in group)
        winners = [c for c in group if (rank.get(c.match or "", 0), c.total) == best]
        if len(winners) > 1:
            letters = ", ".join(c.letter for c in winners)
            name = position_name(columns, winners[-1])
            log.add("ambiguous_columns", "error",
                    f"Plusieurs colonnes ({letters}) donnent « {target} » : précisez laquelle (la colonne "
                    f"{winners[-1].letter} par exemple) avec --map \"{name}=ignore\" ou dans l'écran d'import. Rien "
                    "n'est additionné en silence.",
                    f"Several columns ({letters}) give '{target}': say which one (column {winners[-1].letter} for "
                    f"instance) with --map \"{name}=ignore\" or on the import screen. Nothing is summed silently.")
        for c in group:
            if len(winners) > 1 or c is not winners[0]:
                reason = AMBIGUOUS_REASON if len(winners) > 1 else \
                    f"column {winners[0].letter} gives {target}"
                c.role, c.kpi, c.reason = "ignored", None, reason
