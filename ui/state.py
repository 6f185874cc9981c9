"""Per-session state: the sidebar's selection, the language, and the settings read at the edge.

    >>> sel = selection()           # written once per run by app.py, read by every page
    >>> t("nav.cdo")                # a label in the session's language

``app.py`` is the one writer of the selection (``set_selection``, after the
sidebar widgets); pages only read it. Nothing here is module-level mutable
state: everything per user lives in ``st.session_state``.
"""

from __future__ import annotations

import os
from collections import OrderedDict
from dataclasses import dataclass

import streamlit as st

from kpis import i18n
from kpis.errors import SettingError
from kpis.model import Filter
from kpis.settings import Settings, resolve

LANG_KEY = "lang"
"""The language widget's key (bound to the URL): ``"fr"`` or ``"en"``."""

COMPARE_KEY = "cmp"
"""The comparison control's key and URL parameter: ``previous`` or ``year`` (``kpis.dashboard.COMPARISONS``)."""
_COMPARE_CHOSEN = "cmp_chosen"

SELECTION_KEY = "selection"

CHECKED_KEY = "checked_uploads"
"""The Importer's checked files of this session (``ui.data.check``): freed with the session."""


@dataclass(frozen=True)
class Selection:
    """The sidebar's state: the filter, the grain, the language, the store's data version, the fiscal year's start,
    and the comparison the cards show (``"previous"`` or ``"year"``, ``kpis.dashboard.COMPARISONS``)."""

    flt: Filter
    grain: str
    lang: str
    version: str
    fiscal_start: int = 1
    compare: str = "previous"


def settings() -> Settings:
    """Passerelle's settings from the environment (``kpis.settings.resolve``); a value that cannot be used
    stops the run with its message in both languages, never a traceback."""
    try:
        return resolve(os.environ)
    except SettingError as exc:
        st.error(f"{exc.message_fr}\n\n{exc.message_en}", icon=":material/settings:")
        st.stop()


def lang() -> str:
    return st.session_state.get(LANG_KEY) or "fr"


def t(key: str, **values) -> str:
    """``kpis.i18n.t`` in the session's language."""
    return i18n.t(key, lang(), **values)


def comparison_control(default: str, lang: str) -> str:
    """The sidebar's "Comparer à" control, in the URL as a code (``?cmp=previous``) that a link made in French
    keeps in English.

    ``bind="query-params"`` would put the translated label in the URL, so the code is read from the URL on a
    session's first run (an unknown code is ignored) and written back on every run. Until the reader picks one
    (or opens a link that names one), the comparison follows the period's ``default`` (a year earlier for
    twelve months or more, the previous period otherwise).
    """
    from kpis.dashboard import COMPARISONS

    if _COMPARE_CHOSEN not in st.session_state:  # the session's first run: the link's choice, if any
        code = st.query_params.get(COMPARE_KEY)
        st.session_state[_COMPARE_CHOSEN] = code in COMPARISONS
        if code in COMPARISONS:
            st.session_state[COMPARE_KEY] = code
    if not st.session_state[_COMPARE_CHOSEN] or st.session_state.get(COMPARE_KEY) not in COMPARISONS:
        st.session_state[COMPARE_KEY] = default
    value = st.segmented_control(
        i18n.t("filter.compare", lang), list(COMPARISONS), key=COMPARE_KEY, required=True,
        format_func=lambda c: i18n.t(f"filter.compare.{c}", lang), on_change=_chose_comparison,
        help=i18n.t("filter.compare.help", lang))
    if value != default:
        st.query_params[COMPARE_KEY] = value
    elif COMPARE_KEY in st.query_params:
        del st.query_params[COMPARE_KEY]
    return value or default


def _chose_comparison() -> None:
    st.session_state[_COMPARE_CHOSEN] = True


def set_selection(sel: Selection) -> None:
    """Record the sidebar's selection for the page about to run (app.py only)."""
    st.session_state[SELECTION_KEY] = sel


def selection() -> Selection:
    """The current selection, set by app.py before the page runs."""
    return st.session_state[SELECTION_KEY]


def checked_uploads() -> OrderedDict:
    """This session's checked uploads, least recently used first: ``key -> (bytes of the upload, value)``."""
    return st.session_state.setdefault(CHECKED_KEY, OrderedDict())
