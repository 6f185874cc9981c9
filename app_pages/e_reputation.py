from functools import partial

import streamlit as st

import ui
from kpis import charts, dashboard
from kpis.i18n import escape_markdown, fmt_period
from kpis.model import ALL, EXTERNAL_SEGMENTS, INTERNAL_SEGMENTS

sel, view = ui.page_view()  # sources, selection, view; the empty state stops the page
lang = sel.lang
t = ui.t

st.caption(t("rep.caption"))
left, right = st.columns(2)
for column, world, segments in ((left, "external", EXTERNAL_SEGMENTS), (right, "internal", INTERNAL_SEGMENTS)):
    with column:
        st.markdown(f"#### {t(f'rep.{world}')}")
        shown = [s for s in sel.flt.segments if s in segments]
        cards = dashboard.cards(view, dashboard.headline_segment(tuple(shown)), dashboard.REPUTATION_KPIS[world],
                                lang, sel.compare) if shown else []
        if cards:
            ui.cards_grid(cards)
        else:
            st.caption(t("rep.no_data") if shown else t("sbs.world_off"))

trend = dashboard.reputation_trend_frame(view.table, lang)
if not trend.empty:
    with st.container(border=True):
        st.altair_chart(charts.trend(trend, title=t("rep.trend"), unit="%", lang=lang), alt=t("rep.trend"))
        st.caption(t("rep.trend_help"))

extra = {}
if "B2E" in sel.flt.segments and view.period_start and view.period_end:
    first, last, previous = dashboard.month_window(view.period_start, view.period_end)
    store = ui.store()
    group = sel.flt.initiatives[0] if len(sel.flt.initiatives) == 1 else ALL
    topics = dashboard.topics_frame(store.esn_terms(previous[0], last), first, last, lang, group,
                                    previous_covered=bool(store.esn_months(*previous)))
    profiles = store.esn_profiles(first, last)
    names = ui.settings().esn_names  # a name kept at import is shown only while the setting is still on
    month, people = dashboard.influencers(profiles, last, lang, names)
    mentions = store.esn_subjects(previous[0], last)
    subjects, untracked = dashboard.subjects_frame(mentions, ui.subjects(sel.version),
                                                   store.esn_months(first, last), first, last, lang, group)
    left, right = st.columns(2)
    with left, st.container(border=True):
        st.markdown(f"#### {t('rep.topics')}")
        if topics.empty:
            st.caption(t("rep.no_topics"))
        else:
            st.dataframe(topics, hide_index=True)
            st.caption(t("rep.topics_help"))
    with right, st.container(border=True):
        st.markdown(f"#### {t('rep.influencers')}")
        if not people:
            st.caption(t("rep.no_influencers"))
        else:
            st.markdown("\n".join(f"- {escape_markdown(p)}" for p in people))
            st.caption(t("rep.influencers_help_named" if names else "rep.influencers_help",
                         month=fmt_period(f"{month:%Y-%m}", lang)))
    with st.container(border=True):
        st.markdown(f"#### {t('rep.subjects')}")
        if subjects.empty:
            st.caption(t("rep.no_subjects"))
        else:
            st.dataframe(subjects, hide_index=True)
            tones = dashboard.subjects_trend_frame(mentions, ui.subjects(sel.version), first, last, lang, group)
            if len(tones["period"].unique()) > 1:
                st.altair_chart(charts.trend(tones, title=t("rep.subject_trend"), unit="%", lang=lang,
                                             y_title=t("rep.col_score")), alt=t("rep.subject_trend"))
            for note in untracked:
                st.info(escape_markdown(note), icon=":material/history:")
            st.caption(t("rep.subjects_help"))
    extra = {t("rep.topics"): topics, t("rep.influencers"): dashboard.influencers_frame(profiles, last, lang, names),
             t("rep.subjects"): subjects}

ui.excel_download(partial(dashboard.view_workbook, view, lang, extra, ui.export_context("nav.reputation", sel.flt)),
                  "passerelle_e_reputation.xlsx", key="download_e_reputation")
