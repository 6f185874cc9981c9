"""The organisation's own KPIs: a definition, its checks, and the catalog entry it becomes.

    >>> d = Definition("town_halls", "Réunions plénières", "Town halls", "Réunions de tout le personnel.",
    ...                "All-staff meetings.", segments=("B2E",), aggregation="flow", synonyms=("plenieres",))
    >>> validate(d).kpi().formula is None
    True
    >>> validate(replace(d, code="Plénières!"))  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    kpis.errors.DefinitionError: Code 'Plénières!': lowercase letters, digits and _ only, starting with a letter ...
    >>> validate(replace(d, code="tickets"))  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    kpis.errors.DefinitionError: The code 'tickets' is already a recognised name (helpdesk_tickets): choose another...

A definition is kept in the store (``Store.add_kpi``, ``edit_kpi``, ``remove_kpi``) and installed into the
catalog (``kpis.catalog.install``) so that ingestion, metrics, targets, pages, exports and the command line
treat it like a built-in KPI. ``validate`` checks it against the KPIs known now (the built-in ones and the
organisation's others) and raises ``DefinitionError`` with every problem, French and English. ``changes``
says what an edit changed, for the store's history.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, fields, replace
from typing import Any

from kpis import catalog
from kpis.catalog import FUNNEL, KPIS, Kpi, fold
from kpis.errors import DefinitionError
from kpis.model import EXTERNAL_SEGMENTS, INTERNAL_SEGMENTS, SEGMENTS

__all__ = ["Definition", "KINDS", "UNITS", "validate", "changes", "guess", "FIELDS", "WORLDS", "segments_of_world"]

KINDS = ("flow", "stock", "distinct", "ratio", "score")
UNITS = {"flow": ("count", "€"), "stock": ("count", "€"), "distinct": ("count",),
         "ratio": ("%", "×", "€", "count"), "score": ("score",)}
"""The units each kind may take: a base KPI counts things or euros; a ratio is a rate, a multiple or an
amount per unit; a score is a score."""
WORLDS = {"external": EXTERNAL_SEGMENTS, "internal": INTERNAL_SEGMENTS, "both": SEGMENTS}
CODE = re.compile(r"^[a-z][a-z0-9_]{1,39}$")
MAX_LABEL = 80
MAX_DEFINITION = 400
MAX_SYNONYMS = 30


@dataclass(frozen=True)
class Definition:
    """One of the organisation's KPIs as a person declares it (French first, then English).

    ``numerator`` and ``denominator`` name the components of a ratio or score, ``minus`` a component
    subtracted from the numerator (a score's detractors); ``stage`` a ``catalog.FUNNEL`` stage, ``twin`` the
    KPI that plays the same role in the other world (Côte à côte).
    """

    code: str
    label_fr: str
    label_en: str
    definition_fr: str
    definition_en: str
    segments: tuple[str, ...]
    aggregation: str
    unit: str = "count"
    direction: int = 1
    synonyms: tuple[str, ...] = ()
    numerator: str | None = None
    minus: str | None = None
    denominator: str | None = None
    stage: str | None = None
    twin: str | None = None

    def kpi(self) -> Kpi:
        """The catalog entry (``Kpi``) of this definition."""
        terms = tuple((s, c) for s, c in ((1, self.numerator), (-1, self.minus)) if c)
        return Kpi(self.code, self.label_fr, self.label_en, self.definition_fr, self.definition_en, self.unit,
                   self.aggregation, tuple(self.segments), tuple(self.synonyms), self.direction, terms,
                   self.denominator, 100.0 if self.aggregation == "score" else 1.0, custom=True, stage=self.stage,
                   twin=self.twin)

    def record(self) -> dict:
        """The definition as the store keeps it (lists as tuples become lists)."""
        out = asdict(self)
        out["segments"] = list(self.segments)
        out["synonyms"] = list(self.synonyms)
        return out

    @classmethod
    def from_record(cls, record: dict) -> Definition:
        values: dict[str, Any] = {f.name: (tuple(record[f.name]) if f.name in ("segments", "synonyms")
                                           else record[f.name]) for f in fields(cls) if f.name in record}
        return cls(**values)


FIELDS = tuple(f.name for f in fields(Definition))


def segments_of_world(world: str) -> tuple[str, ...]:
    """``"internal"`` → ``('B2E',)``; a segment list such as ``"B2C,B2B"`` is taken as it is."""
    if world in WORLDS:
        return WORLDS[world]
    return tuple(s.strip().upper() for s in world.split(",") if s.strip())


def _world(segments) -> str | None:
    s = set(segments)
    return "internal" if s <= set(INTERNAL_SEGMENTS) else "external" if s <= set(EXTERNAL_SEGMENTS) else None


def validate(d: Definition, *, new: bool = True) -> Definition:
    """``d`` cleaned (labels and synonyms stripped, synonyms deduplicated), or ``DefinitionError`` listing every
    problem. ``new``: the code must not exist yet (an edit keeps its code)."""
    d = replace(d, code=d.code.strip(), label_fr=d.label_fr.strip(), label_en=d.label_en.strip(),
                definition_fr=d.definition_fr.strip(), definition_en=d.definition_en.strip(),
                segments=tuple(dict.fromkeys(s.strip().upper() for s in d.segments)),
                synonyms=tuple(dict.fromkeys(s.strip() for s in d.synonyms if s.strip())),
                numerator=(d.numerator or "").strip() or None, minus=(d.minus or "").strip() or None,
                denominator=(d.denominator or "").strip() or None, stage=(d.stage or "").strip() or None,
                twin=(d.twin or "").strip() or None)
    fr: list[str] = []
    en: list[str] = []

    def bad(message_fr: str, message_en: str) -> None:
        fr.append(message_fr)
        en.append(message_en)

    if not CODE.match(d.code):
        bad(f"Code {d.code!r} : lettres minuscules, chiffres et _ seulement, commençant par une lettre "
            "(2 à 40 caractères), p. ex. tickets_assistance.",
            f"Code {d.code!r}: lowercase letters, digits and _ only, starting with a letter (2 to 40 characters), "
            "e.g. helpdesk_tickets.")
    elif d.code in catalog.BUILTIN_KPIS or d.code.startswith("funnel_"):
        bad(f"Le code {d.code!r} est celui d'un indicateur intégré : choisissez-en un autre.",
            f"The code {d.code!r} belongs to a built-in KPI: choose another one.")
    elif catalog.builtin_meaning(d.code) is not None:
        bad(f"Le code {d.code!r} est déjà un nom reconnu ({catalog.builtin_meaning(d.code)}) : choisissez-en un "
            "autre.", f"The code {d.code!r} is already a recognised name ({catalog.builtin_meaning(d.code)}): "
            "choose another one.")
    elif new and d.code in KPIS:
        bad(f"L'indicateur {d.code!r} existe déjà : modifiez-le plutôt.",
            f"The KPI {d.code!r} already exists: edit it instead.")
    for name, text, limit in (("libellé français", d.label_fr, MAX_LABEL), ("libellé anglais", d.label_en, MAX_LABEL),
                              ("définition française", d.definition_fr, MAX_DEFINITION),
                              ("définition anglaise", d.definition_en, MAX_DEFINITION)):
        name_en = {"libellé français": "French label", "libellé anglais": "English label",
                   "définition française": "French definition", "définition anglaise": "English definition"}[name]
        if not text:
            bad(f"Le {name} est obligatoire." if name.startswith("libellé") else f"La {name} est obligatoire.",
                f"The {name_en} is required.")
        elif len(text) > limit:
            bad(f"{name.capitalize()} : {limit} caractères au plus.", f"{name_en}: {limit} characters at most.")
    others = {fold(k.label_fr): c for c, k in KPIS.items() if c != d.code} | {
        fold(k.label_en): c for c, k in KPIS.items() if c != d.code}
    for label in (d.label_fr, d.label_en):
        if label and fold(label) in others:
            bad(f"Le libellé {label!r} est déjà celui de l'indicateur {others[fold(label)]!r}.",
                f"The label {label!r} is already the label of the KPI {others[fold(label)]!r}.")
    if not d.segments or not set(d.segments) <= set(SEGMENTS):
        bad(f"Segments {','.join(d.segments) or '(aucun)'} : choisissez parmi B2C, B2B et B2E.",
            f"Segments {','.join(d.segments) or '(none)'}: choose among B2C, B2B and B2E.")
    if d.aggregation not in KINDS:
        bad(f"Nature {d.aggregation!r} inconnue : flux, stock, comptage distinct, ratio ou score.",
            f"Unknown kind {d.aggregation!r}: flow, stock, distinct, ratio or score.")
    elif d.unit not in UNITS[d.aggregation]:
        bad(f"Unité {d.unit!r} impossible pour cette nature : {', '.join(UNITS[d.aggregation])}.",
            f"Unit {d.unit!r} does not fit this kind: {', '.join(UNITS[d.aggregation])}.")
    if d.direction not in (1, -1):
        bad("Sens : 1 (plus haut est mieux) ou -1 (plus bas est mieux).",
            "Direction: 1 (higher is better) or -1 (lower is better).")
    _check_synonyms(d, bad)
    _check_components(d, bad)
    if d.stage is not None and d.stage not in {s.code for s in FUNNEL}:
        bad(f"Étape {d.stage!r} inconnue : {', '.join(s.code for s in FUNNEL)}.",
            f"Unknown stage {d.stage!r}: {', '.join(s.code for s in FUNNEL)}.")
    if d.twin is not None:
        twin = KPIS.get(d.twin)
        mine, theirs = _world(d.segments), _world(twin.segments) if twin else None
        if twin is None or d.twin == d.code:
            bad(f"Jumeau {d.twin!r} : aucun autre indicateur n'a ce code.",
                f"Twin {d.twin!r}: no other KPI has that code.")
        elif mine is None or theirs is None or mine == theirs:
            bad(f"Le jumeau {d.twin!r} doit appartenir à l'autre monde (externe B2C/B2B ↔ interne B2E).",
                f"The twin {d.twin!r} must belong to the other world (external B2C/B2B ↔ internal B2E).")
        elif twin.aggregation != d.aggregation:
            bad(f"Le jumeau {d.twin!r} doit être de la même nature ({twin.aggregation} ≠ {d.aggregation}).",
                f"The twin {d.twin!r} must be of the same kind ({twin.aggregation} ≠ {d.aggregation}).")
    if fr:
        raise DefinitionError(" ".join(fr), " ".join(en))
    return d


def _check_synonyms(d: Definition, bad) -> None:
    if len(d.synonyms) > MAX_SYNONYMS:
        bad(f"{MAX_SYNONYMS} synonymes au plus.", f"{MAX_SYNONYMS} synonyms at most.")
    if d.synonyms and d.aggregation in ("ratio", "score"):
        bad("Un ratio ou un score n'a pas de synonyme d'en-tête : il n'est jamais importé, il est recalculé à "
            "partir de ses composantes.",
            "A ratio or a score has no header synonyms: it is never imported, it is recomputed from its "
            "components.")
        return
    taken = {fold(s): c for c, k in KPIS.items() if k.custom and c != d.code for s in (c, *k.synonyms)}
    for synonym in d.synonyms:
        folded = fold(synonym)
        meaning = catalog.builtin_meaning(synonym)
        if not folded:
            bad(f"Synonyme {synonym!r} vide une fois la ponctuation retirée.",
                f"Synonym {synonym!r} is empty once punctuation is removed.")
        elif meaning is not None:
            bad(f"Le synonyme {synonym!r} est déjà un nom reconnu ({meaning}) : un fichier qui l'emploie serait "
                "ambigu.", f"The synonym {synonym!r} is already a recognised name ({meaning}): a file using it "
                "would be ambiguous.")
        elif folded in taken:
            bad(f"Le synonyme {synonym!r} est déjà celui de l'indicateur {taken[folded]!r}.",
                f"The synonym {synonym!r} already belongs to the KPI {taken[folded]!r}.")


def _check_components(d: Definition, bad) -> None:
    derived = d.aggregation in ("ratio", "score")
    named = [(role, code) for role, code in (("numérateur", d.numerator), ("soustrait", d.minus),
                                             ("dénominateur", d.denominator)) if code]
    if not derived:
        if named:
            bad("Seul un ratio ou un score a un numérateur et un dénominateur.",
                "Only a ratio or a score has a numerator and a denominator.")
        return
    if not d.numerator or not d.denominator:
        bad("Un ratio ou un score demande un numérateur et un dénominateur parmi les indicateurs existants.",
            "A ratio or a score needs a numerator and a denominator among the existing KPIs.")
    if d.aggregation == "score" and not d.minus:
        bad("Un score demande aussi la composante soustraite (les détracteurs).",
            "A score also needs the subtracted component (the detractors).")
    roles_en = {"numérateur": "numerator", "soustrait": "subtracted component", "dénominateur": "denominator"}
    for role, code in named:
        kpi = KPIS.get(code)
        if kpi is None:
            bad(f"Le {role} {code!r} n'existe pas : créez d'abord cet indicateur.",
                f"The {roles_en[role]} {code!r} does not exist: create that KPI first.")
        elif not kpi.base:
            bad(f"Le {role} {code!r} est lui-même un ratio ou un score : choisissez un indicateur de base "
                "(flux, stock ou comptage distinct).",
                f"The {roles_en[role]} {code!r} is itself a ratio or a score: choose a base KPI (flow, stock or "
                "distinct count).")
        elif d.segments and not set(d.segments) <= set(kpi.segments):
            bad(f"Le {role} {code!r} n'existe pas pour {', '.join(sorted(set(d.segments) - set(kpi.segments)))}.",
                f"The {roles_en[role]} {code!r} does not exist for "
                f"{', '.join(sorted(set(d.segments) - set(kpi.segments)))}.")
    if d.numerator and d.numerator == d.denominator:
        bad("Le numérateur et le dénominateur doivent être différents.",
            "The numerator and the denominator must differ.")


def changes(before: Definition, after: Definition) -> dict[str, list]:
    """What an edit changed: field -> [before, after].

        >>> a = Definition("x1", "X", "X", "x", "x", ("B2E",), "flow")
        >>> changes(a, replace(a, unit="€", synonyms=("x un",)))
        {'unit': ['count', '€'], 'synonyms': [[], ['x un']]}
    """
    old, new = before.record(), after.record()
    return {f: [old[f], new[f]] for f in FIELDS if old[f] != new[f]}


def guess(header: str, profile: str | None = None, segment: str | None = None) -> tuple[Definition, str | None]:
    """A definition pre-filled from a column not understood: its header gives the code, labels and synonym,
    the profile of its values (``kpis.ingest.columns.value_profile``) the unit, the file's segment (when known)
    its world. Returns it with a note:
    ``"ratio"`` when the values look like a rate (a ratio needs its components, so the kind stays a flow until
    the person chooses them), else ``None``.

        >>> d, note = guess("Tickets ouverts", "integers", "B2E")
        >>> d.code, d.aggregation, d.unit, d.segments, d.synonyms, note
        ('tickets_ouverts', 'flow', 'count', ('B2E',), ('Tickets ouverts',), None)
        >>> guess("Budget formation (€)", "euros")[0].unit, guess("Taux de complétion", "fractions")[1]
        ('€', 'ratio')
    """
    folded = fold(header)
    code = re.sub(r"[^a-z0-9]+", "_", folded).strip("_")[:40].strip("_") or "kpi"
    if not code[0].isalpha() or len(code) < 2:
        code = f"kpi_{code}"[:40]
    label = " ".join(str(header).split())[:MAX_LABEL]
    euro = profile == "euros" or "€" in str(header) or "eur" in folded.split()
    note = "ratio" if profile in ("percent", "fractions") or "%" in str(header) else None
    segments = (segment,) if segment in SEGMENTS else SEGMENTS  # the file's segment, else both worlds to narrow
    return Definition(code, label, label, label, label, segments, "flow", "€" if euro else "count",
                      synonyms=(label,) if label else ()), note
