"""The two settings of the social network's import, both off by default: ``esn_names`` (an influencer profile keeps
the person's name, for months of at least 5 authors) and ``esn_private`` (private groups and conversations are
counted). Golden values by hand beside each."""

from __future__ import annotations

from datetime import date

import pytest

from kpis import dashboard, ingest
from kpis.ingest.exports import EsnOptions
from kpis.settings import resolve
from kpis.store import Store

HEADER = "Date;Communauté;Auteur;Nom;Texte;ID;Réponse à;Privé"
SEPTEMBER = [  # e1 (Jeanne Roux) starts m1, e2–e6 answer her: 6 authors
    "01/09/2026;Usine;e1;Jeanne Roux;Cantine fermée;m1;;Non",
    *(f"0{k}/09/2026;Usine;e{k};Nom{k} Durand;Cantine ok;m{k};m1;Non" for k in range(2, 7)),
]
OCTOBER = [  # o1 (Paul Blanc) starts n1, o2 and o3 answer him: 3 authors only
    "01/10/2026;Usine;o1;Paul Blanc;Badges ?;n1;;Non",
    "02/10/2026;Usine;o2;Lucie Martin;Au hall;n2;n1;Non",
    "03/10/2026;Usine;o3;Marc Petit;Merci;n3;n1;Non",
]
PRIVATE = [  # two messages of a private group, in September
    "10/09/2026;Direction;e1;Jeanne Roux;Budget confidentiel;p1;;Oui",
    "11/09/2026;Direction;e2;Nom2 Durand;Reçu;p2;p1;Oui",
]


def _data(lines: list[str], header: str = HEADER) -> bytes:
    return "\n".join([header, *lines]).encode("utf-8")


def _stored(tmp_path, data: bytes, options: EsnOptions | None = None) -> Store:
    store = Store(tmp_path / "s.duckdb")
    store.import_batch(**ingest.check_bytes(data, "rse.csv", esn=options).batch(imported_by="test"))
    return store


def test_the_settings_are_off_by_default_and_read_from_their_variables():
    assert (resolve({}).esn_names, resolve({}).esn_private) == (False, False)
    on = resolve({"PASSERELLE_ESN_NAMES": "on", "PASSERELLE_ESN_PRIVATE": "oui"})
    assert (on.esn_names, on.esn_private) == (True, True)


def test_with_names_on_a_month_of_5_authors_or_more_names_its_influencers(tmp_path):
    store = _stored(tmp_path, _data([*SEPTEMBER, *OCTOBER]), EsnOptions(names=True))
    profiles = store.esn_profiles()
    # September: 6 authors, Jeanne answered 5 times, named; October: 3 authors, Paul's profile stays anonymous
    assert profiles[["month", "rank", "replies"]].values.tolist() == [[date(2026, 9, 1), 1, 5],
                                                                      [date(2026, 10, 1), 1, 2]]
    assert profiles["name"].iloc[0] == "Jeanne Roux" and profiles["name"].isna().tolist() == [False, True]
    _, september = dashboard.influencers(store.esn_profiles(date(2026, 9, 1), date(2026, 9, 30)),
                                         date(2026, 9, 30), "fr", names=True)
    assert september == ["n°1 — Jeanne Roux, 1 conversation lancée, 5 réponses reçues"]
    # the setting turned off since: the page no longer shows the name kept
    _, hidden = dashboard.influencers(store.esn_profiles(date(2026, 9, 1), date(2026, 9, 30)),
                                      date(2026, 9, 30), "fr", names=False)
    assert hidden == ["n°1 — 1 conversation lancée, 5 réponses reçues"]


def test_with_names_off_no_name_is_stored_anywhere(tmp_path):
    store = _stored(tmp_path, _data([*SEPTEMBER, *OCTOBER]))
    assert store.esn_profiles()["name"].isna().all()
    every_byte = b"".join(p.read_bytes() for p in tmp_path.rglob("*") if p.is_file())
    assert b"Jeanne" not in every_byte and b"Paul Blanc" not in every_byte


def test_with_names_on_an_export_without_a_name_column_keeps_anonymous_profiles(tmp_path):
    header = "Date;Communauté;Auteur;Texte;ID;Réponse à;Privé"
    lines = [";".join(x for i, x in enumerate(line.split(";")) if i != 3) for line in SEPTEMBER]
    store = _stored(tmp_path, _data(lines, header), EsnOptions(names=True))
    assert store.esn_profiles()["replies"].tolist() == [5] and store.esn_profiles()["name"].isna().all()


@pytest.mark.parametrize(("private", "messages", "note"), [
    # off: 6 public messages counted, the 2 private ones left out and said so
    (False, 6.0, "Messages laissés de côté (dans un groupe ou un échange privé) : 2."),
    # on: 6 + 2 = 8, and the report says private messages are counted
    (True, 8.0, "Les messages des groupes et échanges privés sont comptés (réglage esn_private)."),
])
def test_private_groups_are_counted_only_with_the_setting(private, messages, note):
    result = ingest.check_bytes(_data([*SEPTEMBER, *PRIVATE]), "rse.csv", esn=EsnOptions(include_private=private))
    obs = result.observations
    total = obs[(obs["kpi"] == "esn_messages")]["value"].sum()
    assert total == messages
    assert note in [i.message_fr for i in result.all_issues]
