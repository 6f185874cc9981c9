"""Two-level headers and pivot tables, flattened into the wide table the other stages read.

    >>> rows = [["Site", "janv. 2026", "", "févr. 2026", "", "TOTAL", ""],
    ...         ["", "Pages vues", "Contributions", "Pages vues", "Contributions", "Pages vues", "Contributions"],
    ...         ["Paris", 1000, 30, 1200, 35, 2200, 65]]
    >>> flat = flatten(RawSheet("Intranet", rows, [1, 2, 3]), {})
    >>> flat.layout, flat.sheet.rows[0], flat.sheet.rows[2]
    ('two_level', ['Site', 'Pages vues', 'Contributions', 'Période'], ['Paris', 1200, 35, 'févr. 2026'])

``flatten(raw, forced)`` returns None for any other sheet (it looks at the first
``HEADER_SEARCH_ROWS`` rows only), else a ``Flat`` whose ``sheet`` is read by
``kpis.ingest.sheet.read_sheet`` like any wide sheet, with ``forced`` as its
``--map``. Each source row becomes one flat row per block (a period, or a
group such as a site or a channel), under the source's row number, so that
totals, labels printed once per group (``groups``), segments and dimensions
are read by their own stages.

- **Two-level header**: an upper row of labels (a merged cell, read as its
  text then blanks to its right, or the same text repeated) over a lower row
  of KPI names that repeat under each label. Labels that are all periods give
  a ``Période`` column; labels that are names (a site, a brand, a channel) give
  a dimension column: the one the corner cell names (``Canal``), else channel
  when every label is a known channel, else entity. A ``TOTAL`` block is
  dropped (a note names its columns): totals are recomputed. An upper row
  mixing periods and other labels, or holding numbers or KPI names, is refused
  with a message naming the row.
- **Pivot table** exported as values: the measure in the corner (``Somme de
  Clics``, ``Sum of Clicks``, ``Nombre de Leads``, ``Count of Leads``) with
  periods across, or several measures across (``Somme de Clics``, ``Somme de
  Impressions``) with periods down; the row fields down (``Total Marque A``
  subtotal rows, labels printed once per group, the grand total row are left
  to ``rows`` and ``groups``); the grand total column dropped; a filter block
  above the table (``Segment | B2C``, ``Canal | Search``; ``(Tous)``, ``(All)``
  mean no filter) becomes constant columns on the right. An average, a
  minimum or a maximum of a KPI cannot be added up: refused, unless the KPI is
  a ratio (ignored like every ratio column, recomputed from its components).
  A compact pivot whose group rows carry their subtotals (brands and channels
  in one column) and a pivot with two column fields are refused, naming the
  row: read as they are, values would be counted twice or dropped.

A column named by position in ``forced`` (``Pages vues#2``, ``D``, see
``kpis.ingest.mapping``) is the source sheet's column: ``ignore`` leaves that
column out, another target is the target of its flat column. ``source_columns``
and ``place`` give each flat column's and each problem's letters in the source.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field, replace
from types import SimpleNamespace

import numpy as np
import pandas as pd

from kpis.catalog import fold, match_header
from kpis.ingest import parsing
from kpis.ingest.cells import cell_text, column_convention, is_blank, is_total_label
from kpis.ingest.columns import unknown_columns
from kpis.ingest.header import HEADER_SEARCH_ROWS
from kpis.ingest.issues import Issue, column_letter
from kpis.ingest.mapping import LETTER_KEY, Target, column_target, header_key, letter_index, map_keys, parse_target
from kpis.ingest.readers import RawSheet
from kpis.ingest.results import SheetResult
from kpis.ingest.sheet import read_sheet
from kpis.ingest.windows import PeriodWindow

__all__ = ["BLOCK_TOTALS", "CHANNEL_WORDS", "MEASURE", "PIVOT_ALL", "PIVOT_HEADER_GAP", "Flat", "flatten",
           "measure_of", "read_flat"]

MEASURE = re.compile(
    r"^\s*(?P<fn>somme|sum|nombre|nb|count|compte|moyenne|average|avg|mean|max|maximum|min|minimum)"
    r"\s*(?:de\s+|d['’]\s*|des\s+|du\s+|of\s+|:\s*)(?P<rest>\S.*)$", re.IGNORECASE)
"""A pivot's measure: ``Somme de Clics``, ``Sum of Clicks``, ``Nombre de Leads``, ``Moyenne de CTR``."""

_ADDITIVE = frozenset({"somme", "sum", "nombre", "nb", "count", "compte"})
_COUNTS = frozenset({"nombre", "nb", "count", "compte"})
"""``Nombre de clics`` is also a plain header: a row of counts only is a pivot when it says so (``Row Labels``)."""

CHANNEL_WORDS = frozenset(fold(w) for w in (
    "search", "sea", "seo", "social", "réseaux sociaux", "display", "email", "e-mail", "emailing", "newsletter",
    "web", "site web", "app", "application", "mobile", "video", "vidéo", "affiliation", "direct", "referral",
    "organic", "organique", "paid", "payant", "intranet", "esn", "rse", "teams", "sharepoint", "viva engage",
    "yammer", "workplace", "linkedin", "facebook", "instagram", "youtube", "x", "twitter", "tiktok", "print",
    "radio", "tv", "salon", "events", "événements"))
"""Upper-row labels that name channels rather than entities (a site, a brand, a country)."""

BLOCK_TOTALS = frozenset(fold(w) for w in ("cumul", "cumul annuel", "cumul à date", "ytd", "year to date",
                                            "total annuel", "moyenne", "average", "moy."))
"""Upper-row labels of a block that sums or averages the others: dropped like a TOTAL block."""

PIVOT_ALL = frozenset(fold(w) for w in ("(tous)", "(toutes)", "(all)", "(plusieurs éléments)", "(multiple items)",
                                        "tous", "toutes", "all"))
"""A pivot filter that filters nothing."""

COMPACT_LOOKAHEAD = 200
"""Rows of a pivot with one row-label column looked at for a compact form's group headings."""

PIVOT_HEADER_GAP = 6
"""The pivot's header of periods is looked for in the rows from its measure down (filter rows between)."""

_ROW_LABELS = frozenset(fold(w) for w in ("étiquettes de lignes", "row labels", "étiquettes de colonnes",
                                          "column labels", "valeurs", "values"))


@dataclass
class Flat:
    """A two-level or pivot sheet flattened, or refused (``refused``: ``issues`` says why)."""

    sheet: RawSheet
    forced: dict[str, Target]
    layout: str  # "two_level" or "pivot"
    issues: list[Issue] = field(default_factory=list)
    source_columns: dict[int, tuple[int, ...]] = field(default_factory=dict)  # flat column → source columns
    source_rows: dict[int, list] = field(default_factory=dict)  # row number → the source row's cells
    refused: bool = False

    def letters(self, flat_index: int) -> str:
        """The source letters of a flat column: ``"B, D, F"`` for a KPI read in three months."""
        return ", ".join(column_letter(j) for j in self.source_columns.get(flat_index, ()))

    def place(self, row: int | None, letter: str | None) -> str | None:
        """The source column of a problem the flat sheet found at ``row``, ``letter``: the one cell of that
        row among the flat column's sources that does not read as a number, else all of them."""
        index = letter_index(letter) if letter else None
        if index is None or index not in self.source_columns:
            return letter
        sources = self.source_columns[index]
        cells = self.source_rows.get(row) if row is not None else None
        if cells is not None and len(sources) > 1:
            odd = [j for j in sources if j < len(cells) and isinstance(cells[j], str) and cells[j].strip()]
            if odd:
                sources = tuple(odd)
        return ", ".join(column_letter(j) for j in sources)


def measure_of(cell: object) -> tuple[str, str] | None:
    """A pivot measure cell → (function, what it measures), or None.

        >>> measure_of("Somme de Clics"), measure_of("Average of CPC"), measure_of("Clics")
        (('somme', 'Clics'), ('average', 'CPC'), None)
    """
    if not isinstance(cell, str):
        return None
    m = MEASURE.match(cell)
    if m is None or not fold(m["rest"]):
        return None
    return fold(m["fn"]), m["rest"].strip()


def flatten(raw: RawSheet, forced: dict[str, Target]) -> Flat | None:
    """The sheet flattened when it is a two-level header or a pivot table, else None."""
    top = [list(r) for r in raw.rows[:HEADER_SEARCH_ROWS]]
    for i in range(len(top) - 1):
        found = _two_level(raw, top, i, forced)
        if found is not None:
            return found
    return _pivot(raw, top, forced)


# --- two-level headers ---------------------------------------------------------------------------------------


def _kpi_cell(cell: object, forced_target: Target | None) -> bool:
    """A lower-row cell that names a KPI (or a ratio, or a pivot measure of one)."""
    if forced_target is not None:
        return forced_target.role in ("kpi", "ignored")
    if not isinstance(cell, str) or not cell.strip() or is_total_label(cell):
        return False
    measure = measure_of(cell)
    m = match_header(measure[1] if measure else cell)
    return m is not None and m.role in ("kpi", "ratio")


def _two_level(raw: RawSheet, top: list[list], i: int, forced: dict[str, Target]) -> Flat | None:
    upper, lower = top[i], top[i + 1]
    width = max(len(upper), len(lower))
    upper, lower = _pad(upper, width), _pad(lower, width)
    texts = [cell_text(c) for c in lower]
    headers = {fold(t) for t in texts if t}
    seen: Counter[str] = Counter()
    targets: list[Target | None] = []
    for j, t in enumerate(texts):
        seen[fold(t)] += 1
        targets.append(column_target(forced, fold(t), seen[fold(t)], column_letter(j), headers) if forced else None)
    kpi = [_kpi_cell(lower[j], targets[j]) for j in range(width)]
    names = Counter(fold(texts[j]) for j in range(width) if kpi[j])
    if sum(kpi) < 2 or not any(n > 1 for n in names.values()):
        return None
    first = kpi.index(True)
    if is_blank(upper[first]):
        return None
    blocks: list[tuple[object, list[int]]] = []  # (upper label, its columns)
    for j in range(first, width):
        if not is_blank(upper[j]) and (not blocks or fold(cell_text(upper[j])) != fold(cell_text(blocks[-1][0]))):
            blocks.append((upper[j], []))
        if not is_blank(lower[j]):
            blocks[-1][1].append(j)
    if len(blocks) < 2:
        return None
    number = raw.row_numbers[i]
    totals = [b for b in blocks if _total_block(b[0])]
    labels = [b for b in blocks if not _total_block(b[0])]
    kind = _label_kind([b[0] for b in labels])
    if kind is None:
        odd = ", ".join(f"« {cell_text(b[0])} »" for b in labels[:4])
        return _refused(raw, "two_level", "two_level_upper_row",
                        f"Ligne {number} : la ligne au-dessus des indicateurs ({odd}) n'est ni une suite de périodes "
                        "ni les valeurs d'une dimension (site, marque, canal) : en-tête sur deux lignes non lu. "
                        "Gardez une seule ligne d'en-tête, ou des mois, ou des noms de sites au-dessus des "
                        "indicateurs.",
                        f"Row {number}: the row above the KPIs ({odd.replace('« ', chr(39)).replace(' »', chr(39))}) "
                        "is neither a run of periods nor the values of a dimension (site, brand, channel): "
                        "two-row header not read. Keep one header row, or months, or site names above the KPIs.",
                        number)
    if kind == "group":
        dimension = _group_dimension(upper[:first], [b[0] for b in labels])
    else:
        dimension = "period"
    dims = [j for j in range(first) if not is_blank(lower[j]) or not is_blank(upper[j]) or _holds(raw, i + 2, j)]
    dim_headers = [cell_text(lower[j]) or cell_text(upper[j]) for j in dims]
    flat = _build(raw, i + 1, dims, dim_headers, [(b[0], b[1]) for b in labels], texts, targets, dimension,
                  "two_level", forced=forced)
    if totals:
        cols = [j for b in totals for j in b[1]]
        span = f"{column_letter(min(cols))}–{column_letter(max(cols))}"
        flat.issues.append(_issue(raw, "total_block_dropped", "info",
                                  f"Bloc « {cell_text(totals[0][0])} » (colonnes {span}) ignoré, comme une ligne "
                                  "de total : les totaux sont recalculés à partir des valeurs.",
                                  f"Block '{cell_text(totals[0][0])}' (columns {span}) dropped like a total row: "
                                  "totals are recomputed from the values.", number, span))
    what = {"period": ("des périodes", "periods"), "entity": ("des entités", "entities"),
            "channel": ("des canaux", "channels"), "initiative": ("des initiatives", "initiatives")}[dimension]
    flat.issues.append(_issue(raw, "two_level_header", "info",
                              f"En-tête sur deux lignes ({number} et {raw.row_numbers[i + 1]}) : "
                              f"{what[0]} au-dessus des indicateurs, lus une valeur par libellé × indicateur.",
                              f"Two-row header (rows {number} and {raw.row_numbers[i + 1]}): {what[1]} above the "
                              "KPIs, read as one value per label × KPI.", number))
    return flat


def _total_block(label: object) -> bool:
    """A block that sums or averages the others: ``TOTAL``, ``Total 2026``, ``Cumul``, ``YTD``, ``Moyenne``."""
    return is_total_label(label) or fold(cell_text(label)) in BLOCK_TOTALS


def _label_kind(labels: list) -> str | None:
    """``period`` when every label is a period, ``group`` when they are all names, None otherwise."""
    if not labels:
        return None
    if any(isinstance(c, (int, float)) and not isinstance(c, bool) and not 1900 <= c <= 2100 for c in labels):
        return None
    ok = _periods_ok(labels)
    if ok.all():
        return "period"
    if ok.any():
        return None
    for c in labels:
        if not isinstance(c, str) or match_header(c) is not None or measure_of(c) is not None:
            return None
    return "group"


def _periods_ok(cells: list) -> np.ndarray:
    periods = parsing.parse_periods(cells, order=parsing.date_order(cells) or "dmy")
    return ~periods.bad & ~np.isnat(periods.start)


def _group_dimension(corner: list, labels: list) -> str:
    for c in corner:
        m = match_header(c) if isinstance(c, str) and c.strip() else None
        if m is not None and m.role in ("entity", "channel", "initiative"):
            return m.role
    return "channel" if all(fold(cell_text(c)) in CHANNEL_WORDS for c in labels) else "entity"


# --- pivot tables --------------------------------------------------------------------------------------------


def _pivot(raw: RawSheet, top: list[list], forced: dict[str, Target]) -> Flat | None:
    for i, row in enumerate(top):
        measures = [(j, m) for j, c in enumerate(row) if (m := measure_of(c)) is not None]
        if not measures:
            continue
        if any(_header_like(above) for above in top[:i]):
            return None  # a header above: "Nombre de clics" is its description row, not a pivot's measure
        if len(measures) == 1:  # in the corner or in the filter block, periods across below it
            header = next((h for h in range(i, min(i + PIVOT_HEADER_GAP, len(top))) if _period_columns(top[h])),
                          None)
            if header is not None:
                j, measure = measures[0]
                if _gapped(_period_columns(top[header])):
                    return _refused(raw, "pivot", "pivot_two_column_fields",
                                    f"Ligne {raw.row_numbers[header]} : le tableau croisé a deux champs en colonnes "
                                    "(des périodes sur plusieurs colonnes chacune) : gardez les périodes seules en "
                                    "colonnes et placez l'autre champ en lignes, puis exportez à nouveau.",
                                    f"Row {raw.row_numbers[header]}: the pivot table has two column fields "
                                    "(periods spanning several columns each): keep the periods alone in columns, "
                                    "move the other field to rows, and export again.", raw.row_numbers[header])
                filters = _filters([r for k, r in enumerate(top[:header]) if k != i])
                return _pivot_across(raw, top, i, j, measure, header, filters, forced)
        others = [c for c in row if isinstance(c, str) and measure_of(c) is None]
        pivot_like = any(m[0] not in _COUNTS for _, m in measures) or any(fold(c) in _ROW_LABELS for c in others)
        plain_kpis = any(getattr(match_header(c), "role", None) in ("kpi", "ratio") for c in others)
        if pivot_like and not plain_kpis and any(match_header(m[1]) is not None for _, m in measures):
            return _pivot_measures(raw, top, i, measures, _filters(top[:i]), forced)
        return None  # "Nombre de clics" beside "Jour": a plain header
    return None


def _header_like(row: list) -> bool:
    """Three cells or more, two of them with a catalog meaning (a filter row has two cells)."""
    cells = [c for c in row if not is_blank(c)]
    return len(cells) >= 3 and sum(isinstance(c, str) and match_header(c) is not None for c in cells) >= 2


def _period_columns(row: list) -> list[int]:
    """The period cells of a pivot's header row (two or more), grand total cells excluded."""
    idx = [j for j, c in enumerate(row) if not is_blank(c) and not is_total_label(c) and measure_of(c) is None
           and not (isinstance(c, str) and fold(c) in _ROW_LABELS)]
    if len(idx) < 2:
        return []
    numbers = [c for c in (row[j] for j in idx) if isinstance(c, (int, float)) and not isinstance(c, bool)]
    if any(not 1900 <= n <= 2100 for n in numbers):
        return []
    ok = _periods_ok([row[j] for j in idx])
    periods = [j for j, good in zip(idx, ok, strict=True) if good]
    return periods if len(periods) >= 2 and periods == idx[len(idx) - len(periods):] else []


def _gapped(periods: list[int]) -> bool:
    """Periods with blank cells between them: merged over a second column field (months × channels)."""
    return periods[-1] - periods[0] + 1 != len(periods)


def _compact_heading(raw: RawSheet, header: int, periods: list[int]) -> int | None:
    """The row number of a compact pivot's first group heading: a row whose values are the sums of the two or
    more rows below it (up to the next such heading), None when there is none."""
    rows = [list(r) for r in raw.rows[header + 1:header + 1 + COMPACT_LOOKAHEAD]]
    numbers = raw.row_numbers[header + 1:header + 1 + COMPACT_LOOKAHEAD]
    columns = []
    for k in periods:  # numbers as a workbook or a CSV gives them; NaN where there is none
        cells = [r[k] if k < len(r) else "" for r in rows]
        columns.append(parsing.parse_numbers(cells, column_convention(cells) or "en")[0])
    values = np.column_stack(columns) if rows else np.zeros((0, len(periods)))
    closed = np.array([bool(r) and is_total_label(r[0]) for r in rows], dtype=bool)
    usable = ~np.isnan(values).any(axis=1) & ~closed
    for i in np.flatnonzero(usable):
        sums = np.zeros(len(periods))
        for k in range(i + 1, len(rows)):
            if not usable[k]:
                break
            sums += values[k]
            if k - i >= 2 and np.allclose(sums, values[i], rtol=1e-9, atol=1e-9):
                return int(numbers[i])
            if (sums > values[i] + 1e-9).any() and (values[i] >= 0).all():
                break
    return None


def _filters(rows: list[list]) -> list[tuple[str, str, int]]:
    """A pivot's filter block: (field, value, column) pairs of two-cell rows above the table."""
    out = []
    for row in rows:
        cells = [(j, c) for j, c in enumerate(row) if not is_blank(c)]
        if len(cells) == 2 and isinstance(cells[0][1], str):
            out.append((cell_text(cells[0][1]), cell_text(cells[1][1]), cells[1][0]))
    return out


def _refuse_measure(raw: RawSheet, row: int, j: int, text: str) -> Flat:
    letter = column_letter(j)
    return _refused(raw, "pivot", "pivot_average",
                    f"Le tableau croisé donne « {text} » (cellule {letter}{row}) : une moyenne, un minimum ou un "
                    "maximum ne s'additionne pas sur les mois ni les marques. Exportez la somme (« Somme de … ») "
                    "ou les valeurs détaillées.",
                    f"The pivot table gives '{text}' (cell {letter}{row}): an average, a minimum or a maximum "
                    "cannot be added up over months or brands. Export the sum ('Sum of …') or the detailed values.",
                    row, letter)


def _measure_target(fn: str, what: str) -> tuple[Target | None, bool]:
    """(the flat column's forced meaning, refused): a sum or a count of a KPI is that KPI; an average of a ratio
    is ignored like any ratio; any other average, minimum or maximum is refused."""
    m = match_header(what)
    if m is not None and m.role == "ratio":
        return Target("ignored"), False
    if fn not in _ADDITIVE:
        return None, True
    if m is not None and m.role == "kpi":
        return Target("kpi", kpi=m.kpi), False
    return None, False


def _pivot_across(raw: RawSheet, top: list[list], i: int, j: int, measure: tuple[str, str], header: int,
                  filters: list, forced: dict[str, Target]) -> Flat | None:
    fn, what = measure
    target, refused = _measure_target(fn, what)
    number = raw.row_numbers[i]
    if refused:
        return _refuse_measure(raw, number, j, cell_text(top[i][j]))
    head = top[header]
    periods = _period_columns(head)
    first = periods[0]
    dims = [k for k in range(first) if not is_blank(head[k]) and k != j or _holds(raw, header + 1, k)]
    dim_headers = [cell_text(head[k]) if fold(cell_text(head[k])) not in _ROW_LABELS else "" for k in dims]
    dim_headers = [h if measure_of(h) is None else "" for h in dim_headers]
    row_labels = [k for k, h in zip(dims, dim_headers, strict=True) if not h]
    dim_headers = [h or "Libellé" for h in dim_headers]  # Excel's "Row Labels": the row field, an entity
    texts = [""] * max(len(head), periods[-1] + 1)
    for k in periods:
        texts[k] = what
    targets: list[Target | None] = [None] * len(texts)
    for k in dims:  # the caller's positions, on the row fields
        t = column_target(forced, fold(cell_text(head[k])), 1, column_letter(k), set()) if forced else None
        targets[k] = t
    if target is not None:
        for k in periods:
            targets[k] = target
    blocks = [(head[k], [k]) for k in periods]
    if len(dims) == 1 and row_labels:
        heading = _compact_heading(raw, header, periods)
        if heading is not None:
            return _refused(raw, "pivot", "pivot_compact_form",
                            f"Ligne {heading} : le tableau croisé est en forme compacte (marques et canaux dans la "
                            "même colonne, la ligne de chaque marque portant son sous-total) : ses lignes seraient "
                            "comptées deux fois. Affichez-le sous forme tabulaire (Création > Disposition du "
                            "rapport), répétez les étiquettes, puis exportez à nouveau.",
                            f"Row {heading}: the pivot table is in compact form (brands and channels in one column, "
                            "each brand's row carrying its subtotal): its rows would be counted twice. Show it in "
                            "tabular form (Design > Report Layout), repeat the labels, and export again.", heading)
    for k in row_labels:
        targets[k] = targets[k] or Target("entity")
    flat = _build(raw, header, dims, dim_headers, blocks, texts, targets, "period", "pivot", filters, forced)
    grand = [k for k in range(first, len(head)) if is_total_label(head[k])]
    if grand:
        letters = ", ".join(column_letter(k) for k in grand)
        flat.issues.append(_issue(raw, "total_block_dropped", "info",
                                  f"Colonne de total général ({letters}) ignorée : les totaux sont recalculés.",
                                  f"Grand total column ({letters}) dropped: totals are recomputed.",
                                  raw.row_numbers[header], letters))
    flat.issues.append(_issue(raw, "pivot_measure", "info",
                              f"Tableau croisé : « {cell_text(top[i][j])} » (cellule {column_letter(j)}{number}), "
                              "une valeur par ligne × période.",
                              f"Pivot table: '{cell_text(top[i][j])}' (cell {column_letter(j)}{number}), one value "
                              "per row × period.", number, column_letter(j)))
    return flat


def _pivot_measures(raw: RawSheet, top: list[list], i: int, measures: list, filters: list,
                    forced: dict[str, Target]) -> Flat | None:
    """Several measures across, periods or dimensions down: the rows are read as they are."""
    number = raw.row_numbers[i]
    own: dict[str, Target] = {}
    for j, (fn, what) in measures:
        target, refused = _measure_target(fn, what)
        if refused:
            return _refuse_measure(raw, number, j, cell_text(top[i][j]))
        if target is not None:
            own[fold(cell_text(top[i][j]))] = target
    head = [cell_text(c) for c in top[i]]
    body = [list(r) for r in raw.rows[i + 1:]]
    for k, text in enumerate(head):  # Excel's "Row Labels" over the row field: periods, else an entity
        if fold(text) in _ROW_LABELS:
            cells = [r[k] for r in body[:20] if k < len(r) and not is_blank(r[k]) and not is_total_label(r[k])]
            dated = bool(cells) and bool(_periods_ok(cells).mean() >= 0.5)
            head[k] = "Période" if dated else "Libellé"
            own[LETTER_KEY + column_letter(k)] = Target("period" if dated else "entity")
    rows: list[list[object]] = [list(head), *body]
    numbers = list(raw.row_numbers[i:])
    width = len(head)
    rows, extra = _with_filters(rows, width, filters)
    flat = Flat(RawSheet(raw.name, rows, numbers, raw.hidden, raw.comments, raw.meta),
                {**own, **extra, **forced}, "pivot")
    flat.source_columns = {k: (k,) for k in range(width)} | _filter_sources(width, filters)
    flat.issues.append(_issue(raw, "pivot_measure", "info",
                              f"Tableau croisé : mesures {', '.join(cell_text(top[i][j]) for j, _ in measures)} "
                              f"(ligne {number}).",
                              f"Pivot table: measures {', '.join(cell_text(top[i][j]) for j, _ in measures)} "
                              f"(row {number}).", number))
    return flat


# --- the flat table ------------------------------------------------------------------------------------------


def _build(raw: RawSheet, header: int, dims: list[int], dim_headers: list[str], blocks: list[tuple[object, list]],
           texts: list[str], targets: list[Target | None], dimension: str, layout: str,
           filters: list | None = None, forced: dict[str, Target] | None = None) -> Flat:
    """Dimension columns first, one column per KPI name, then the block label's column; one row per source
    row × block, under the source row's number."""
    kpis: dict[str, int] = {}  # folded KPI name → flat column
    flat_forced: dict[str, Target] = {}
    sources: dict[int, list[int]] = {k: [j] for k, j in enumerate(dims)}
    for k, j in enumerate(dims):
        t = targets[j] if j < len(targets) else None
        if t is not None:
            flat_forced[LETTER_KEY + column_letter(k)] = t
    head: list[object] = list(dim_headers)
    for _, cols in blocks:
        for j in cols:
            t = targets[j]
            if t is not None and t.role == "ignored":
                continue
            name = fold(texts[j])
            if name not in kpis:
                kpis[name] = len(head)
                head.append(texts[j])
                sources[kpis[name]] = []
            sources[kpis[name]].append(j)
            if t is not None:
                flat_forced[LETTER_KEY + column_letter(kpis[name])] = t
    label_col = len(head)
    sources[label_col] = [cols[0] for _, cols in blocks if cols]  # the upper row's labels
    head.append({"period": "Période", "entity": "Entité", "channel": "Canal", "initiative": "Initiative"}[dimension])
    flat_forced[LETTER_KEY + column_letter(label_col)] = Target(dimension)
    rows: list[list] = [head]
    numbers = [raw.row_numbers[header]]
    body = [list(r) for r in raw.rows[header + 1:]]
    body_numbers = list(raw.row_numbers[header + 1:])
    left = [[row[j] if j < len(row) else "" for j in dims] for row in body]
    for label, cols in blocks:  # block by block: each block keeps the source's groups, subtotals and totals
        wanted = [(kpis[fold(texts[j])] - len(dims), j) for j in cols
                  if fold(texts[j]) in kpis and j in sources[kpis[fold(texts[j])]]]
        for row, dim_cells in zip(body, left, strict=True):
            values: list[object] = [""] * len(kpis)
            for k, j in wanted:
                if j < len(row):
                    values[k] = row[j]
            rows.append(dim_cells + values + [label])
        numbers += body_numbers
    source_rows = dict(zip(body_numbers, body, strict=True))
    rows, extra = _with_filters(rows, len(head), filters or [])
    flat_forced |= extra
    flat = Flat(RawSheet(raw.name, rows, numbers, raw.hidden, raw.comments, raw.meta),
                _text_keys(forced or {}) | flat_forced, layout)
    flat.source_columns = {k: tuple(v) for k, v in sources.items()} | _filter_sources(len(head), filters or [])
    flat.source_rows = source_rows
    return flat


def _with_filters(rows: list[list], width: int, filters: list) -> tuple[list[list], dict[str, Target]]:
    """A pivot's filters that name a segment or a dimension, appended as constant columns (their keys in the
    returned forced meanings are the flat letters; ``_filter_sources`` gives their source columns)."""
    extra: dict[str, Target] = {}
    columns: list[tuple[str, str]] = []
    for name, value, _ in _used_filters(filters):
        extra[LETTER_KEY + column_letter(width + len(columns))] = Target(match_header(name).role)  # type: ignore
        columns.append((name, value))
    if not columns:
        return rows, extra
    out = [_pad(rows[0], width) + [n for n, _ in columns]]
    out += [_pad(r, width) + [v for _, v in columns] for r in rows[1:]]
    return out, extra


def _used_filters(filters: list) -> list[tuple[str, str, int]]:
    out = []
    for name, value, j in filters:
        m = match_header(name)
        if m is not None and m.role in ("segment", "entity", "channel", "initiative") and fold(value) not in PIVOT_ALL:
            out.append((name, value, j))
    return out


def _filter_sources(width: int, filters: list) -> dict[int, tuple[int, ...]]:
    return {width + k: (j,) for k, (_, _, j) in enumerate(_used_filters(filters))}


def _text_keys(forced: dict[str, Target]) -> dict[str, Target]:
    """The caller's maps by header text only: positions were applied to the source columns."""
    return {k: t for k, t in forced.items() if "#" not in k and not k.startswith(LETTER_KEY)}


def _holds(raw: RawSheet, start: int, j: int) -> bool:
    return any(j < len(r) and not is_blank(r[j]) for r in raw.rows[start:start + 20])


def _pad(row: list, width: int) -> list:
    return list(row) + [""] * (width - len(row)) if len(row) < width else list(row)


def _issue(raw: RawSheet, code: str, severity: str, fr: str, en: str, row: int | None = None,
           column: str | None = None) -> Issue:
    return Issue(code, severity, fr, en, raw.name, row, column)


def _refused(raw: RawSheet, layout: str, code: str, fr: str, en: str, row: int, column: str | None = None) -> Flat:
    flat = Flat(raw, {}, layout, refused=True)
    flat.issues.append(Issue(code, "error", fr, en, raw.name, None, None))
    return flat


# --- reading ---------------------------------------------------------------------------------------------------


def read_flat(raw: RawSheet, segment: str | None, forced: dict[str, Target], remembered: list,
              window: PeriodWindow | None = None) -> SheetResult:
    """``kpis.ingest.sheet.read_sheet`` for every generic sheet: a two-level or pivot sheet is flattened first,
    and what the flat sheet reports is placed back in the source's columns. A remembered mapping of a flat
    sheet is found by its flat header (stable when a month is added); its positions name the source's columns."""
    flat = flatten(raw, forced)
    if flat is None:
        return read_sheet(raw, segment, forced, remembered, window)
    if flat.refused:
        res = SheetResult(sheet=raw.name, layout=flat.layout)
        res.issues = list(flat.issues)
        return res
    mine = _remembered_for(flat, remembered)
    positions = {k: parse_target(t) for h, t in (mine or {}).items() for k in map_keys(h) if _is_position(k)}
    if positions:  # read again with the remembered positions (the caller's own maps win)
        flat = flatten(raw, {**positions, **forced}) or flat
    texts_only = [SimpleNamespace(headers=m.headers, mapping={h: t for h, t in m.mapping.items()
                                                             if not any(map(_is_position, map_keys(h)))})
                  for m in remembered]
    res = read_sheet(flat.sheet, segment, flat.forced, texts_only, window)
    res.layout = flat.layout
    res.issues[:0] = flat.issues
    res.issues[:] = [replace(i, column=flat.place(i.row, i.column)) if i.column and i.sheet == raw.name
                     and i.code not in _SOURCE_PLACED else i for i in res.issues]
    if res.row_flags is not None:
        res.rows = _source_rows(flat.sheet.row_numbers[1:], *res.row_flags)
    for c in res.columns:
        c.source = flat.letters(c.index) or None
    profiles = {u["column"]: u.get("profile") for u in res.unknown_columns}  # read on the flat body
    res.unknown_columns = [{**u, "profile": profiles.get(u["column"])} for u in unknown_columns(res.columns)]
    res.questions = [replace(q, column=flat.place(None, q.column) or q.column) for q in res.questions]
    return res


def _source_rows(numbers: list[int], dropped: np.ndarray, rejected: np.ndarray) -> dict[str, int]:
    """The row counts of the source sheet from its flat rows (one per source row × block): a source row is
    dropped when every copy is (a total row), rejected when a copy is, kept otherwise.

        >>> _source_rows([5, 6, 5, 6], np.array([False, True, False, True]), np.array([True, False, False, False]))
        {'read': 2, 'kept': 0, 'rejected': 1, 'dropped': 1}
    """
    if len(numbers) != len(dropped):
        return {"read": 0, "kept": 0, "rejected": 0, "dropped": 0}
    rows = pd.DataFrame({"n": numbers, "d": dropped, "r": rejected & ~dropped}).groupby("n").agg(
        d=("d", "all"), r=("r", "any"))
    n_dropped, n_rejected = int(rows["d"].sum()), int((rows["r"] & ~rows["d"]).sum())
    return {"read": len(rows), "kept": len(rows) - n_dropped - n_rejected, "rejected": n_rejected,
            "dropped": n_dropped}


_SOURCE_PLACED = frozenset({"total_block_dropped", "pivot_measure", "two_level_header"})
"""Issues written here, already in the source's letters."""


def _is_position(key: str) -> bool:
    return "#" in key or key.startswith(LETTER_KEY)


def _remembered_for(flat: Flat, remembered: list) -> dict[str, str] | None:
    key = header_key(flat.sheet.rows[0])
    return next((m.mapping for m in remembered if tuple(m.headers) == key), None)
