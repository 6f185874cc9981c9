"""Altair chart builders: data in, an Altair chart out, titled, with units, tooltips and the right locale.

    >>> frame = pd.DataFrame({"period_start": pd.to_datetime(["2026-08-01", "2026-09-01"]),
    ...                       "period": ["2026-08", "2026-09"], "series": "B2C", "value": [0.021, 0.024]})
    >>> chart = trend(frame, title="Taux de clic", unit="%", lang="fr")
    >>> chart.to_dict()["layer"][0]["encoding"]["y"]["title"]
    'Taux de clic (%)'
    >>> chart.to_dict()["config"]["locale"]["number"]["decimal"]
    ','

Numbers follow the language (``1 234,5`` and ``12,5 %`` in French) through
Vega's locale configuration, dates too (``sept. 2026``). Pure functions: no
Streamlit, no I/O.
"""

from __future__ import annotations

from typing import TypeVar

import altair as alt
import pandas as pd

__all__ = ["trend", "indexed", "comment_layers", "funnel_rates", "breakdown", "profile", "value_format", "LOCALES"]

LOCALES = {
    "fr": {
        "number": {"decimal": ",", "thousands": "\u202f", "grouping": [3], "currency": ["", "\u00a0€"],
                   "percent": "\u202f%"},
        "time": {"dateTime": "%A %e %B %Y à %X", "date": "%d/%m/%Y", "time": "%H:%M:%S",
                 "periods": ["AM", "PM"],
                 "days": ["dimanche", "lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi"],
                 "shortDays": ["dim.", "lun.", "mar.", "mer.", "jeu.", "ven.", "sam."],
                 "months": ["janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre",
                            "octobre", "novembre", "décembre"],
                 "shortMonths": ["janv.", "févr.", "mars", "avr.", "mai", "juin", "juil.", "août", "sept.", "oct.",
                                 "nov.", "déc."]},
    },
    "en": {
        "number": {"decimal": ".", "thousands": ",", "grouping": [3], "currency": ["€", ""]},
        "time": {"dateTime": "%x, %X", "date": "%-m/%-d/%Y", "time": "%-I:%M:%S %p", "periods": ["AM", "PM"],
                 "days": ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"],
                 "shortDays": ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"],
                 "months": ["January", "February", "March", "April", "May", "June", "July", "August", "September",
                            "October", "November", "December"],
                 "shortMonths": ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]},
    },
}

_TEXT = {
    "period": ("Période", "Period"), "value": ("Valeur", "Value"), "series": ("Série", "Series"),
    "target": ("Objectif", "Target"), "index": ("Indice (base 100 au début)", "Index (100 at the start)"),
    "share": ("Part du total", "Share of total"), "segment": ("Segment", "Segment"),
    "rate": ("Taux", "Rate"), "people": ("Personnes", "People"), "note": ("Remarque", "Note"),
    "comment": ("Commentaire", "Comment"),
}


def _t(key: str, lang: str) -> str:
    fr, en = _TEXT[key]
    return fr if lang == "fr" else en


def value_format(unit: str) -> str:
    """The d3 format of a unit: ``.1%`` for rates, ``$,.2f`` for euros (the locale places the sign)."""
    return {"%": ".1%", "€": "$,.2f", "×": ",.2f", "score": ",.1f"}.get(unit, ",.0f")


def _axis_title(title: str, unit: str) -> str:
    return f"{title} ({unit})" if unit in ("%", "€", "×") else title


_ChartT = TypeVar("_ChartT", bound=alt.TopLevelMixin)


def _finish(chart: _ChartT, lang: str, title: str) -> _ChartT:
    return chart.properties(title=title, height=280).configure(locale=LOCALES[lang]).configure_title(
        anchor="start", fontSize=14)


def _time_axis(lang: str) -> alt.X:
    """Buckets in time order, labelled as the metrics engine names them (``sept. 2026``, ``T3 2026``)."""
    return alt.X("period:N", title=_t("period", lang), sort=alt.EncodingSortField(field="period_start", op="min"),
                 axis=alt.Axis(labelAngle=0, labelOverlap=True))


def comment_layers(marks: pd.DataFrame | None, y_field: str, lang: str = "fr") -> list:
    """Comments on a trend: a dotted vertical rule at each commented bucket and a square on the series' point,
    the comment's text in both tooltips. ``marks``: period_start, period, series, ``y_field``, label."""
    if marks is None or marks.empty:
        return []
    tooltip = [alt.Tooltip("series:N", title=_t("series", lang)), alt.Tooltip("period:N", title=_t("period", lang)),
               alt.Tooltip("label:N", title=_t("comment", lang))]
    base = alt.Chart(marks)
    return [base.mark_rule(color="#5B6B7C", strokeDash=[2, 3]).encode(x=_time_axis(lang), tooltip=tooltip),
            base.mark_point(shape="square", size=130, filled=True, color="#5B6B7C", opacity=0.85).encode(
                x=_time_axis(lang), y=alt.Y(f"{y_field}:Q"), tooltip=tooltip)]


def trend(frame: pd.DataFrame, *, title: str, unit: str, lang: str = "fr",
          y_title: str | None = None, comments: pd.DataFrame | None = None) -> alt.LayerChart | alt.FacetChart:
    """Lines per ``series`` over ``period_start``; a dashed line for ``target`` when the column has values.

    Columns: period_start, period (label), series, value, and optionally target and ``note`` (a bucket whose
    data stop inside it: drawn as a hollow point, the note in its tooltip). ``comments`` (``comment_layers``,
    with a ``value`` column) marks the commented buckets.
    """
    fmt = value_format(unit)
    base = alt.Chart(frame)
    y = alt.Y("value:Q", title=_axis_title(y_title or title, unit), axis=alt.Axis(format=fmt))
    tooltip = [alt.Tooltip("series:N", title=_t("series", lang)), alt.Tooltip("period:N", title=_t("period", lang)),
               alt.Tooltip("value:Q", title=_t("value", lang), format=fmt)]
    partial = "note" in frame.columns and frame["note"].notna().any()
    color = alt.Color("series:N", title=None, legend=alt.Legend(orient="bottom"))
    if partial:
        tooltip.append(alt.Tooltip("note:N", title=_t("note", lang)))
        whole = alt.datum.note == None  # noqa: E711 (a Vega expression, not a Python comparison)
        # the last whole bucket and the partial one of each series, joined by a dashed segment
        ordered = frame.sort_values("period_start")
        tail = ordered.groupby("series", sort=False).tail(2)
        tail = tail[tail["series"].isin(ordered.loc[ordered["note"].notna(), "series"])]
        lines = alt.layer(
            base.mark_line().encode(x=_time_axis(lang), y=y, color=color, tooltip=tooltip)
            .transform_filter(whole),
            alt.Chart(tail).mark_line(strokeDash=[4, 3]).encode(x=_time_axis(lang), y=y, color=color,
                                                                tooltip=tooltip),
            base.mark_point(filled=True, size=40).encode(x=_time_axis(lang), y=y, color=color, tooltip=tooltip)
            .transform_filter(whole),
            base.mark_point(filled=False, size=110, strokeWidth=2).encode(
                x=_time_axis(lang), y=y, color=color, tooltip=tooltip).transform_filter(~whole))
    else:
        lines = base.mark_line(point=True).encode(x=_time_axis(lang), y=y, color=color, tooltip=tooltip)
    layers = [lines]
    if "target" in frame.columns and frame["target"].notna().any():
        layers.append(base.mark_line(strokeDash=[6, 4], color="#8A96A3").encode(
            x=_time_axis(lang), y=alt.Y("target:Q"), detail="series:N",
            tooltip=[alt.Tooltip("series:N", title=_t("series", lang)),
                     alt.Tooltip("target:Q", title=_t("target", lang), format=fmt)]))
    layers += comment_layers(comments, "value", lang)
    return _finish(alt.layer(*layers), lang, title)


def indexed(frame: pd.DataFrame, *, title: str, lang: str = "fr", single: tuple[str, str] = ("", ""),
            comments: pd.DataFrame | None = None) -> alt.LayerChart | alt.FacetChart | alt.Chart:
    """KPIs of different units on one scale: base 100 at the first bucket; the legend below, whole.

    Columns: period_start, period, series, index, and for a window of one bucket value and shown (the value
    written with its unit). A single bucket has nothing to index: each series is drawn as its value, titled
    ``single`` (title, note) instead of an index of one point.

        >>> one = pd.DataFrame({"period_start": pd.to_datetime(["2026-01-01"] * 2), "period": "2026",
        ...                     "series": ["B2C · Clics", "B2E · Contributeurs"], "index": 100.0,
        ...                     "value": [180.0, 40.0], "shown": ["180", "40"]})
        >>> spec = indexed(one, title="Tendances", single=("Valeurs", "une seule période")).to_dict()
        >>> spec["title"]["subtitle"], "index" in str(spec["encoding"])
        ('une seule période', False)
    """
    if frame["period_start"].nunique() <= 1 and "shown" in frame.columns:
        return _single_bucket(frame, lang, *single)
    tooltip = [alt.Tooltip("series:N", title=_t("series", lang)), alt.Tooltip("period:N", title=_t("period", lang)),
               alt.Tooltip("index:Q", title=_t("index", lang), format=",.1f")]
    if "shown" in frame.columns:
        tooltip.append(alt.Tooltip("shown:N", title=_t("value", lang)))
    legend = alt.Legend(orient="bottom", labelFontSize=12, columns=2, labelLimit=0, symbolLimit=0)
    chart = alt.Chart(frame).mark_line(point=True).encode(
        x=_time_axis(lang), y=alt.Y("index:Q", title=_t("index", lang), scale=alt.Scale(zero=False)),
        color=alt.Color("series:N", title=None, legend=legend), tooltip=tooltip)
    rule = alt.Chart(pd.DataFrame({"y": [100]})).mark_rule(color="#B0B8C1", strokeDash=[2, 2]).encode(y="y:Q")
    return _finish(alt.layer(chart, rule, *comment_layers(comments, "index", lang)), lang, title)


def _single_bucket(frame: pd.DataFrame, lang: str, title: str, note: str) -> alt.Chart:
    """One row per series with its value as written (units differ: no shared axis, no index)."""
    period = str(frame["period"].iloc[0]) if len(frame) else ""
    heading = alt.TitleParams(text=f"{title} — {period}" if period else title, subtitle=note or alt.Undefined,
                              anchor="start", fontSize=14)
    return alt.Chart(frame).mark_text(align="left", fontSize=13).encode(
        y=alt.Y("series:N", title=None, sort=None, axis=alt.Axis(labelLimit=0, labelFontSize=12)),
        text=alt.Text("shown:N"),
        tooltip=[alt.Tooltip("series:N", title=_t("series", lang)), alt.Tooltip("period:N", title=_t("period", lang)),
                 alt.Tooltip("shown:N", title=_t("value", lang))],
    ).properties(title=heading, height=alt.Step(26)).configure(locale=LOCALES[lang]).configure_view(stroke=None)


def funnel_rates(frame: pd.DataFrame, *, title: str, lang: str = "fr") -> alt.Chart:
    """The two dimensionless funnel rates per segment, side by side. Columns: segment, rate (label), value."""
    return _finish(alt.Chart(frame).mark_bar().encode(
        x=alt.X("rate:N", title=None, axis=alt.Axis(labelAngle=0)),
        xOffset="segment:N",
        y=alt.Y("value:Q", title=_axis_title(_t("rate", lang), "%"), axis=alt.Axis(format=".0%")),
        color=alt.Color("segment:N", title=_t("segment", lang), legend=alt.Legend(orient="bottom")),
        tooltip=[alt.Tooltip("segment:N", title=_t("segment", lang)), alt.Tooltip("rate:N", title=_t("rate", lang)),
                 alt.Tooltip("value:Q", title=_t("value", lang), format=".2%")]), lang, title)


def breakdown(frame: pd.DataFrame, *, title: str, unit: str, lang: str = "fr", label: str = "") -> alt.Chart:
    """Horizontal bars, largest first. Columns: name, value, share (fraction of the total, may be empty)."""
    fmt = value_format(unit)
    tooltip = [alt.Tooltip("name:N", title=label or _t("series", lang)),
               alt.Tooltip("value:Q", title=_t("value", lang), format=fmt)]
    if "share" in frame.columns:
        tooltip.append(alt.Tooltip("share:Q", title=_t("share", lang), format=".1%"))
    chart = alt.Chart(frame).mark_bar().encode(
        y=alt.Y("name:N", title=label or None, sort="-x", axis=alt.Axis(labelLimit=240)),
        x=alt.X("value:Q", title=_axis_title(title, unit), axis=alt.Axis(format=fmt)),
        tooltip=tooltip)
    return chart.properties(title=title, height=alt.Step(24)).configure(
        locale=LOCALES[lang]).configure_title(anchor="start", fontSize=14)


def profile(frame: pd.DataFrame, *, title: str, lang: str = "fr") -> alt.Chart:
    """Participation profile: active users, readers and contributors per period, as grouped bars.

    Columns: period_start, period, series, value.
    """
    return _finish(alt.Chart(frame).mark_bar().encode(
        x=alt.X("period:N", title=_t("period", lang), sort=None, axis=alt.Axis(labelAngle=0)),
        xOffset="series:N",
        y=alt.Y("value:Q", title=_t("people", lang), axis=alt.Axis(format=",.0f")),
        color=alt.Color("series:N", title=None, legend=alt.Legend(orient="bottom")),
        tooltip=[alt.Tooltip("series:N", title=_t("series", lang)), alt.Tooltip("period:N", title=_t("period", lang)),
                 alt.Tooltip("value:Q", title=_t("people", lang), format=",.0f")]), lang, title)
