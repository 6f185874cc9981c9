"""Problems found in a file, located as Excel or a text editor shows them (a leaf: imports nothing of kpis).

    >>> log = IssueLog("Campagnes")
    >>> log.add("number_unparseable", "error", "Nombre illisible.", "Unreadable number.", row=7, column="C")
    >>> log.issues[0].sheet, log.issues[0].row, column_letter(27)
    ('Campagnes', 7, 'AB')
"""

from __future__ import annotations

from dataclasses import dataclass, field

__all__ = ["Issue", "IssueLog", "column_letter"]


@dataclass(frozen=True)
class Issue:
    """One problem, located as Excel or a text editor shows it. Never quotes personal data."""

    code: str
    severity: str  # "error", "warning" or "info"
    message_fr: str
    message_en: str
    sheet: str | None = None
    row: int | None = None
    column: str | None = None

    def message(self, lang: str = "fr") -> str:
        return self.message_fr if lang == "fr" else self.message_en

    def __getitem__(self, name: str):
        """``issue["code"]``: read like the dicts the gate and the readers used to give (tests, old callers)."""
        if name not in _FIELDS:
            raise KeyError(name)
        return getattr(self, name)

    def to_json(self) -> dict:
        return {"code": self.code, "severity": self.severity, "sheet": self.sheet, "row": self.row,
                "column": self.column, "message_fr": self.message_fr, "message_en": self.message_en}


_FIELDS = frozenset(Issue.__dataclass_fields__)


@dataclass
class IssueLog:
    """The issues of one sheet, in the order they were found; every stage of the reading writes here."""

    sheet: str | None = None
    issues: list[Issue] = field(default_factory=list)

    def add(self, code: str, severity: str, fr: str, en: str, row: int | None = None,
            column: str | None = None) -> None:
        self.issues.append(Issue(code, severity, fr, en, self.sheet, None if row is None else int(row), column))

    def reject(self, mask, numbers, code: str, fr: str, en: str, column: str | None = None):
        """Report each row of the boolean array ``mask`` as rejected (``numbers[i]`` is row i as shown);
        return ``mask``, so that a stage can write ``rejected |= log.reject(...)``."""
        for i in mask.nonzero()[0]:
            self.add(code, "error", fr, en, numbers[i], column)
        return mask


def issue_json(issue: Issue) -> dict:
    out = issue.to_json()
    out.pop("sheet")
    return out


def column_letter(index: int) -> str:
    """0 → ``A``, 27 → ``AB``."""
    letters = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters
