"""Deleting is deliberate: a preview of what goes, a confirmation bound to what it names, an undo.

    >>> demo_banner(sel.version)                 # app.py: the demo banner and its confirmation
    >>> batch_delete_form(batches, sel.version)  # Historique: pick, preview, confirm, delete
    >>> undo_buttons(deletions)                  # Historique: "Annuler la suppression" per recent deletion

The writes run in button callbacks, before the rerun, so that they can reset the
confirmation widgets: after any delete or undo every confirmation is unticked,
and a confirmation box is keyed on the batch it names (``delete_confirm_<id>``),
so a tick never carries over to the next batch the selector shows.
"""

from __future__ import annotations

import streamlit as st

from kpis import reports
from kpis.errors import KpiError
from kpis.i18n import escape_markdown as md
from kpis.store import UNDELETE_DAYS
from ui import data
from ui.access import rights, user
from ui.state import lang, t

CONFIRM_PREFIX = "delete_confirm_"
"""Key prefix of the Historique confirmation checkbox, followed by the batch id it confirms."""

PICK_KEY = "delete_pick"
"""Key of the Historique batch selector."""

DEMO_CONFIRM_KEY = "demo_confirm_open"
"""True while the demo removal's confirmation is shown."""

MESSAGE_KEY, ERROR_KEY = "deletion_message", "deletion_error"


def preview_lines(preview) -> None:
    """What a deletion will do, one bullet per line (file names shown as text, never as markdown)."""
    st.markdown("\n".join(f"- {md(line)}" for line in reports.deletion_summary(preview, lang(), UNDELETE_DAYS)))


def show_messages() -> None:
    """The outcome of the last delete or undo of this session, shown once."""
    if MESSAGE_KEY in st.session_state:
        st.success(st.session_state.pop(MESSAGE_KEY), icon=":material/check_circle:")
    if ERROR_KEY in st.session_state:
        st.error(st.session_state.pop(ERROR_KEY), icon=":material/error:")


def _reset_confirmations() -> None:
    """Untick every confirmation and put the batch selector on the newest batch. The selector is set, not
    cleared: a cleared one still showed the deleted batch's name above the next batch's preview and box."""
    for key in [k for k in st.session_state if str(k).startswith(CONFIRM_PREFIX)]:
        del st.session_state[key]
    newest = [b["id"] for b in data.store().batches()][-1:]
    if newest:
        st.session_state[PICK_KEY] = newest[0]
    else:
        st.session_state.pop(PICK_KEY, None)
    st.session_state[DEMO_CONFIRM_KEY] = False


# --- the demo ------------------------------------------------------------------------------------


def _open_demo_confirm() -> None:
    st.session_state[DEMO_CONFIRM_KEY] = True


def _remove_demo(batch_ids: tuple[int, ...]) -> None:
    """Remove the demo data if it is still what the confirmation showed."""
    store = data.store()
    try:
        if tuple(b["id"] for b in store.preview_demo().batches) != batch_ids:
            st.session_state[ERROR_KEY] = t("deletion.changed")
        else:
            out = store.delete_demo(by=user())
            st.session_state[MESSAGE_KEY] = t("demo.removed", id=out.deletion_id)
    except KpiError as exc:
        st.session_state[ERROR_KEY] = exc.message(lang())
    _reset_confirmations()


def demo_banner(version: str) -> None:
    """The demo banner; its button opens a confirmation that lists what the removal takes."""
    show_messages()
    preview = data.demo_preview(version)
    if preview.empty:
        return
    with st.container(horizontal=True, vertical_alignment="center"):
        st.caption(f":material/info: {t('demo.banner')}")
        if rights().admin:  # removing the demo touches every segment: administrators only
            st.button(t("demo.remove"), key="remove_demo", type="tertiary", on_click=_open_demo_confirm)
    if st.session_state.get(DEMO_CONFIRM_KEY):
        with st.container(border=True):
            st.markdown(f"**{t('demo.confirm_title')}**")
            preview_lines(preview)
            with st.container(horizontal=True):
                st.button(t("demo.confirm"), key="remove_demo_confirm", type="primary", icon=":material/delete:",
                          on_click=_remove_demo, args=(tuple(b["id"] for b in preview.batches),))
                st.button(t("demo.cancel"), key="remove_demo_cancel", on_click=_reset_confirmations)


# --- one batch -----------------------------------------------------------------------------------


def _delete_batch(batch_id: int) -> None:
    """Delete the batch the ticked confirmation names (and only if it is ticked)."""
    if st.session_state.get(f"{CONFIRM_PREFIX}{batch_id}"):
        try:
            out = data.store().delete_batch(batch_id, by=user())
            st.session_state[MESSAGE_KEY] = t("history.deleted", ids=", ".join(map(str, out.batch_ids)),
                                              removed=out.rows_removed, restored=out.rows_restored)
        except KpiError as exc:
            st.session_state[ERROR_KEY] = exc.message(lang())
    _reset_confirmations()


def batch_delete_form(batches: list[dict], version: str) -> None:
    """Pick a batch, see what its deletion does, tick the box naming it, delete."""
    ids = [b["id"] for b in reversed(batches)]
    labels = {b["id"]: f"#{b['id']} · {b['file']} · {b['imported_at'][:10]}" for b in batches}
    picked = st.selectbox(t("history.delete_pick"), ids, format_func=labels.get, key=PICK_KEY)
    st.markdown(f"**{t('history.preview')}**")
    preview_lines(data.deletion_preview(version, picked))
    confirmed = st.checkbox(t("history.delete_confirm", id=picked), key=f"{CONFIRM_PREFIX}{picked}")
    st.button(t("history.delete"), type="primary", disabled=not confirmed, key="delete_do", icon=":material/delete:",
              on_click=_delete_batch, args=(picked,))


# --- undo ----------------------------------------------------------------------------------------


def _undo(deletion_id: int) -> None:
    try:
        out = data.store().undelete(deletion_id, by=user())
        st.session_state[MESSAGE_KEY] = t("history.undone", id=out.deletion_id,
                                          ids=", ".join(map(str, out.batch_ids)) or "—", rows=out.rows_back,
                                          targets=out.targets_back, mappings=out.mappings_back)
    except KpiError as exc:
        st.session_state[ERROR_KEY] = exc.message(lang())
    _reset_confirmations()


def undo_buttons(deletions: list[dict]) -> None:
    """One "Annuler la suppression" button per deletion that can still be undone, newest first."""
    operations: dict[int, list[dict]] = {}
    for d in deletions:
        if d["undoable"]:
            operations.setdefault(d["operation"], []).append(d)
    if not operations:
        st.caption(t("history.undo_none", days=UNDELETE_DAYS))
        return
    for operation, entries in sorted(operations.items(), reverse=True):
        what = ", ".join(e["file_name"] or e["origin"] for e in entries)
        with st.container(horizontal=True, vertical_alignment="center"):
            st.markdown(md(t("history.undo_item", id=operation, when=entries[0]["deleted_at"][:16].replace("T", " "),
                             what=what)))
            st.button(t("history.undo"), key=f"undo_{operation}", icon=":material/undo:", on_click=_undo,
                      args=(operation,))
