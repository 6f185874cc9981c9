"""Display tables for the data pages: what an import understood, the batches, the coverage, the catalog.

    >>> columns_frame(result.sheets[0], "en")["Detail"].tolist()   # each column's role in words, for the Importer
    ["Period — recognised (header 'Mois')", "Target population — recognised (header 'Effectif')",
     "Active users — recognised (header 'Utilisateurs actifs')"]
    >>> report_workbook(result, "fr")[:2]            # the same, downloadable as Excel
    b'PK'
    >>> coverage_grid(store.coverage(), "en")        # origin × month, gaps left empty
           Jul 2026 Aug 2026 Sep 2026
    Origin
    manual        7        7        7

Pure functions: results and frames in, DataFrames (labelled in the chosen
language) or bytes out. The pages only render them.
"""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import date

import pandas as pd

from kpis import export
from kpis.catalog import KPIS, fold, segment_of, source_name
from kpis.dashboard import ExportContext, export_heading, unit_formats, unit_label
from kpis.i18n import MONTHS, fmt_date, fmt_value, t
from kpis.ingest.columns import AMBIGUOUS_REASON, RATIO_REASON, position_name
from kpis.targets import editor_value

__all__ = [
    "columns_frame",
    "column_role",
    "layout_words",
    "for_the_page",
    "outcome_line",
    "proposed_segment",
    "issues_frame",
    "summary_frame",
    "report_workbook",
    "batches_frame",
    "coverage_grid",
    "stale_origins",
    "catalog_frame",
    "definition_fields",
    "kpi_history_frame",
    "targets_frame",
    "targets_rows",
    "mapping_choices",
    "columns_to_map",
    "template_workbook",
    "catalog_workbook",
    "history_workbook",
    "deletion_summary",
    "deletions_frame",
    "grants_frame",
    "audit_frame",
]

_ROLE_LABELS = {
    "period": ("Période", "Period"), "period_start": ("Début de période", "Period start"),
    "period_end": ("Fin de période", "Period end"), "segment": ("Segment", "Segment"),
    "entity": ("Entité", "Entity"), "channel": ("Canal", "Channel"), "initiative": ("Initiative", "Initiative"),
    "currency": ("Devise", "Currency"), "ignored": ("Ignorée", "Ignored"),
    "unknown": ("Non reconnue", "Not recognised"),
    "long_kpi": ("Nom de l'indicateur", "KPI name"), "long_value": ("Valeur", "Value"),
}
_SEVERITY = {"error": ("Erreur", "Error"), "warning": ("Avertissement", "Warning"), "info": ("Info", "Info")}
_WORDS = {"read": ("lue", "read"), "skipped": ("ignorée", "skipped"),
          "wide": ("une ligne par période, un indicateur par colonne", "one row per period, one KPI per column"),
          "long": ("une ligne par période et par indicateur", "one row per period and KPI"),
          "crosstab": ("les périodes en colonnes, un indicateur par ligne", "periods in columns, one KPI per row"),
          "two_level": ("en-tête sur deux lignes : des périodes ou des groupes au-dessus des indicateurs",
                        "two-row header: periods or groups above the KPIs"),
          "pivot": ("tableau croisé dynamique copié en valeurs", "pivot table pasted as values"),
          "day": ("jour", "day"),
          "week": ("semaine", "week"), "month": ("mois", "month"), "quarter": ("trimestre", "quarter"),
          "year": ("année", "year"), "range": ("plage de dates", "date range")}
_STATUS = {"current": ("À jour", "Current"), "partly superseded": ("Partiellement remplacé", "Partly superseded"),
           "superseded": ("Remplacé", "Superseded")}
_AGGREGATION = {"flow": ("Flux (somme)", "Flow (sum)"), "stock": ("Stock (fin de période)", "Stock (end of period)"),
                "distinct": ("Compte distinct (moyenne)", "Distinct count (mean)"),
                "ratio": ("Ratio", "Ratio"), "score": ("Score", "Score")}


def _pick(pair: tuple[str, str], lang: str) -> str:
    return pair[0] if lang == "fr" else pair[1]


def _cols(lang: str, fr: list[str], en: list[str]) -> list[str]:
    return fr if lang == "fr" else en


def _role_label(column, lang: str) -> str:
    if column.role == "kpi":
        return KPIS[column.kpi].label(lang)
    return _pick(_ROLE_LABELS.get(column.role, (column.role, column.role)), lang)


_MATCH_KEYS = {"exact": "column.recognised", "partial": "column.partial", "mapped": "column.mapped",
               "remembered": "column.remembered", "format": "column.format"}
_REASON_KEYS = {"ignored on request": "column.ignored_request", "total column": "column.total",
                "ignored by the format": "column.ignored_format",
                "ambiguous: choose with --map": "column.ambiguous",
                "window length: the rows are not dated by one day": "column.window_length",
                "person identifier: people counted, never stored": "column.person",
                "yes/no per person: people counted": "column.yes_no",
                "period given by the start and end columns": "column.period_by_range"}
_GIVES = re.compile(r"column (\w+) gives (\S+)")


def _ratio_kpi(header: str):
    """The ratio KPI a header names (``CTR`` → the click-through rate), or None."""
    folded = fold(header)
    for k in KPIS.values():
        if k.aggregation != "ratio" or not k.denominator:
            continue
        names = {fold(k.code), fold(k.label("fr")), fold(k.label("en")), *(fold(n) for n in k.synonyms)}
        names |= {fold(m) for m in re.findall(r"\(([^)]+)\)", f"{k.label('fr')} {k.label('en')}")}
        if folded in names:
            return k
    return None


def column_role(column, lang: str = "fr", source: str | None = None) -> str:
    """What a column is, in words: ``Clics — reconnu (en-tête « Clicks »)``, ``Ignorée — à votre demande``,
    ``CTR — recalculé à partir des indicateurs Clics et Impressions, non importé``, ``Clics — reconnu comme
    dans tout export Google Ads (en-tête « Clics »)`` (``source``: the recognised format's name)."""
    label = _role_label(column, lang)
    if column.reason == RATIO_REASON:
        k = _ratio_kpi(column.header)
        if k is None:
            return t("column.ratio_generic", lang, header=column.header)
        parts = [KPIS[c].label(lang) for _, c in k.numerator if c in KPIS] + [KPIS[k.denominator].label(lang)]
        joined = ", ".join(parts[:-1]) + (" et " if lang == "fr" else " and ") + parts[-1]
        return t("column.ratio", lang, header=column.header, parts=joined)
    if column.reason in _REASON_KEYS:
        text = t(_REASON_KEYS[column.reason], lang, source=source or "")
        return text if column.role == "ignored" else f"{label} — {text}"
    if column.reason and (m := _GIVES.fullmatch(column.reason)):
        target = KPIS[m[2]].label(lang) if m[2] in KPIS else _pick(_ROLE_LABELS.get(m[2], (m[2], m[2])), lang)
        return t("column.other_gives", lang, column=m[1], target=target)
    if column.role == "unknown":
        return t("column.unknown", lang)
    if column.role == "ignored":
        return _pick(_ROLE_LABELS["ignored"], lang)
    key = _MATCH_KEYS.get(column.match or "exact", "column.recognised")
    return t(key, lang, label=label, header=column.header, source=source or "")


def layout_words(layout: str | None, lang: str = "fr") -> str:
    """A sheet's layout in words: ``wide`` → ``une ligne par période, un indicateur par colonne``."""
    return _pick(_WORDS.get(layout or "", (layout or "—", layout or "—")), lang)


def columns_frame(sheet, lang: str = "fr") -> pd.DataFrame:
    """One row per column of a sheet: letter, header, what it was understood to be (in words)."""
    source = source_name(sheet.format, lang) if sheet.format else None
    rows = [(c.letter, c.header or "—", _role_label(c, lang), column_role(c, lang, source)) for c in sheet.columns]
    return pd.DataFrame(rows, columns=_cols(lang, ["Colonne", "En-tête", "Compris comme", "Détail"],
                                            ["Column", "Header", "Understood as", "Detail"]))


_MAP = r'--map "[^"]*"'
"""A ``--map`` flag and its quoted argument (a header may hold spaces)."""

_PAGE_REPLACEMENTS: dict[str, tuple[tuple[str, str], ...]] = {
    # (pattern, replacement): the most specific first; the CLI keeps its flags, the Importer names its controls
    "fr": (
        (r"\(--segment ou l'écran d'import\)", "(« Segment du fichier » ci-dessous)"),
        (r"retirez --segment", "retirez le segment choisi ci-dessous"),
        (r"avec l'option --window-days \d+", "dans « Période couverte par chaque ligne (jours) » ci-dessous"),
        (r"--window-days ignoré", "La période saisie ci-dessous est ignorée"),
        (r"option --window-days", "saisie dans l'Importer"),
        (r"confirmez avec --map .*$", "répondez à la question « Que contient la colonne… ? » ci-dessous : "
         "confirmer, choisir un autre indicateur ou écarter la colonne."),
        (r"précisez la convention, par exemple " + _MAP + r"\.",
         "écrivez les nombres sans ambiguïté dans le fichier (l'Importer ne propose pas ce choix)."),
        (r" avec " + _MAP + r"(?: ou dans l'écran d'import)?",
         " dans la liste « Associer les colonnes non reconnues » ci-dessous"),
        (r" \(--replaces \d+\)", " (« C'est une correction de ce lot » ci-dessous)"),
        (r" \(--adds\)", " (« Ce sont d'autres données »)"),
        (r"--accept-rejections", "la case « Importer quand même » ci-dessous"),
        (_MAP, "la liste « Associer les colonnes non reconnues » ci-dessous"),
        (r"--segment", "« Segment du fichier » ci-dessous"),
    ),
    "en": (
        (r"\(--segment or the import screen\)", "('The file's segment' below)"),
        (r"drop --segment", "clear the segment chosen below"),
        (r"with the --window-days \d+ option", "in 'Period each row covers (days)' below"),
        (r"--window-days ignored", "The period entered below is ignored"),
        (r"option --window-days", "entered on the Importer"),
        (r"confirm with --map .*$", "answer the question 'What does column … hold?' below: confirm, choose "
         "another KPI or drop the column."),
        (r"say which convention, e\.g\. " + _MAP + r"\.",
         "write the numbers unambiguously in the file (the Importer offers no such choice)."),
        (r" with " + _MAP + r"(?: or on the import screen)?", " in the list 'Map the columns not recognised' below"),
        (r" \(--replaces \d+\)", " ('It is a correction of this batch' below)"),
        (r" \(--adds\)", " ('It is other data')"),
        (r"--accept-rejections", "the 'Import anyway' box below"),
        (_MAP, "the list 'Map the columns not recognised' below"),
        (r"--segment", "'The file's segment' below"),
    ),
}


def for_the_page(text: str, lang: str = "fr") -> str:
    """A message as the Importer shows it: each command-line flag replaced by the page control doing the same.

        >>> for_the_page("choisissez le segment (--segment ou l'écran d'import).", "fr")
        'choisissez le segment (« Segment du fichier » ci-dessous).'
    """
    for pattern, replacement in _PAGE_REPLACEMENTS["fr" if lang == "fr" else "en"]:
        text = re.sub(pattern, replacement.replace("\\", "\\\\"), text)
    return text


def outcome_line(file: str, lang: str = "fr", *, batch: int | None = None, rows: int = 0, superseded: int = 0,
                 refused: str | None = None, duplicate_of: int | None = None) -> str:
    """One file's import outcome in one line, for the status block at the top of the Importer.

        >>> outcome_line("usage_novembre.xlsx", "fr", batch=4, rows=3)
        '✔ usage_novembre.xlsx — lot n° 4 importé, 3 valeurs enregistrées'
    """
    if refused is not None:
        return t("import.outcome_refused", lang, file=file, reason=for_the_page(refused, lang))
    if duplicate_of is not None:
        return t("import.outcome_duplicate", lang, file=file, batch=duplicate_of)
    line = t("import.outcome_done", lang, file=file, batch=batch, rows=fmt_value(rows, "count", lang))
    return line + (t("import.outcome_superseded", lang, n=fmt_value(superseded, "count", lang)) if superseded else "")


FORMAT_SEGMENTS = {"linkedin_visitors": "B2B", "linkedin_followers": "B2B", "linkedin_content": "B2B",
                   "meta_ads": "B2C", "salesforce_opportunities": "B2B", "hubspot_deals": "B2B"}
"""The segment a format's exports usually belong to, proposed when nothing better says it."""


def _named_segments(name: str) -> dict[str, str]:
    """Segment → the word naming it among a name's words and pairs of words (``"leads B2B"`` → ``{"B2B": "b2b"}``)."""
    words = fold(re.sub(r"\.[A-Za-z]{2,4}$", "", name)).split()
    found: dict[str, str] = {}
    for phrase in (*words, *map(" ".join, zip(words, words[1:], strict=False))):
        if (segment := segment_of(phrase)) is not None:
            found.setdefault(segment, phrase)
    return found


def proposed_segment(result, batches: list[dict], lang: str = "fr") -> tuple[str, str] | None:
    """The segment to propose for a file that does not say it, and why in words, else None.

    In order: the segment every earlier import of the same origin had; a
    segment named by the file's or a sheet's name, when only one is; the
    usual segment of the recognised format. Never a guess between two.

        >>> from types import SimpleNamespace as NS
        >>> result = NS(file="leads_B2B_octobre.xlsx", sheets=[NS(sheet="Feuil1", format=None)],
        ...             default_origin="leads")
        >>> proposed_segment(result, [], "en")
        ('B2B', "Proposed: B2B, from 'b2b' in the name 'leads_B2B_octobre.xlsx'.")
    """
    origin = result.default_origin
    earlier = [b for b in batches if b["origin"] == origin and not b.get("sample")]
    seen = {tuple(b["segments"]) for b in earlier}
    if len(seen) == 1 and len(segments := next(iter(seen))) == 1:
        return segments[0], t("import.segment_history", lang, segment=segments[0], n=len(earlier),
                              source=source_name(origin, lang))
    for name in (result.file, *(s.sheet for s in result.sheets)):
        named = _named_segments(name)
        if len(named) == 1:
            segment, word = next(iter(named.items()))
            return segment, t("import.segment_words", lang, segment=segment, word=word, name=name)
        if len(named) > 1:
            return None  # a name saying two segments settles nothing
    formats = [s.format for s in result.sheets if s.format in FORMAT_SEGMENTS]
    if formats:
        segment = FORMAT_SEGMENTS[formats[0]]
        return segment, t("import.segment_format", lang, segment=segment, source=source_name(formats[0], lang))
    return None


def issues_frame(result, lang: str = "fr") -> pd.DataFrame:
    """Every issue of a file, with its sheet, row and column, most severe first, worded for the Importer
    (``for_the_page``: its controls, not the command line's flags; a row not known is ``—``)."""
    order = {"error": 0, "warning": 1, "info": 2}
    issues = sorted(result.all_issues, key=lambda i: (order[i.severity], i.sheet or "", i.row or 0))
    rows = [(_pick(_SEVERITY[i.severity], lang), i.sheet or "—", _number(i.row), i.column or "—",
             for_the_page(i.message(lang), lang), i.code) for i in issues]
    return pd.DataFrame(rows, columns=_cols(lang, ["Gravité", "Feuille", "Ligne", "Colonne", "Message", "Code"],
                                            ["Severity", "Sheet", "Row", "Column", "Message", "Code"]))


def _number(value) -> str:
    """A row number as text, ``—`` when there is none (never ``None``)."""
    return "—" if value is None or pd.isna(value) else str(int(value))


def summary_frame(result, lang: str = "fr") -> pd.DataFrame:
    """One row per sheet: status, header row, layout and source in words, segments, grain, period, rows."""
    rows = []
    for s in result.sheets:
        period = f"{s.period['start']} → {s.period['end']}" if s.period else "—"
        rows.append((s.sheet, _pick(_WORDS.get(s.status, (s.status, s.status)), lang), _number(s.header_row),
                     layout_words(s.layout, lang), source_name(s.format, lang) if s.format else "—",
                     ", ".join(s.segments) or "—", _channels(s) or "—",
                     _pick(_WORDS.get(s.grain, (s.grain or "—", s.grain or "—")), lang),
                     period, s.currency or "—", s.rows["read"], s.rows["kept"], s.rows["rejected"], s.rows["dropped"]))
    return pd.DataFrame(rows, columns=_cols(
        lang,
        ["Feuille", "Statut", "Ligne d'en-tête", "Disposition", "Source", "Segments", "Canaux", "Grain", "Période",
         "Devise", "Lues", "Gardées", "Rejetées", "Écartées"],
        ["Sheet", "Status", "Header row", "Layout", "Source", "Segments", "Channels", "Grain", "Period", "Currency",
         "Read", "Kept", "Rejected", "Dropped"]))


def _channels(sheet, most: int = 4) -> str:
    """The channels a sheet's values belong to (a recognised export's implied channel among them)."""
    if not sheet.usable:
        return ""
    found = [c for c in sheet.observations["channel"].astype(str).unique() if c != "(all)"]
    return ", ".join(sorted(found)[:most]) + (" …" if len(found) > most else "")


def report_workbook(result, lang: str = "fr", context=None) -> bytes:
    """The validation report of one file as an Excel workbook: summary, columns per sheet, issues; a title
    block naming the file and the export date (``context``: a ``kpis.dashboard.ExportContext``) on every sheet."""
    blocks = {"Résumé" if lang == "fr" else "Summary": summary_frame(result, lang)}
    for s in result.sheets:
        if s.status == "read":
            blocks[s.sheet] = columns_frame(s, lang)
    blocks["Problèmes" if lang == "fr" else "Issues"] = issues_frame(result, lang)
    context = context or ExportContext(t("export.report", lang))
    return export.to_excel(blocks, notes={next(iter(blocks)): result.file},
                           heading=export_heading(replace(context, page=f"{context.page} : {result.file}"
                                                          if lang == "fr" else f"{context.page}: {result.file}"), lang))


def batches_frame(batches: list[dict], lang: str = "fr") -> pd.DataFrame:
    """The import batches for the Historique page, newest first."""
    rows = [(b["id"], b["file"], b["origin"], b["imported_by"], b["imported_at"].replace("T", " ").rstrip("Z"),
             b["rows_kept"], ", ".join(b["segments"]), b["period_start"] or "", b["period_end"] or "",
             _pick(_STATUS[b["status"]], lang), b["sample"]) for b in reversed(batches)]
    return pd.DataFrame(rows, columns=_cols(
        lang,
        ["Lot", "Fichier", "Origine", "Par", "Importé le (UTC)", "Lignes", "Segments", "Début", "Fin", "Statut",
         "Démo"],
        ["Batch", "File", "Origin", "By", "Imported at (UTC)", "Rows", "Segments", "Start", "End", "Status", "Demo"]))


def coverage_grid(coverage: pd.DataFrame, lang: str = "fr") -> pd.DataFrame:
    """Origin × month with the rows of each month; a month without data stays empty (a gap, not a zero)."""
    grid = coverage_numbers(coverage, lang)
    if grid.empty:
        return grid
    grid = grid.set_index(grid.columns[0])
    return grid.map(lambda v: "" if pd.isna(v) else fmt_value(float(v), "count", lang))


def stale_origins(coverage: pd.DataFrame, today: date, lang: str = "fr") -> pd.DataFrame:
    """Origins whose latest month is further behind the latest data than their usual interval.

    The usual interval of an origin is the median gap, in months, between the
    consecutive months it covers (1 for a monthly export).
    """
    columns = _cols(
        lang, ["Origine", "Dernier mois couvert", "Dernier import", "Intervalle habituel (mois)", "Retard (mois)"],
        ["Origin", "Last month covered", "Last import", "Usual interval (months)", "Behind (months)"])
    if coverage.empty:
        return pd.DataFrame(columns=columns)
    latest = coverage["month"].max()
    rows = []
    for origin, group in coverage.groupby("origin"):
        months = group["month"].sort_values()
        index = months.dt.year * 12 + months.dt.month
        gaps = index.diff().dropna()
        usual = int(gaps.median()) if len(gaps) else 1
        behind = int((latest.year * 12 + latest.month) - index.iloc[-1])
        if behind > usual:
            rows.append((origin, f"{MONTHS[lang][months.iloc[-1].month - 1]} {months.iloc[-1].year}",
                         fmt_date(group["last_import"].max().date(), lang), usual, behind))
    return pd.DataFrame(rows, columns=columns)


def catalog_frame(lang: str = "fr") -> pd.DataFrame:
    """The KPI catalog in the chosen language."""
    rows = []
    for code, k in KPIS.items():
        direction = (("↑ plus haut = mieux", "↑ higher is better") if k.direction > 0
                     else ("↓ plus bas = mieux", "↓ lower is better"))
        rows.append((k.label(lang), code, k.definition(lang), k.formula or "", k.unit,
                     _pick(_AGGREGATION[k.aggregation], lang), _pick(direction, lang), ", ".join(k.segments),
                     t("orgkpi.custom" if k.custom else "orgkpi.builtin", lang)))
    return pd.DataFrame(rows, columns=_cols(
        lang, ["Indicateur", "Code", "Définition", "Formule", "Unité", "Agrégation", "Sens", "Segments", "Origine"],
        ["KPI", "Code", "Definition", "Formula", "Unit", "Aggregation", "Direction", "Segments", "Origin"]))


_DEFINITION_FIELDS = {"code": "orgkpi.code", "label_fr": "orgkpi.label_fr", "label_en": "orgkpi.label_en",
                      "definition_fr": "orgkpi.definition_fr", "definition_en": "orgkpi.definition_en",
                      "segments": "orgkpi.segments", "aggregation": "orgkpi.kind", "unit": "orgkpi.unit",
                      "direction": "orgkpi.direction", "synonyms": "orgkpi.synonyms",
                      "numerator": "orgkpi.numerator", "minus": "orgkpi.minus", "denominator": "orgkpi.denominator",
                      "stage": "orgkpi.stage", "twin": "orgkpi.twin"}
"""Field of a definition (``kpis.custom.Definition``) -> the label the Référentiel's form gives it."""


def definition_fields(fields, lang: str = "fr") -> str:
    """The fields an edit changed, as the form names them: ``"Unité, Sens"``."""
    return ", ".join(t(_DEFINITION_FIELDS.get(f, "orgkpi.title"), lang) for f in fields)


def _shown(value) -> str:
    if value is None or value == []:
        return "—"
    return ", ".join(map(str, value)) if isinstance(value, list) else str(value)


def kpi_history_frame(history: pd.DataFrame, lang: str = "fr") -> pd.DataFrame:
    """The history of the organisation's KPIs (``Store.kpi_history``) as the Référentiel shows it: when, who,
    the KPI, its version, the action, what changed (before → after; every field on creation) and the
    observations and targets that held the KPI then.

        >>> h = pd.DataFrame({"code": ["tickets"], "version": [2], "action": ["edited"], "changed_by": ["app"],
        ...                   "changed_at": [pd.Timestamp("2026-11-30 09:05")], "observations": [3], "targets": [1],
        ...                   "changes": [{"unit": ["count", "€"]}]})
        >>> print(*kpi_history_frame(h, "en").iloc[0], sep=" | ")
        2026-11-30 09:05 | app | tickets | 2 | edited | Unit: count → € | 3 | 1
    """
    rows = []
    for r in history.itertuples(index=False):
        label = KPIS[r.code].label(lang) if r.code in KPIS else r.code
        if r.action == "edited":
            colon = " : " if lang == "fr" else ": "
            what = "; ".join(f"{t(_DEFINITION_FIELDS.get(f, 'orgkpi.title'), lang)}{colon}{_shown(a)} → {_shown(b)}"
                             for f, (a, b) in r.changes.items())
        else:
            what = definition_fields(r.changes, lang) if r.action == "created" else ""
        rows.append((pd.Timestamp(r.changed_at).strftime("%Y-%m-%d %H:%M"), r.changed_by, label, int(r.version),
                     t(f"orgkpi.action.{r.action}", lang), what, int(r.observations), int(r.targets)))
    return pd.DataFrame(rows, columns=_cols(
        lang, ["Date (UTC)", "Par", "Indicateur", "Version", "Action", "Changements", "Observations", "Objectifs"],
        ["Date (UTC)", "By", "KPI", "Version", "Action", "Changes", "Observations", "Targets"]))


def targets_rows(targets: pd.DataFrame) -> pd.DataFrame:
    """Targets as ``catalog_workbook`` writes them: kpi (code), segment, entity, period label, value (stored)."""
    if targets.empty:
        return pd.DataFrame({"kpi": pd.Series(dtype=str), "segment": pd.Series(dtype=str),
                             "entity": pd.Series(dtype=str), "period": pd.Series(dtype=str),
                             "value": pd.Series(dtype=float)})
    labels = [_period_label(pd.Timestamp(s), g) for s, g in zip(targets["period_start"], targets["grain"], strict=True)]
    return pd.DataFrame({"kpi": targets["kpi"].to_numpy(), "segment": targets["segment"].to_numpy(),
                         "entity": targets["entity"].fillna("").to_numpy(), "period": labels,
                         "value": targets["value"].to_numpy()})


def targets_frame(targets: pd.DataFrame, lang: str = "fr") -> pd.DataFrame:
    """Targets as the Référentiel editor shows them: kpi (label), unit, segment, entity, period label, value
    (text as it is typed: a rate in percent, ``70,46`` in French for 0.7046; ``kpis.targets.from_editor``
    reads it back).

        >>> tg = pd.DataFrame({"kpi": ["active_space_rate"], "segment": ["B2E"], "entity": [None],
        ...                    "period_start": [pd.Timestamp("2026-01-01")], "grain": ["year"], "value": [0.7046]})
        >>> targets_frame(tg, "fr").iloc[0].tolist()
        ["Taux d'espaces actifs", '%', 'B2E', '', '2026', '70,46']
    """
    if targets.empty:
        return pd.DataFrame({c: pd.Series(dtype=str) for c in ("kpi", "unit", "segment", "entity", "period", "value")})
    labels = [_period_label(pd.Timestamp(s), g) for s, g in zip(targets["period_start"], targets["grain"], strict=True)]
    values = [_typed(editor_value(k, float(v)), lang) for k, v in zip(targets["kpi"], targets["value"], strict=True)]
    return pd.DataFrame({"kpi": [KPIS[k].label(lang) for k in targets["kpi"]],
                         "unit": [unit_label(KPIS[k].unit, lang) for k in targets["kpi"]],
                         "segment": targets["segment"].to_numpy(),
                         "entity": targets["entity"].fillna("").to_numpy(), "period": labels, "value": values})


def _typed(value: float, lang: str) -> str:
    """A number as a person would type it: no thousands separator, the language's decimal mark."""
    text = f"{value:.12g}"
    return text.replace(".", ",") if lang == "fr" else text


def _period_label(start: pd.Timestamp, grain: str) -> str:
    if grain == "year":
        return str(start.year)
    if grain == "quarter":
        return f"T{(start.month - 1) // 3 + 1} {start.year}"
    return f"{start.year}-{start.month:02d}"


def mapping_choices(lang: str = "fr") -> dict[str, str]:
    """What an unrecognised column can be mapped to: target → label (dimensions, base KPIs, ignore)."""
    choices = {role: _pick(_ROLE_LABELS[role], lang)
               for role in ("period", "entity", "channel", "initiative", "segment")}
    choices |= {f"period:{g}": f"{_pick(_ROLE_LABELS['period'], lang)} ({g})"
                for g in ("day", "week", "month", "quarter", "year")}
    choices |= {code: f"{k.label(lang)} ({code})" for code, k in KPIS.items() if k.base}
    choices["ignore"] = _pick(_ROLE_LABELS["ignored"], lang)
    return choices


def columns_to_map(result) -> list[tuple[str, str, str, str]]:
    """(sheet, column letter, header, mapping name) of each column the Importer offers to map: the columns not
    recognised, headed or not, and the ones of which several give the same KPI. The name is the one ``--map``
    takes (``kpis.ingest.mapping``): the header, with its occurrence when it repeats (``Pages vues#2``), or the
    letter of a column without header, so that a repeated header can always be told apart.

        >>> from kpis.ingest import check_bytes
        >>> res = check_bytes(b"Mois;Pages vues;Pages vues\\n01/2026;10;20\\n", "x.csv", segment="B2E")
        >>> columns_to_map(res)
        [('x', 'B', 'Pages vues', 'Pages vues#1'), ('x', 'C', 'Pages vues', 'Pages vues#2')]
    """
    out = []
    for sheet in result.sheets:
        for c in sheet.columns:
            if c.role == "unknown" or c.reason == AMBIGUOUS_REASON:
                out.append((sheet.sheet, c.letter, c.header, position_name(sheet.columns, c)))
    return out


TEMPLATE_HEADERS = {
    "external": ["Mois", "Segment", "Marque", "Canal", "Campagne", "Impressions", "Clics", "Conversions", "Leads",
                 "Coût (€)", "Chiffre d'affaires (€)"],
    "internal": ["Mois", "Segment", "Direction", "Outil", "Espace", "Effectif", "Utilisateurs actifs",
                 "Contributeurs", "Lecteurs", "Contributions", "Commentaires", "Réactions", "Pages vues"],
    "targets": ["KPI", "Segment", "Entité", "Période", "Cible"],
}


def template_workbook(kind: str) -> bytes:
    """An empty workbook with the headers Passerelle expects (``external``, ``internal`` or ``targets``)."""
    return export.to_excel({kind: pd.DataFrame(columns=TEMPLATE_HEADERS[kind])})


def coverage_numbers(coverage: pd.DataFrame, lang: str = "fr") -> pd.DataFrame:
    """``coverage_grid`` with numbers (a gap stays empty) and the origin as a column: the grid as exported."""
    if coverage.empty:
        return pd.DataFrame()
    months = pd.date_range(coverage["month"].min(), coverage["month"].max(), freq="MS")
    grid = coverage.pivot_table(index="origin", columns="month", values="rows", aggfunc="sum").reindex(columns=months)
    grid.columns = [f"{MONTHS[lang][m.month - 1]} {m.year}" for m in months]
    grid.index.name = "Origine" if lang == "fr" else "Origin"
    return grid.reset_index()


def catalog_workbook(targets: pd.DataFrame, lang: str = "fr", context=None) -> bytes:
    """The catalog and the targets as one Excel workbook, a title block on each sheet. The targets sheet keeps
    headers the targets upload reads back (Indicateur, Segment, Entité, Période, Objectif), values by unit."""
    fr = lang == "fr"
    catalog = catalog_frame(lang)
    catalog = catalog.assign(**{catalog.columns[4]: [unit_label(u, lang) for u in catalog.iloc[:, 4]]})
    units = [KPIS[k].unit if k in KPIS else "count" for k in targets.get("kpi", pd.Series(dtype=str))]
    shown = pd.DataFrame(dict(zip(
        _cols(lang, ["Indicateur", "Segment", "Entité", "Période", "Objectif", "Unité"],
              ["KPI", "Segment", "Entity", "Period", "Target", "Unit"]),
        ([KPIS[k].label(lang) if k in KPIS else k for k in targets.get("kpi", [])],
         list(targets.get("segment", [])), list(targets.get("entity", [])), list(targets.get("period", [])),
         list(targets.get("value", [])), units), strict=True)))
    shown, formats = unit_formats(shown, lang, values=(4,), unit=5)
    name_catalog, name_targets = ("Catalogue" if fr else "Catalog"), ("Objectifs" if fr else "Targets")
    context = context or ExportContext(t("nav.catalog", lang))
    return export.to_excel({name_catalog: catalog, name_targets: shown}, block_formats={name_targets: formats},
                           heading=export_heading(context, lang))


def history_workbook(batches: list[dict], coverage: pd.DataFrame, deletions: list[dict], lang: str = "fr",
                     context=None, audit: pd.DataFrame | None = None) -> bytes:
    """The batches, the coverage grid (``coverage``: ``Store.coverage()``, values per origin × month, numbers),
    the deletion log and the audit trail (``Store.audit()``, as filtered on the page) as one Excel workbook, a
    title block on each sheet."""
    fr = lang == "fr"
    grid = coverage_numbers(coverage, lang)
    context = context or ExportContext(t("nav.history", lang))
    trail = {} if audit is None else {("Journal des actions" if fr else "Audit trail"): audit_frame(audit, lang)}
    return export.to_excel({("Lots" if fr else "Batches"): batches_frame(batches, lang),
                            ("Couverture" if fr else "Coverage"): grid,
                            ("Suppressions" if fr else "Deletions"): deletions_frame(deletions, lang), **trail},
                           formats={c: "count" for c in grid.columns[1:]} | {
                               ("Lignes" if fr else "Rows"): "count"},
                           heading=export_heading(context, lang))


def deletion_summary(preview, lang: str = "fr", undo_days: int | None = None) -> list[str]:
    """What a deletion will do, one line per item, for the confirmation (app) and ``delete-*`` (CLI).

        >>> deletion_summary(store.preview_delete(3), "en")
        ['Batch 3 · intranet_sept.xlsx · origin manual · 1 values · 2026-09-01 to 2026-09-30',
         '1 older value(s) become current again: Active users (1) — batch(es) 2']

    ``preview`` is a ``kpis.store.DeletionPreview``; ``undo_days`` adds how long it stays reversible.
    """
    if preview.empty:
        return [t("deletion.nothing", lang)]
    lines = []
    for b in preview.batches:
        start = fmt_date(date.fromisoformat(b["period_start"]), lang) if b["period_start"] else "—"
        end = fmt_date(date.fromisoformat(b["period_end"]), lang) if b["period_end"] else "—"
        lines.append(t("deletion.batch", lang, id=b["id"], file=b["file"], origin=b["origin"],
                       rows=fmt_value(b["rows"], "count", lang), start=start, end=end))
    if preview.rows_restored:
        detail = ", ".join(f"{KPIS[k].label(lang) if k in KPIS else k} ({fmt_value(n, 'count', lang)})"
                           for k, n in preview.restored_by_kpi.items())
        source = t("deletion.restored_from", lang, ids=", ".join(map(str, preview.restored_from)))
        lines.append(t("deletion.restored", lang, n=fmt_value(preview.rows_restored, "count", lang),
                       detail=f"{detail} — {source}"))
    elif preview.batches:
        lines.append(t("deletion.restored_none", lang))
    if preview.targets:
        lines.append(t("deletion.targets", lang, n=preview.targets))
    if preview.mappings:
        lines.append(t("deletion.mappings", lang, n=preview.mappings))
    if undo_days:
        lines.append(t("deletion.undo_hint", lang, days=undo_days))
    return lines


def deletions_frame(deletions: list[dict], lang: str = "fr") -> pd.DataFrame:
    """The deletion log, newest first, labelled: what went, when, by whom, and whether it can still be undone."""
    cols = _cols(lang, ["N°", "Opération", "Supprimé le", "Par", "Lot", "Fichier", "Origine", "Valeurs retirées",
                        "Objectifs retirés", "Démo", "Annulée le", "Annulable jusqu'au"],
                 ["No.", "Operation", "Deleted at", "By", "Batch", "File", "Origin", "Values removed",
                  "Targets removed", "Demo", "Undone at", "Undoable until"])
    rows = [[d["id"], d["operation"], d["deleted_at"], d["deleted_by"], d["batch_id"], d["file_name"], d["origin"],
             d["rows_removed"], d["targets_removed"], d["sample"], d["undone_at"] or "",
             d["undo_until"] if d["undoable"] else "—"] for d in reversed(deletions)]
    return pd.DataFrame(rows, columns=cols)


def grants_frame(grants: list, lang: str = "fr") -> pd.DataFrame:
    """The access grants for the Accès page: number, who (an address or a group), role, segments, entities."""
    rows = [(gid, g.email or g.group, t("access.kind.email" if g.email else "access.kind.group", lang),
             t(f"access.role.{g.role}", lang), ", ".join(g.segments), ", ".join(g.entities) or t("export.all", lang))
            for gid, g in grants]
    return pd.DataFrame(rows, columns=_cols(lang, ["N°", "Pour", "Type", "Rôle", "Segments", "Entités"],
                                            ["#", "For", "Kind", "Role", "Segments", "Entities"]))


def _audit_detail(action: str, detail: dict, lang: str) -> str:
    key = f"audit.detail.{action}"
    values = {k: ", ".join(map(str, v)) if isinstance(v, list) else v for k, v in detail.items()}
    try:
        return t(key, lang, **values)
    except (KeyError, IndexError):
        return ", ".join(f"{k} {v}" for k, v in values.items())


def audit_frame(audit: pd.DataFrame, lang: str = "fr") -> pd.DataFrame:
    """The audit trail for Historique, newest first: when (UTC), who, what, which segments, the detail in words.

        >>> trail = pd.DataFrame({"done_at": [pd.Timestamp("2026-11-30 09:05")], "who": ["cdo@groupe.fr"],
        ...                       "action": ["import"], "segments": [["B2E"]],
        ...                       "detail": [{"batch": 4, "file": "usage.xlsx", "values": 3, "superseded": 0}]})
        >>> audit_frame(trail, "en").iloc[0].tolist()
        ['2026-11-30 09:05:00', 'cdo@groupe.fr', 'Import', 'B2E', 'batch #4 · usage.xlsx · 3 values']
    """
    rows = [(pd.Timestamp(r.done_at).strftime("%Y-%m-%d %H:%M:%S"), r.who, t(f"audit.action.{r.action}", lang),
             ", ".join(r.segments), _audit_detail(r.action, r.detail, lang)) for r in audit.itertuples(index=False)]
    return pd.DataFrame(rows, columns=_cols(lang, ["Quand (UTC)", "Qui", "Action", "Segments", "Détail"],
                                            ["When (UTC)", "Who", "Action", "Segments", "Detail"]))
