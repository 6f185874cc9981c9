"""Display tables for the data pages: what an import understood, the batches, the coverage, the catalog.

    >>> columns_frame(result.sheets[0], "en")        # column → meaning, for the Importer page
      Column               Header      Understood as          Code  Match Note
    0      A                 Mois             Period        period  exact
    1      B             Effectif  Target population    population  exact
    2      C  Utilisateurs actifs       Active users  active_users  exact
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

from dataclasses import replace
from datetime import date

import pandas as pd

from kpis import export
from kpis.catalog import DIMENSION_ROLES, KPIS
from kpis.dashboard import ExportContext, export_heading, unit_formats, unit_label
from kpis.i18n import MONTHS, fmt_date, fmt_value, t
from kpis.targets import editor_value

__all__ = [
    "columns_frame",
    "issues_frame",
    "summary_frame",
    "report_workbook",
    "batches_frame",
    "coverage_grid",
    "stale_origins",
    "catalog_frame",
    "targets_frame",
    "targets_rows",
    "mapping_choices",
    "template_workbook",
    "catalog_workbook",
    "history_workbook",
    "deletion_summary",
    "deletions_frame",
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
_WORDS = {"read": ("lue", "read"), "skipped": ("ignorée", "skipped"), "wide": ("large", "wide"),
          "long": ("longue", "long"), "crosstab": ("tableau croisé", "crosstab"), "day": ("jour", "day"),
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


def columns_frame(sheet, lang: str = "fr") -> pd.DataFrame:
    """One row per column of a sheet: letter, header, what it was understood to be, how."""
    rows = [(c.letter, c.header, _role_label(c, lang), c.kpi or (c.role if c.role in DIMENSION_ROLES else ""),
             c.match or "", c.reason or "") for c in sheet.columns]
    return pd.DataFrame(rows, columns=_cols(
        lang, ["Colonne", "En-tête", "Compris comme", "Code", "Correspondance", "Remarque"],
        ["Column", "Header", "Understood as", "Code", "Match", "Note"]))


def issues_frame(result, lang: str = "fr") -> pd.DataFrame:
    """Every issue of a file, with its sheet, row and column, most severe first."""
    order = {"error": 0, "warning": 1, "info": 2}
    issues = sorted(result.all_issues, key=lambda i: (order[i.severity], i.sheet or "", i.row or 0))
    rows = [(_pick(_SEVERITY[i.severity], lang), i.sheet or "", i.row, i.column or "", i.message(lang), i.code)
            for i in issues]
    frame = pd.DataFrame(rows, columns=_cols(lang, ["Gravité", "Feuille", "Ligne", "Colonne", "Message", "Code"],
                                             ["Severity", "Sheet", "Row", "Column", "Message", "Code"]))
    return frame.astype({frame.columns[2]: "Int64"})


def summary_frame(result, lang: str = "fr") -> pd.DataFrame:
    """One row per sheet: status, header row, layout, segments, grain, period, rows."""
    rows = []
    for s in result.sheets:
        period = f"{s.period['start']} → {s.period['end']}" if s.period else ""
        rows.append((s.sheet, _pick(_WORDS.get(s.status, (s.status, s.status)), lang), s.header_row,
                     _pick(_WORDS.get(s.layout, (s.layout or "", s.layout or "")), lang), s.format or "",
                     ", ".join(s.segments), _channels(s),
                     _pick(_WORDS.get(s.grain, (s.grain or "", s.grain or "")), lang),
                     period, s.currency or "", s.rows["read"], s.rows["kept"], s.rows["rejected"], s.rows["dropped"]))
    return pd.DataFrame(rows, columns=_cols(
        lang,
        ["Feuille", "Statut", "Ligne d'en-tête", "Disposition", "Format", "Segments", "Canaux", "Grain", "Période",
         "Devise", "Lues", "Gardées", "Rejetées", "Écartées"],
        ["Sheet", "Status", "Header row", "Layout", "Format", "Segments", "Channels", "Grain", "Period", "Currency",
         "Read", "Kept", "Rejected", "Dropped"])).astype({"Ligne d'en-tête" if lang == "fr" else "Header row": "Int64"})


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
                     _pick(_AGGREGATION[k.aggregation], lang), _pick(direction, lang), ", ".join(k.segments)))
    return pd.DataFrame(rows, columns=_cols(
        lang, ["Indicateur", "Code", "Définition", "Formule", "Unité", "Agrégation", "Sens", "Segments"],
        ["KPI", "Code", "Definition", "Formula", "Unit", "Aggregation", "Direction", "Segments"]))


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
                     context=None) -> bytes:
    """The batches, the coverage grid (``coverage``: ``Store.coverage()``, values per origin × month, numbers)
    and the deletion log as one Excel workbook, a title block on each sheet."""
    fr = lang == "fr"
    grid = coverage_numbers(coverage, lang)
    context = context or ExportContext(t("nav.history", lang))
    return export.to_excel({("Lots" if fr else "Batches"): batches_frame(batches, lang),
                            ("Couverture" if fr else "Coverage"): grid,
                            ("Suppressions" if fr else "Deletions"): deletions_frame(deletions, lang)},
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
