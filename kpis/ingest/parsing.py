"""Turn spreadsheet cells into numbers, dates, periods and booleans, a column at a time.

    >>> values, bad = parse_numbers(["1 234,5", "12,5 %", "--", "abc"], "fr")
    >>> values.tolist(), bad.tolist()
    ([1234.5, 0.125, nan, nan], [False, False, False, True])

Every function takes a column: a sequence of cells as the readers give them
(float, int, str, bool, date, datetime, time, timedelta, ``""``, ``None``).
Each returns numpy arrays aligned with the column plus a ``bad`` mask of the
non-empty cells it could not understand; a missing cell (see
``MISSING_TOKENS``) is never bad.

Columns of 200,000 cells are the normal case, so each function has a fast path
for columns that are already numbers or dates, parses strings once per
distinct value, and handles number strings with vectorised (pyarrow) regexes.

Conventions:

- **Numbers** are written the English way (``2,144.69``) or the French way
  (``1 234,5``); ``number_convention`` decides from the strings that can be
  read only one way. ``1,103`` is ambiguous (1103 or 1.103): with no
  convention it is reported bad rather than guessed.
- **Dates** such as ``01/09/2026`` are read day first (``order="dmy"``) or
  month first (``"mdy"``); ``date_order`` decides from values such as
  ``13/09/2026``. Excel serial numbers use the 1900 system (with its fake
  29 February 1900, reported bad) unless ``date1904``.
- **Periods** have an inclusive ``end`` and a grain among ``GRAINS``.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date, timedelta
from typing import Literal, NamedTuple, Sequence

import numpy as np
import pandas as pd

__all__ = [
    "cell_text",
    "GRAINS",
    "MISSING_TOKENS",
    "Periods",
    "ambiguous_mask",
    "currency_of",
    "date_order",
    "header_grain",
    "infer_grain",
    "is_ambiguous",
    "is_missing",
    "number_convention",
    "parse_bools",
    "parse_dates",
    "parse_numbers",
    "parse_periods",
]

GRAINS = ("day", "week", "month", "quarter", "year")

MISSING_TOKENS = frozenset(
    {"", "-", "--", "—", "–", "n/a", "na", "#n/a", "nd", "n.d.", "null", "none", "nan"}
)
"""Cell texts (compared stripped and lower-cased) that mean "no value"."""

CURRENCY_SIGNS = {"€": "EUR", "$": "USD", "£": "GBP"}
CURRENCY_CODES = ("EUR", "USD", "GBP", "CHF")

YEAR_RANGE = (1900, 2100)
"""Integers in this range are read as years in year columns (see parse_periods)."""

EXCEL_MAX_SERIAL = 2958465  # 9999-12-31

Cells = Sequence[object]

_SPACES = " \u00a0\u202f'’"
_EN_NUMBER = rf"^[+-]?(?:(?:[0-9]{{1,3}}(?:[,{_SPACES}][0-9]{{3}})+|[0-9]+)(?:\.[0-9]*)?|\.[0-9]+)(?:e[+-]?[0-9]+)?$"
_FR_NUMBER = rf"^[+-]?(?:(?:[0-9]{{1,3}}(?:[.{_SPACES}][0-9]{{3}})+|[0-9]+)(?:,[0-9]*)?|,[0-9]+)(?:e[+-]?[0-9]+)?$"
_CURRENCY = r"[€$£]|euros?|eur|usd|gbp|chf"
_PLAIN_NUMBER = rf"^[+-]?[0-9][0-9.,{_SPACES}]*$"

_EPOCH_ORDINAL = date(1970, 1, 1).toordinal()
_NAT = np.datetime64("NaT", "D")


# --- cells --------------------------------------------------------------------


def cell_text(cell: object) -> str:
    """A cell as text for labels: ``None`` → ``""``, ``12.0`` → ``"12"``, strings stripped."""
    if cell is None:
        return ""
    if isinstance(cell, float) and cell.is_integer():
        return str(int(cell))
    return str(cell).strip()


def is_missing(cell: object) -> bool:
    """Whether a cell means "no value": empty, None, NaN or a ``MISSING_TOKENS`` text.

        >>> is_missing(" n/a "), is_missing(0)
        (True, False)
    """
    if cell is None:
        return True
    if isinstance(cell, str):
        return cell.strip().lower() in MISSING_TOKENS
    return isinstance(cell, float) and cell != cell


def _is_number(cell: object) -> bool:
    return isinstance(cell, (int, float, np.number)) and not isinstance(cell, (bool, np.bool_))


def _split(cells: Cells) -> tuple[list, np.ndarray, list[int], list, list[int]]:
    """Sort a column into numbers, strings and the rest (by position)."""
    cells = list(cells)
    kinds = set(map(type, cells))
    if kinds <= {str}:
        return cells, np.array([], dtype=np.int64), [], cells, list(range(len(cells)))
    num_idx, str_idx, strs, other = [], [], [], []
    for i, cell in enumerate(cells):
        if isinstance(cell, str):
            str_idx.append(i)
            strs.append(cell)
        elif _is_number(cell):
            num_idx.append(i)
        else:
            other.append(i)
    return cells, np.array(num_idx, dtype=np.int64), other, strs, str_idx


def _numeric_column(cells: Cells) -> np.ndarray | None:
    """The column as float64 when every cell is already a number, else None."""
    if isinstance(cells, np.ndarray) and cells.dtype.kind in "iuf":
        return cells.astype(np.float64)
    if isinstance(cells, pd.Series) and cells.dtype.kind in "iuf":
        return cells.to_numpy(dtype=np.float64)
    cells = cells if isinstance(cells, list) else list(cells)
    kinds = set(map(type, cells))
    if kinds and kinds <= {float, int, np.float64, np.int64}:
        return np.array(cells, dtype=np.float64)
    return None


def _factorize(strings: list[str]) -> tuple[np.ndarray, pd.Index]:
    """Codes into the distinct strings: each distinct value is parsed once."""
    return pd.Series(strings, dtype="str").factorize()


# --- numbers ------------------------------------------------------------------


class _NumberStrings:
    """A column's number strings, cleaned once, readable either way.

    Strings made only of digits, separators and a sign (the usual case) are
    used as they are; the others lose currency, percent, parentheses and
    sign spacing first. Every step is a vectorised (pyarrow) string operation.
    """

    def __init__(self, strings: list[str]):
        core = pd.Series(strings, dtype="str").str.strip()
        self.sign = np.ones(len(strings))
        self.divisor = np.ones(len(strings))
        self.missing = np.zeros(len(strings), dtype=bool)
        rest = ~_mask(core.str.match(_PLAIN_NUMBER))
        if rest.any():
            cleaned, negative, percent, missing = _clean_number_strings(core[rest])
            core[rest] = cleaned
            self.sign[rest] = np.where(negative, -1.0, 1.0)
            self.divisor[rest] = np.where(percent, 100.0, 1.0)
            self.missing[rest] = missing
        self.core = core
        joined = "\x00".join(strings)
        self.present = {ch for ch in f",.{_SPACES}" if ch in joined}
        self._ok: dict[str, np.ndarray] = {}

    def ok(self, convention: str) -> np.ndarray:
        """Which strings are valid numbers written ``convention``'s way."""
        if convention not in self._ok:
            pattern = _EN_NUMBER if convention == "en" else _FR_NUMBER
            self._ok[convention] = _mask(self.core.str.match(pattern)) & ~self.missing
        return self._ok[convention]

    def values(self, convention: str) -> np.ndarray:
        """Values of the strings read ``convention``'s way (NaN where invalid)."""
        ok = self.ok(convention)
        values = np.full(len(ok), np.nan)
        if not ok.any():
            return values
        text = self.core[ok]
        group, decimal = (",", ".") if convention == "en" else (".", ",")
        for separator in (group, *_SPACES):
            if separator in self.present:
                text = text.str.replace(separator, "", regex=False)
        if decimal != "." and decimal in self.present:
            text = text.str.replace(decimal, ".", regex=False)
        values[ok] = _to_float(text) * self.sign[ok] / self.divisor[ok]
        return values

    def ambiguous(self) -> np.ndarray:
        """Valid both ways with different values (``1,103``)."""
        both = self.ok("en") & self.ok("fr")
        if not both.any():
            return both
        return both & ~np.isclose(self.values("en"), self.values("fr"), rtol=1e-12, atol=0.0)


def _clean_number_strings(text: pd.Series) -> tuple[pd.Series, np.ndarray, np.ndarray, np.ndarray]:
    """Strip currency, sign spacing, parentheses and percent; find missing tokens."""
    text = text.str.lower()
    missing = text.isin(MISSING_TOKENS).to_numpy()
    text = text.str.replace(_CURRENCY, "", regex=True).str.replace("\u2212", "-", regex=False)
    text = text.str.strip()
    negative = _mask(text.str.match(r"^-?\(.*\)$"))
    percent = _mask(text.str.contains("%", regex=False))
    text = text.str.replace(r"[()%]", "", regex=True).str.strip()
    text = text.str.replace("- ", "-", regex=False).str.replace("+ ", "+", regex=False)
    return text, negative, percent, missing


def _mask(flags: pd.Series) -> np.ndarray:
    return flags.to_numpy(dtype=bool, na_value=False)


def _to_float(text: pd.Series) -> np.ndarray:
    """Strings already validated as plain numbers (``-1234.5``, ``1e3``) → float64."""
    try:
        import pyarrow as pa
        import pyarrow.compute as pc

        return pc.cast(pa.array(text.array), pa.float64()).to_numpy(zero_copy_only=False)
    except (ImportError, ValueError, TypeError, NotImplementedError):
        return text.to_numpy(dtype=object).astype(np.float64)


def number_convention(cells: Cells) -> Literal["en", "fr"] | None:
    """Whether the column's number strings are written the English or French way.

        >>> number_convention(["1 234,5", "12", "1,103"])
        'fr'

    Only strings that read one way only vote (``2,144.69`` en, ``12,5`` fr);
    ``1,103``, ``1 103`` and ``42`` say nothing, nor do numbers from Excel.
    The majority wins; a tie or no vote gives None.
    """
    _, _, _, strings, _ = _split(cells)
    if not strings:
        return None
    table = _NumberStrings(strings)
    en, fr = table.ok("en"), table.ok("fr")
    en_votes, fr_votes = int((en & ~fr).sum()), int((fr & ~en).sum())
    if en_votes == fr_votes:
        return None
    return "en" if en_votes > fr_votes else "fr"


def ambiguous_mask(cells: Cells) -> np.ndarray:
    """Which cells are strings read differently by the two conventions.

        >>> ambiguous_mask(["1,103", "1.5", 1103.0, "1 103"]).tolist()
        [True, False, False, False]
    """
    cells, _, _, strings, str_idx = _split(cells)
    mask = np.zeros(len(cells), dtype=bool)
    if strings:
        mask[np.array(str_idx, dtype=np.int64)] = _NumberStrings(strings).ambiguous()
    return mask


def is_ambiguous(cell: object) -> bool:
    """Whether a single cell reads differently in English and French.

        >>> is_ambiguous("1.103"), is_ambiguous("1.5")
        (True, False)
    """
    return bool(ambiguous_mask([cell])[0])


def parse_numbers(cells: Cells, convention: str | None) -> tuple[np.ndarray, np.ndarray]:
    """Read a column as float64 values and a mask of unreadable cells.

        >>> values, bad = parse_numbers(["$1,200.50", "(1,234)", "12.5%", True], "en")
        >>> values.tolist(), bad.tolist()
        ([1200.5, -1234.0, 0.125, nan], [False, False, False, True])

    ``convention`` is ``"en"``, ``"fr"`` or None: with None, strings that read
    the same either way are parsed and ambiguous ones (``1,103``) are bad.
    Missing cells give NaN and are not bad; booleans and dates are bad.
    """
    if convention not in ("en", "fr", None):
        raise ValueError(f"convention must be 'en', 'fr' or None, not {convention!r}")
    fast = _numeric_column(cells)
    if fast is not None:
        return fast, np.zeros(len(fast), dtype=bool)
    cells, num_idx, other, strings, str_idx = _split(cells)
    values = np.full(len(cells), np.nan)
    bad = np.zeros(len(cells), dtype=bool)
    if len(num_idx):
        values[num_idx] = np.array([cells[i] for i in num_idx], dtype=np.float64)
    for i in other:
        bad[i] = not is_missing(cells[i])
    if strings:
        table = _NumberStrings(strings)
        if convention is None:
            ok = (table.ok("en") | table.ok("fr")) & ~table.ambiguous()
            parsed = np.where(table.ok("en"), table.values("en"), table.values("fr"))
        else:
            ok, parsed = table.ok(convention), table.values(convention)
        where = np.array(str_idx, dtype=np.int64)
        values[where] = np.where(ok, parsed, np.nan)
        bad[where] = ~ok & ~table.missing
    return values, bad


def currency_of(cells: Cells) -> str | None:
    """The currency the column's strings show (€ $ £ or an ISO code), if any.

        >>> currency_of(["€ 1 200", "300 €", "12"])
        'EUR'

    The most frequent currency wins; None when no string shows one.
    """
    _, _, _, strings, _ = _split(cells)
    if not strings:
        return None
    codes, uniques = _factorize(strings)
    counts = np.bincount(codes, minlength=len(uniques))
    text = pd.Series(uniques, dtype="str").str.upper()
    totals = dict.fromkeys(CURRENCY_CODES, 0)
    for sign, code in CURRENCY_SIGNS.items():
        totals[code] += int(counts[_mask(text.str.contains(sign, regex=False))].sum())
    for code in CURRENCY_CODES:
        pattern = rf"(?:^|[^A-Z]){code}(?:$|[^A-Z])"
        totals[code] += int(counts[_mask(text.str.contains(pattern, regex=True))].sum())
    best = max(totals, key=lambda code: totals[code])
    return best if totals[best] else None


# --- booleans -----------------------------------------------------------------

_TRUE = frozenset({"true", "yes", "oui", "vrai", "1", "y", "o", "x"})
_FALSE = frozenset({"false", "no", "non", "faux", "0", "n"})


def parse_bools(cells: Cells) -> tuple[np.ndarray, np.ndarray]:
    """Read a column as True/False/None (object array) and a bad mask.

        >>> values, bad = parse_bools(["Oui", "non", True, 0, "", "peut-être"])
        >>> values.tolist(), bad.tolist()
        ([True, False, True, False, None, None], [False, False, False, False, False, True])
    """
    cells = list(cells)
    values = np.full(len(cells), None, dtype=object)
    bad = np.zeros(len(cells), dtype=bool)
    for i, cell in enumerate(cells):
        if isinstance(cell, (bool, np.bool_)):
            values[i] = bool(cell)
        elif _is_number(cell) and cell in (0, 1):
            values[i] = bool(cell)
        elif isinstance(cell, str) and cell.strip().lower() in _TRUE:
            values[i] = True
        elif isinstance(cell, str) and cell.strip().lower() in _FALSE:
            values[i] = False
        else:
            bad[i] = not is_missing(cell)
    return values, bad


# --- dates --------------------------------------------------------------------

_MONTHS = {
    1: "janvier janv jan january",
    2: "fevrier fevr fev feb february",
    3: "mars mar march",
    4: "avril avr apr april",
    5: "mai may",
    6: "juin jun june",
    7: "juillet juil jul july",
    8: "aout aou aug august",
    9: "septembre sept sep september",
    10: "octobre oct october",
    11: "novembre nov november",
    12: "decembre dec december",
}
MONTH_NAMES = {name: month for month, names in _MONTHS.items() for name in names.split()}
"""French and English month names and abbreviations, accent-folded, lower case."""

_WEEKDAY = (
    r"(?:(?:lundi|mardi|mercredi|jeudi|vendredi|samedi|dimanche|lun|mar|mer|jeu|ven|sam|dim"
    r"|monday|tuesday|wednesday|thursday|friday|saturday|sunday|mon|tue|wed|thu|fri|sat|sun)"
    r"\.?,?\s+)?"
)
_TIME = r"(?:[t\s]+\d{1,2}:\d{2}(?::\d{2}(?:[.,]\d+)?)?\s*(?:am|pm)?(?:z|\s*[+-]\d{2}:?\d{2})?)?"
_ISO_DATE = re.compile(rf"(\d{{4}})[-/.](\d{{1,2}})[-/.](\d{{1,2}}){_TIME}")
_NUMERIC_DATE = re.compile(rf"(\d{{1,2}})[-/.](\d{{1,2}})[-/.](\d{{4}}|\d{{2}}){_TIME}")
_COMPACT_DATE = re.compile(r"(\d{4})(\d{2})(\d{2})")
_DAY_MONTH_YEAR = re.compile(
    rf"{_WEEKDAY}(\d{{1,2}})(?:er|st|nd|rd|th)?[\s-]+([a-z]+)\.?[\s-]+(\d{{4}}){_TIME}"
)
_MONTH_DAY_YEAR = re.compile(
    rf"{_WEEKDAY}([a-z]+)\.?\s+(\d{{1,2}})(?:st|nd|rd|th)?,?\s+(\d{{4}}){_TIME}"
)
_DATE_ORDER = re.compile(r"\s*(\d{1,2})[-/.](\d{1,2})[-/.](?:\d{4}|\d{2})\b")


def _fold(text: str) -> str:
    """Lower case without accents: ``"Févr."`` → ``"fevr."``."""
    text = unicodedata.normalize("NFKD", text.strip().lower())
    return "".join(ch for ch in text if not unicodedata.combining(ch))


def _year(text: str) -> int:
    year = int(text)
    if len(text) == 2:
        year += 2000 if year < 70 else 1900
    return year


def _make_date(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _date_from_text(text: str, order: str) -> date | None:
    """One date string, or None: ``"1er juin 2026"`` → ``date(2026, 6, 1)``."""
    folded = _fold(text)
    if m := _ISO_DATE.fullmatch(folded):
        return _make_date(int(m[1]), int(m[2]), int(m[3]))
    if m := _NUMERIC_DATE.fullmatch(folded):
        first, second = int(m[1]), int(m[2])
        day, month = (first, second) if order == "dmy" else (second, first)
        return _make_date(_year(m[3]), month, day)
    if m := _COMPACT_DATE.fullmatch(folded):
        year = int(m[1])
        return _make_date(year, int(m[2]), int(m[3])) if _in_years(year) else None
    if (m := _DAY_MONTH_YEAR.fullmatch(folded)) and m[2] in MONTH_NAMES:
        return _make_date(int(m[3]), MONTH_NAMES[m[2]], int(m[1]))
    if (m := _MONTH_DAY_YEAR.fullmatch(folded)) and m[1] in MONTH_NAMES:
        return _make_date(int(m[3]), MONTH_NAMES[m[1]], int(m[2]))
    return None


def _in_years(year: float) -> bool:
    return YEAR_RANGE[0] <= year <= YEAR_RANGE[1]


def date_order(cells: Cells) -> Literal["dmy", "mdy"] | None:
    """Whether ``a/b/yyyy`` strings are day first or month first.

        >>> date_order(["01/09/2026", "13/09/2026"])
        'dmy'

    ``a > 12`` votes dmy, ``b > 12`` votes mdy (``-`` and ``.`` separators
    too); the majority wins; None when nothing settles it.
    """
    _, _, _, strings, _ = _split(cells)
    if not strings:
        return None
    codes, uniques = _factorize(strings)
    counts = np.bincount(codes, minlength=len(uniques))
    votes = {"dmy": 0, "mdy": 0}
    for text, count in zip(uniques, counts, strict=False):
        if m := _DATE_ORDER.match(text):
            first, second = int(m[1]), int(m[2])
            if first > 12 >= second:
                votes["dmy"] += int(count)
            elif second > 12 >= first:
                votes["mdy"] += int(count)
    if votes["dmy"] == votes["mdy"]:
        return None
    return "dmy" if votes["dmy"] > votes["mdy"] else "mdy"


def _days(values: Sequence[date | None]) -> np.ndarray:
    """Dates or datetimes → datetime64[D], time dropped (None → NaT)."""
    nat = np.iinfo(np.int64).min
    ordinals = np.fromiter(
        (nat if d is None else d.toordinal() - _EPOCH_ORDINAL for d in values),
        dtype=np.int64,
        count=len(values),
    )
    return ordinals.view("datetime64[D]")


def _serial_to_days(serials: np.ndarray, date1904: bool) -> tuple[np.ndarray, np.ndarray]:
    """Excel serials → datetime64[D] and a mask of impossible serials.

    1900 system: 1 = 1900-01-01, 60 = the 29 February 1900 Excel pretends
    existed (bad), 61 = 1900-03-01. 1904 system: 0 = 1904-01-01.
    """
    whole = np.floor(serials)
    if date1904:
        ok = (whole >= 0) & (whole <= EXCEL_MAX_SERIAL - 1462)
        base = np.datetime64("1904-01-01", "D")
        offset = whole
    else:
        ok = (whole >= 1) & (whole <= EXCEL_MAX_SERIAL) & (whole != 60)
        base = np.datetime64("1899-12-31", "D")
        offset = np.where(whole > 60, whole - 1, whole)
    days = np.full(len(serials), _NAT)
    days[ok] = base + offset[ok].astype(np.int64)
    return days, ~ok


def _compact_to_days(numbers: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``20260501`` → 2026-05-01 (bad when not a real date)."""
    ints = numbers.astype(np.int64)
    years, months, day = ints // 10000, ints // 100 % 100, ints % 100
    text = [f"{y:04d}-{m:02d}-{d:02d}" for y, m, d in zip(years, months, day, strict=False)]
    days = pd.to_datetime(pd.Series(text, dtype=object), format="%Y-%m-%d", errors="coerce")
    days = days.to_numpy(dtype="datetime64[ns]").astype("datetime64[D]")
    bad = np.isnat(days) | (numbers != ints)
    return np.where(bad, _NAT, days), bad


def _numbers_to_days(numbers: np.ndarray, date1904: bool) -> tuple[np.ndarray, np.ndarray]:
    """Numbers are YYYYMMDD (``20260501``) from 19000101 up, else Excel serials."""
    days = np.full(len(numbers), _NAT)
    bad = np.zeros(len(numbers), dtype=bool)
    compact = numbers >= 1e7
    if compact.any():
        days[compact], bad[compact] = _compact_to_days(numbers[compact])
    if (~compact).any():
        days[~compact], bad[~compact] = _serial_to_days(numbers[~compact], date1904)
    bad[np.isnan(numbers)] = False
    return days, bad


def _date_column(cells: list) -> np.ndarray | None:
    """The column as datetime64[D] when every cell is already a date, else None."""
    kinds = set(map(type, cells))
    if kinds and all(issubclass(k, date) for k in kinds):
        return _days(cells)
    return None


def parse_dates(
    cells: Cells, order: str = "dmy", date1904: bool = False
) -> tuple[np.ndarray, np.ndarray]:
    """Read a column as datetime64[D] dates (NaT when missing) and a bad mask.

        >>> days, bad = parse_dates(["01/09/2026", 46266, "20260901", "1er sept. 2026"])
        >>> days.tolist() == [date(2026, 9, 1)] * 4, bool(bad.any())
        (True, False)

    Accepts date and datetime cells (time dropped), Excel serial numbers,
    ``YYYYMMDD`` numbers or strings, ISO strings (with a time or a zone:
    the date as written is kept), ``dd/mm/yyyy`` or ``mm/dd/yyyy`` per
    ``order`` (``-`` and ``.`` too, 2-digit years as 20yy before 70), and
    long forms in French or English (``1er juin 2026``, ``Sep 1, 2026``).
    """
    days, bad, _, _ = _read_dates(cells, order, date1904)
    return days, bad


def _read_dates(
    cells: Cells, order: str, date1904: bool
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """``parse_dates`` plus the positions and values of the number cells."""
    if order not in ("dmy", "mdy"):
        raise ValueError(f"order must be 'dmy' or 'mdy', not {order!r}")
    no_numbers = np.array([], dtype=np.int64), np.array([])
    if isinstance(cells, np.ndarray) and cells.dtype.kind == "M":
        return cells.astype("datetime64[D]"), np.zeros(len(cells), dtype=bool), *no_numbers
    cells = list(cells)
    fast = _date_column(cells)
    if fast is not None:
        return fast, np.zeros(len(cells), dtype=bool), *no_numbers
    numbers = _numeric_column(cells)
    if numbers is not None:
        return *_numbers_to_days(numbers, date1904), np.arange(len(cells)), numbers
    days = np.full(len(cells), _NAT)
    bad = np.zeros(len(cells), dtype=bool)
    cells, num_idx, other, strings, str_idx = _split(cells)
    numbers = np.array([cells[i] for i in num_idx], dtype=np.float64)
    if len(num_idx):
        days[num_idx], bad[num_idx] = _numbers_to_days(numbers, date1904)
    dated = [i for i in other if isinstance(cells[i], date)]
    if dated:
        days[dated] = _days([cells[i] for i in dated])
    for i in other:
        if not isinstance(cells[i], date):
            bad[i] = not is_missing(cells[i])
    if strings:
        codes, uniques = _factorize(strings)
        parsed = [_date_from_text(text, order) for text in uniques]
        unknown = np.array(
            [d is None and not is_missing(t) for d, t in zip(parsed, uniques, strict=False)], dtype=bool
        )
        where = np.array(str_idx, dtype=np.int64)
        days[where] = _days(parsed)[codes]
        bad[where] = unknown[codes]
    return days, bad, num_idx, numbers


# --- periods ------------------------------------------------------------------


class Periods(NamedTuple):
    """Parsed periods, one entry per cell: inclusive ``start``..``end``.

        >>> p = parse_periods(["T3 2026"])
        >>> str(p.start[0]), str(p.end[0]), p.grain[0]
        ('2026-07-01', '2026-09-30', 'quarter')
    """

    start: np.ndarray  # datetime64[D], NaT when missing or bad
    end: np.ndarray  # datetime64[D], inclusive
    grain: np.ndarray  # object: "day" "week" "month" "quarter" "year" or None
    bad: np.ndarray  # bool


_MONTH_ISO = re.compile(r"(\d{4})[-/.](\d{1,2})")
_MONTH_NUMERIC = re.compile(r"(\d{1,2})[-/.](\d{4})")
_MONTH_NAMED = re.compile(r"([a-z]+)\.?[\s\-/']+(\d{4}|\d{2})")
_QUARTER = re.compile(r"(?:q|t|trim\.?|trimestre)\s*([1-4])[\s\-/]*(\d{4})")
_QUARTER_YEAR_FIRST = re.compile(r"(\d{4})[\s\-/]*(?:q|t)([1-4])")
_ISO_WEEK = re.compile(r"(\d{4})-?w(\d{1,2})(?:-?([1-7]))?")
_WEEK = re.compile(r"(?:s|w|sem\.?|semaine|week|wk)\s*(\d{1,2})[\s\-/]+(\d{4})")
_WEEK_YEAR_FIRST = re.compile(r"(\d{4})[\s\-/]+(?:s|w|sem\.?|semaine|week|wk)\s*(\d{1,2})")
_YEAR = re.compile(r"(?:annee|year|an)?\s*(\d{4})")


def _period(start: date, grain: str) -> tuple[date, date, str]:
    """The period of ``grain`` containing ``start``."""
    if grain == "day":
        return start, start, grain
    if grain == "week":
        monday = start - timedelta(days=start.weekday())
        return monday, monday + timedelta(days=6), grain
    if grain == "year":
        return date(start.year, 1, 1), date(start.year, 12, 31), grain
    months = 3 if grain == "quarter" else 1
    first_month = start.month - (start.month - 1) % months
    first = date(start.year, first_month, 1)
    following = date(first.year + (first_month + months - 1) // 12, (first_month + months - 1) % 12 + 1, 1)
    return first, following - timedelta(days=1), grain


def _week(year: int, week: int) -> date | None:
    try:
        return date.fromisocalendar(year, week, 1)
    except ValueError:
        return None


def _period_from_text(text: str, order: str) -> tuple[date, date, str] | None:
    """One period string, or None: ``"S37 2026"`` → the ISO week 37 of 2026."""
    if (day := _date_from_text(text, order)) is not None:
        return day, day, "day"
    folded = _fold(text)
    if m := _MONTH_ISO.fullmatch(folded) or _MONTH_NUMERIC.fullmatch(folded):
        year, month = (int(m[1]), int(m[2])) if len(m[1]) == 4 else (int(m[2]), int(m[1]))
        return _period(date(year, month, 1), "month") if 1 <= month <= 12 else None
    if (m := _MONTH_NAMED.fullmatch(folded)) and m[1] in MONTH_NAMES:
        return _period(date(_year(m[2]), MONTH_NAMES[m[1]], 1), "month")
    if m := _QUARTER.fullmatch(folded):
        return _period(date(int(m[2]), 3 * int(m[1]) - 2, 1), "quarter")
    if m := _QUARTER_YEAR_FIRST.fullmatch(folded):
        return _period(date(int(m[1]), 3 * int(m[2]) - 2, 1), "quarter")
    if m := _ISO_WEEK.fullmatch(folded):
        monday = _week(int(m[1]), int(m[2]))
        if monday is None:
            return None
        if m[3]:
            day = monday + timedelta(days=int(m[3]) - 1)
            return day, day, "day"
        return _period(monday, "week")
    if m := _WEEK.fullmatch(folded) or _WEEK_YEAR_FIRST.fullmatch(folded):
        year, week = (int(m[1]), int(m[2])) if len(m[1]) == 4 else (int(m[2]), int(m[1]))
        monday = _week(year, week)
        return None if monday is None else _period(monday, "week")
    if (m := _YEAR.fullmatch(folded)) and _in_years(int(m[1])):
        return _period(date(int(m[1]), 1, 1), "year")
    return None


def _widen(days: np.ndarray, grain: str) -> tuple[np.ndarray, np.ndarray]:
    """datetime64[D] days → start and inclusive end of the ``grain`` containing each."""
    if grain == "day":
        return days.copy(), days.copy()
    if grain == "week":
        since_epoch = days.astype(np.int64)
        start = days - ((since_epoch + 3) % 7)  # 1970-01-01 was a Thursday
        return start, start + 6
    unit = {"month": "M", "quarter": "M", "year": "Y"}[grain]
    coarse = days.astype(f"datetime64[{unit}]")
    step = 1
    if grain == "quarter":
        months = coarse.astype(np.int64)
        coarse = (months - months % 3).astype("datetime64[M]")
        step = 3
    start = coarse.astype("datetime64[D]")
    end = (coarse + step).astype("datetime64[D]") - 1
    nat = np.isnat(days)
    return np.where(nat, _NAT, start), np.where(nat, _NAT, end)


def _is_year_column(numbers: np.ndarray, grain: str | None) -> bool:
    known = numbers[~np.isnan(numbers)]
    if grain == "year":
        return True
    return (
        grain is None
        and len(known) > 0
        and bool(np.all((known == np.floor(known)) & (known >= YEAR_RANGE[0]) & (known <= YEAR_RANGE[1])))
    )


def parse_periods(
    cells: Cells, order: str = "dmy", grain: str | None = None, date1904: bool = False
) -> Periods:
    """Read a column of dates, weeks, months, quarters or years as periods.

        >>> p = parse_periods(["sept. 2026", "2026-W37", "Q3 2026", "2026", "01/09/2026"])
        >>> p.grain.tolist()
        ['month', 'week', 'quarter', 'year', 'day']

    Accepts everything ``parse_dates`` does (a day, or with ``grain`` the
    week/month/quarter/year containing it), plus months (``2026-09``,
    ``09/2026``, ``Septembre 2026``, ``janv. 2026``, ``Sep-26``), quarters
    (``T3 2026``, ``Q3-2026``, ``2026-Q3``), ISO weeks (``2026-W37``,
    ``S37 2026``, ``W37-2026``; ``2026-W37-1`` is that Monday) and years
    (``2026``). Periods coarser than a day keep their own grain.

    Numbers: an integer 1900–2100 is a year when ``grain == "year"``, or
    when ``grain`` is None and every number of the column is such an integer
    (a column of Excel serials never is: 1900–2100 are dates in 1905); any
    other number is a date (Excel serial, or ``YYYYMMDD``).
    """
    if grain is not None and grain not in GRAINS:
        raise ValueError(f"grain must be one of {GRAINS} or None, not {grain!r}")
    day_grain = grain or "day"
    cells = list(cells)
    days, bad, num_idx, numbers = _read_dates(cells, order, date1904)
    start, end = _widen(days, day_grain)
    grains = np.where(np.isnat(days), np.array(None, dtype=object), day_grain).astype(object)

    if len(numbers) and _is_year_column(numbers, grain):
        is_year = (numbers == np.floor(numbers)) & _in_years_array(numbers)
        rows = num_idx[is_year]
        year_days = numbers[is_year].astype(np.int64).astype(str).astype("datetime64[D]")
        start[rows], end[rows] = _widen(year_days, "year")
        grains[rows] = "year"
        bad[rows] = False

    # Strings that are not dates may be weeks, months, quarters or years.
    retry = [i for i in np.flatnonzero(bad) if isinstance(cells[i], str)]
    if retry:
        codes, uniques = _factorize([str(cells[i]) for i in retry])
        found = [_period_from_text(text, order) for text in uniques]
        found = [_period(f[0], day_grain) if f and f[2] == "day" else f for f in found]
        ok = np.array([f is not None for f in found], dtype=bool)[codes]
        rows = np.array(retry, dtype=np.int64)[ok]
        codes = codes[ok]
        start[rows] = _days([f[0] if f else None for f in found])[codes]
        end[rows] = _days([f[1] if f else None for f in found])[codes]
        grains[rows] = np.array([f[2] if f else None for f in found], dtype=object)[codes]
        bad[rows] = False
    return Periods(start, end, grains, bad)


def _in_years_array(values: np.ndarray) -> np.ndarray:
    return (values >= YEAR_RANGE[0]) & (values <= YEAR_RANGE[1])


def infer_grain(starts: np.ndarray) -> str:
    """The grain a column of period starts suggests.

        >>> infer_grain(np.array(["2026-01-01", "2026-02-01", "2026-04-01"], dtype="datetime64[D]"))
        'month'

    All first-of-month → "month" ("quarter" when all in Jan/Apr/Jul/Oct and
    3-month steps, "year" when all on 1 January); all Mondays 7·k days
    apart → "week"; otherwise, or with a single distinct date, "day".
    """
    days = np.unique(np.asarray(starts, dtype="datetime64[D]"))
    days = days[~np.isnat(days)]
    if len(days) < 2:
        return "day"
    months = days.astype("datetime64[M]")
    if np.all(months.astype("datetime64[D]") == days):
        index = months.astype(np.int64)  # months since 1970-01
        steps = np.diff(index)
        if np.all(index % 12 == 0):
            return "year"
        if np.all(index % 3 == 0) and np.all(steps % 3 == 0):
            return "quarter"
        return "month"
    since_epoch = days.astype(np.int64)
    if np.all((since_epoch + 3) % 7 == 0) and np.all(np.diff(since_epoch) % 7 == 0):
        return "week"
    return "day"


_HEADER_GRAINS = {
    "day": ("jour", "jours", "day", "days", "daily", "quotidien", "journalier"),
    "week": ("semaine", "semaines", "sem", "week", "weeks", "weekly", "hebdomadaire", "wk"),
    "month": ("mois", "month", "months", "monthly", "mensuel"),
    "quarter": ("trimestre", "trimestres", "trim", "quarter", "quarters", "quarterly", "qtr"),
    "year": ("annee", "annees", "an", "ans", "year", "years", "yearly", "annual", "exercice"),
}
_HEADER_WORDS = {word: grain for grain, words in _HEADER_GRAINS.items() for word in words}


def header_grain(header: str) -> str | None:
    """The grain a column header names, if any (case and accents ignored).

        >>> header_grain("Année"), header_grain("Sem."), header_grain("Période")
        ('year', 'week', None)
    """
    for word in re.findall(r"[a-z]+", _fold(str(header))):
        if word in _HEADER_WORDS:
            return _HEADER_WORDS[word]
    return None
