"""The e-mail digest: the points of attention of a selection in the body, the committee deck attached.

    >>> from datetime import date
    >>> from kpis.deck import Pack
    >>> from kpis.model import Filter
    >>> pack = Pack.of(store, Filter(segments=("B2C", "B2E"), start=date(2026, 9, 1), end=date(2026, 9, 30)),
    ...                lang="en", charts=False)
    >>> message = compose(pack, "passerelle@example.org", "cdo@example.org")
    >>> message["Subject"]
    'Passerelle — points of attention, 2026-09-01 to 2026-09-30'
    >>> [part.get_filename() for part in message.iter_attachments()]
    ['pack_comite_2026-09-01_2026-09-30.pptx']

Off by default: ``python -m kpis digest`` sends only when the SMTP settings name a server
(``kpis.settings``: ``smtp_host`` and the others), meant for a scheduler (cron, a Kubernetes CronJob).
"""

from __future__ import annotations

import smtplib
import ssl
from email.message import EmailMessage
from email.utils import formatdate, make_msgid

from kpis.deck import Pack
from kpis.errors import KpiError
from kpis.i18n import fmt_date, t
from kpis.settings import Settings

__all__ = ["compose", "send", "PPTX_TYPE", "SMTP_TIMEOUT"]

PPTX_TYPE = ("application", "vnd.openxmlformats-officedocument.presentationml.presentation")
SMTP_TIMEOUT = 30.0
"""Seconds a connection to the SMTP server may take before the digest gives up (with a message)."""


def compose(pack: Pack, sender: str, recipients: str) -> EmailMessage:
    """The digest of ``pack``: subject (the window), the points of attention in words (plain text), the deck
    attached. ``recipients`` is a comma-separated list."""
    lang, view = pack.lang, pack.view
    start = fmt_date(view.period_start, lang) if view.period_start else "—"
    end = fmt_date(view.period_end, lang) if view.period_end else "—"
    message = EmailMessage()
    message["Subject"] = t("digest.subject", lang, start=start, end=end)
    message["From"] = sender
    message["To"] = recipients
    message["Date"] = formatdate(localtime=True)
    message["Message-ID"] = make_msgid(domain=sender.rpartition("@")[2] or "localhost")
    lines = [t("digest.intro", lang, start=start, end=end, segments=", ".join(pack.flt.segments)), ""]
    if pack.points:
        lines += [f"- {p.title}\n  {p.reason}" for p in pack.points]
    else:
        lines.append(t("attention.none", lang))
    lines += ["", t("digest.attached", lang)]
    message.set_content("\n".join(lines))
    message.add_attachment(pack.pptx(), maintype=PPTX_TYPE[0], subtype=PPTX_TYPE[1],
                           filename=f"pack_comite_{view.period_start}_{view.period_end}.pptx")
    return message


def send(message: EmailMessage, settings: Settings) -> None:
    """Send through the SMTP server of ``settings`` (STARTTLS, SSL or none; a login when a user is set). A server
    that cannot be reached or refuses is a ``KpiError`` naming it, never a traceback."""
    host, port = settings.smtp_host, settings.smtp_port
    try:
        if settings.smtp_security == "ssl":
            server: smtplib.SMTP = smtplib.SMTP_SSL(host, port, timeout=SMTP_TIMEOUT,
                                                   context=ssl.create_default_context())
        else:
            server = smtplib.SMTP(host, port, timeout=SMTP_TIMEOUT)
        with server:
            if settings.smtp_security == "starttls":
                server.starttls(context=ssl.create_default_context())
            if settings.smtp_user:
                server.login(settings.smtp_user, settings.smtp_password)
            server.send_message(message)
    except smtplib.SMTPAuthenticationError:
        raise KpiError(f"Serveur SMTP {host}:{port} : identifiant ou mot de passe refusé.",
                       f"SMTP server {host}:{port}: user name or password refused.") from None
    except smtplib.SMTPRecipientsRefused as exc:
        refused = ", ".join(sorted(exc.recipients))
        raise KpiError(f"Serveur SMTP {host}:{port} : destinataires refusés ({refused}).",
                       f"SMTP server {host}:{port}: recipients refused ({refused}).") from None
    except (smtplib.SMTPException, OSError) as exc:
        reason = str(exc).splitlines()[0][:200] if str(exc) else type(exc).__name__
        raise KpiError(f"Serveur SMTP {host}:{port} injoignable ou en refus : {reason}. Rien n'a été envoyé.",
                       f"SMTP server {host}:{port} unreachable or refusing: {reason}. Nothing was sent.") from None
