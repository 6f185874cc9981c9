"""The ``--map`` language and remembered mappings: what a header is forced to mean.

    >>> parse_target("clicks:fr")
    Target(role='kpi', kpi='clicks', grain=None, convention='fr')
    >>> header_key([" Clics", "Date", None, ""])
    ('clics', 'date')
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

from kpis.catalog import KPIS, fold
from kpis.errors import UsageError

__all__ = ["Target", "parse_target", "header_key", "DIMENSION_TARGETS", "GRAIN_TARGETS", "LONG_KPI_HEADERS",
           "LONG_VALUE_HEADERS"]

LONG_KPI_HEADERS = frozenset(fold(h) for h in ("kpi", "indicateur", "indicator", "metric", "metrique", "mesure",
                                               "measure", "nom du kpi", "kpi name", "libelle indicateur"))
LONG_VALUE_HEADERS = frozenset(fold(h) for h in ("value", "valeur", "valeurs", "values", "realise", "actual"))

DIMENSION_TARGETS = ("period", "period_start", "period_end", "segment", "entity", "channel", "initiative", "currency")
GRAIN_TARGETS = {f"period:{g}": g for g in ("day", "week", "month", "quarter", "year")}


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
