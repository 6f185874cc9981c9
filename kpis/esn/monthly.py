"""The B2E KPIs of an ESN export per month × group: what is stored of the messages.

    >>> import numpy as np
    >>> from kpis.esn.messages import Messages
    >>> m = Messages(np.array(["2026-09-01", "2026-09-03"], dtype="datetime64[D]"), ["Atlas"] * 2,
    ...              ["u1", "u2"], ["t1", "t1"], np.array([True, False]), [None, "u1"], ["", ""], [None, None], [2, 3])
    >>> [(r.group, r.values["esn_threads"], r.values["esn_replied_threads"], r.values["esn_messages"])
    ...  for r in monthly(m, [1, 0], min_group=1) if r.group != "(all)"]
    [('Atlas', 1.0, 1.0, 2.0)]

Per calendar month, clipped to the export's first and last message days: conversations started, those with a
reply (at any date of the export), messages, distinct authors (``esn_voices``), and positive / negative / neutral
messages. A group whose month has fewer than ``MIN_GROUP_SIZE`` distinct authors is folded into ``"(other)"``
(with the next smallest groups until ``(other)`` itself has enough, unless the whole month has fewer); one more
row per month gives the network's distinct authors under ``"(all)"`` (a distinct count is read as the largest
over groups, so the network's own count has to be given).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Sequence

from kpis.esn.messages import Messages
from kpis.model import ALL, OTHER

__all__ = ["MonthGroup", "monthly", "month_bounds", "fold_groups", "published_groups", "MONTHLY_KPIS"]

MONTHLY_KPIS = ("esn_threads", "esn_replied_threads", "esn_messages", "esn_voices", "esn_positive_messages",
                "esn_negative_messages", "esn_neutral_messages")


@dataclass
class MonthGroup:
    start: date
    end: date
    group: str
    values: dict[str, float]
    first_row: int  # the source row of the group's first message: where an issue would point


def month_bounds(day: date, first: date, last: date) -> tuple[date, date]:
    """The calendar month of ``day``, clipped to the export's first and last days."""
    start = day.replace(day=1)
    end = (start + timedelta(days=32)).replace(day=1) - timedelta(days=1)
    return max(start, first), min(end, last)


def _min_group() -> int:
    from kpis.ingest.exports.base import MIN_GROUP_SIZE  # here: kpis.ingest.exports reads this package

    return MIN_GROUP_SIZE


def fold_groups(authors: dict[str, set], min_group: int | None = None) -> dict[str, str]:
    """Group -> its published label: itself, or ``"(other)"`` when it has fewer than ``min_group`` authors.

        >>> fold_groups({"A": set("abcde"), "B": {"a", "f"}, "C": {"g"}, "D": set("hijklm")})
        {'A': '(other)', 'B': '(other)', 'C': '(other)', 'D': 'D'}

    ``(other)`` first gathers B and C (a, f, g: 3 distinct authors), too few, so the smallest other group
    joins: A (5 authors) before D (6).
    """
    min_group = _min_group() if min_group is None else min_group
    labels = {g: g for g in authors}
    small = {g for g, a in authors.items() if len(a) < min_group}
    if not small:
        return labels
    folded: set = set().union(*(authors[g] for g in small))
    rest = sorted((len(a), g) for g, a in authors.items() if g not in small)
    while len(folded) < min_group and rest:
        _, g = rest.pop(0)
        small.add(g)
        folded |= authors[g]
    return {g: (OTHER if g in small else g) for g in authors}


def monthly(messages: Messages, tones: Sequence[int], min_group: int | None = None) -> list[MonthGroup]:
    """One ``MonthGroup`` per month × published group, then the month's ``"(all)"`` distinct authors."""
    if not len(messages):
        return []
    days = messages.day.astype(object).tolist()
    first, last = min(days), max(days)
    month = [d.replace(day=1) for d in days]
    replied_threads = {t for t, s in zip(messages.thread, messages.starter.tolist(), strict=True) if not s}
    out: list[MonthGroup] = []
    for m in sorted(set(month)):
        rows = [i for i, x in enumerate(month) if x == m]
        authors: dict[str, set] = {}
        for i in rows:
            authors.setdefault(messages.group[i], set()).add(messages.author[i])
        label = fold_groups(authors, min_group)
        start, end = month_bounds(m, first, last)
        per: dict[str, MonthGroup] = {}
        voices: dict[str, set] = {}
        for i in rows:
            g = label[messages.group[i]]
            if g not in per:
                per[g] = MonthGroup(start, end, g, dict.fromkeys(MONTHLY_KPIS, 0.0), messages.row[i])
            v = per[g].values
            v["esn_messages"] += 1
            if messages.starter[i]:
                v["esn_threads"] += 1
                v["esn_replied_threads"] += messages.thread[i] in replied_threads
            tone = tones[i]
            v["esn_positive_messages" if tone > 0 else "esn_negative_messages" if tone < 0
              else "esn_neutral_messages"] += 1
            voices.setdefault(g, set()).add(messages.author[i])
        for g, row in per.items():
            row.values["esn_voices"] = float(len(voices[g]))
        out.extend(sorted(per.values(), key=lambda r: (r.group == OTHER, r.group)))
        everyone = set().union(*voices.values())
        out.append(MonthGroup(start, end, ALL, {"esn_voices": float(len(everyone))}, messages.row[rows[0]]))
    return out


def published_groups(messages: Messages, min_group: int | None = None) -> list[str]:
    """Each message's group as ``monthly`` publishes it in the message's month (itself or ``"(other)"``)."""
    month = [d.replace(day=1) for d in messages.day.astype(object).tolist()]
    authors: dict[date, dict[str, set]] = {}
    for m, g, a in zip(month, messages.group, messages.author, strict=True):
        authors.setdefault(m, {}).setdefault(g, set()).add(a)
    labels = {m: fold_groups(per, min_group) for m, per in authors.items()}
    return [labels[m][g] for m, g in zip(month, messages.group, strict=True)]
