"""What ingestion understood: a ``FileResult`` of ``SheetResult``s of ``Column``s, with their issues."""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from pathlib import PurePath
from typing import Callable

import pandas as pd

from kpis.ingest.issues import Issue, column_letter, issue_json
from kpis.model import DIMENSIONS

__all__ = ["PARSER_VERSION", "MAX_REJECTED_SHARE", "REJECTED_ROWS_SHOWN", "Column", "Rejection", "Question",
           "SheetResult", "FileResult", "empty_observations", "structural_origin"]

PARSER_VERSION = "2"

MAX_REJECTED_SHARE = 0.05
"""A sheet with more than this share of its data rows rejected (or a whole KPI column rejected) is not
importable until the file is fixed or the user confirms with the count in front of them."""

REJECTED_ROWS_SHOWN = 5
"""Rejected rows quoted in a ``Rejection``'s message."""


@dataclass
class Column:
    """What one column of a sheet was understood to be."""

    index: int
    header: str
    role: str  # "kpi", a dimension role, "ignored" or "unknown"
    kpi: str | None = None
    match: str | None = None  # "exact", "partial", "mapped", "remembered", "format" (a vendor export's own)
    reason: str | None = None
    total: bool = False
    grain: str | None = None  # forced with period:month
    convention: str | None = None  # forced with clicks:fr
    source: str | None = None  # the source letters of a flattened sheet's column (``kpis.ingest.layouts``)

    @property
    def letter(self) -> str:
        return self.source or column_letter(self.index)

    def to_json(self) -> dict:
        out: dict[str, object] = {"column": self.letter, "header": self.header, "role": self.role}
        if self.role == "kpi":
            out |= {"kpi": self.kpi, "match": self.match}
        elif self.match not in (None, "exact"):  # a dimension says only when it was partial or mapped
            out["match"] = self.match
        if self.reason:
            out["reason"] = self.reason
        return out


@dataclass(frozen=True)
class Rejection:
    """A sheet that mostly failed: too many rejected data rows, or whole KPI columns with no value kept.

        >>> r = Rejection("CRM", rows_rejected=8, rows_data=10, columns=())
        >>> r.message_en
        'Sheet CRM: 8 of 10 data rows rejected (80 %).'
    """

    sheet: str
    rows_rejected: int
    rows_data: int
    columns: tuple[str, ...]  # "C (active_users)": KPI columns whose every value was rejected
    first_rows: tuple[Issue, ...] = ()

    @property
    def share(self) -> float:
        return self.rows_rejected / self.rows_data if self.rows_data else 0.0

    def _parts(self, lang: str) -> list[str]:
        fr = lang == "fr"
        pct = f"{self.share * 100:.0f} %"
        parts = []
        if self.share > MAX_REJECTED_SHARE:
            parts.append(f"{self.rows_rejected} ligne(s) de données rejetée(s) sur {self.rows_data} ({pct})" if fr
                         else f"{self.rows_rejected} of {self.rows_data} data rows rejected ({pct})")
        if self.columns:
            cols = ", ".join(self.columns)
            parts.append(f"colonne(s) d'indicateur entièrement rejetée(s) : {cols}" if fr
                         else f"KPI column(s) entirely rejected: {cols}")
        return parts

    def _first(self, lang: str) -> str:
        if not self.first_rows:
            return ""
        shown = "; ".join(f"{'ligne' if lang == 'fr' else 'row'} {i.row}"
                          + (f" {'col.' if lang == 'fr' else 'col'} {i.column}" if i.column else "")
                          + f" — {i.message(lang)}" for i in self.first_rows)
        return (" Premières lignes rejetées : " if lang == "fr" else " First rejected rows: ") + shown

    @property
    def message_fr(self) -> str:
        return f"Feuille {self.sheet} : {' ; '.join(self._parts('fr'))}.{self._first('fr')}"

    @property
    def message_en(self) -> str:
        return f"Sheet {self.sheet}: {'; '.join(self._parts('en'))}.{self._first('en')}"

    def message(self, lang: str = "fr") -> str:
        return self.message_fr if lang == "fr" else self.message_en

    def to_json(self) -> dict:
        return {"sheet": self.sheet, "rows_rejected": self.rows_rejected, "rows_data": self.rows_data,
                "share": round(self.share, 4), "columns": list(self.columns),
                "first_rows": [issue_json(i) for i in self.first_rows],
                "message_fr": self.message_fr, "message_en": self.message_en}


@dataclass(frozen=True)
class Question:
    """A KPI column matched from its header whose meaning is doubtful (``kpis.ingest.meaning``): the file is not
    importable until the user confirms it (``--map "HEADER=kpi"``), remaps it or drops it (``=ignore``).

        >>> q = Question("Vidéos", "C", "Vues", "page_views", ("ambiguous_word",), ("« vues » …",), ("'vues' …",),
        ...              ("impressions",))
        >>> q.targets, q.confirm
        (('page_views', 'impressions', 'ignore'), '--map "Vues=page_views"')
    """

    sheet: str
    column: str  # the letter
    header: str
    kpi: str
    codes: tuple[str, ...]  # "segment", "stock_change", "ambiguous_word"
    why_fr: tuple[str, ...]
    why_en: tuple[str, ...]
    alternatives: tuple[str, ...] = ()  # KPI codes it may be instead, best first

    @property
    def targets(self) -> tuple[str, ...]:
        """What the user may choose, as ``--map`` targets: the KPI matched, the alternatives, ``ignore``."""
        return (self.kpi, *self.alternatives, "ignore")

    @property
    def confirm(self) -> str:
        return f'--map "{self.header}={self.kpi}"'

    def message(self, lang: str = "fr") -> str:
        from kpis.catalog import KPIS

        label = KPIS[self.kpi].label(lang)
        other = ", ".join(f'--map "{self.header}={a}" ({KPIS[a].label(lang)})' for a in self.alternatives)
        if lang == "fr":
            return (f"Feuille {self.sheet}, colonne {self.column} « {self.header} » : lue comme « {label} » "
                    f"({self.kpi}), mais {' ; '.join(self.why_fr)}. Vérifiez : confirmez avec {self.confirm}"
                    + (f", choisissez un autre sens avec {other}" if other else
                       " (aucun autre indicateur du catalogue ne convient)")
                    + f", ou écartez la colonne avec --map \"{self.header}=ignore\" (ou dans l'écran d'import).")
        return (f"Sheet {self.sheet}, column {self.column} '{self.header}': read as '{label}' ({self.kpi}), but "
                f"{'; '.join(self.why_en)}. Check it: confirm with {self.confirm}"
                + (f", choose another meaning with {other}" if other else " (no other catalog KPI fits)")
                + f", or drop the column with --map \"{self.header}=ignore\" (or on the import screen).")

    @property
    def message_fr(self) -> str:
        return self.message("fr")

    @property
    def message_en(self) -> str:
        return self.message("en")

    def to_json(self) -> dict:
        return {"sheet": self.sheet, "column": self.column, "header": self.header, "kpi": self.kpi,
                "codes": list(self.codes), "alternatives": list(self.alternatives), "targets": list(self.targets),
                "message_fr": self.message_fr, "message_en": self.message_en}


@dataclass
class SheetResult:
    sheet: str
    status: str = "read"  # "read" or "skipped"
    header_row: int | None = None
    layout: str | None = None  # "wide", "long", "crosstab", "two_level" or "pivot"
    format: str | None = None
    currency: str | None = None
    columns: list[Column] = field(default_factory=list)
    unknown_columns: list[dict] = field(default_factory=list)
    segments: list[str] = field(default_factory=list)
    grain: str | None = None
    period: dict | None = None
    rows: dict = field(default_factory=lambda: {"read": 0, "kept": 0, "rejected": 0, "dropped": 0})
    totals: dict = field(default_factory=dict)
    issues: list[Issue] = field(default_factory=list)
    headers: list[str] = field(default_factory=list)  # the header row's texts (remembered mappings)
    window: dict | None = None  # a rolling window understood: days, ends, source, column (kpis.ingest.windows)
    questions: list[Question] = field(default_factory=list)  # KPI columns whose meaning is doubtful
    build: Callable[[], pd.DataFrame] | None = field(default=None, repr=False, compare=False)
    _observations: pd.DataFrame | None = field(default=None, repr=False, compare=False)
    row_flags: tuple | None = field(default=None, repr=False, compare=False)  # (dropped, rejected) per body row
    esn: dict | None = field(default=None, repr=False, compare=False)  # topics and profiles (exports.esn)

    @property
    def observations(self) -> pd.DataFrame:
        """The tidy observations (``OBS_COLUMNS``), built on first use: ``check`` never needs them."""
        if self._observations is None:
            self._observations = self.build() if self.build is not None else empty_observations()
            self.build = None
        return self._observations

    def count_rows(self, read: int, dropped, rejected) -> SheetResult:
        """Record how many body rows were read, dropped (totals, descriptions), rejected and kept."""
        n_dropped, n_rejected = int(dropped.sum()), int((rejected & ~dropped).sum())
        self.rows = {"read": read, "kept": read - n_dropped - n_rejected, "rejected": n_rejected, "dropped": n_dropped}
        self.row_flags = (dropped, rejected)
        return self

    def conclude(self, conclusion) -> None:
        """Take a ``kpis.ingest.observations.Conclusion``: totals, period, segments, deferred observations."""
        self.totals, self.build = conclusion.totals, conclusion.build
        if conclusion.period is not None:
            self.period, self.segments = conclusion.period, conclusion.segments

    @property
    def has_error(self) -> bool:
        return any(i.severity == "error" and i.row is None for i in self.issues)

    @property
    def usable(self) -> bool:
        return self.status == "read" and not self.has_error and self.rows["kept"] > 0 and bool(self.segments)

    @property
    def rejection(self) -> Rejection | None:
        """What mostly failed in this sheet (``MAX_REJECTED_SHARE``), or None.

        A KPI column counts as wholly rejected when some of its cells were refused and none of its
        values was kept (a Yes/No column read as numbers)."""
        if self.status != "read":
            return None
        data = self.rows["read"] - self.rows["dropped"]
        errors = [i for i in self.issues if i.severity == "error" and i.row is not None]
        refused = {i.column for i in errors}
        columns = tuple(f"{c.letter} ({c.kpi})" for c in self.columns
                        if c.role == "kpi" and c.kpi and refused & set(c.letter.split(", "))
                        and c.kpi not in self.totals)
        if not columns and not (data and self.rows["rejected"] / data > MAX_REJECTED_SHARE):
            return None
        return Rejection(self.sheet, self.rows["rejected"], data, columns, tuple(errors[:REJECTED_ROWS_SHOWN]))

    def to_json(self) -> dict:
        return {
            "sheet": self.sheet, "status": self.status, "header_row": self.header_row, "layout": self.layout,
            "format": self.format, "currency": self.currency,
            "columns": [c.to_json() for c in self.columns if c.role != "unknown"],
            "unknown_columns": self.unknown_columns, "segments": self.segments, "grain": self.grain,
            "period": self.period, "window": self.window, "rows": dict(self.rows), "totals": self.totals,
            "questions": [q.to_json() for q in self.questions],
            "issues": [issue_json(i) for i in self.issues],
        }


@dataclass
class FileResult:
    file: str
    sha256: str
    sheets: list[SheetResult] = field(default_factory=list)
    issues: list[Issue] = field(default_factory=list)  # file-level

    @property
    def readable(self) -> bool:
        """Something can be stored: no file-level error and at least one usable sheet."""
        if any(i.severity == "error" for i in self.issues):
            return False
        return any(s.usable for s in self.sheets)

    @property
    def rejections(self) -> list[Rejection]:
        """The sheets that mostly failed: the file needs fixing or a confirmation (``--accept-rejections``)."""
        return [r for s in self.sheets if (r := s.rejection) is not None]

    @property
    def questions(self) -> list[Question]:
        """The doubtful KPI columns of the usable sheets: each needs a confirmation or a remap (``--map``)."""
        return [q for s in self.sheets if s.usable for q in s.questions]

    @property
    def importable(self) -> bool:
        """Readable, no sheet mostly failed and no column's meaning in question. (Whether its series clash
        with another origin's depends on the store: ``Store.overlaps``.)"""
        return self.readable and not self.rejections and not self.questions

    @property
    def origin(self) -> str | None:
        """The recognised format's name, None for a generic file (see ``default_origin``). A sheet read as a
        known export names its format even while it waits for an answer (its segment, say)."""
        formats = [s.format for s in self.sheets if s.usable and s.format] or [
            s.format for s in self.sheets if s.status == "read" and s.format]
        return formats[0] if formats else None

    @property
    def default_origin(self) -> str:
        """The recognised format, else the origin derived from the file's structure (``structural_origin``)."""
        return self.origin or structural_origin(self)

    @property
    def observations(self) -> pd.DataFrame:
        frames = [s.observations for s in self.sheets if s.usable]
        if not frames:
            return empty_observations()
        return pd.concat(frames, ignore_index=True) if len(frames) > 1 else frames[0]

    def _rows(self, key: str) -> int:
        return sum(s.rows[key] for s in self.sheets if s.status == "read")

    @property
    def rows_read(self) -> int:
        return self._rows("read")

    @property
    def rows_kept(self) -> int:
        return sum(s.rows["kept"] for s in self.sheets if s.usable)

    @property
    def rows_rejected(self) -> int:
        return self._rows("rejected")

    @property
    def all_issues(self) -> list[Issue]:
        return self.issues + [i for s in self.sheets for i in s.issues]

    def to_json(self) -> dict:
        return {"file": self.file, "importable": self.importable, "origin": self.default_origin,
                "rejections": [r.to_json() for r in self.rejections],
                "questions": [q.to_json() for q in self.questions],
                "issues": [issue_json(i) for i in self.issues],
                "sheets": [s.to_json() for s in self.sheets]}

    def batch(self, *, origin: str | None = None, **extra) -> dict:
        """The arguments of ``Store.import_batch`` for this file: its observations and bookkeeping.

            >>> store.import_batch(**result.batch(imported_by="cdo")).rows_stored  # 2 months × 2 KPIs
            4

        ``origin`` defaults to ``default_origin`` (the recognised format, else the file's structure). A social
        network export adds ``esn``: its topics and influencer profiles, stored with the batch.
        """
        esn: dict[str, list] = {}
        for s in self.sheets:
            if s.usable and s.esn:
                for table, frame in s.esn.items():
                    esn.setdefault(table, []).append(frame)
        if esn:
            extra = {"esn": {t: pd.concat(f, ignore_index=True) for t, f in esn.items()}, **extra}
        return dict(observations=self.observations, file_name=self.file,
                    sheets=[s.sheet for s in self.sheets if s.usable], origin=origin or self.default_origin,
                    sha256=self.sha256, rows_read=self.rows_read, rows_kept=self.rows_kept,
                    rows_rejected=self.rows_rejected, parser_version=PARSER_VERSION, **extra)


_TEXT_FILES = (".csv", ".txt", ".tsv")


def structural_origin(result: FileResult) -> str:
    """The origin of a generic file, from its structure only: its sheet names and folded header sets.

        >>> structural_origin(result)        # effectifs.csv; a copy with other values gives the same
        'csv-cb43c0fe'

    A readable slug of the first read sheet's name and 8 hex digits of a hash of every read sheet's
    (folded name, folded headers), in sorted order. A CSV's "sheet" is named after the file, so only
    its headers count (slug ``csv``). A crosstab's period headers (next month adds one) are left out.
    """
    from kpis.catalog import fold
    from kpis.ingest.mapping import header_key

    read = [s for s in result.sheets if s.status == "read"]
    if not read:
        return "manual"
    text = PurePath(result.file).suffix.lower() in _TEXT_FILES
    parts = sorted([["" if text else fold(s.sheet), list(header_key(_structural_headers(s)))] for s in read])
    digest = hashlib.sha256(json.dumps(parts, ensure_ascii=False).encode()).hexdigest()[:8]
    slug = "csv" if text else re.sub(r"[^a-z0-9]+", "-", fold(read[0].sheet)).strip("-")[:24].strip("-")
    return f"{slug or 'feuille'}-{digest}"


def _structural_headers(sheet: SheetResult) -> list[str]:
    if sheet.layout != "crosstab":
        return sheet.headers
    periods = {c.index for c in sheet.columns if c.role == "period"}
    return [h for j, h in enumerate(sheet.headers) if j not in periods]


def empty_observations() -> pd.DataFrame:
    return pd.DataFrame({
        "period_start": pd.Series([], dtype="datetime64[s]"), "period_end": pd.Series([], dtype="datetime64[s]"),
        **{c: pd.Series([], dtype=object) for c in ("segment", *DIMENSIONS, "kpi")},
        "value": pd.Series([], dtype="float64"),
    })
