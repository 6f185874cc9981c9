"""Employee privacy by design: per-user exports never leave a name in the store, its logs or an export."""

import io
import subprocess
import sys
import zipfile
from datetime import date

import pytest
from formats_files import VIVA_USERS, teams_csv, viva_user_detail_csv

from conftest import ROOT
from kpis import dashboard, export, ingest, metrics
from kpis.esn.subjects import Subject
from kpis.model import Filter
from kpis.store import Store

PEOPLE = [s for upn, name, *_ in VIVA_USERS for s in (upn, upn.split("@")[0], name)] + [
    "zoe.lambert", "Zoé Lambert"]


def _leaks(data: bytes) -> list[str]:
    found = []
    for text in PEOPLE:
        for encoding in ("utf-8", "utf-16-le"):
            if text.encode(encoding) in data:
                found.append(f"{text} ({encoding})")
    return found


def generic_people_csv() -> tuple[bytes, str]:
    """A per-person file of no known format: an Oui/Non activity flag per person (kpis.ingest.people)."""
    rows = ["Adresse e-mail;Nom complet;Direction;Segment;Mois;Actif"]
    rows += [f"{upn};{name};{dept};B2E;2026-09;{'Oui' if last else 'Non'}"
             for upn, name, _state, last, *_, dept in VIVA_USERS]
    return "\n".join(rows).encode("utf-8"), "personnes.csv"


@pytest.mark.parametrize("make", [viva_user_detail_csv, teams_csv, generic_people_csv])
def test_per_user_report_leaves_no_personal_identifier_anywhere(tmp_path, make):
    data, name = make()
    assert _leaks(data)  # the source file does hold them
    _imported_without_leaks(tmp_path, data, name, _leaks)


def _imported_without_leaks(tmp_path, data: bytes, name: str, leaks) -> tuple[Store, str]:
    """Import ``data`` with the command line and assert that ``leaks`` finds nothing in what it printed, in
    ``check``'s JSON, in the store's files and a backup, in the page's workbook and detail CSV, nor in the
    issues of a check; returns the store and ``check``'s output."""
    path = tmp_path / name
    path.write_bytes(data)
    store_path = tmp_path / "store.duckdb"
    out = subprocess.run([sys.executable, "-m", "kpis", "import", str(path), "--store", str(store_path)],
                         cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert leaks((out.stdout + out.stderr).encode()) == []
    check = subprocess.run([sys.executable, "-m", "kpis", "check", str(path), "--format", "json"],
                           cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert leaks(check.stdout.encode()) == [] and leaks(check.stderr.encode()) == []
    store = Store(store_path)
    store.backup(tmp_path / "backup")
    every_byte = b"".join(p.read_bytes() for p in tmp_path.rglob("*") if p.is_file() and p != path)
    assert leaks(every_byte) == []  # the store file, its WAL, its sidecars and a backup
    view = metrics.cdo_view(store, Filter(segments=("B2E",)), "month", lang="fr")
    detail = dashboard.detail_frame(store.observations(Filter()), store.batches(), "fr")
    book = zipfile.ZipFile(io.BytesIO(dashboard.view_workbook(view, "fr", {"Détail": detail})))
    assert leaks(b"".join(book.read(n) for n in book.namelist())) == [] and leaks(export.to_csv(detail)) == []
    report = ingest.check_bytes(data, name)
    assert all(leaks(i.message_fr.encode() + i.message_en.encode()) == [] for i in report.all_issues)
    return store, check.stdout


ESN_PEOPLE = [("1589632147", "Amélie Fontaine", "amelie.fontaine@contoso.example"),
              ("1589632148", "Bastien Leroy", "bastien.leroy@contoso.example"),
              ("1589632149", "Camille Noël", "camille.noel@contoso.example"),
              ("1589632150", "Dorian Weiss", "dorian.weiss@contoso.example"),
              ("1589632151", "Estelle Garnier", "estelle.garnier@contoso.example"),
              ("1589632152", "Fabien Carré", "fabien.carre@contoso.example")]
ESN_BODIES = ["Bravo Amélie pour la démo du configurateur Zephyrin, superbe travail !",
              "Merci Bastien, le module Quetzalcoatl marche enfin parfaitement",
              "Le déploiement du portail Wintermute est encore en panne, très déçu",
              "Where is the Oberkampf onboarding deck stored?",
              "Great job on the Halcyon rollout, well done team!",
              "Réponse privée sur la prime de Fabien Carré"]


def esn_export_csv() -> tuple[bytes, str]:
    """A Viva Engage network data export (Messages.csv): ids, names, e-mails and bodies in every row."""
    rows = ["id,replied_to_id,thread_id,group_id,group_name,in_private_group,in_private_conversation,sender_id,"
            "sender_type,sender_name,sender_email,body,created_at,deleted_at"]
    for k, body in enumerate(ESN_BODIES):
        sid, name, email = ESN_PEOPLE[k]
        mid = 7000000001 + k
        replied, thread = ("", mid) if k % 2 == 0 else (mid - 1, mid - 1)
        private = "true" if k == 5 else "false"
        rows.append(f'{mid},{replied},{thread},55501,Communauté Atlas,false,{private},{sid},user,{name},{email},'
                    f'"{body}",2026-09-0{k + 1}T08:00:00Z,')
    return "\n".join(rows).encode("utf-8"), "Messages.csv"


def _esn_leaks(data: bytes) -> list[str]:
    secrets = [s for person in ESN_PEOPLE for s in person] + ESN_BODIES + ["7000000001", "Zephyrin",
                                                                           "Quetzalcoatl", "Wintermute"]
    return [s for s in secrets for enc in ("utf-8", "utf-16-le") if s.encode(enc) in data]


def test_esn_export_leaves_no_identifier_name_or_message_anywhere(tmp_path):
    data, name = esn_export_csv()
    assert len(_esn_leaks(data)) >= 22  # the source file holds every one of them
    store, checked = _imported_without_leaks(tmp_path, data, name, _esn_leaks)
    assert "esn_viva_engage_messages" in checked
    assert set(store.observations(Filter())["kpi"]) >= {"esn_messages", "esn_voices"}


def test_esn_topics_and_profiles_keep_no_name_id_address_or_body(tmp_path):
    """Six people praise a colleague by name in the same words: the words five people used are kept (schema 11's
    ``esn_terms``), never the colleague's name, an author, an address, an id or a whole message; the influencer
    profiles (``esn_profiles``), a tracked subject's mentions (``esn_subjects``) and the E-réputation panels'
    tables carry none either."""
    rows = ["id,replied_to_id,thread_id,group_id,group_name,in_private_group,in_private_conversation,sender_id,"
            "sender_type,sender_name,sender_email,body,created_at,deleted_at"]
    for k, (sid, name, email) in enumerate(ESN_PEOPLE):
        mid = 7000000001 + k
        replied, thread = ("", mid) if k == 0 else (7000000001, 7000000001)
        rows.append(f'{mid},{replied},{thread},55501,Communauté Atlas,false,false,{sid},user,{name},{email},'
                    f'"{ESN_BODIES[k]} Bravo Amélie Fontaine pour la démo Halcyon",2026-09-0{k + 1}T08:00:00Z,')
    path = tmp_path / "Messages.csv"
    path.write_bytes("\n".join(rows).encode("utf-8"))
    store = Store(tmp_path / "store.duckdb")
    store.add_subject(Subject("halcyon", "Démo Halcyon", None, ("Halcyon",)), by="test")  # schema 12's subjects
    store.import_batch(**ingest.check_file(path).batch(imported_by="test"))
    # every message names Halcyon: 6 messages by 6 authors, counted under the group and the network, nothing else
    assert store.table_rows("esn_subjects")[["grp", "subject", "messages", "authors"]].values.tolist() == [
        ["(all)", "halcyon", 6, 6], ["Communauté Atlas", "halcyon", 6, 6]]
    kept = set(store.table_rows("esn_terms")["term"])
    # six authors wrote « bravo », « démo », « halcyon », « démo halcyon »: kept; « amélie » and « fontaine » are
    # a listed author's name: never a term
    assert {"bravo", "démo", "halcyon", "démo halcyon"} <= kept and not kept & {"amélie", "fontaine"}
    # Amélie started the thread, the five others answered her: one profile, 1 conversation, 5 replies
    assert store.table_rows("esn_profiles")[["rank", "threads", "replies"]].values.tolist() == [[1, 1, 5]]
    store.backup(tmp_path / "backup")
    every_byte = b"".join(p.read_bytes() for p in tmp_path.rglob("*") if p.is_file() and p != path)
    assert _esn_leaks(every_byte) == []
    first, last, previous = dashboard.month_window(date(2026, 9, 1), date(2026, 9, 30))
    topics = dashboard.topics_frame(store.esn_terms(previous[0], last), first, last, "fr")
    people = dashboard.influencers_frame(store.esn_profiles(first, last), last, "fr")
    assert topics["Terme"].tolist() == ["bravo", "démo halcyon"] and len(people) == 1  # « halcyon »: said by the phrase
    subjects, _ = dashboard.subjects_frame(store.esn_subjects(previous[0], last), store.subjects(),
                                           store.esn_months(first, last), first, last, "fr")
    assert subjects.iloc[0, :3].tolist() == ["Démo Halcyon", 6, 6]
    assert _esn_leaks(export.to_csv(topics) + export.to_csv(people) + export.to_csv(subjects)) == []
    assert all(part not in " ".join(topics["Terme"]) for part in ("amélie", "fontaine", "1589632"))
