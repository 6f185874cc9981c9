"""Which columns of an enterprise social network (ESN) message export mean what, recognised by headers.

    >>> found = find_layout([["id", "replied_to_id", "thread_id", "group_id", "group_name", "in_private_group",
    ...                       "in_private_conversation", "sender_id", "body", "created_at"]])
    >>> found.format, found.columns["author"], found.columns["text"]
    ('esn_viva_engage_messages', 7, 8)

Two layouts are known:

- **Viva Engage network data export**, ``Messages.csv`` (admin centre, Governance and compliance, Data export;
  or the Network Data Export API): ``id``, ``replied_to_id``, ``thread_id``, ``conversation_id``,
  ``group_id``, ``group_name``, ``participants``, ``in_private_group``, ``in_private_conversation``,
  ``sender_id``, ``sender_type``, ``sender_name``, ``sender_email``, ``body``, ``api_url``, ``attachments``,
  ``deleted_by_id``, ``deleted_by_type``, ``created_at``, ``deleted_at`` (and ``message_type`` in recent
  exports). Recognised by ``id``, ``thread_id``, ``sender_id``, ``body`` and ``created_at``.
- **Any other tool** (a generic layout, French or English headers): a date, an author identifier and the
  message text, optionally the group, the message id, the thread, the message replied to, reactions, a
  private flag and the author's department or entity.

Workplace's group export is not recognised yet: its column names could not be checked against a real file.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Mapping, Sequence

from kpis.catalog import fold

__all__ = ["Layout", "find_layout", "VIVA_FORMAT", "GENERIC_FORMAT", "HEADER_ROWS"]

VIVA_FORMAT = "esn_viva_engage_messages"
GENERIC_FORMAT = "esn_messages"
HEADER_ROWS = 5
"""The header is looked for in the first rows (a title line above it)."""

VIVA_COLUMNS = {
    "message_id": ("id",), "thread": ("thread id",), "replied_to": ("replied to id",),
    "group": ("group name",), "group_id": ("group id",), "author": ("sender id",), "text": ("body",),
    "date": ("created at",), "private_group": ("in private group",),
    "private_conversation": ("in private conversation",), "deleted": ("deleted at",),
    "message_type": ("message type",), "sender_type": ("sender type",), "name": ("sender name",),
    "email": ("sender email",),
}
VIVA_REQUIRED = ("message_id", "thread", "author", "text", "date")

GENERIC_COLUMNS = {
    "date": ("date", "date de publication", "publie le", "date du message", "created at", "created", "posted at",
             "timestamp", "horodatage", "date heure"),
    "group": ("groupe", "group", "group name", "nom du groupe", "communaute", "community", "espace", "space",
              "canal", "channel"),
    "author": ("auteur", "author", "author id", "id auteur", "identifiant auteur", "auteur id", "sender id",
               "expediteur", "user id", "id utilisateur", "utilisateur", "user"),
    "text": ("texte", "text", "message", "contenu", "content", "body", "corps", "corps du message",
             "texte du message", "message text"),
    "message_id": ("id", "message id", "id message", "id du message", "identifiant du message"),
    "thread": ("thread", "thread id", "fil", "id fil", "fil de discussion", "conversation", "conversation id",
               "id conversation"),
    "replied_to": ("reponse a", "en reponse a", "replied to", "replied to id", "in reply to", "reply to",
                   "parent", "parent id", "id parent"),
    "reactions": ("reactions", "nombre de reactions", "reaction count", "likes", "j aime", "like count"),
    "private": ("prive", "private", "is private", "confidentiel", "groupe prive", "private group"),
    "department": ("direction", "departement", "department", "entite", "entity", "service", "business unit"),
    "name": ("nom", "name", "nom complet", "full name", "display name", "nom de l auteur", "author name",
             "sender name", "prenom nom"),
    "email": ("e mail", "email", "adresse e mail", "courriel", "mail", "sender email", "author email"),
}
GENERIC_REQUIRED = ("date", "author", "text")


@dataclass(frozen=True)
class Layout:
    """A recognised message export: its format, header row and the column of each role."""

    format: str
    header_row: int
    columns: dict[str, int]


def _roles(index: dict[str, int], names: Mapping[str, tuple[str, ...]]) -> dict[str, int]:
    out: dict[str, int] = {}
    for role, synonyms in names.items():
        for name in synonyms:
            if name in index and index[name] not in out.values():
                out[role] = index[name]
                break
    return out


def find_layout(rows: Sequence[Sequence]) -> Layout | None:
    """The ESN layout of the first rows of a sheet, or None when they are no message export."""
    for i, row in enumerate(rows[:HEADER_ROWS]):
        index: dict[str, int] = {}
        for j, cell in enumerate(row):
            if isinstance(cell, str) and cell.strip():
                index.setdefault(fold(cell), j)
        viva = _roles(index, VIVA_COLUMNS)
        if all(r in viva for r in VIVA_REQUIRED):
            return Layout(VIVA_FORMAT, i, viva)
        generic = _roles(index, GENERIC_COLUMNS)
        if all(r in generic for r in GENERIC_REQUIRED):
            return Layout(GENERIC_FORMAT, i, generic)
    return None
