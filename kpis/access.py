"""Who may see and change what: grants resolved into rights, and a store that enforces them.

    >>> grants = [Grant("viewer", ("B2E",), email="ines@groupe.fr"),
    ...           Grant("editor", ("B2C", "B2B"), group="Marketing")]
    >>> rights = resolve(Identity("ines@groupe.fr", "Inès", ("Marketing",)), grants, admins=())
    >>> rights.readable, rights.editable
    (('B2C', 'B2B', 'B2E'), ('B2C', 'B2B'))
    >>> resolve(Identity("bob@groupe.fr", "Bob"), grants, admins=()) is None   # no grant: no access
    True

Three roles, each within the segments (and optionally the entities) of its
grant: ``viewer`` reads and downloads; ``editor`` also imports, deletes
batches and edits targets; ``admin`` does everything, access included. A
grant names an e-mail address or a group claim of the identity token, so
people are managed where IT manages them. The administrators named by the
``admins`` setting have every right whatever the store says, so the first
one can grant the others.

``ScopedStore`` wraps a ``kpis.store.Store`` for one person's ``Rights``:
every read is cut to the segments they may read (a viewer of B2E never
receives a B2C number, from any page or function built on the store) and
every write outside their rights raises ``AccessDenied`` before the store
is touched. Local mode (no sign-in) uses ``LOCAL``: every right.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace

import pandas as pd

from kpis.errors import KpiError
from kpis.model import SEGMENTS, Filter

__all__ = ["ROLES", "Grant", "Identity", "Rights", "LOCAL", "AccessDenied", "resolve", "ScopedStore"]

ROLES = ("viewer", "editor", "admin")
"""From the fewest rights to the most; each includes the ones before it."""


class AccessDenied(KpiError):
    """The signed-in person may not do this (a segment not granted, a role too low)."""


@dataclass(frozen=True)
class Grant:
    """A role over segments (and optionally entities), given to an e-mail address or to a group claim."""

    role: str
    segments: tuple[str, ...]
    entities: tuple[str, ...] = ()  # empty: every entity of the segments
    email: str | None = None
    group: str | None = None

    def __post_init__(self) -> None:
        if self.role not in ROLES:
            raise AccessDenied(f"Rôle inconnu : {self.role} (viewer, editor ou admin).",
                               f"Unknown role: {self.role} (viewer, editor or admin).")
        if not self.segments or set(self.segments) - set(SEGMENTS):
            raise AccessDenied("Un droit porte sur un ou plusieurs segments parmi B2C, B2B, B2E.",
                               "A grant covers one or more segments among B2C, B2B, B2E.")
        if (self.email is None) == (self.group is None):
            raise AccessDenied("Un droit est donné à une adresse e-mail ou à un groupe, pas aux deux.",
                               "A grant goes to an e-mail address or to a group, not both.")

    def applies_to(self, identity: Identity) -> bool:
        if self.email is not None:
            return identity.email is not None and self.email.strip().lower() == identity.email.strip().lower()
        return self.group in identity.groups


@dataclass(frozen=True)
class Identity:
    """The signed-in person as the identity token says: e-mail, display name, group claims."""

    email: str | None
    name: str | None = None
    groups: tuple[str, ...] = ()

    @property
    def label(self) -> str:
        """How the logs name this person: the e-mail address, else the name."""
        return self.email or self.name or "?"


@dataclass(frozen=True)
class Rights:
    """What one person may do: read some segments, edit some, administer access or not."""

    who: str
    readable: tuple[str, ...]
    editable: tuple[str, ...] = ()
    admin: bool = False
    entities: tuple[str, ...] = ()  # empty: every entity; else only these

    @property
    def role(self) -> str:
        return "admin" if self.admin else "editor" if self.editable else "viewer"

    @property
    def everything(self) -> bool:
        """Every segment readable, no entity restriction: nothing is cut from what the store returns."""
        return set(self.readable) == set(SEGMENTS) and not self.entities

    def scope(self, flt: Filter | None) -> Filter:
        """``flt`` cut to what may be read: its segments intersected with the readable ones (none asked: all
        readable), its entities with the granted ones."""
        flt = flt or Filter()
        asked = flt.segments or SEGMENTS
        segments = tuple(s for s in SEGMENTS if s in asked and s in self.readable)
        entities = flt.entities
        if self.entities:
            entities = tuple(e for e in (flt.entities or self.entities) if e in self.entities)
        return replace(flt, segments=segments or ("—",), entities=entities)

    def require_edit(self, segments: Iterable[str], action_fr: str, action_en: str) -> None:
        """Raise ``AccessDenied`` unless every segment of ``segments`` may be edited."""
        outside = sorted(set(segments) - set(self.editable), key=_segment_order)
        if outside:
            granted = ", ".join(self.editable)
            raise AccessDenied(
                f"{action_fr} : refusé, vos droits de modification ne couvrent pas {', '.join(outside)}"
                + (f" (seulement {granted})." if granted else " (lecture seule)."),
                f"{action_en}: refused, your editing rights do not cover {', '.join(outside)}"
                + (f" (only {granted})." if granted else " (read only)."))

    def require_admin(self, action_fr: str, action_en: str) -> None:
        if not self.admin:
            raise AccessDenied(f"{action_fr} : réservé aux administrateurs.",
                               f"{action_en}: for administrators only.")


LOCAL = Rights("local", SEGMENTS, SEGMENTS, admin=True)
"""Local mode: one person at this machine, every right."""


def _segment_order(segment: str) -> int:
    return SEGMENTS.index(segment) if segment in SEGMENTS else len(SEGMENTS)


def resolve(identity: Identity, grants: Sequence[Grant], admins: Sequence[str]) -> Rights | None:
    """The rights of ``identity``: the union of the grants that name it (by e-mail or group), every right for
    an address of ``admins``; None when nothing names it (the page then says whom to ask).

        >>> resolve(Identity("cdo@groupe.fr"), [], admins=("CDO@groupe.fr",)).role
        'admin'
    """
    who = identity.label
    if identity.email and identity.email.strip().lower() in {a.strip().lower() for a in admins}:
        return replace(LOCAL, who=who)
    mine = [g for g in grants if g.applies_to(identity)]
    if not mine:
        return None
    if any(g.role == "admin" for g in mine):
        return replace(LOCAL, who=who)
    readable = {s for g in mine for s in g.segments}
    editable = {s for g in mine if g.role == "editor" for s in g.segments}
    # an entity restriction holds only if every grant has one; a grant without restricts nothing
    entities = () if any(not g.entities for g in mine) else tuple(sorted({e for g in mine for e in g.entities}))
    order = sorted(readable, key=_segment_order)
    return Rights(who, tuple(order), tuple(s for s in order if s in editable), entities=entities)


class ScopedStore:
    """A store seen through one person's rights: reads cut to their segments, writes checked first.

    It offers the ``Store`` methods the pages and ``kpis.metrics`` use; any
    other attribute is refused rather than passed through unchecked.
    """

    def __init__(self, store, rights: Rights):
        self._store = store
        self.rights = rights

    def __repr__(self) -> str:
        return f"ScopedStore({self._store!r}, {self.rights.who}, {self.rights.role})"

    # --- passed through: nothing in them belongs to a segment ---------------------------------
    @property
    def path(self):
        return self._store.path

    def data_version(self) -> str:
        return self._store.data_version()

    def schema_version(self) -> int:
        return self._store.schema_version()

    def remembered_mappings(self):
        return self._store.remembered_mappings()

    # --- reads, cut to the readable segments --------------------------------------------------
    def observations(self, flt: Filter | None = None, current: bool = True) -> pd.DataFrame:
        return self._store.observations(self.rights.scope(flt), current)

    def native_totals(self, flt: Filter | None = None, by: Sequence[str] = (), **kwargs) -> pd.DataFrame:
        return self._store.native_totals(self.rights.scope(flt), by, **kwargs)

    def dimension_values(self, segments: Sequence[str] = ()) -> dict:
        return self._store.dimension_values(self.rights.scope(Filter(segments=tuple(segments))).segments)

    def _segment_rows(self, frame: pd.DataFrame) -> pd.DataFrame:
        if self.rights.everything or "segment" not in frame.columns:
            return frame
        keep = frame["segment"].isin(self.rights.readable)
        if self.rights.entities and "entity" in frame.columns:
            keep &= frame["entity"].isin(self.rights.entities) | frame["entity"].isna() | (frame["entity"] == "")
        return frame[keep].reset_index(drop=True)

    def targets(self) -> pd.DataFrame:
        return self._segment_rows(self._store.targets())

    def reference_origins(self) -> pd.DataFrame:
        return self._segment_rows(self._store.reference_origins())

    def kpi_origins(self) -> pd.DataFrame:
        return self._segment_rows(self._store.kpi_origins())

    def _visible(self, segments: Iterable[str]) -> bool:
        return bool(set(segments) & set(self.rights.readable))

    def batches(self, details: bool = False) -> list[dict]:
        """The batches holding data of a readable segment (a batch of B2C only is not listed to a B2E viewer)."""
        return [b for b in self._store.batches(details) if self.rights.everything or self._visible(b["segments"])]

    def _deleted_segments(self, entry: dict) -> list[str]:
        """The segments a deletion log entry touched: its batch's, from the archive (every segment for an entry
        without a batch, the demo's targets and mappings, or when the archive is gone)."""
        if entry.get("batch_id") is None:
            return list(SEGMENTS)
        archive = self._store.table_rows("deleted_batches")
        rows = archive[archive["id"] == entry["batch_id"]]
        return json.loads(rows["segments"].iloc[-1]) if len(rows) else list(SEGMENTS)

    def deletions(self, *args, **kwargs) -> list[dict]:
        """The deletion log's entries of batches holding a readable segment."""
        entries = self._store.deletions(*args, **kwargs)
        if self.rights.everything:
            return entries
        return [d for d in entries if set(self._deleted_segments(d)) <= set(self.rights.readable)]

    def coverage(self) -> pd.DataFrame:
        return self._segment_rows(self._store.coverage())

    # --- writes, checked before the store is touched ------------------------------------------
    def import_batch(self, *args, observations: pd.DataFrame, **kwargs):
        self.rights.require_edit(observations["segment"].astype(str).unique(), "Import", "Import")
        return self._store.import_batch(*args, observations=observations, **kwargs)

    def overlaps(self, observations: pd.DataFrame, origin: str):
        return self._store.overlaps(observations, origin)

    def _batch_segments(self, batch_id: int) -> list[str]:
        for b in self._store.batches():
            if b["id"] == batch_id:
                return b["segments"]
        return []  # unknown: the store says so itself

    def delete_batch(self, batch_id: int, by: str = "local"):
        self.rights.require_edit(self._batch_segments(batch_id), f"Suppression du lot n° {batch_id}",
                                 f"Deleting batch #{batch_id}")
        return self._store.delete_batch(batch_id, by)

    def preview_delete(self, batch_id: int):
        return self._store.preview_delete(batch_id)

    def delete_demo(self, by: str = "local"):
        self.rights.require_admin("Retrait des données de démonstration", "Removing the demo data")
        return self._store.delete_demo(by)

    def preview_demo(self):
        return self._store.preview_demo()

    def undelete(self, deletion_id: int, by: str = "local", **kwargs):
        entries = [d for d in self._store.deletions() if d["id"] == deletion_id or d["operation"] == deletion_id]
        segments = {s for d in entries for s in self._deleted_segments(d)} or set(SEGMENTS)
        self.rights.require_edit(segments, "Annulation d'une suppression", "Undoing a deletion")
        return self._store.undelete(deletion_id, by, **kwargs)

    def set_targets(self, targets: pd.DataFrame, by: str = "local", **kwargs) -> int:
        segments = targets["segment"].astype(str).unique() if len(targets) else ()
        self.rights.require_edit(segments, "Modification des objectifs", "Changing targets")
        return self._store.set_targets(targets, by, **kwargs)

    def remember_mapping(self, *args, **kwargs):
        return self._store.remember_mapping(*args, **kwargs)

    def set_reference_origin(self, segment: str, kpi: str, origin: str | None, by: str = "local") -> None:
        self.rights.require_edit([segment], "Choix de la source de référence", "Choosing the reference source")
        return self._store.set_reference_origin(segment, kpi, origin, by)

    # --- the social network's topics and profiles: B2E, the whole network (no entity cut exists for them) -----
    def _esn_readable(self) -> bool:
        return self.rights.everything or ("B2E" in self.rights.readable and not self.rights.entities)

    def esn_terms(self, start=None, end=None) -> pd.DataFrame:
        frame = self._store.esn_terms(start, end)
        return frame if self._esn_readable() else frame.iloc[0:0]

    def esn_profiles(self, start=None, end=None) -> pd.DataFrame:
        frame = self._store.esn_profiles(start, end)
        return frame if self._esn_readable() else frame.iloc[0:0]

    def esn_subjects(self, start=None, end=None) -> pd.DataFrame:
        frame = self._store.esn_subjects(start, end)
        return frame if self._esn_readable() else frame.iloc[0:0]

    def esn_months(self, start=None, end=None) -> list:
        return self._store.esn_months(start, end) if self._esn_readable() else []

    # --- the tracked subjects: read by B2E readers, changed by B2E editors and administrators --------------
    def subjects(self) -> list:
        return self._store.subjects() if "B2E" in self.rights.readable else []

    def add_subject(self, subject, by: str = "local", sample: bool = False):
        self.rights.require_edit(["B2E"], "Ajout d'un sujet suivi", "Adding a tracked subject")
        return self._store.add_subject(subject, by, sample)

    def edit_subject(self, subject, by: str = "local") -> dict:
        self.rights.require_edit(["B2E"], "Modification d'un sujet suivi", "Changing a tracked subject")
        return self._store.edit_subject(subject, by)

    def remove_subject(self, code: str, by: str = "local") -> None:
        self.rights.require_edit(["B2E"], "Retrait d'un sujet suivi", "Removing a tracked subject")
        return self._store.remove_subject(code, by)

    # --- comments on the numbers: read within the readable segments, written within the editable ones ----
    def comments(self, flt: Filter | None = None) -> pd.DataFrame:
        return self._store.comments(self.rights.scope(flt))

    def add_comment(self, kpi: str, segment: str, period_start, period_end, text: str, by: str = "local",
                    entity: str | None = None) -> int:
        self.rights.require_edit([segment], "Commentaire", "Comment")
        return self._store.add_comment(kpi, segment, period_start, period_end, text, by, entity)

    def remove_comment(self, comment_id: int, by: str = "local") -> dict:
        found = self._store.comments()
        segments = found.loc[found["id"] == comment_id, "segment"].tolist() or list(SEGMENTS)
        self.rights.require_edit(segments, "Retrait d'un commentaire", "Removing a comment")
        return self._store.remove_comment(comment_id, by)

    # --- the organisation's KPIs: definitions are read by all, changed within one's segments -----------
    def kpi_definitions(self):
        return self._store.kpi_definitions()

    def kpi_history(self, code: str | None = None) -> pd.DataFrame:
        return self._store.kpi_history(code)

    def activate(self) -> None:
        self._store.activate()

    def add_kpi(self, definition, by: str = "local"):
        self.rights.require_edit(definition.segments, "Création d'un indicateur", "Creating a KPI")
        return self._store.add_kpi(definition, by)

    def edit_kpi(self, definition, by: str = "local"):
        before = {d.code: d for d in self._store.kpi_definitions()}.get(definition.code)
        segments = {*definition.segments, *(before.segments if before else ())}
        self.rights.require_edit(segments, "Modification d'un indicateur", "Changing a KPI")
        return self._store.edit_kpi(definition, by)

    def remove_kpi(self, code: str, by: str = "local") -> None:
        before = {d.code: d for d in self._store.kpi_definitions()}.get(code)
        self.rights.require_edit(before.segments if before else SEGMENTS, "Suppression d'un indicateur",
                                 "Removing a KPI")
        return self._store.remove_kpi(code, by)

    def grants(self) -> list[Grant]:
        self.rights.require_admin("Lecture des droits d'accès", "Reading access grants")
        return self._store.grants()

    def add_grant(self, grant: Grant, by: str = "local") -> int:
        self.rights.require_admin("Attribution d'un droit", "Granting access")
        return self._store.add_grant(grant, by)

    def remove_grant(self, grant_id: int, by: str = "local") -> None:
        self.rights.require_admin("Retrait d'un droit", "Removing a grant")
        return self._store.remove_grant(grant_id, by)

    def audit(self) -> pd.DataFrame:
        """The trail's rows touching a readable segment (an administrator, or local mode: every row)."""
        trail = self._store.audit()
        if self.rights.admin:
            return trail
        return trail[trail["segments"].map(self._visible)].reset_index(drop=True)
