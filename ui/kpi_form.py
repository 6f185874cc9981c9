"""The form that defines or changes one of the organisation's KPIs, shared by the Référentiel and the Importer.

    >>> kpi_form("orgkpi_form_new", before=None)                       # a new KPI, blank
    >>> kpi_form("orgkpi_form_tickets", before=definitions["tickets"])  # edit: the code cannot change
    >>> kpi_form(f"create_{file_id}_B", start=guessed, note="ratio")     # pre-filled from an unknown column
    >>> show_kpi_message()                                            # the outcome of the last save, once

Saving calls ``Store.add_kpi`` / ``edit_kpi`` (which check the definition, ``kpis.custom.validate``): a
refusal shows its message in the page's language under the form; a success is kept for the next run
(``show_kpi_message``) and the app reruns, so every page reads the catalog with the new KPI.
"""

from __future__ import annotations

import streamlit as st

from kpis import reports
from kpis.catalog import FUNNEL, KPIS
from kpis.custom import KINDS, WORLDS, Definition, segments_of_world
from kpis.errors import KpiError
from kpis.i18n import escape_markdown as md
from ui import data
from ui.access import user
from ui.state import lang, t

MESSAGE_KEY = "orgkpi_message"
_UNITS = ("count", "€", "%", "×", "score")
_BLANK = Definition("", "", "", "", "", ("B2C", "B2B"), "flow")


def _world_of(segments: tuple[str, ...]) -> str:
    return next((w for w, s in WORLDS.items() if tuple(s) == tuple(segments)), "both")


def kpi_form(key: str, before: Definition | None = None, start: Definition | None = None,
             note: str | None = None) -> None:
    """The form: ``before`` is the KPI edited (its code is fixed), ``start`` the values a new one starts from."""
    d = before or start or _BLANK
    codes = [None, *sorted((c for c, k in KPIS.items() if k.base and c != d.code), key=lambda c: KPIS[c].label(lang()))]
    twins = [None, *sorted((c for c in KPIS if c != d.code), key=lambda c: KPIS[c].label(lang()))]
    name = {None: t("orgkpi.none"), **{c: f"{KPIS[c].label(lang())} ({c})" for c in KPIS}}
    if note == "ratio":
        st.info(t("import.create_kpi_ratio"), icon=":material/percent:")
    with st.form(key):
        code = st.text_input(t("orgkpi.code"), value=d.code, disabled=before is not None, help=t("orgkpi.code_help"),
                             key=f"{key}_code")
        left, right = st.columns(2)
        label_fr = left.text_input(t("orgkpi.label_fr"), value=d.label_fr, key=f"{key}_label_fr")
        label_en = right.text_input(t("orgkpi.label_en"), value=d.label_en, key=f"{key}_label_en")
        definition_fr = left.text_area(t("orgkpi.definition_fr"), value=d.definition_fr, height=80,
                                       key=f"{key}_definition_fr")
        definition_en = right.text_area(t("orgkpi.definition_en"), value=d.definition_en, height=80,
                                        key=f"{key}_definition_en")
        world = left.selectbox(t("orgkpi.world"), list(WORLDS), index=list(WORLDS).index(_world_of(d.segments)),
                               format_func=lambda w: t(f"orgkpi.world.{w}"), key=f"{key}_world")
        kind = right.selectbox(t("orgkpi.kind"), KINDS, index=KINDS.index(d.aggregation),
                               format_func=lambda k: t(f"orgkpi.kind.{k}"), key=f"{key}_kind")
        unit = left.selectbox(t("orgkpi.unit"), _UNITS, index=_UNITS.index(d.unit),
                              format_func=lambda u: t(f"orgkpi.unit.{u}"), key=f"{key}_unit")
        direction = right.selectbox(t("orgkpi.direction"), (1, -1), index=(1, -1).index(d.direction),
                                    format_func=lambda v: t(f"orgkpi.direction.{v}"), key=f"{key}_direction")
        synonyms = st.text_area(t("orgkpi.synonyms"), value="\n".join(d.synonyms), height=80, key=f"{key}_synonyms")
        parts = st.columns(3)
        numerator = parts[0].selectbox(t("orgkpi.numerator"), codes, index=_at(codes, d.numerator),
                                       format_func=name.get, key=f"{key}_numerator")
        minus = parts[1].selectbox(t("orgkpi.minus"), codes, index=_at(codes, d.minus), format_func=name.get,
                                   key=f"{key}_minus")
        denominator = parts[2].selectbox(t("orgkpi.denominator"), codes, index=_at(codes, d.denominator),
                                         format_func=name.get, key=f"{key}_denominator")
        stages = [None, *(s.code for s in FUNNEL)]
        stage_names = {None: t("orgkpi.none"), **{s.code: s.label(lang()) for s in FUNNEL}}
        stage = left.selectbox(t("orgkpi.stage"), stages, index=_at(stages, d.stage), format_func=stage_names.get,
                               key=f"{key}_stage")
        twin = right.selectbox(t("orgkpi.twin"), twins, index=_at(twins, d.twin), format_func=name.get,
                               key=f"{key}_twin")
        submitted = st.form_submit_button(t("orgkpi.save"), type="primary", icon=":material/save:")
    if not submitted:
        return
    definition = Definition(before.code if before else code, label_fr, label_en, definition_fr, definition_en,
                            segments_of_world(world), kind, unit, direction,
                            tuple(s for s in synonyms.splitlines() if s.strip()), numerator, minus, denominator,
                            stage, twin)
    store = data.store()
    try:
        if before is None:
            saved = store.add_kpi(definition, by=user())
            message = t("orgkpi.created", label=md(saved.label_fr if lang() == "fr" else saved.label_en))
        else:
            changed = store.edit_kpi(definition, by=user())
            label = definition.label_fr if lang() == "fr" else definition.label_en
            message = (t("orgkpi.edited", label=md(label), fields=reports.definition_fields(changed, lang()))
                       if changed else t("orgkpi.unchanged"))
    except KpiError as exc:
        st.error(md(exc.message(lang())), icon=":material/error:")
        return
    st.session_state[MESSAGE_KEY] = message
    st.rerun()


def remove_button(definition: Definition, key: str) -> None:
    """Remove a KPI of the organisation; a KPI that still has data is refused with its counts."""
    label = definition.label_fr if lang() == "fr" else definition.label_en
    if not st.button(t("orgkpi.remove"), icon=":material/delete:", key=key):
        return
    try:
        data.store().remove_kpi(definition.code, by=user())
    except KpiError as exc:
        st.error(md(exc.message(lang())), icon=":material/block:")
        return
    st.session_state[MESSAGE_KEY] = t("orgkpi.removed", label=md(label))
    st.rerun()


def show_kpi_message() -> None:
    """The outcome of the last save or removal of this session, shown once."""
    if MESSAGE_KEY in st.session_state:
        st.success(st.session_state.pop(MESSAGE_KEY), icon=":material/check_circle:")


def _at(options: list, value) -> int:
    return options.index(value) if value in options else 0
