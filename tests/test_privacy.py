"""Employee privacy by design: per-user exports never leave a name in the store, its logs or an export."""

import subprocess
import sys

import pytest
from formats_files import VIVA_USERS, teams_csv, viva_user_detail_csv

from conftest import ROOT
from kpis import dashboard, export, ingest, metrics
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
    path = tmp_path / name
    path.write_bytes(data)
    assert _leaks(data)  # the source file does hold them
    store_path = tmp_path / "store.duckdb"
    out = subprocess.run([sys.executable, "-m", "kpis", "import", str(path), "--store", str(store_path)],
                         cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert _leaks((out.stdout + out.stderr).encode()) == []
    check = subprocess.run([sys.executable, "-m", "kpis", "check", str(path), "--format", "json"],
                           cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert _leaks(check.stdout.encode()) == [] and _leaks(check.stderr.encode()) == []
    store = Store(store_path)
    store.backup(tmp_path / "backup")
    every_byte = b"".join(p.read_bytes() for p in tmp_path.rglob("*") if p.is_file() and p != path)
    assert _leaks(every_byte) == []  # the store file, its WAL, its sidecars and a backup
    view = metrics.cdo_view(store, Filter(segments=("B2E",)), "month", lang="fr")
    detail = dashboard.detail_frame(store.observations(Filter()), store.batches(), "fr")
    workbook = dashboard.view_workbook(view, "fr", {"Détail": detail})
    import io
    import zipfile
    book = zipfile.ZipFile(io.BytesIO(workbook))
    xml = b"".join(book.read(n) for n in book.namelist())
    assert _leaks(xml) == [] and _leaks(export.to_csv(detail)) == []
    report = ingest.check_bytes(data, name)
    assert all(_leaks(i.message_fr.encode() + i.message_en.encode()) == [] for i in report.all_issues)
