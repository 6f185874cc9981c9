"""Tracked subjects: the organisation's programmes, projects and brands, counted where the network mentions them.

    >>> atlas = Subject("atlas", "Programme Atlas", synonyms=("Atlas",))
    >>> mentioned(["Le programme ATLAS démarre", "Atlassian est en panne", "atlas!"], [atlas])
    [{'atlas'}, set(), {'atlas'}]

A message mentions a subject when one of its names (French, English, synonyms) appears in it as whole words,
whatever the case and accents (« Étoile » is « etoile »; « Atlas » is not in « Atlassian »). ``subject_counts``
gives, per month × published group (the same folding into ``"(other)"`` as the monthly KPIs) and per month under
``"(all)"``, the messages mentioning each subject, their distinct authors and their tone: what the store keeps
(``esn_subjects``), no text, no author. Every tracked subject has a row under ``"(all)"`` for every month of the
export, 0 when nobody mentioned it, so that "counted: none" differs from "not tracked when this was imported".

The subjects a store tracks reach ingestion like the organisation's KPIs: ``Store.activate`` installs them
(``install``), and the ESN recogniser reads ``tracked()``.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, replace
from datetime import date
from typing import Sequence

from kpis.catalog import fold
from kpis.errors import SubjectError
from kpis.model import ALL
from kpis.text import clean_text

__all__ = ["Subject", "SubjectCount", "checked", "mentioned", "subject_counts", "install", "installed", "tracked",
           "MIN_AUTHORS", "MAX_NAME_CHARS"]

MIN_AUTHORS = 5
"""A subject's tone is shown only when at least this many distinct authors mentioned it."""
MAX_NAME_CHARS = 80
"""The longest name or synonym."""

_CODE = re.compile(r"[a-z][a-z0-9_]{0,39}")
_NON_WORD = re.compile(r"[^0-9a-z]+")


@dataclass(frozen=True)
class Subject:
    """One tracked subject: a code, a French name, optionally an English one, and synonyms."""

    code: str
    name_fr: str
    name_en: str | None = None
    synonyms: tuple[str, ...] = ()

    def label(self, lang: str = "fr") -> str:
        return self.name_en if lang == "en" and self.name_en else self.name_fr

    @property
    def names(self) -> tuple[str, ...]:
        """Every name it is found by, folded (lower case, no accents, words separated by one space)."""
        return tuple(dict.fromkeys(f for n in (self.name_fr, self.name_en or "", *self.synonyms) if (f := fold(n))))


def checked(subject: Subject) -> Subject:
    """``subject`` cleaned (one line each, synonyms without repeats), or ``SubjectError`` saying every problem.

        >>> checked(Subject("atlas", " Programme Atlas ", None, ("atlas", "Atlas", ""))).synonyms
        ('atlas',)
        >>> checked(Subject("Atlas!", ""))
        Traceback (most recent call last):
        kpis.errors.SubjectError: Invalid subject: the code: ...; a French name is needed.
    """
    name_en = clean_text(subject.name_en) if subject.name_en else None
    seen, synonyms = {fold(subject.name_fr)}, []
    for synonym in (clean_text(x) for x in subject.synonyms):  # the first of each folded form
        if fold(synonym) and fold(synonym) not in seen:
            seen.add(fold(synonym))
            synonyms.append(synonym)
    out = replace(subject, code=subject.code.strip(), name_fr=clean_text(subject.name_fr), name_en=name_en or None,
                  synonyms=tuple(synonyms))
    fr, en = [], []
    if not _CODE.fullmatch(out.code):
        fr.append("le code : lettres minuscules, chiffres et _, commençant par une lettre (40 au plus)")
        en.append("the code: lowercase letters, digits and _, starting with a letter (40 at most)")
    if not fold(out.name_fr):
        fr.append("un nom français est nécessaire")
        en.append("a French name is needed")
    if any(len(n) > MAX_NAME_CHARS for n in (out.name_fr, out.name_en or "", *out.synonyms)):
        fr.append(f"un nom ou synonyme a plus de {MAX_NAME_CHARS} caractères")
        en.append(f"a name or synonym is longer than {MAX_NAME_CHARS} characters")
    if fr:
        raise SubjectError("Sujet non valable : " + " ; ".join(fr) + ".",
                           "Invalid subject: " + "; ".join(en) + ".")
    return out


def _folded(text: str) -> str:
    """A message folded as ``kpis.catalog.fold`` folds a name (not cached: messages are many and long)."""
    s = unicodedata.normalize("NFKD", text.lower())
    s = "".join(ch for ch in s if not unicodedata.combining(ch)).replace("œ", "oe").replace("æ", "ae")
    return _NON_WORD.sub(" ", s).strip()


def mentioned(texts: Sequence[str], subjects: Sequence[Subject]) -> list[set[str]]:
    """The codes of the subjects each text mentions (whole words, any case or accents)."""
    if not subjects:
        return [set() for _ in texts]
    patterns = [(s.code, [f" {n} " for n in s.names]) for s in subjects]
    out = []
    for text in texts:
        padded = f" {_folded(text)} "
        out.append({code for code, names in patterns if any(n in padded for n in names)})
    return out


@dataclass(frozen=True)
class SubjectCount:
    """A subject's mentions in one month and group: what is stored (no author, no message)."""

    month: date
    group: str
    subject: str
    messages: int
    authors: int
    positive: int
    negative: int
    neutral: int


def subject_counts(months: Sequence[date], groups: Sequence[str], authors: Sequence[str], texts: Sequence[str],
                   tones: Sequence[int], subjects: Sequence[Subject]) -> list[SubjectCount]:
    """Per month × group (each message's month and published group) and per month under ``"(all)"``, each
    subject's messages, distinct authors and positive / negative / neutral messages among them; every subject
    has a row under ``"(all)"`` for every month of ``months``, mentioned or not.

        >>> m = [date(2026, 9, 1)] * 2
        >>> [(c.group, c.messages, c.authors, c.positive) for c in subject_counts(
        ...     m, ["A", "B"], ["u1", "u2"], ["Atlas !", "rien"], [1, 0], [Subject("atlas", "Atlas")])]
        [('(all)', 1, 1, 1), ('A', 1, 1, 1)]
    """
    cells: dict[tuple[date, str, str], tuple[set, list[int]]] = {}
    for month in sorted(set(months)):
        for s in subjects:
            cells[(month, ALL, s.code)] = (set(), [0, 0, 0, 0])
    for i, codes in enumerate(mentioned(texts, subjects)):
        for code in codes:
            for g in (groups[i], ALL):
                people, n = cells.setdefault((months[i], g, code), (set(), [0, 0, 0, 0]))
                people.add(authors[i])
                n[0] += 1
                n[1 if tones[i] > 0 else 2 if tones[i] < 0 else 3] += 1
    return sorted((SubjectCount(m, g, code, n[0], len(people), n[1], n[2], n[3])
                   for (m, g, code), (people, n) in cells.items()),
                  key=lambda c: (c.month, c.subject, c.group != ALL, c.group))


_INSTALLED: list = [(), None]
"""The subjects ``install`` last installed and their key (one list, changed in place)."""


def install(subjects: Sequence[Subject] = (), key: object = None) -> None:
    """Make ``subjects`` (those of the store in use) the ones the ESN recogniser counts.

        >>> install([Subject("atlas", "Atlas")], key="demo")
        >>> [s.code for s in tracked()], installed()
        (['atlas'], 'demo')
        >>> install()
    """
    _INSTALLED[0], _INSTALLED[1] = tuple(subjects), key


def installed() -> object:
    """The key given to the last ``install`` (``None``: none)."""
    return _INSTALLED[1]


def tracked() -> tuple[Subject, ...]:
    """The subjects installed last."""
    return _INSTALLED[0]
