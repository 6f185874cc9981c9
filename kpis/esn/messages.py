"""An ESN message export read into memory, one entry per public message; nothing here is ever stored.

    >>> rows = [["Date", "Groupe", "Auteur", "Texte", "Réponse à", "ID"],
    ...         ["2026-09-01", "Atlas", "u1", "Bravo !", "", "m1"],
    ...         ["2026-09-02", "Atlas", "u2", "Merci", "m1", "m2"]]
    >>> msgs = read_messages(rows, list(range(1, 4)), find_layout(rows))
    >>> msgs.starter.tolist(), msgs.thread, msgs.replied_author
    ([True, False], ['m1', 'm1'], [None, 'u1'])

Author identifiers, departments and texts live only in this object, for the aggregates of ``kpis.esn``
(monthly KPIs, topics, influencer profiles); ``excluded`` counts what was left out, by reason, and ``issues``
name rows and columns only, never a cell.

Private groups and private conversations are excluded unless ``include_private`` is set; so are deleted and
system messages. A message is a reply when it names the message it answers (``replied_to``), or, without that
column, when it is not the first message of its thread. A message without a group is on the network's
common feed (``NETWORK_FEED``).
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from typing import Sequence

import numpy as np

from kpis.esn.layout import Layout, find_layout
from kpis.ingest import parsing

__all__ = ["Messages", "read_messages", "NETWORK_FEED", "find_layout"]

NETWORK_FEED = "Tout le réseau"
"""The group of messages posted outside any group (Viva Engage's ``All Company`` feed)."""

SYSTEM_TYPES = frozenset({"system"})
_NAME_WORD = re.compile(r"[^\W\d_]+")


@dataclass
class Messages:
    """Public messages of an export, in source order (memory only)."""

    day: np.ndarray  # datetime64[D]
    group: list[str]
    author: list[str]
    thread: list[str]
    starter: np.ndarray  # bool: the message opens its thread
    replied_author: list[str | None]  # the author of the message it answers (None for a thread starter)
    text: list[str]
    department: list[str | None]
    row: list[int]  # the source's row numbers
    name_words: frozenset = frozenset()  # words of the authors' names and e-mail addresses: never a topic
    excluded: Counter = field(default_factory=Counter)  # reason -> messages left out
    issues: list = field(default_factory=list)  # (code, severity, fr, en, row, column index)
    display_name: list = field(default_factory=list)  # each author's name, when the export has a name column

    def __len__(self) -> int:
        return len(self.author)


def _text(cell: object) -> str:
    return "" if parsing.is_missing(cell) else str(cell).strip()


def _dates(cells: list) -> tuple[np.ndarray, np.ndarray]:
    cleaned = [c[:-4] if isinstance(c, str) and c.upper().endswith(" UTC") else c for c in cells]
    strings = [c for c in cleaned if isinstance(c, str)]
    return parsing.parse_dates(cleaned, order=parsing.date_order(strings[:5000]) or "dmy")


def read_messages(rows: Sequence[Sequence], numbers: Sequence[int], layout: Layout,
                  include_private: bool = False) -> Messages:
    """The public messages below the layout's header (``numbers``: the source row number of each row)."""
    cols = layout.columns
    body = rows[layout.header_row + 1:]
    nums = list(numbers[layout.header_row + 1:])

    def cells(role: str) -> list:
        j = cols.get(role)
        return [""] * len(body) if j is None else [r[j] if j < len(r) else "" for r in body]

    keep = np.ones(len(body), dtype=bool)
    issues: list = []
    excluded: Counter = Counter()

    def drop(mask: np.ndarray, reason: str) -> None:
        mask = mask & keep
        if mask.any():
            excluded[reason] += int(mask.sum())
        keep[mask] = False

    blank = np.array([all(parsing.is_missing(c) or (isinstance(c, str) and not c.strip()) for c in r)
                      for r in body], dtype=bool)
    keep &= ~blank
    if not include_private:
        for role in ("private", "private_group", "private_conversation"):
            if role in cols:
                values, _ = parsing.parse_bools(cells(role))
                drop(np.array([v is True for v in values], dtype=bool), "private")
    if "deleted" in cols:
        drop(np.array([_text(c) != "" for c in cells("deleted")], dtype=bool), "deleted")
    if "message_type" in cols:
        drop(np.array([_text(c).lower() in SYSTEM_TYPES for c in cells("message_type")], dtype=bool), "system")
    days, bad = _dates(cells("date"))
    bad = (bad | np.isnat(days)) & keep
    for b in np.flatnonzero(bad).tolist():
        issues.append(("esn_date", "warning", "Date illisible : message non compté.",
                       "Unreadable date: message not counted.", nums[b], cols["date"]))
    drop(bad, "date")
    authors = [_text(c) for c in cells("author")]
    no_author = np.array([a == "" for a in authors], dtype=bool) & keep
    for b in np.flatnonzero(no_author).tolist():
        issues.append(("esn_author", "warning", "Auteur manquant : message non compté.",
                       "Missing author: message not counted.", nums[b], cols["author"]))
    drop(no_author, "author")

    idx: list[int] = np.flatnonzero(keep).tolist()
    group_names = [_text(c) for c in cells("group")]
    group_ids = [_text(c) for c in cells("group_id")]
    groups = [group_names[i] or group_ids[i] or NETWORK_FEED for i in idx]
    ids = [_text(c) for c in cells("message_id")]
    threads_in = [_text(c) for c in cells("thread")]
    replied_in = [_text(c) for c in cells("replied_to")]
    has_ids, has_thread, has_replied = "message_id" in cols, "thread" in cols, "replied_to" in cols
    author_of = {ids[i]: authors[i] for i in idx if ids[i]} if has_ids else {}

    thread: list[str] = []
    starter = np.zeros(len(idx), dtype=bool)
    replied_author: list[str | None] = []
    seen_threads: set[str] = set()
    order = sorted(range(len(idx)), key=lambda k: (days[idx[k]], k))
    thread_of: dict[int, str] = {}
    if has_ids and has_replied and not has_thread:  # follow the reply chain up to the thread's first message
        parent = {ids[i]: replied_in[i] for i in idx if ids[i]}
        for i in idx:
            root, hops = ids[i], 0
            while parent.get(root) and hops < 1000:
                root, hops = parent[root], hops + 1
            thread_of[i] = root or f"#{i}"
    for k in order:
        i = idx[k]
        if has_thread and threads_in[i]:
            key = threads_in[i]
        elif thread_of:
            key = thread_of[i]
        else:
            key = f"#{i}"
        if has_replied and has_ids:
            first = not replied_in[i] and (not has_thread or not ids[i] or key == ids[i] or key not in seen_threads)
        elif has_thread and has_ids and threads_in[i] and ids[i]:
            first = key == ids[i]
        elif has_replied:  # no message ids: the column names the person answered
            first = not replied_in[i]
        else:
            first = key not in seen_threads
        seen_threads.add(key)
        thread.append(key)
        starter[len(thread) - 1] = first
    # back to source order
    back = [0] * len(idx)
    for pos, k in enumerate(order):
        back[k] = pos
    thread = [thread[back[k]] for k in range(len(idx))]
    starter = starter[[back[k] for k in range(len(idx))]] if idx else starter
    starter_author = {thread[k]: authors[idx[k]] for k in range(len(idx)) if starter[k]}
    for k, i in enumerate(idx):
        if starter[k]:
            replied_author.append(None)
        elif has_replied and has_ids and replied_in[i]:
            replied_author.append(author_of.get(replied_in[i], starter_author.get(thread[k])))
        elif has_replied and not has_ids:
            replied_author.append(replied_in[i] or None)
        else:
            replied_author.append(starter_author.get(thread[k]))
    departments = [_text(c) or None for c in cells("department")]
    name_words = frozenset(w for role in ("name", "email") if role in cols for c in set(cells(role))
                           for w in _NAME_WORD.findall(_text(c).lower()) if len(w) >= 3)
    texts = cells("text")
    names = [_text(c) or None for c in cells("name")] if "name" in cols else []
    return Messages(
        day=days[idx] if idx else np.array([], dtype="datetime64[D]"),
        group=groups, author=[authors[i] for i in idx], thread=thread, starter=starter,
        replied_author=replied_author, text=[_text(texts[i]) for i in idx],
        department=[departments[i] for i in idx], row=[nums[i] for i in idx], name_words=name_words,
        excluded=excluded, issues=issues, display_name=[names[i] for i in idx] if names else [])
