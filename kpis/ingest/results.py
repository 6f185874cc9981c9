"""What ingestion understood: a ``FileResult`` of ``SheetResult``s of ``Column``s, with their issues."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

import pandas as pd

from kpis.ingest.issues import Issue, column_letter, issue_json
from kpis.model import DIMENSIONS

__all__ = ["PARSER_VERSION", "Column", "SheetResult", "FileResult", "empty_observations"]

PARSER_VERSION = "2"


@dataclass
class Column:
    """What one column of a sheet was understood to be."""

    index: int
    header: str
    role: str  # "kpi", a dimension role, "ignored" or "unknown"
    kpi: str | None = None
    match: str | None = None  # "exact", "partial", "mapped", "remembered"
    reason: str | None = None
    total: bool = False
    grain: str | None = None  # forced with period:month
    convention: str | None = None  # forced with clicks:fr

    @property
    def letter(self) -> str:
        return column_letter(self.index)

    def to_json(self) -> dict:
        out: dict[str, object] = {"column": self.letter, "header": self.header, "role": self.role}
        if self.role == "kpi":
            out |= {"kpi": self.kpi, "match": self.match}
        elif self.match not in (None, "exact"):  # a dimension says only when it was partial or mapped
            out["match"] = self.match
        if self.reason:
            out["reason"] = self.reason
        return out


@dataclass
class SheetResult:
    sheet: str
    status: str = "read"  # "read" or "skipped"
    header_row: int | None = None
    layout: str | None = None  # "wide", "long" or "crosstab"
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
    build: Callable[[], pd.DataFrame] | None = field(default=None, repr=False, compare=False)
    _observations: pd.DataFrame | None = field(default=None, repr=False, compare=False)

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

    def to_json(self) -> dict:
        return {
            "sheet": self.sheet, "status": self.status, "header_row": self.header_row, "layout": self.layout,
            "format": self.format, "currency": self.currency,
            "columns": [c.to_json() for c in self.columns if c.role != "unknown"],
            "unknown_columns": self.unknown_columns, "segments": self.segments, "grain": self.grain,
            "period": self.period, "rows": dict(self.rows), "totals": self.totals,
            "issues": [issue_json(i) for i in self.issues],
        }


@dataclass
class FileResult:
    file: str
    sha256: str
    sheets: list[SheetResult] = field(default_factory=list)
    issues: list[Issue] = field(default_factory=list)  # file-level

    @property
    def importable(self) -> bool:
        if any(i.severity == "error" for i in self.issues):
            return False
        return any(s.usable for s in self.sheets)

    @property
    def origin(self) -> str | None:
        formats = [s.format for s in self.sheets if s.usable and s.format]
        return formats[0] if formats else None

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
        return {"file": self.file, "importable": self.importable,
                "issues": [issue_json(i) for i in self.issues],
                "sheets": [s.to_json() for s in self.sheets]}

    def batch(self, *, origin: str | None = None, **extra) -> dict:
        """The arguments of ``Store.import_batch`` for this file: its observations and bookkeeping.

            >>> store.import_batch(**result.batch(imported_by="cdo")).rows_stored  # 2 months × 2 KPIs
            4

        ``origin`` defaults to the recognised format, else ``"manual"``.
        """
        return dict(observations=self.observations, file_name=self.file,
                    sheets=[s.sheet for s in self.sheets if s.usable], origin=origin or self.origin or "manual",
                    sha256=self.sha256, rows_read=self.rows_read, rows_kept=self.rows_kept,
                    rows_rejected=self.rows_rejected, parser_version=PARSER_VERSION, **extra)


def empty_observations() -> pd.DataFrame:
    return pd.DataFrame({
        "period_start": pd.Series([], dtype="datetime64[s]"), "period_end": pd.Series([], dtype="datetime64[s]"),
        **{c: pd.Series([], dtype=object) for c in ("segment", *DIMENSIONS, "kpi")},
        "value": pd.Series([], dtype="float64"),
    })
