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
from datetime import date

import streamlit as st

from kpis import i18n
from kpis.errors import SettingError
from kpis.model import PRESETS, SEGMENTS, Filter, clamp_range, preset_range
from kpis.settings import Settings, resolve

LANG_KEY = "lang"
"""The language widget's key (bound to the URL): ``"fr"`` or ``"en"``."""

COMPARE_KEY = "cmp"
"""The comparison control's key and URL parameter: ``previous`` or ``year`` (``kpis.dashboard.COMPARISONS``)."""
_COMPARE_CHOSEN = "cmp_chosen"

SELECTION_KEY = "selection"

URL_OPTIONS: dict[str, tuple[str, ...]] = {
    "lang": i18n.LANGS, "seg": SEGMENTS, "period": PRESETS, "grain": ("week", "month", "quarter", "year")}
"""The sidebar's URL parameters and the codes each accepts: the same in both languages (``?seg=B2E&period=12m&
grain=month&lang=en``); the custom range adds ``from`` and ``to`` (``YYYY-MM-DD``), the comparison ``cmp``."""
LANGUAGE_NAMES = {"fr": "Français", "en": "English"}
RANGE_KEY, RANGE_PARAMS = "range", ("from", "to")
_URL_READ = "url_read"
_URL_NOTES = "url_notes"
_RANGE_NOTE = "range_note"

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


def code_label(param: str, code: str, lang: str) -> str:
    """What a URL code reads as in ``lang``: ``code_label("period", "lq", "fr") == "Dernier trimestre"``."""
    if param == "period":
        return i18n.t(f"preset.{code}", lang)
    if param == "grain":
        return i18n.t(f"grain.{code}", lang)
    return LANGUAGE_NAMES.get(code, code) if param == "lang" else code


def _code(param: str, value: str) -> str | None:
    """The code a URL value names: the code itself, or (links made before codes) its label in either language."""
    options = URL_OPTIONS[param]
    if value in options:
        return value
    named = {code_label(param, o, lang).casefold(): o for o in options for lang in i18n.LANGS}
    return named.get(value.casefold(), next((o for o in options if o.casefold() == value.casefold()), None))


def url_choice(param: str, default: str | list[str]) -> None:
    """Before the sidebar control ``param`` is drawn: on a session's first run the link's code becomes its value
    (``?seg=B2C,B2E`` or repeated ``seg``); an unknown value leaves the default and a note (``url_notes``).
    The control is drawn without a default (its value is in ``st.session_state``), and ``url_write`` puts the
    code back in the URL."""
    read = st.session_state.setdefault(_URL_READ, set())
    if param not in read:
        read.add(param)
        values = [v.strip() for raw in st.query_params.get_all(param) for v in raw.split(",") if v.strip()]
        codes = [_code(param, v) for v in values]
        known = [c for c in codes if c is not None]
        if isinstance(default, list):
            if known:
                st.session_state[param] = [o for o in URL_OPTIONS[param] if o in known]
        elif known:
            st.session_state[param] = known[0]
        unknown = [v for v, c in zip(values, codes, strict=True) if c is None]
        if unknown:
            shown = known or default
            st.session_state.setdefault(_URL_NOTES, []).append(
                (param, ",".join(unknown), tuple(shown) if isinstance(shown, list) else (shown,)))
    if param not in st.session_state:
        st.session_state[param] = default


def url_write(param: str, value: str | list[str] | None, default: str | list[str]) -> None:
    """The control's code in the URL (repeated for a list), or no parameter when it is the default."""
    if not value or value == default:
        if param in st.query_params:
            del st.query_params[param]
    elif st.query_params.get_all(param) != (value if isinstance(value, list) else [value]):
        st.query_params[param] = value


def url_chose(param: str) -> None:
    """A control's ``on_change``: the reader has picked, the link's note about ``param`` has done its job."""
    notes = st.session_state.get(_URL_NOTES, [])
    st.session_state[_URL_NOTES] = [n for n in notes if n[0] != param and not (param == "period" and n[0] == "from/to")]


def url_notes(lang: str) -> list[str]:
    """The notes of the link's unknown values, in ``lang``: what was asked and what is shown instead."""
    return [i18n.t("filter.url_unknown", lang, param=param, value=value,
                   shown=", ".join(code_label(param, c, lang) for c in shown))
            for param, value, shown in st.session_state.get(_URL_NOTES, [])]


def custom_range(earliest: date, latest: date, lang: str) -> tuple[date, date]:
    """The custom range's date picker: any dates within the data (``earliest``–``latest``, and
    ``kpis.model.SUPPORTED_DATES``). The link's ``from``/``to`` are read on a session's first run; dates outside
    (from the link, or left from another selection of segments) are clamped, with a note under the picker."""
    default = clamp_range(preset_range("12m", latest)[0], latest, earliest, latest)
    asked: tuple[date, ...] | None = None
    read = st.session_state.setdefault(_URL_READ, set())
    if RANGE_KEY not in read:
        read.add(RANGE_KEY)
        raw = [st.query_params.get(p) for p in RANGE_PARAMS]
        if any(raw):
            try:
                asked = tuple(date.fromisoformat(str(v)) for v in raw if v)
            except ValueError:
                st.session_state.setdefault(_URL_NOTES, []).append(
                    ("from/to", "/".join(v or "" for v in raw), (i18n.t("preset.custom", lang),)))
    if asked is None:
        current = st.session_state.get(RANGE_KEY)
        asked = tuple(current) if isinstance(current, (tuple, list)) and current else None
    if asked:
        start, end = clamp_range(asked[0], asked[-1], earliest, latest)
        if (start, end) != (min(asked), max(asked)):
            st.session_state[_RANGE_NOTE] = i18n.t(
                "filter.range_clamped", lang, start=i18n.fmt_date(start, lang), end=i18n.fmt_date(end, lang),
                asked=" – ".join(i18n.fmt_date(d, lang) for d in (min(asked), max(asked))))
        st.session_state[RANGE_KEY] = (start, end) if len(asked) > 1 else (start,)
    else:
        st.session_state[RANGE_KEY] = default
    lo, hi = clamp_range(earliest, latest, earliest, latest)
    picked = st.date_input(i18n.t("filter.range", lang), min_value=lo, max_value=hi, key=RANGE_KEY,
                           format="DD/MM/YYYY" if lang == "fr" else "YYYY-MM-DD", on_change=_picked_range)
    if st.session_state.get(_RANGE_NOTE):
        st.caption(f":material/info: {st.session_state[_RANGE_NOTE]}")
    start, end = (picked[0], picked[-1]) if isinstance(picked, (tuple, list)) and picked else default
    for param, day in zip(RANGE_PARAMS, (start, end), strict=True):
        st.query_params[param] = day.isoformat()
    return start, end


def drop_range_params() -> None:
    """No ``from``/``to`` in the URL when the period is a preset (and no clamping note left)."""
    st.session_state.pop(_RANGE_NOTE, None)
    for param in RANGE_PARAMS:
        if param in st.query_params:
            del st.query_params[param]


def _picked_range() -> None:
    st.session_state.pop(_RANGE_NOTE, None)
    url_chose("from/to")


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
