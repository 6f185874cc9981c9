"""Small reusable pieces of page: KPI cards, the KPI picker, the empty state, the Excel download.

    >>> cards_grid(dashboard.cards(view, "B2C", dashboard.CDO_CARDS["B2C"], lang))
    >>> excel_download(partial(dashboard.view_workbook, view, lang), "passerelle_vue_cdo.xlsx", key="download_cdo")

They render what ``kpis`` computed; the only logic is which Streamlit element shows it.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

import pandas as pd
import streamlit as st

from kpis import dashboard
from kpis.i18n import escape_markdown
from kpis.model import Filter
from ui import data
from ui.access import rights, user
from ui.state import lang, selection, t


def page_view():
    """The opening of a page built on the CDO view: the sources under the title, then the selection and its
    view; the empty state (and the page stops) when the selection holds no data."""
    sel = selection()
    sources_caption(sel.flt.segments)
    view = data.cdo_view(sel.version, sel.flt, sel.grain, sel.lang, sel.fiscal_start)
    if view.empty:
        empty_state()
        st.stop()
    return sel, view


def empty_state(message_key: str = "empty.title") -> None:
    """A helpful empty state: what to change, and a link to Importer."""
    with st.container(border=True):
        st.markdown(f"**{t(message_key)}**")
        st.caption(t("empty.hint"))
        st.page_link("app_pages/importer.py", label=t("nav.importer"), icon=":material/upload_file:")


def metric_card(card: dashboard.Card) -> None:
    """One KPI card as a bordered ``st.metric`` with its sparkline and target status; its note (native grain,
    a last bucket with data only part of the way) in small print under the number."""
    badge = dashboard.status_label(card.status, lang(), card.attainment)
    label = f"{badge} {card.label}".strip()  # the badge first: long labels are cut
    with st.container(border=True, height="stretch", gap="xxsmall"):
        st.metric(label, card.value, card.delta, delta_color=card.delta_color, delta_arrow=card.delta_arrow,
                  delta_description=card.delta_description, help=card.help,
                  chart_data=list(card.sparkline) if len(card.sparkline) > 1 else None, chart_type="area")
        if card.note:
            st.caption(f":material/info: {card.note}")
        for text in card.comments:
            st.caption(f":material/chat: {escape_markdown(text)}")


_TONE_ICON = {"red": ":material/error:", "orange": ":material/warning:", "green": ":material/trending_up:"}


def attention_panel(points_of: Callable[[frozenset[str]], list], period: str) -> None:
    """The points of attention in a bordered box: each one's title, reason, a link to the page that shows it
    and a button hiding it for ``period`` (kept in the session, keyed by the period). ``points_of(dismissed)``
    gives the points (``kpis.attention.points``) without those dismissed."""
    from kpis.attention import PAGES

    hidden = st.session_state.setdefault("attention_hidden", {}).setdefault(period, set())
    points = points_of(dismissed(period))
    with st.container(border=True):
        st.markdown(f"**{t('attention.title')}**", help=t("attention.help"))
        if not points:
            st.caption(t("attention.none"))
        for point in points:
            text, link, hide = st.columns([8, 2, 1], vertical_alignment="center")
            text.markdown(f"{_TONE_ICON[point.tone]} :{point.tone}[**{point.title}**]  \n{point.reason}")
            link.page_link(PAGES[point.page], label=t(f"attention.page.{point.page}"), icon=":material/arrow_forward:")
            hide.button(":material/visibility_off:", key=f"hide_{period}_{point.key}", help=t("attention.dismiss"),
                        on_click=hidden.add, args=(point.key,))
        if hidden:
            note, again = st.columns([8, 3], vertical_alignment="center")
            note.caption(t("attention.dismissed", n=len(hidden)))
            again.button(t("attention.restore"), key=f"unhide_{period}", on_click=hidden.clear)


def dismissed(period: str) -> frozenset[str]:
    """The points of attention hidden for ``period`` in this session."""
    return frozenset(st.session_state.get("attention_hidden", {}).get(period, ()))


def pack_download(build: Callable[[frozenset[str]], bytes], period: str, file_name: str) -> None:
    """The "Pack comité" button: ``build(dismissed)`` makes the deck (without the points hidden for ``period``)
    only when it is clicked."""
    st.download_button(t("pack.button"), lambda: build(dismissed(period)), file_name=file_name,
                       mime="application/vnd.openxmlformats-officedocument.presentationml.presentation",
                       icon=":material/slideshow:", help=t("pack.help"), key="download_pack")


def comments_section(view, flt: Filter, kpis: tuple[str, ...], key: str) -> pd.DataFrame:
    """The comments of the period on the page's KPIs: listed, one added (KPI, segment, period, text; the author
    is the local user), one removed. Returns them labelled (``kpis.comments.frame``) for the page's workbook."""
    from kpis import comments as notes
    from kpis.errors import KpiError

    sel = selection()
    found = data.comments(sel.version, flt)
    listed = notes.frame(found, sel.lang)
    with st.container(border=True):
        st.markdown(f"**{t('comments.title')}**", help=t("comments.help"))
        said = st.session_state.pop(f"{key}_comment_said", None)
        if said:
            st.success(t(said), icon=":material/check:")
        if listed.empty:
            st.caption(t("comments.none"))
        else:
            st.dataframe(listed, hide_index=True)
        editable = [s for s in flt.segments if s in rights().editable]  # a viewer reads, comments nothing
        if not editable:
            return listed
        with st.expander(t("comments.add"), icon=":material/add_comment:"):
            periods = dashboard.comment_periods(view, sel.lang)
            with st.form(key=f"{key}_comment_form", clear_on_submit=True, border=False):
                left, middle, right = st.columns(3)
                kpi = left.selectbox(t("comments.kpi"), kpis, key=f"{key}_comment_kpi",
                                     format_func=lambda k: dashboard.kpi_label(k, sel.lang))
                segment = middle.selectbox(t("comments.segment"), editable, key=f"{key}_comment_segment")
                when = right.selectbox(t("comments.when"), range(len(periods)), key=f"{key}_comment_period",
                                       format_func=lambda i: periods[i][0])
                text = st.text_input(t("comments.text"), max_chars=notes.COMMENT_MAX_CHARS, key=f"{key}_comment_text")
                if st.form_submit_button(t("comments.save"), icon=":material/add_comment:"):
                    _, start, end = periods[when]
                    try:
                        data.store().add_comment(kpi, segment, start, end, text, by=user())
                    except KpiError as exc:  # a refusal of the store, or of the rights
                        st.error(exc.message(sel.lang))
                    else:
                        st.session_state[f"{key}_comment_said"] = "comments.saved"
                        st.rerun()
        if not listed.empty:
            ids = [int(i) for i in found["id"]]
            texts = dict(zip(ids, found["text"], strict=True))
            left, right = st.columns([4, 1], vertical_alignment="bottom")
            pick = left.selectbox(t("comments.remove_pick"), ids, key=f"{key}_comment_remove_pick",
                                  format_func=lambda i: f"{i} — {texts[i][:60]}")
            if right.button(t("comments.remove"), key=f"{key}_comment_remove", icon=":material/delete:"):
                try:
                    data.store().remove_comment(pick, by=user())
                except KpiError as exc:
                    st.error(exc.message(sel.lang))
                else:
                    st.session_state[f"{key}_comment_said"] = "comments.removed"
                    st.rerun()
    return listed


def cards_grid(cards: list[dashboard.Card]) -> None:
    """Cards six to a row (fewer on a narrow screen)."""
    with st.grid(6, gap="small", min_column_width=170):
        for card in cards:
            metric_card(card)


def kpi_picker(table: pd.DataFrame, candidates: tuple[str, ...], key: str) -> str | None:
    """A KPI select box offering the candidates that have values in the table; None when none has."""
    options = dashboard.kpis_with_values(table, candidates)
    if not options:
        return None
    return st.selectbox(t("world.kpi"), options, key=key, format_func=lambda k: dashboard.kpi_label(k, lang()))


def excel_download(build: Callable[[], bytes], file_name: str, key: str) -> None:
    """The page's "Download (Excel)" button; ``build`` makes the workbook only when it is clicked."""
    st.download_button(t("download.excel"), build, file_name=file_name, icon=":material/download:", key=key)


def sources_caption(segments: tuple[str, ...]) -> None:
    """Under a page's title: the sources its numbers come from and how fresh each is (lagging ones marked)."""
    sel = selection()
    line = dashboard.sources_line(data.batches(sel.version), segments, sel.lang)
    if line:
        st.caption(line)


def export_context(page_key: str, flt: Filter | None = None) -> dashboard.ExportContext:
    """What a page's workbook says above every sheet: the page's name, the filters of ``flt`` (the sidebar's, or
    a world page's restriction of it; None for a page without filters), the sources behind them, now, and who."""
    sel = selection()
    if flt is None:
        return dashboard.ExportContext(t(page_key), exported=datetime.now(), author=user())
    return dashboard.ExportContext(t(page_key), segments=flt.segments, entities=flt.entities, channels=flt.channels,
                                   batches=tuple(data.batches(sel.version)), exported=datetime.now(), author=user())
