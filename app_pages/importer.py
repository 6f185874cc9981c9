from functools import partial

import streamlit as st

import ui
from kpis import dashboard, reports
from kpis.catalog import KPIS, SOURCE_NAMES, source_name, source_origin
from kpis.errors import DuplicateBatch, KpiError
from kpis.i18n import escape_markdown as md
from kpis.ingest.mapping import names_for
from kpis.model import SEGMENTS
from kpis.text import clean_text

sel = ui.selection()
ui.sources_caption(sel.flt.segments)
lang = sel.lang
t = ui.t
feedback = st.container()  # filled by the import button at the end of the script: its outcome shows at the top
names = dashboard.source_names(ui.batches(sel.version), sel.lang)  # origin → how a person names it


def named(origin: str) -> str:
    return names.get(origin) or source_name(origin, lang)


OUTCOME, OUTCOME_TOAST, ROUND = "import_outcome", "import_outcome_toast", "import_round"


def show_outcome(files) -> None:
    """The last import's outcome, one line per file with its details folded, until other files are dropped."""
    if OUTCOME not in st.session_state:
        return
    outcomes, concerned = st.session_state[OUTCOME]
    if {f.file_id for f in files or []} - concerned:
        del st.session_state[OUTCOME]
        return
    done = sum(imported for _, _, imported, _ in outcomes)
    box = st.success if done == len(outcomes) else st.warning if done else st.error
    box("  \n".join(md(line) for _, line, _, _ in outcomes),
        icon=":material/task_alt:" if done == len(outcomes) else ":material/error:")
    for file, _, _, details in outcomes:
        if details:
            with st.expander(t("import.details", file=md(file))):
                for detail in details:
                    st.warning(detail)
    if st.session_state.pop(OUTCOME_TOAST, False):
        st.toast(t("import.outcome_title", ok=done, n=len(outcomes)),
                 icon=":material/task_alt:" if done == len(outcomes) else ":material/warning:")


def _undecided(result) -> bool:
    return any(i.code == "segment_undecided" for i in result.all_issues)


st.caption(t("import.caption"))
ui.show_kpi_message()  # a KPI just created from a column: the file below is read again with it
with st.expander(t("import.templates"), icon=":material/download:"):
    with st.container(horizontal=True):
        for kind in ("external", "internal", "targets"):
            st.download_button(t(f"import.template.{kind}"), partial(reports.template_workbook, kind),
                               file_name=f"passerelle_modele_{kind}.xlsx", key=f"template_{kind}")

round_ = st.session_state.get(ROUND, 0)  # a new key empties the uploader once its files are imported
files = st.file_uploader(t("import.drop"), type=["xlsx", "xlsm", "xls", "ods", "csv"],
                         accept_multiple_files=True, key="uploads" if not round_ else f"uploads_{round_}")
with feedback:
    show_outcome(files)
ui.forget_uploads(files)  # a file removed from the uploader takes its checks with it
choices = reports.mapping_choices(lang)
checked = []
for f in files or []:
    segment = st.session_state.get(f"segment_{f.file_id}")
    window = st.session_state.get(f"window_{f.file_id}")
    with st.spinner(t("import.reading", file=f.name)):
        base = ui.check(f, segment, (), sel.version, window)
        if segment is None and f"segment_why_{f.file_id}" not in st.session_state and _undecided(base):
            # the segment proposed once, from earlier imports, the file's own words or its format: the user sees why
            proposal = reports.proposed_segment(base, ui.batches(sel.version), lang)
            st.session_state[f"segment_why_{f.file_id}"] = proposal
            if proposal:
                segment = st.session_state[f"segment_{f.file_id}"] = proposal[0]
                base = ui.check(f, segment, (), sel.version, window)
        to_map = reports.columns_to_map(base)  # not recognised, or one of several giving a KPI: by position
        maps = {name: st.session_state[key] for sheet, letter, _, name in to_map
                if (key := f"map_{f.file_id}_{sheet}_{letter}") in st.session_state and st.session_state[key]}
        result = ui.check(f, segment, tuple(sorted(maps.items())), sel.version, window) if maps else base
        asked = ui.questions_asked(base, result)  # a mapped column may make a sheet readable, and questioned
        if (answers := ui.question_answers(asked, f.file_id)).items() - maps.items():
            maps |= answers
            result = ui.check(f, segment, tuple(sorted(maps.items())), sel.version, window)
    # the origin field shows a source's name (a format's, else its latest file's, this file's for a new one);
    # the store keeps the origin's code; a name typed that no source has becomes a new origin, named so
    default = result.default_origin
    default_name = names.get(default) or (source_name(default, lang) if default in SOURCE_NAMES else f.name)
    shown = {**{named(o): o for o in names}, default_name: default}
    origin_key, proposed_key = f"origin_{f.file_id}", f"origin_proposed_{f.file_id}"
    if not st.session_state.get(origin_key) or st.session_state[origin_key] == st.session_state.get(proposed_key):
        st.session_state[origin_key] = default_name  # follows the file's reading until the user edits it
    st.session_state[proposed_key] = default_name
    typed = clean_text(st.session_state[origin_key])  # no control characters stored
    origin = shown.get(typed) or source_origin(typed) or typed or default  # a format's name in either language
    overlaps = ui.overlaps(f, segment, tuple(sorted(maps.items())), origin, sel.version, window)
    with st.container(border=True):
        if result.importable and not overlaps:
            icon, verdict = ":material/check_circle:", t("import.importable")
        elif result.readable:
            icon, verdict = ":material/help:", t("import.to_confirm")
        elif _undecided(result) and not [i for i in result.all_issues if i.severity == "error"
                                         and i.code != "segment_undecided"]:
            icon, verdict = ":material/help:", t("import.choose_segment")  # the one answer it waits for
        else:
            icon, verdict = ":material/error:", t("import.not_importable")
        st.markdown(f"{icon} **{md(f.name)}** — {verdict}")
        st.text_input(t("import.origin"), key=origin_key, help=t("import.origin_help"))
        if result.readable and not overlaps:  # head counts under a new origin do not continue the existing ones
            for seg, (kpis, others) in dashboard.other_sources_of(result.observations, origin,
                                                                  ui.kpi_origins(sel.version)).items():
                st.info(t("import.other_source", segment=seg, kpis=", ".join(KPIS[k].label(lang) for k in kpis),
                          origins=md(", ".join(map(named, others))), origin=md(named(origin))),
                        icon=":material/call_merge:")
                if len(others) == 1:
                    st.button(t("import.use_origin", origin=md(named(others[0]))),
                              key=f"use_origin_{f.file_id}_{seg}",
                              on_click=st.session_state.__setitem__, args=(origin_key, named(others[0])))
        choice, accepted = None, True
        if overlaps:
            st.warning("\n\n".join([t("import.overlap"),
                                    *(md(reports.for_the_page(o.message(lang), lang)) for o in overlaps)]),
                       icon=":material/call_split:")
            options = {**{o.batch_id: t("import.overlap_replaces", batch=o.batch_id, origin=md(named(o.origin)))
                          for o in overlaps}, "adds": t("import.overlap_adds")}
            choice = st.radio(t("import.overlap_choice"), list(options), index=None, key=f"overlap_{f.file_id}",
                              format_func=options.get)
        if result.readable and result.rejections:
            for rejection in result.rejections:
                st.error(md(reports.for_the_page(rejection.message(lang), lang)), icon=":material/rule:")
            accepted = st.checkbox(t("import.accept_rejections", n=result.rows_rejected, read=result.rows_read),
                                   key=f"accept_{f.file_id}")
        for question in asked:
            ui.question_choice(question, f.file_id)
        if choice in ("adds", None):
            target = origin
        else:
            target = next(o.origin for o in overlaps if o.batch_id == choice)
        ready = result.readable and accepted and not result.questions and (not overlaps or choice is not None)
        checked.append((result, maps, base, ready, target, choice == "adds"))
        if _undecided(base) or segment:
            st.segmented_control(t("import.segment"), list(SEGMENTS), key=f"segment_{f.file_id}",
                                 help=t("import.segment_help"))
            proposal = st.session_state.get(f"segment_why_{f.file_id}")
            if proposal and proposal[0] == st.session_state.get(f"segment_{f.file_id}"):
                st.caption(md(proposal[1]))
        if any(i.code == "window_unknown" for i in base.all_issues) or window:
            st.number_input(t("import.window"), min_value=1, max_value=366, value=None, step=1,
                            key=f"window_{f.file_id}", help=t("import.window_help"))
        with st.container(horizontal=True):
            st.metric(t("rows.read"), result.rows_read)
            st.metric(t("rows.kept"), result.rows_kept)
            st.metric(t("rows.rejected"), result.rows_rejected)
            st.metric(t("rows.dropped"), sum(s.rows["dropped"] for s in result.sheets))
        st.markdown(f"**{t('import.summary')}**")
        st.dataframe(reports.summary_frame(result, lang), hide_index=True)
        readable = [sheet for sheet in result.sheets if sheet.status == "read"]
        for sheet in readable:
            with st.expander(t("import.columns", sheet=md(sheet.sheet)), expanded=len(readable) == 1):
                st.dataframe(reports.columns_frame(sheet, lang), hide_index=True)
        if to_map:
            st.markdown(f"**{t('import.map')}**")
            st.caption(t("import.map_help"))
            unknown = {(s.sheet, u["column"]): (s, u) for s in base.sheets for u in s.unknown_columns}
            for sheet_name, letter, header, _ in to_map:
                st.selectbox(md(f"{sheet_name} · {letter} · {header or '—'}"), [None, *choices],
                             key=f"map_{f.file_id}_{sheet_name}_{letter}",
                             format_func=lambda c: t("import.map_none") if c is None else choices[c])
                if (sheet_name, letter) in unknown:  # a column not recognised may become the organisation's KPI
                    ui.create_kpi_offer(*unknown[sheet_name, letter], f.file_id, segment)
        issues = reports.issues_frame(result, lang)
        with st.expander(t("import.issues", n=len(issues)), expanded=not result.importable):
            if issues.empty:
                st.caption(t("import.no_issues"))
            else:
                st.dataframe(issues.head(500), hide_index=True)
            st.download_button(t("import.report"),
                               partial(reports.report_workbook, result, lang, ui.export_context("export.report")),
                               file_name=f"rapport_{f.name}.xlsx", key=f"report_{f.file_id}")
        with st.expander(t("import.preview", n=len(result.observations))):
            st.dataframe(result.observations.head(100), hide_index=True)

ready = [(r, maps, base, origin, adds) for r, maps, base, ok, origin, adds in checked if ok]
if st.button(t("import.button", n=len(ready)), type="primary", disabled=not ready, key="do_import"):
    outcomes = []  # (file, line, imported, details) per file, shown at the top after the rerun below
    for result, maps, base, origin, adds in ready:
        try:
            outcome = ui.store().import_batch(**result.batch(origin=origin, imported_by=ui.user(), adds=adds))
        except DuplicateBatch as exc:
            outcomes.append((result.file, reports.outcome_line(result.file, lang, duplicate_of=exc.batch_id), False, [
                t("import.duplicate", file=md(result.file), batch=exc.batch_id, date=exc.imported_at)]))
            continue
        except KpiError as exc:
            outcomes.append((result.file, reports.outcome_line(result.file, lang, refused=exc.message(lang)), False,
                             []))
            continue
        for sheet in base.sheets:
            mine = names_for(maps, sheet.headers)  # a header, a header and its occurrence, a letter
            if mine:
                ui.store().remember_mapping(sheet.headers, mine, by=ui.user())
        line = reports.outcome_line(result.file, lang, batch=outcome.batch_id, rows=outcome.rows_stored,
                                    superseded=outcome.rows_superseded)
        outcomes.append((result.file, line, True,
                         [md(reports.for_the_page(w.message(lang), lang)) for w in outcome.warnings]))
    st.session_state[OUTCOME] = (outcomes, {f.file_id for f in files or []})
    st.session_state[OUTCOME_TOAST] = True
    if all(imported for _, _, imported, _ in outcomes):  # every file in: the uploader starts empty, the page short
        st.session_state[ROUND] = st.session_state.get(ROUND, 0) + 1
    st.rerun()
