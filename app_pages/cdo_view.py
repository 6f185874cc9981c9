from functools import partial

import streamlit as st

import ui
from kpis import charts, dashboard
from kpis.i18n import fmt_date

sel, view = ui.page_view()  # sources, selection, view; the empty state stops the page
lang = sel.lang
t = ui.t

st.caption(t("cdo.caption", start=fmt_date(view.period_start, lang), end=fmt_date(view.period_end, lang),
             segments=", ".join(sel.flt.segments), comparison=t(f"compare.{sel.compare}")))

period = f"{view.period_start}/{view.period_end}"
ui.attention_panel(partial(ui.attention, sel.version, sel.flt, sel.grain, lang, sel.fiscal_start, sel.compare), period)
ui.pack_download(partial(ui.pack, sel.version, sel.flt, sel.grain, lang, sel.fiscal_start, sel.compare), period,
                 f"pack_comite_{view.period_start}_{view.period_end}.pptx")

notes = ui.comments(sel.version, sel.flt)
for segment in sel.flt.segments:
    cards = dashboard.cards(view, segment, dashboard.CDO_CARDS[segment], lang, sel.compare, notes)
    if not cards:
        continue
    st.markdown(f"##### {t(f'cdo.segment.{segment}')}")
    ui.cards_grid(cards)

left, right = st.columns(2)
with left, st.container(border=True):
    st.altair_chart(charts.funnel_rates(dashboard.funnel_rates_frame(view.funnel, lang), title=t("cdo.funnel"),
                                        lang=lang), alt=t("cdo.funnel"))
    st.caption(t("cdo.funnel_help"))
with right, st.container(border=True):
    st.markdown(f"**{t('cdo.funnel_table')}**")
    st.dataframe(dashboard.funnel_table(view.funnel, lang))

with st.container(border=True):
    st.markdown(f"**{t('cdo.status')}**")
    status = dashboard.status_table(view.targets, lang)
    if status.empty:
        st.caption(t("cdo.no_targets"))
    else:
        st.dataframe(status, hide_index=True)

with st.container(border=True):
    at = dashboard.trends_grain(view, sel.flt.segments)  # never finer than the data: no invented weeks
    raw = view.trends if at == sel.grain else ui.indexed_trends(sel.version, sel.flt, at, lang, sel.fiscal_start)
    choices = dashboard.trend_choices(raw, lang)
    defaults = [label for label, code in choices.items() if code in dashboard.trend_defaults(sel.flt.segments)]
    picked = st.multiselect(t("cdo.trends_pick"), list(choices), default=defaults,
                            key=f"cdo_trends_{lang}_{'-'.join(sel.flt.segments)}", help=t("cdo.trends_pick_help"),
                            placeholder=t("cdo.trends_pick"))
    trends = dashboard.indexed_frame(raw, lang, tuple(choices[p] for p in picked), sel.flt.segments)
    if trends.empty:
        st.caption(t("cdo.trends_none"))
    else:
        single = trends["period_start"].nunique() == 1
        st.altair_chart(charts.indexed(trends, title=t("cdo.trends"), lang=lang,
                                       single=(t("cdo.trends_single_title"), t("cdo.trends_single")),
                                       comments=dashboard.comment_marks(trends, notes, lang, "index")),
                        alt=t("cdo.trends"))
        st.caption(t("cdo.trends_single_help") if single else t("cdo.trends_help"))
    if at != sel.grain:
        st.caption(t("grain.finer", native=t(f"grain.{at}").lower(), grain=t(f"grain.{sel.grain}").lower()))

listed = ui.comments_section(view, sel.flt, dashboard.cdo_card_kpis(sel.flt.segments), key="cdo")

ui.excel_download(partial(dashboard.view_workbook, view, lang, {t("comments.sheet"): listed},
                          ui.export_context("nav.cdo", sel.flt)), "passerelle_vue_cdo.xlsx", key="download_cdo")
