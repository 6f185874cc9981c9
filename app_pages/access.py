import streamlit as st

import ui
from kpis import reports
from kpis.access import ROLES, AccessDenied, Grant
from kpis.i18n import escape_markdown as md
from kpis.model import SEGMENTS

sel = ui.selection()
lang = sel.lang
t = ui.t
store = ui.store()
if done := st.session_state.pop("access_done", None):  # the last change, said once after the rerun
    st.success(done, icon=":material/task_alt:")
if not ui.auth_configured():
    st.info(t("access.mode_local"), icon=":material/info:")

grants = store.grants()
st.subheader(t("access.grants"))
if grants:
    st.dataframe(reports.grants_frame(grants, lang), hide_index=True)
else:
    st.caption(t("access.none"))

with st.form("grant_add", border=True):
    st.markdown(f"**{t('access.add')}**")
    to = st.text_input(t("access.to"), help=t("access.to_help"), key="grant_to")
    role = st.segmented_control(t("access.role"), list(ROLES), default="viewer", key="grant_role",
                                format_func=lambda r: t(f"access.role.{r}"), help=t("access.role_help"))
    segments = st.pills(t("access.segments"), list(SEGMENTS), selection_mode="multi", key="grant_segments")
    entities = st.multiselect(t("access.entities"), ui.dimension_values(sel.version, ())["entities"],
                              key="grant_entities", placeholder=t("filter.all"))
    if st.form_submit_button(t("access.give"), type="primary"):
        who = (to or "").strip()
        try:
            grant = Grant(role or "viewer", tuple(s for s in SEGMENTS if s in (segments or [])), tuple(entities),
                          email=who if "@" in who else None, group=None if "@" in who or not who else who)
            st.session_state["access_done"] = t("access.given", n=store.add_grant(grant, by=ui.user()))
        except AccessDenied as exc:
            st.error(md(exc.message(lang)), icon=":material/block:")
        else:
            st.rerun()

if grants:
    with st.container(border=True):
        st.markdown(f"**{t('access.remove')}**")
        labels = {gid: f"n° {gid} · {g.email or g.group} · {t(f'access.role.{g.role}')}" for gid, g in grants}
        pick = st.selectbox(t("access.remove"), list(labels), format_func=labels.get, key="grant_pick",
                            label_visibility="collapsed")
        if st.button(t("access.remove_button"), key="grant_remove", icon=":material/person_remove:"):
            store.remove_grant(pick, by=ui.user())
            st.session_state["access_done"] = t("access.removed", n=pick)
            st.rerun()
