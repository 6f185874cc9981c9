"""Enterprise social network message exports (Viva Engage network data export, a generic layout).

The messages are read, scored for tone and aggregated here (``kpis.esn``): the returned sheet has one row per
month × group with the e-reputation KPIs of the internal world; no author, text or message id leaves this
module. Private groups and conversations (unless ``EsnOptions.include_private``: the ``esn_private`` setting),
deleted and system messages are left out (a note says how many). The subjects the store tracks
(``kpis.esn.subjects.tracked``) are counted per month × group; influencer profiles keep the person's name only
with ``EsnOptions.names`` (the ``esn_names`` setting), a name column, and a month of at least 5 authors.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

import pandas as pd

from kpis.catalog import KPIS
from kpis.esn.influence import mentioned, profiles
from kpis.esn.layout import VIVA_FORMAT, find_layout
from kpis.esn.messages import Messages, read_messages
from kpis.esn.monthly import MONTHLY_KPIS, monthly, published_groups
from kpis.esn.sentiment import tones
from kpis.esn.subjects import Subject, subject_counts, tracked
from kpis.esn.topics import term_counts
from kpis.ingest.exports.base import (
    CHANNEL_HEADER,
    END_HEADER,
    SEGMENT_HEADER,
    START_HEADER,
    Recognised,
    sheet_issue,
)
from kpis.ingest.exports.m365 import INITIATIVE_HEADER
from kpis.ingest.readers import RawSheet

__all__ = ["esn_messages", "aggregates", "EsnOptions", "ESN_SEGMENT", "ESN_CHANNEL"]

ESN_SEGMENT, ESN_CHANNEL = "B2E", "ESN"

_REASONS = {
    "private": ("dans un groupe ou un échange privé", "in a private group or conversation"),
    "deleted": ("supprimés", "deleted"),
    "system": ("messages système", "system messages"),
}


@dataclass(frozen=True)
class EsnOptions:
    """How a message export is read, from the settings (the edges resolve them and pass them in)."""

    names: bool = False  # esn_names: influencer profiles keep the person's name (months of 5 authors or more)
    include_private: bool = False  # esn_private: private groups and conversations are counted too


def _is_text_column(rows: list, j: int) -> bool:
    """Most filled cells of the column hold words, not numbers (a KPI file's ``Message`` count is no text)."""
    cells = [r[j] for r in rows[:200] if j < len(r) and isinstance(r[j], str) and r[j].strip()]
    worded = [c for c in cells if any(ch.isalpha() for ch in c)]
    return len(worded) >= max(1, len(cells) // 2)


def aggregates(messages: Messages, tones_: Sequence[int] | None = None, subjects: Sequence[Subject] = (),
               names: bool = False) -> dict[str, pd.DataFrame]:
    """What the store keeps of the words and the reply graph (``Store.import_batch(esn=...)``): the terms of
    ``term_counts`` per month × published group, per month the ``profiles`` of that month's messages (named
    only with ``names``), and the mentions of the tracked ``subjects`` (``tones_``: each message's tone)."""
    groups = published_groups(messages)
    counts = term_counts(messages, groups)
    terms = pd.DataFrame([(c.month, c.group, c.term, c.authors, c.messages) for c in counts],
                         columns=["month", "grp", "term", "authors", "messages"])
    month = [d.replace(day=1) for d in messages.day.astype(object).tolist()]
    named = names and len(messages.display_name) == len(messages)
    cited = mentioned(messages.text, messages.author)
    rows = []
    for m in sorted(set(month)):
        idx = [i for i, x in enumerate(month) if x == m]
        for p in profiles([messages.author[i] for i in idx], [bool(messages.starter[i]) for i in idx],
                          [messages.replied_author[i] for i in idx], [messages.department[i] for i in idx],
                          names=[messages.display_name[i] for i in idx] if named else None,
                          mentions=[cited[i] for i in idx]):
            rows.append((m, p.rank, p.department, p.threads, p.replies, p.score, p.name, p.mentions))
    people = pd.DataFrame(rows, columns=["month", "rank", "department", "threads", "replies", "score", "name",
                                         "mentions"])
    tones_ = tones(messages.text) if tones_ is None else tones_
    mentions = pd.DataFrame(
        [(c.month, c.group, c.subject, c.messages, c.authors, c.positive, c.negative, c.neutral)
         for c in subject_counts(month, groups, messages.author, messages.text, tones_, subjects)],
        columns=["month", "grp", "subject", "messages", "authors", "positive", "negative", "neutral"])
    return {"esn_terms": terms, "esn_profiles": people, "esn_subjects": mentions}


def esn_messages(sheet: RawSheet, options: EsnOptions | None = None) -> Recognised | None:
    """A message export aggregated into monthly KPIs per group, or None when the sheet is none."""
    options = options or EsnOptions()
    layout = find_layout(sheet.rows)
    if layout is None or not _is_text_column(sheet.rows[layout.header_row + 1:], layout.columns["text"]):
        return None
    messages = read_messages(sheet.rows, sheet.row_numbers, layout, include_private=options.include_private)
    scored = tones(messages.text)
    rows = monthly(messages, scored)
    issues = [sheet_issue(sheet, code, severity, fr, en, row, column)
              for code, severity, fr, en, row, column in messages.issues]
    for reason, (fr, en) in _REASONS.items():
        if messages.excluded.get(reason):
            n = messages.excluded[reason]
            issues.append(sheet_issue(sheet, "esn_excluded", "info", f"Messages laissés de côté ({fr}) : {n}.",
                                      f"Messages left out ({en}): {n}."))
    if options.include_private and {"private", "private_group", "private_conversation"} & set(layout.columns):
        issues.append(sheet_issue(sheet, "esn_private_included", "info",
                                  "Les messages des groupes et échanges privés sont comptés (réglage esn_private).",
                                  "Messages of private groups and conversations are counted (esn_private "
                                  "setting)."))
    labels = [KPIS[k].label_fr for k in MONTHLY_KPIS]
    header: list = [START_HEADER, END_HEADER, SEGMENT_HEADER, CHANNEL_HEADER, INITIATIVE_HEADER, *labels]
    body: list[list] = [
        [r.start, r.end, ESN_SEGMENT, ESN_CHANNEL, r.group, *(r.values.get(k, "") for k in MONTHLY_KPIS)]
        for r in rows]
    numbers = [sheet.row_numbers[layout.header_row]] + [r.first_row for r in rows]
    out = RawSheet(sheet.name, [header] + body, numbers, sheet.hidden, [], dict(sheet.meta))
    maps = {START_HEADER: "period_start", END_HEADER: "period_end", SEGMENT_HEADER: "segment",
            CHANNEL_HEADER: "channel", INITIATIVE_HEADER: "initiative",
            **{label: kpi for label, kpi in zip(labels, MONTHLY_KPIS, strict=True)}}
    period = (min(r.start for r in rows), max(r.end for r in rows)) if rows else None
    return Recognised(layout.format if layout.format == VIVA_FORMAT else "esn_messages", out, maps, ESN_SEGMENT,
                      (ESN_CHANNEL,), None, None, period, issues,
                      aggregates(messages, scored, tracked(), options.names) if rows else None)
