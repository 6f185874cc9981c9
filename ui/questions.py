"""The Importer's questions about doubtful columns (``kpis.ingest.results.Question``): each shows why, and a
choice that feeds the same mapping as ``--map``; and, for a column not understood, the offer to make it one of
the organisation's KPIs (``create_kpi_offer``).

    >>> asked = questions_asked(base, result)          # the file checked without, then with the choices made
    >>> maps |= question_answers(asked, f.file_id)     # before checking the file again
    >>> question_choice(question, f.file_id)           # in the file's box, for each question asked

Answering (keep the KPI, one of the alternatives, ignore) names the header in the mapping: the column is no
longer questioned, and the mapping is remembered with the others on import. A questioned column is the only
KPI column of its header once repeated headers are told apart (by position, ``kpis.reports.columns_to_map``),
and in a two-level header its name covers every month's column (``B, E, H``), so the header is enough here.
"""

from __future__ import annotations

import streamlit as st

from kpis import reports
from kpis.custom import guess
from kpis.i18n import escape_markdown as md
from kpis.ingest.results import FileResult, Question, SheetResult
from ui.kpi_form import kpi_form
from ui.state import lang, t


def _key(question: Question, file_id: str) -> str:
    return f"meaning_{file_id}_{question.sheet}_{question.column}"


def questions_asked(*results: FileResult) -> list[Question]:
    """The questions of the file checked without and with the choices made, each column once: an answered
    question stays on screen (its answer can change), and one raised by a mapped column is asked too."""
    seen: dict[tuple[str, str], Question] = {}
    for result in results:
        for q in result.questions:
            seen.setdefault((q.sheet, q.column), q)
    return list(seen.values())


def question_answers(questions: list[Question], file_id: str) -> dict[str, str]:
    """The answered questions as ``--map`` entries (header → target)."""
    return {q.header: st.session_state[k] for q in questions
            if (k := _key(q, file_id)) in st.session_state and st.session_state[k]}


def question_choice(question: Question, file_id: str) -> None:
    """The question, then a choice: keep the KPI read, take an alternative, or ignore the column."""
    choices = reports.mapping_choices(lang())
    labels = {target: choices[target] for target in question.targets}
    labels[question.kpi] = t("import.question_keep", kpi=choices[question.kpi])
    answered = bool(st.session_state.get(_key(question, file_id)))
    (st.info if answered else st.warning)(md(question.message(lang())), icon=":material/help:")
    st.selectbox(t("import.question", sheet=md(question.sheet), column=question.column, header=md(question.header)),
                 list(labels), index=None, key=_key(question, file_id), format_func=labels.get,
                 placeholder=t("import.question_pending"))


def create_kpi_offer(sheet: SheetResult, column: dict, file_id: str, segment: str | None) -> None:
    """"Create a KPI from this column": the form pre-filled from the column's header (code, labels, recognised
    header) and the profile of its values (a count, euros; a rate is noted, since a ratio needs components).
    Once saved, the app reruns and the file is read again with the new KPI."""
    if not column["header"]:
        return
    seg = segment or (sheet.segments[0] if len(sheet.segments) == 1 else None)
    start, note = guess(column["header"], column.get("profile"), seg)
    with st.expander(t("import.create_kpi"), icon=":material/add_chart:"):
        kpi_form(f"create_kpi_{file_id}_{sheet.sheet}_{column['column']}", start=start, note=note)
