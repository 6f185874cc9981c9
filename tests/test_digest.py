"""The e-mail digest (``python -m kpis digest``) against a real SMTP server (aiosmtpd) on 127.0.0.1."""

from __future__ import annotations

import io
import socket
from datetime import date
from email import message_from_bytes, policy

import pytest
from aiosmtpd.controller import Controller
from pptx import Presentation

from kpis import attention, cli, demo
from kpis.model import Filter
from kpis.store import Store

OCTOBER = Filter(segments=("B2C", "B2B", "B2E"), start=date(2026, 10, 1), end=date(2026, 10, 31))


class _Inbox:
    """An aiosmtpd handler keeping every envelope it accepts."""

    def __init__(self):
        self.envelopes = []

    async def handle_DATA(self, server, session, envelope):
        self.envelopes.append(envelope)
        return "250 Message accepted for delivery"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def smtp():
    inbox = _Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=_free_port())
    controller.start()
    try:
        yield controller.port, inbox
    finally:
        controller.stop()


@pytest.fixture(scope="module")
def demo_store(tmp_path_factory) -> Store:
    store = Store(tmp_path_factory.mktemp("digest") / "demo.duckdb")
    demo.seed(store)
    return store


def _settings(monkeypatch, port: int, **extra: str) -> None:
    for name, value in {"PASSERELLE_SMTP_HOST": "127.0.0.1", "PASSERELLE_SMTP_PORT": str(port),
                        "PASSERELLE_SMTP_SECURITY": "none", "PASSERELLE_DIGEST_FROM": "passerelle@groupe.example",
                        "PASSERELLE_DIGEST_TO": "cdo@groupe.example, comite@groupe.example", **extra}.items():
        monkeypatch.setenv(name, value)


def test_the_digest_reaches_the_server_with_its_subject_points_and_deck(demo_store, smtp, monkeypatch, capsys):
    port, inbox = smtp
    _settings(monkeypatch, port)
    code = cli.main(["digest", "--store", str(demo_store.path), "--from", "2026-10-01", "--to", "2026-10-31"])
    assert code == 0, capsys.readouterr().err
    _, points = attention.for_selection(demo_store, OCTOBER, "month", lang="fr")
    assert capsys.readouterr().out == (f"digest sent to cdo@groupe.example, comite@groupe.example: {len(points)} "
                                       "point(s) of attention, 2026-10-01 → 2026-10-31\n")
    [envelope] = inbox.envelopes
    assert envelope.mail_from == "passerelle@groupe.example"
    assert envelope.rcpt_tos == ["cdo@groupe.example", "comite@groupe.example"]
    message = message_from_bytes(envelope.original_content, policy=policy.default)
    assert message["Subject"] == "Passerelle — points d'attention du 01/10/2026 au 31/10/2026"
    body = message.get_body(("plain",)).get_content().replace("\r\n", "\n")  # SMTP carries CRLF line ends
    assert body.startswith("Points d'attention du 01/10/2026 au 31/10/2026 (segments B2C, B2B, B2E) :")
    assert all(f"- {p.title}\n  {p.reason}" in body for p in points) and points  # October has red targets
    [attached] = list(message.iter_attachments())
    assert attached.get_filename() == "pack_comite_2026-10-01_2026-10-31.pptx"
    assert attached.get_content_type() == "application/vnd.openxmlformats-officedocument.presentationml.presentation"
    slides = Presentation(io.BytesIO(attached.get_content())).slides
    assert slides[0].shapes.title.text == "Comité de pilotage digital"
    assert slides[1].shapes.title.text == "Points d'attention"


def test_recipients_on_the_command_line_and_in_english(demo_store, smtp, monkeypatch, capsys):
    port, inbox = smtp
    _settings(monkeypatch, port)
    assert cli.main(["digest", "--store", str(demo_store.path), "--from", "2026-10-01", "--to", "2026-10-31",
                     "--segments", "B2E", "--lang", "en", "--recipients", "rh@groupe.example"]) == 0
    [envelope] = inbox.envelopes
    assert envelope.rcpt_tos == ["rh@groupe.example"]
    message = message_from_bytes(envelope.original_content, policy=policy.default)
    assert message["Subject"] == "Passerelle — points of attention, 2026-10-01 to 2026-10-31"


def test_the_digest_is_off_without_a_server(demo_store, monkeypatch, capsys):
    monkeypatch.delenv("PASSERELLE_SMTP_HOST", raising=False)
    assert cli.main(["digest", "--store", str(demo_store.path)]) == 1
    assert capsys.readouterr().err == "Digest off: no SMTP server (PASSERELLE_SMTP_HOST).\n"


def test_an_unreachable_server_is_a_message_not_a_traceback(demo_store, monkeypatch, capsys):
    _settings(monkeypatch, _free_port())  # nothing listens there
    assert cli.main(["digest", "--store", str(demo_store.path), "--from", "2026-10-01", "--to", "2026-10-31"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("SMTP server 127.0.0.1:") and err.endswith("Nothing was sent.\n")
    assert "Traceback" not in err


@pytest.mark.parametrize("env, args, message", [
    ({"PASSERELLE_DIGEST_TO": ""}, [], "python -m kpis digest: No recipient: --recipients or PASSERELLE_DIGEST_TO.\n"),
    ({}, ["--recipients", "cdo"], "python -m kpis digest: --recipients: e-mail addresses separated by commas, got "
                                  "'cdo'\n"),
    ({"PASSERELLE_SMTP_SECURITY": "tls"}, [], "python -m kpis digest: PASSERELLE_SMTP_SECURITY (setting "
                                              "smtp_security): expected starttls, ssl or none, got 'tls'.\n"),
])
def test_bad_settings_and_options_are_usage_errors(demo_store, smtp, monkeypatch, capsys, env, args, message):
    port, inbox = smtp
    _settings(monkeypatch, port, **env)
    assert cli.main(["digest", "--store", str(demo_store.path), *args]) == 2
    assert capsys.readouterr().err == message
    assert inbox.envelopes == []
