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

SELECTION_KEY = "selection"

CHECKED_KEY = "checked_uploads"
"""The Importer's checked files of this session (``ui.data.check``): freed with the session."""


@dataclass(frozen=True)
class Selection:
    """The sidebar's state: the filter, the grain, the language, the store's data version, the fiscal year's start."""

    flt: Filter
    grain: str
    lang: str
    version: str
    fiscal_start: int = 1


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


def set_selection(sel: Selection) -> None:
    """Record the sidebar's selection for the page about to run (app.py only)."""
    st.session_state[SELECTION_KEY] = sel


def selection() -> Selection:
    """The current selection, set by app.py before the page runs."""
    return st.session_state[SELECTION_KEY]


def checked_uploads() -> OrderedDict:
    """This session's checked uploads, least recently used first: ``key -> (bytes of the upload, value)``."""
    return st.session_state.setdefault(CHECKED_KEY, OrderedDict())
