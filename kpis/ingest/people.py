"""Per-person sheets: one row per person (an e-mail, an employee id), Yes/No flags counted as distinct people.

    >>> sorted(flag_targets([["E-mail", "Entité", "Mois", "Actif"], ["a@x.fr", "Nord", "09/2026", "Oui"]]).items())
    [('actif', Target(role='kpi', kpi='active_users', grain=None, convention=None))]

A sheet is per person when a column names people (``E-mail``, ``Matricule``,
``User Principal Name``…) and a count KPI column holds Yes/No, Oui/Non,
TRUE/FALSE, Vrai/Faux or 1/0 flags. Such a sheet is counted, never stored,
with the privacy rules of the Microsoft 365 per-user formats
(``kpis.ingest.exports.m365``):

- each flag is 1 for yes and 0 for no; every KPI of the sheet is summed per
  period × segment × dimensions, so a flag becomes the number of distinct
  people whose flag is yes (a person listed twice in one period is counted
  once, the repeat reported);
- every listed person counts in the population (``population``, unless the
  sheet has its own), as each licensed user does in the per-user formats —
  only when some flag says no: a list of active people only says nothing
  about the population;
- a group describing fewer than ``MIN_GROUP_SIZE`` people is folded into
  ``"(other)"`` (``fold_small``), and the identifier column is ignored:
  nothing of it reaches the observations or the issues, which quote rows
  and columns only;
- an unreadable flag (``Peut-être``) rejects its row: the person is not
  counted at all, and the rejection names the row and column.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

from kpis.catalog import KPIS, fold, match_header
from kpis.ingest import parsing
from kpis.ingest.cells import cell_text, group_codes
from kpis.ingest.columns import roles
from kpis.ingest.exports.base import MIN_GROUP_SIZE, fold_small
from kpis.ingest.issues import IssueLog
from kpis.ingest.mapping import Target
from kpis.ingest.observations import Units
from kpis.ingest.periods import SheetPeriods
from kpis.ingest.results import Column
from kpis.ingest.table import SheetTable
from kpis.model import ALL, DIMENSIONS

__all__ = ["PERSON_HEADERS", "FLAG_SHARE", "People", "flag_targets", "per_person", "repeated_people",
           "count_people"]

PERSON_HEADERS = frozenset(fold(h) for h in (
    "E-mail", "Email", "Mail", "Adresse e-mail", "Adresse mail", "Courriel", "User Principal Name", "UPN",
    "Utilisateur", "User", "Username", "User name", "Login", "Identifiant", "ID utilisateur", "User ID",
    "Matricule", "Employee ID", "ID employé", "Employee", "Employé", "Salarié", "Collaborateur", "Display Name",
    "Nom complet", "Full name", "Nom et prénom", "Prénom Nom", "Personne", "Person", "Agent"))
"""Headers of a column naming one person per row (a bare "Nom" or "Name" may name a campaign: not here)."""

FLAG_KPIS = (
    ("contributors", re.compile(r"\b(contribue\w*|contributeur\w*|contributor\w*|contributed|a publie|has posted)\b")),
    ("readers", re.compile(r"\b(lecteur\w*|reader\w*|a lu|has read)\b")),
    ("active_users", re.compile(r"\b(actif|active|activite|activity|a ete actif)\b")),
)
"""The KPI a flag header the catalog does not know counts (folded header), first match wins."""

FLAG_SHARE = 0.8
"""A column is a flag column when at least this share of its filled cells reads as yes or no."""

SAMPLE_ROWS = 200


def _is_flag_column(cells: list, numbers_too: bool) -> bool:
    """Mostly yes/no cells, with at least one that is not a number (unless ``numbers_too``: 1/0 count)."""
    filled = [c for c in cells if not parsing.is_missing(c) and not (isinstance(c, str) and not c.strip())]
    if not filled:
        return False
    values, bad = parsing.parse_bools(filled)
    if (~bad).sum() < FLAG_SHARE * len(filled):
        return False
    worded = any(v is not None and (isinstance(c, (bool, np.bool_)) or (isinstance(c, str) and not c.strip().isdigit()))
                 for c, v in zip(filled, values, strict=True))
    return worded or numbers_too


def flag_targets(rows: list[list], search: int = 30) -> dict[str, Target]:
    """Forced meanings for the flag columns the catalog does not know (``Actif``, ``A contribué``) of the first
    row that also names people; the caller's maps are applied over these."""
    for i, row in enumerate(rows[:search]):
        folded = [fold(c) if isinstance(c, str) else "" for c in row]
        if not any(f in PERSON_HEADERS for f in folded):
            continue
        out = {}
        for j, f in enumerate(folded):
            kpi = next((k for k, pattern in FLAG_KPIS if pattern.search(f)), None) if f else None
            if kpi is None or match_header(row[j]) is not None:
                continue
            if _is_flag_column([r[j] for r in rows[i + 1:i + 1 + SAMPLE_ROWS] if j < len(r)], False):
                out[f] = Target("kpi", kpi)
        return out
    return {}


@dataclass(frozen=True)
class People:
    """A per-person sheet: the column naming people, the flag columns, whether some flag says no."""

    person: Column
    flags: tuple[Column, ...]
    any_no: bool


def _counts_people(column: Column) -> bool:
    """A column of 1/0 alone is a flag when its header is no catalog name (``Actif``, or mapped by the user) and
    its KPI counts people; "Utilisateurs actifs" holding 1 per row stays a number."""
    return match_header(column.header) is None and KPIS[column.kpi or ""].aggregation == "distinct"


def per_person(table: SheetTable, columns: list[Column], dropped: np.ndarray,
               log: IssueLog) -> tuple[SheetTable, People | None, np.ndarray]:
    """(table with each flag read as 1 or 0, the per-person reading or None, rows rejected for an unreadable
    flag). Not a per-person sheet: the table as it is, None."""
    rejected = np.zeros(table.n, dtype=bool)
    person = next((c for c in columns if c.role in ("unknown", "ignored") and fold(c.header) in PERSON_HEADERS),
                  None)
    if person is None:
        return table, None, rejected
    flags = [c for c in roles(columns, "kpi") if c.kpi and KPIS[c.kpi].unit == "count"
             and _is_flag_column(table.cells[c.index][:SAMPLE_ROWS], _counts_people(c))]
    if not flags:
        return table, None, rejected
    for c in columns:
        if c.role in ("unknown", "ignored") and fold(c.header) in PERSON_HEADERS:
            c.role, c.reason = "ignored", "person identifier: people counted, never stored"
    cells, any_no, blanks = list(table.cells), False, 0
    for c in flags:
        values, bad = parsing.parse_bools(table.cells[c.index])
        cells[c.index] = [1.0 if v is True else 0.0 if v is False else "" for v in values]
        any_no |= any(v is False for v in values)
        blanks += int(sum(v is None for v in values) - bad.sum())
        rejected |= log.reject(bad & ~dropped & ~rejected, table.numbers, "flag_unreadable",
                               f"Valeur oui/non illisible dans « {c.header} » (Oui/Non, Vrai/Faux, Yes/No ou 1/0 "
                               "attendu) : ligne rejetée, la personne n'est pas comptée.",
                               f"Unreadable yes/no value in '{c.header}' (Yes/No, Oui/Non, True/False or 1/0 "
                               "expected): row rejected, the person is not counted.", c.letter)
        c.reason = "yes/no per person: people counted"
    if blanks:
        log.add("flag_blank", "info", f"{blanks} cellule(s) oui/non vide(s) lue(s) comme « non ».",
                f"{blanks} blank yes/no cell(s) read as 'no'.")
    return SheetTable(cells, table.numbers), People(person, tuple(flags), any_no), rejected


def repeated_people(people: People, table: SheetTable, periods: SheetPeriods, live: np.ndarray,
                    log: IssueLog) -> np.ndarray:
    """Rows naming a person already listed for the same period: not counted twice (the person is not quoted)."""
    out = np.zeros(table.n, dtype=bool)
    seen: dict[tuple, int] = {}
    names = table.column_map(people.person.index, lambda v: cell_text(v).lower())
    for i in np.flatnonzero(live):
        if not names[i]:
            continue
        key = (names[i], periods.starts[i], periods.ends[i])
        if key in seen:
            out[i] = True
            log.add("person_repeated", "warning",
                    f"Même personne qu'à la ligne {seen[key]} pour la même période : ligne non comptée deux fois.",
                    f"Same person as row {seen[key]} for the same period: row not counted twice.",
                    table.numbers[i], people.person.letter)
        else:
            seen[key] = int(table.numbers[i])
    return out


def count_people(people: People, picks: list, units: Units, live: np.ndarray,
                 log: IssueLog) -> tuple[list, Units]:
    """The per-person values summed per period × segment × dimensions, groups under ``MIN_GROUP_SIZE`` people
    folded into ``(other)``, each listed person counted in the population (when some flag says no)."""
    rows = np.flatnonzero(live)
    varying = [d for d in DIMENSIONS if (units.dims[d][rows] != ALL).any()]
    labels = [tuple(units.dims[d][i] for d in varying) for i in rows]
    windows = list(zip(units.starts[rows].tolist(), units.ends[rows].tolist(), units.segments[rows].tolist(),
                       strict=True))
    folded = fold_small(labels, np.ones(len(rows)), windows)
    dims = {d: units.dims[d].copy() for d in DIMENSIONS}
    for k, d in enumerate(varying):
        dims[d][rows] = [lab[k] for lab in folded]
    small = sum(a != b for a, b in zip(labels, folded, strict=True))
    key = group_codes([units.starts, units.ends, units.segments, *(dims[d] for d in DIMENSIONS)], len(units.key))
    groups, first = np.unique(key[rows], return_index=True)
    group_of = np.full(len(units.key), -1)
    group_of[rows] = np.searchsorted(groups, key[rows])
    head = rows[first]  # the first row of each group numbers it
    size = np.bincount(group_of[rows], minlength=len(groups)).astype(float)
    counted = []
    for kpi, idx, values in picks:
        idx_live = live[idx]
        sums = np.bincount(group_of[idx[idx_live]], values[idx_live], minlength=len(groups))
        given = np.bincount(group_of[idx[idx_live]], minlength=len(groups)) > 0
        counted.append((kpi, np.flatnonzero(given), sums[given]))
    own_population = any(kpi == "population" for kpi, _, _ in picks)
    if people.any_no and not own_population:
        counted.append(("population", np.arange(len(groups)), size))
    grouped = Units(units.numbers[head], np.arange(len(groups)), units.starts[head], units.ends[head],
                    units.segments[head], {d: dims[d][head] for d in DIMENSIONS})
    flags = ", ".join(f"« {c.header} »" for c in people.flags)
    flags_en = ", ".join(f"'{c.header}'" for c in people.flags)
    population = people.any_no and not own_population
    log.add("per_person", "info",
            f"Fichier par personne (colonne {people.person.letter}, jamais conservée) : {len(rows)} personne(s) "
            f"comptée(s) ; {flags} donne(nt) le nombre de personnes ayant « oui »"
            + (" ; chaque personne listée compte dans la population cible" if population else "")
            + (f" ; {small} personne(s) de groupes de moins de {MIN_GROUP_SIZE} regroupée(s) dans « (other) »"
               if small else "") + ".",
            f"Per-person file (column {people.person.letter}, never stored): {len(rows)} person(s) counted; "
            f"{flags_en} give(s) the number of people with 'yes'"
            + ("; every listed person counts in the target population" if population else "")
            + (f"; {small} person(s) of groups under {MIN_GROUP_SIZE} folded into '(other)'" if small else "") + ".")
    return counted, grouped
