"""The app's shared UI helpers, for ``app.py`` and the pages in ``app_pages/``.

    >>> import ui
    >>> sel = ui.selection()                                  # what the sidebar says
    >>> view = ui.cdo_view(sel.version, sel.flt, sel.grain, sel.lang, sel.fiscal_start)
    >>> ui.cards_grid(dashboard.cards(view, "B2C", dashboard.CDO_CARDS["B2C"], sel.lang))

``ui.data`` holds the cached ``kpis`` calls, ``ui.deletion`` the deletion
previews, confirmations and undo buttons, ``ui.kpi_form`` the form defining
one of the organisation's KPIs, ``ui.subject_form`` the Référentiel's tracked subjects, ``ui.questions`` the Importer's
questions about doubtful columns, ``ui.state`` the per-session
selection, language and settings, ``ui.widgets`` the small reusable pieces
and ``ui.world`` the one function both world pages call. No pandas logic
here: it lives in ``kpis`` (mostly ``kpis.dashboard``), tested without Streamlit.
"""

from ui.access import auth_configured, can_edit, rights, sidebar_identity, sign_in, user
from ui.data import (
    attention,
    audit,
    batches,
    breakdown,
    by_source,
    cdo_view,
    check,
    comments,
    coverage,
    data_version,
    deletion_preview,
    deletions,
    demo_preview,
    dimension_values,
    forget_uploads,
    indexed_trends,
    kpi_definitions,
    kpi_history,
    kpi_origins,
    kpi_table,
    observations,
    overlaps,
    pack,
    raw_store,
    reference_origins,
    remembered_mappings,
    store,
    store_error,
    subjects,
    targets,
)
from ui.deletion import batch_delete_form, demo_banner, preview_lines, show_messages, undo_buttons
from ui.kpi_form import kpi_form, remove_button, show_kpi_message
from ui.questions import create_kpi_offer, question_answers, question_choice, questions_asked
from ui.state import (
    LANGUAGE_NAMES,
    Selection,
    comparison_control,
    custom_range,
    drop_range_params,
    lang,
    selection,
    set_selection,
    settings,
    t,
    url_choice,
    url_chose,
    url_notes,
    url_write,
)
from ui.subject_form import subjects_section
from ui.widgets import (
    attention_panel,
    cards_grid,
    comments_section,
    empty_state,
    excel_download,
    export_context,
    kpi_picker,
    metric_card,
    pack_download,
    page_view,
    sources_caption,
)
from ui.world import render_world

__all__ = [
    # ui.access
    "auth_configured", "can_edit", "rights", "sidebar_identity", "sign_in", "user",
    # ui.data
    "attention", "audit", "batches", "breakdown", "by_source", "cdo_view", "check", "comments", "coverage",
    "data_version", "deletion_preview", "deletions", "demo_preview", "dimension_values", "forget_uploads",
    "indexed_trends", "kpi_definitions", "kpi_history", "kpi_origins", "kpi_table", "observations", "overlaps",
    "pack", "raw_store", "reference_origins", "remembered_mappings", "store", "store_error", "subjects", "targets",
    # ui.deletion
    "batch_delete_form", "demo_banner", "preview_lines", "show_messages", "undo_buttons",
    # ui.kpi_form
    "kpi_form", "remove_button", "show_kpi_message",
    # ui.subject_form
    "subjects_section",
    # ui.questions
    "create_kpi_offer", "question_answers", "question_choice", "questions_asked",
    # ui.state
    "LANGUAGE_NAMES", "Selection", "comparison_control", "custom_range", "drop_range_params", "lang", "selection",
    "set_selection", "settings", "t", "url_choice", "url_chose", "url_notes", "url_write",
    # ui.widgets
    "attention_panel", "cards_grid", "comments_section", "empty_state", "excel_download", "export_context",
    "kpi_picker", "metric_card", "page_view",
    "pack_download", "sources_caption",
    # ui.world
    "render_world",
]
