"""Passerelle's settings, declared once as a table and resolved from an environment mapping.

    >>> config = resolve({"PASSERELLE_FISCAL_START": "4"})
    >>> config.fiscal_start, config.store
    (4, PosixPath('data/passerelle.duckdb'))

Configuration flows one way: the edges (the command line, the app) call
``resolve(os.environ)`` and pass the values on as arguments; no other ``kpis``
module reads the environment. An unset or blank variable means the default; a
value that cannot be used raises ``SettingError`` with a French and an English
message naming the variable. README.md lists every setting (a test checks).
"""

from __future__ import annotations

import getpass
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kpis.errors import SettingError

__all__ = ["Setting", "SETTINGS", "Settings", "resolve", "setting", "local_user"]


def _month(text: str) -> int:
    month = int(text)  # "avril" or "4.5" raise ValueError
    if not 1 <= month <= 12:
        raise ValueError(text)
    return month


@dataclass(frozen=True)
class Kind:
    """How a setting's text becomes a value, and what is expected when it cannot (French, English)."""

    parse: Callable[[str], object]
    expected_fr: str
    expected_en: str


def _addresses(text: str) -> tuple[str, ...]:
    addresses = tuple(a.strip().lower() for a in text.replace(";", ",").split(",") if a.strip())
    if any("@" not in a or " " in a for a in addresses):
        raise ValueError(text)
    return addresses


def _claim(text: str) -> str:
    if not text.replace("_", "").replace("-", "").isalnum():
        raise ValueError(text)
    return text


def _port(text: str) -> int:
    port = int(text)
    if not 1 <= port <= 65535:
        raise ValueError(text)
    return port


def _security(text: str) -> str:
    if text.lower() not in ("starttls", "ssl", "none"):
        raise ValueError(text)
    return text.lower()


def _recipients(text: str) -> str:
    """Comma-separated e-mail addresses, kept as written once each looks like one (``name@domain``)."""
    import re

    parts = [p.strip() for p in text.split(",") if p.strip()]
    if any(not re.fullmatch(r"[^@\s,<>]+@[^@\s,<>]+\.[^@\s,<>]+|[^@\s,<>]+@localhost", p) for p in parts):
        raise ValueError(text)
    return ", ".join(parts)


def _switch(text: str) -> bool:
    folded = text.lower()
    if folded in ("1", "true", "yes", "on", "oui", "vrai"):
        return True
    if folded in ("0", "false", "no", "off", "non", "faux"):
        return False
    raise ValueError(text)


PATH = Kind(Path, "un chemin de fichier", "a file path")
ADDRESSES = Kind(_addresses, "des adresses e-mail séparées par des virgules",
                 "e-mail addresses separated by commas")
CLAIM = Kind(_claim, "un nom de revendication du jeton (lettres, chiffres, - ou _)",
             "an identity-token claim name (letters, digits, - or _)")
MONTH = Kind(_month, "un numéro de mois de 1 à 12", "a month number from 1 to 12")
TEXT = Kind(str, "un texte", "a text")
PORT = Kind(_port, "un numéro de port de 1 à 65535", "a port number from 1 to 65535")
SECURITY = Kind(_security, "starttls, ssl ou none", "starttls, ssl or none")
SWITCH = Kind(_switch, "on ou off (1/0, true/false, oui/non)", "on or off (1/0, true/false, yes/no)")
RECIPIENTS = Kind(_recipients, "des adresses e-mail séparées par des virgules",
                  "e-mail addresses separated by commas")


@dataclass(frozen=True)
class Setting:
    """One setting: its name, default, environment variable and meaning in French and English."""

    name: str
    default: object
    env: str
    help_fr: str
    help_en: str
    kind: Kind = PATH

    def help(self, lang: str = "fr") -> str:
        return self.help_fr if lang == "fr" else self.help_en

    @property
    def default_text(self) -> str:
        """The default as README.md shows it: a list comma-separated, ``—`` when empty, a switch on or off."""
        if isinstance(self.default, tuple):
            return ", ".join(self.default) or "—"
        if isinstance(self.default, bool):
            return "on" if self.default else "off"
        return str(self.default)

    def parse(self, text: str) -> object:
        """The value of ``text`` (the variable's content), or ``SettingError``."""
        try:
            return self.kind.parse(text.strip())
        except ValueError:
            raise SettingError(
                f"{self.env} (réglage {self.name}) : {self.kind.expected_fr} est attendu, reçu « {text} ».",
                f"{self.env} (setting {self.name}): expected {self.kind.expected_en}, got '{text}'.",
            ) from None


SETTINGS = (
    Setting("store", Path("data") / "passerelle.duckdb", "PASSERELLE_STORE",
            "Le fichier DuckDB de la base (créé au premier lancement)",
            "The DuckDB store file (created on first run)"),
    Setting("fiscal_start", 1, "PASSERELLE_FISCAL_START",
            "Le mois de début de l'exercice (1 = janvier) : « année en cours », trimestres et années en suivent",
            "The fiscal year's first month (1 = January): year to date, quarters and years follow it",
            kind=MONTH),
    Setting("admins", (), "PASSERELLE_ADMINS",
            "Les adresses e-mail des administrateurs quand la connexion est activée (tous les droits, dont "
            "l'attribution des accès) ; séparées par des virgules",
            "The administrators' e-mail addresses when sign-in is on (every right, granting access included); "
            "separated by commas", kind=ADDRESSES),
    Setting("group_claim", "groups", "PASSERELLE_GROUP_CLAIM",
            "La revendication du jeton d'identité qui liste les groupes de la personne (Entra ID : groups)",
            "The identity token's claim listing the person's groups (Entra ID: groups)", kind=CLAIM),
    Setting("smtp_host", "", "PASSERELLE_SMTP_HOST",
            "Le serveur SMTP du récapitulatif par e-mail (vide : pas d'envoi)",
            "The SMTP server of the e-mail digest (empty: no e-mail is sent)", kind=TEXT),
    Setting("smtp_port", 587, "PASSERELLE_SMTP_PORT", "Son port", "Its port", kind=PORT),
    Setting("smtp_security", "starttls", "PASSERELLE_SMTP_SECURITY",
            "starttls (chiffrement après connexion), ssl (dès la connexion) ou none (réseau de confiance)",
            "starttls (encryption after connecting), ssl (from the start) or none (trusted network)",
            kind=SECURITY),
    Setting("smtp_user", "", "PASSERELLE_SMTP_USER", "L'identifiant SMTP (vide : sans authentification)",
            "The SMTP user name (empty: no authentication)", kind=TEXT),
    Setting("smtp_password", "", "PASSERELLE_SMTP_PASSWORD", "Son mot de passe (jamais affiché)",
            "Its password (never printed)", kind=TEXT),
    Setting("digest_from", "passerelle@localhost", "PASSERELLE_DIGEST_FROM", "L'expéditeur du récapitulatif",
            "The digest's sender", kind=RECIPIENTS),
    Setting("digest_to", "", "PASSERELLE_DIGEST_TO", "Ses destinataires, séparés par des virgules",
            "Its recipients, separated by commas", kind=RECIPIENTS),
    Setting("esn_names", False, "PASSERELLE_ESN_NAMES",
            "Réseau social interne : les profils d'influenceurs gardent le nom de la personne (colonne de nom de "
            "l'export, mois d'au moins 5 auteurs) ; à l'import, puis à l'affichage. Désactivé par défaut : aucun nom",
            "Internal social network: influencer profiles keep the person's name (the export's name column, months "
            "of at least 5 authors); at import, then at display. Off by default: no name", kind=SWITCH),
    Setting("esn_private", False, "PASSERELLE_ESN_PRIVATE",
            "Réseau social interne : les messages des groupes et échanges privés sont comptés à l'import (désactivé "
            "par défaut : laissés de côté)",
            "Internal social network: messages of private groups and conversations are counted at import (off by "
            "default: left out)", kind=SWITCH),
)
"""Every setting, in the order README.md lists them."""


@dataclass(frozen=True)
class Settings:
    """Resolved values, one attribute per entry of ``SETTINGS`` (same names, same order)."""

    store: Path
    fiscal_start: int
    admins: tuple[str, ...] = ()
    group_claim: str = "groups"
    smtp_host: str = ""
    smtp_port: int = 587
    smtp_security: str = "starttls"
    smtp_user: str = ""
    smtp_password: str = ""
    digest_from: str = "passerelle@localhost"
    digest_to: str = ""
    esn_names: bool = False
    esn_private: bool = False

    def __repr__(self) -> str:  # the password never reaches a log or a traceback
        shown = {f: ("***" if f == "smtp_password" and v else v) for f, v in self.__dict__.items()}
        return f"Settings({', '.join(f'{k}={v!r}' for k, v in shown.items())})"


def setting(name: str) -> Setting:
    """The entry of ``SETTINGS`` called ``name``: ``setting("store").env == "PASSERELLE_STORE"``."""
    return next(s for s in SETTINGS if s.name == name)


def resolve(environ: Mapping[str, str]) -> Settings:
    """Every setting from ``environ`` (the caller passes ``os.environ``), else its default.

        >>> resolve({}).fiscal_start
        1
        >>> resolve({"PASSERELLE_FISCAL_START": "13"}).fiscal_start
        Traceback (most recent call last):
        kpis.errors.SettingError: PASSERELLE_FISCAL_START (setting fiscal_start): expected a month number ...
    """
    values: dict[str, Any] = {}
    for s in SETTINGS:
        text = environ.get(s.env) or ""
        values[s.name] = s.parse(text) if text.strip() else s.default
    return Settings(**values)


def local_user() -> str:
    """Who is at this machine, for the batch log and the exports of local mode (no sign-in): the login name of
    the operating system's user, else ``"local"`` (a container without one)."""
    try:
        return getpass.getuser() or "local"
    except (KeyError, OSError):
        return "local"
