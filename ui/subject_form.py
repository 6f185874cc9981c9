"""The Référentiel's « Sujets suivis »: the social network's tracked subjects, added, edited and removed here.

    >>> subjects_section(sel.version)        # the table; the form too for a B2E editor or an administrator

Saving calls ``Store.add_subject`` / ``edit_subject`` (which check the subject, ``kpis.esn.subjects.checked``):
a refusal shows its message under the form; a success is kept for the next run and the app reruns. The
exports imported from then on count the subject (``Store.activate`` installs it for ingestion).
"""

from __future__ import annotations

import streamlit as st

from kpis import dashboard
from kpis.errors import KpiError
from kpis.esn.subjects import Subject
from kpis.i18n import escape_markdown as md
from ui import data
from ui.access import can_edit, user
from ui.state import lang, t

MESSAGE_KEY = "subject_message"


def _synonyms(text: str) -> tuple[str, ...]:
    """One synonym a line (commas separate them too)."""
    return tuple(s.strip() for line in text.splitlines() for s in line.split(",") if s.strip())


def subjects_section(version: str) -> None:
    """The tracked subjects as a table and, for whoever may change B2E data, the form and the remove button."""
    if MESSAGE_KEY in st.session_state:
        st.success(st.session_state.pop(MESSAGE_KEY), icon=":material/check_circle:")
    subjects = {s.code: s for s in data.subjects(version)}
    if subjects:
        st.dataframe(dashboard.subjects_table(list(subjects.values()), lang()), hide_index=True)
    else:
        st.caption(t("subjects.none"))
    if not can_edit("B2E"):
        return
    if st.session_state.get("subject_pick") not in subjects:  # one just removed: back to a new one
        st.session_state["subject_pick"] = None
    picked = st.selectbox(t("subjects.pick"), [None, *subjects], key="subject_pick",
                          format_func=lambda c: t("subjects.new") if c is None else subjects[c].label(lang()))
    before = subjects.get(picked)
    key = f"subject_form_{picked or 'new'}"
    with st.form(key):
        code = st.text_input(t("subjects.code"), value=before.code if before else "", disabled=before is not None,
                             help=t("subjects.code_help"), key=f"{key}_code")
        left, right = st.columns(2)
        name_fr = left.text_input(t("subjects.name_fr"), value=before.name_fr if before else "", key=f"{key}_fr")
        name_en = right.text_input(t("subjects.name_en"), value=(before.name_en or "") if before else "",
                                   key=f"{key}_en")
        synonyms = st.text_area(t("subjects.synonyms"), value="\n".join(before.synonyms) if before else "",
                                height=80, help=t("subjects.synonyms_help"), key=f"{key}_synonyms")
        submitted = st.form_submit_button(t("subjects.save"), type="primary", icon=":material/save:")
    if before is not None and st.button(t("subjects.remove"), icon=":material/delete:", key=f"subject_remove_{picked}"):
        _save(lambda store: store.remove_subject(before.code, by=user()),
              t("subjects.removed", name=md(before.label(lang()))))
    if submitted:
        subject = Subject(before.code if before else code, name_fr, name_en or None, _synonyms(synonyms))
        if before is None:
            _save(lambda store: store.add_subject(subject, by=user()), t("subjects.added", name=md(name_fr)))
        else:
            _save(lambda store: store.edit_subject(subject, by=user()), t("subjects.edited", name=md(name_fr)))


def _save(change, message: str) -> None:
    try:
        change(data.store())
    except KpiError as exc:
        st.error(md(exc.message(lang())), icon=":material/error:")
        return
    st.session_state[MESSAGE_KEY] = message
    st.rerun()
