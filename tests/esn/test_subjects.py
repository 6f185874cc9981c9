"""Tracked subjects of the social network: whole-word mentions (case and accents aside), counted at import per
month × group with their tone, stored with the batch (schema 12's ``esn_subjects``), shown per window with the
page's tone rule, and the subjects themselves kept in the store (audited, scoped, in backups, on the command line).
Golden values by hand beside each."""

from __future__ import annotations

import json
from datetime import date

import pandas as pd
import pytest

from conftest import as_version
from kpis import cli, dashboard, ingest
from kpis.access import AccessDenied, Grant, Identity, ScopedStore, resolve
from kpis.errors import StoreError, SubjectError
from kpis.esn.sentiment import tones
from kpis.esn.subjects import Subject, checked, mentioned
from kpis.model import ALL
from kpis.store import SCHEMA_VERSION, Store

ATLAS = Subject("atlas", "Programme Atlas", "Atlas programme", ("Atlas",))
ETOILE = Subject("etoile", "Projet Étoile", None, ("ETL",))

HEADER = "Date;Groupe;Auteur;Nom;Texte"
MESSAGES = [  # (date, group, author, text): the tone each text gets is checked below
    ("01/09/2026", "Usine", "u1", "Le programme Atlas est une réussite, bravo à tous"),  # atlas, +
    ("02/09/2026", "Usine", "u2", "ATLAS avance bien, excellent travail"),  # atlas (upper case), +
    ("03/09/2026", "Usine", "u3", "Réunion Atlas mardi à 10 h"),  # atlas, 0
    ("04/09/2026", "Usine", "u4", "Atlassian est encore en panne"),  # near miss: no subject, 0
    ("05/09/2026", "Usine", "u5", "Le projet Étoile est mal organisé, quelle déception"),  # etoile, −
    ("06/09/2026", "Usine", "u6", "Pause café à 16 h"),  # none
    ("07/09/2026", "Usine", "u1", "Atlas, encore merci"),  # atlas (u1 again), +
    ("08/09/2026", "Siège", "s1", "The Atlas programme kick-off is great news for us"),  # atlas (two names: once), +
    ("09/09/2026", "Siège", "s2", "Point projet etoile demain"),  # etoile without its accent, 0
    ("10/09/2026", "Siège", "s3", "La migration etl est terminée"),  # etoile by its synonym, lower case, 0
    ("11/09/2026", "Siège", "s4", "Atlas est mal organisé, quelle déception"),  # atlas, −
    ("12/09/2026", "Siège", "s5", "Où sont les badges ?"),  # none
    ("01/10/2026", "Usine", "u1", "Atlas : bilan très positif"),  # atlas, 0 (the lexicon finds no polarity)
    ("02/10/2026", "Usine", "u2", "La démo Atlas est mal préparée, quelle déception"),  # atlas, −
    ("03/10/2026", "Usine", "u3", "Rien de neuf"),  # none
    ("04/10/2026", "Usine", "u4", "Café"),  # none
    ("05/10/2026", "Usine", "u5", "Atlas, très bonne nouvelle"),  # atlas, +
]
TONES = [1, 1, 0, 0, -1, 0, 1, 1, 0, 0, -1, 0, 0, -1, 1, 0, 1]  # « Rien de neuf » is positive to Pattern

SEPT, OCT = date(2026, 9, 1), date(2026, 10, 1)
# (month, group, subject): (messages, distinct authors, positive, negative, neutral), from the comments above.
# September: Usine has 6 authors and Siège 5, both published. Atlas: u1 ×2, u2, u3 in Usine (4 messages, 3 authors,
# + + 0 +), s1 and s4 in Siège (+ −); « Atlassian » is no mention. Étoile: u5 in Usine (−), s2 and s3 in Siège (0 0).
# October: only Usine (5 authors); atlas u1 (0), u2 (−), u5 (+); étoile not mentioned: its "(all)" row says 0.
EXPECTED = {
    (SEPT, ALL, "atlas"): (6, 5, 4, 1, 1), (SEPT, "Usine", "atlas"): (4, 3, 3, 0, 1),
    (SEPT, "Siège", "atlas"): (2, 2, 1, 1, 0),
    (SEPT, ALL, "etoile"): (3, 3, 0, 1, 2), (SEPT, "Usine", "etoile"): (1, 1, 0, 1, 0),
    (SEPT, "Siège", "etoile"): (2, 2, 0, 0, 2),
    (OCT, ALL, "atlas"): (3, 3, 1, 1, 1), (OCT, "Usine", "atlas"): (3, 3, 1, 1, 1),
    (OCT, ALL, "etoile"): (0, 0, 0, 0, 0),
}


def _csv(tmp_path, name: str = "rse.csv", messages=MESSAGES) -> str:
    path = tmp_path / name
    path.write_text("\n".join([HEADER, *(f"{d};{g};{a};Nom {a};{x}" for d, g, a, x in messages)]), encoding="utf-8")
    return str(path)


def _import(store: Store, path) -> int:
    return store.import_batch(**ingest.check_file(path).batch(imported_by="test")).batch_id


def _mentions(store: Store) -> dict:
    return {(r.month, r.grp, r.subject): (r.messages, r.authors, r.positive, r.negative, r.neutral)
            for r in store.esn_subjects().itertuples()}


@pytest.fixture
def tracked(tmp_path) -> Store:
    store = Store(tmp_path / "s.duckdb")
    store.add_subject(ATLAS, by="cdo")
    store.add_subject(ETOILE, by="cdo")
    return store


def test_the_hand_labelled_tones_are_the_lexicons():
    assert tones([x for *_, x in MESSAGES]) == TONES


@pytest.mark.parametrize(("text", "found"), [
    ("Le programme Atlas démarre", {"atlas"}),
    ("ATLAS", {"atlas"}),  # case
    ("atlas-2026, c'est parti", {"atlas"}),  # a hyphen separates words
    ("Atlassian est en panne", set()),  # a longer word is no mention
    ("les atlases du monde", set()),
    ("projet ÉTOILE", {"etoile"}), ("projet etoile", {"etoile"}),  # accents
    ("Étoile filante", set()),  # « étoile » alone is not one of its names
    ("migration ETL", {"etoile"}), ("netlify", set()),
])
def test_a_mention_is_a_name_or_synonym_as_whole_words(text, found):
    assert mentioned([text], [ATLAS, ETOILE]) == [found]


def test_a_subject_that_does_not_hold_is_refused_in_both_languages():
    with pytest.raises(SubjectError) as exc:
        checked(Subject("Atlas 2", " "))
    assert "code" in exc.value.message_fr and "nom français" in exc.value.message_fr
    assert "French name" in exc.value.message_en
    # synonyms cleaned: blanks, repeats whatever the case, and the name itself dropped
    assert checked(Subject("x", "Projet X", None, ("x", "X ", "", "projet x"))).synonyms == ("x",)


def test_the_import_counts_each_subject_per_month_and_group_with_its_tone(tracked, tmp_path):
    batch = _import(tracked, _csv(tmp_path))
    assert _mentions(tracked) == EXPECTED
    rows = tracked.table_rows("esn_subjects")
    assert set(rows["batch_id"]) == {batch}
    dumped = " ".join(str(v) for row in rows.itertuples(index=False) for v in row)
    for secret in ("u1", "s4", "Nom", "Atlassian", "réussite", "déception"):  # no author, name or text
        assert secret not in dumped


def test_the_panel_gives_mentions_change_and_tone_for_the_window(tracked, tmp_path):
    _import(tracked, _csv(tmp_path))
    subjects = tracked.subjects()
    months = tracked.esn_months()
    assert months == [SEPT, OCT]
    both, notes = dashboard.subjects_frame(tracked.esn_subjects(date(2026, 7, 1), date(2026, 10, 31)), subjects,
                                           months, SEPT, date(2026, 10, 31), "fr")
    assert notes == []
    assert list(both.columns) == ["Sujet", "Messages", "Auteurs (max. par mois)", "Période précédente", "Évolution",
                                  "Part positive", "Part négative", "Score de sentiment"]
    # Sept–Oct, the network: atlas 6 + 3 = 9 messages, 5 authors in September (its largest month): tone shown,
    # positive 4 + 1 = 5 → 5/9 = 55.6 %, negative 1 + 1 = 2 → 22.2 %, score (5 − 2)/9 = 33.3 %; nothing before.
    # Étoile 3 + 0 = 3 messages, at most 3 authors a month: no tone. No export covers July–August: no previous
    # count and no change (« — », not a 0 and « nouveau »).
    assert both.values.tolist() == [
        ["Programme Atlas", 9, 5, "—", "—", "55,6\u202f%", "22,2\u202f%", "33,3\u202f%"],
        ["Projet Étoile", 3, 3, "—", "—", *["moins de 5 auteurs"] * 3]]
    # October alone, against September: atlas 3 against 6 → −50 %, 3 authors; étoile 0 against 3 → −100 %
    october, _ = dashboard.subjects_frame(tracked.esn_subjects(SEPT, date(2026, 10, 31)), subjects, months, OCT,
                                          date(2026, 10, 31), "en")
    assert october.values.tolist() == [
        ["Atlas programme", 3, 3, 6, "−50.0%", *["fewer than 5 authors"] * 3],
        ["Projet Étoile", 0, 0, 3, "−100.0%", *["fewer than 5 authors"] * 3]]
    # one group: September's Usine, atlas 4 messages by 3 authors
    usine, _ = dashboard.subjects_frame(tracked.esn_subjects(date(2026, 8, 1), date(2026, 9, 30)), subjects, months,
                                        SEPT, date(2026, 9, 30), "fr", group="Usine")
    assert usine.iloc[0, :3].tolist() == ["Programme Atlas", 4, 3]


def test_the_score_is_the_internal_sentiment_score_s_formula():
    # esn_sentiment_score = (esn_positive_messages − esn_negative_messages) / esn_messages
    assert dashboard.subject_score(5, 2, 9) == pytest.approx(3 / 9)
    assert dashboard.subject_score(0, 0, 0) is None


def test_a_subject_added_after_an_import_names_the_months_to_import_again(tracked, tmp_path):
    _import(tracked, _csv(tmp_path))
    tracked.add_subject(Subject("cafe", "Café"), by="cdo")
    frame, notes = dashboard.subjects_frame(tracked.esn_subjects(SEPT, date(2026, 10, 31)), tracked.subjects(),
                                            tracked.esn_months(), SEPT, date(2026, 10, 31), "fr")
    assert frame.set_index("Sujet").loc["Café", "Messages"] == 0
    assert notes == ["Café : non suivi lors de l'import de sept. 2026 – oct. 2026 : réimportez l'export pour le "
                     "compter."]
    # imported again (a corrected copy: one more line), the café is counted: u6 in September, u4 in October
    _import(tracked, _csv(tmp_path, "rse2.csv", [*MESSAGES, ("06/10/2026", "Usine", "u6", "Rien")]))
    frame, notes = dashboard.subjects_frame(tracked.esn_subjects(SEPT, date(2026, 10, 31)), tracked.subjects(),
                                            tracked.esn_months(), SEPT, date(2026, 10, 31), "fr")
    assert notes == [] and frame.set_index("Sujet").loc["Café"].tolist()[:2] == [2, 1]


def test_mentions_are_superseded_deleted_undeleted_backed_up_and_restored_with_their_batch(tracked, tmp_path):
    first = _import(tracked, _csv(tmp_path))
    # September again, to its last day (one more message naming no subject): the same counts, from the new batch
    september = [*MESSAGES[:12], ("30/09/2026", "Usine", "u6", "Rien")]
    second = _import(tracked, _csv(tmp_path, "rse2.csv", september))
    assert _mentions(tracked) == EXPECTED  # September from the second batch, October from the first
    assert len(tracked.table_rows("esn_subjects")) == 9 + 6  # both batches' rows kept, 6 of September read
    out = tracked.delete_batch(first, by="test")
    assert set(_mentions(tracked)) == {k for k in EXPECTED if k[0] == SEPT}
    assert len(tracked.table_rows("deleted_esn_subjects")) == 9
    tracked.undelete(out.deletion_id, by="test")
    assert _mentions(tracked) == EXPECTED and tracked.table_rows("deleted_esn_subjects").empty
    tracked.backup(tmp_path / "bk")
    tracked.delete_batch(second, by="test")
    tracked.remove_subject("etoile", by="cdo")
    tracked.restore(tmp_path / "bk", by="test")
    assert _mentions(tracked) == EXPECTED
    assert [s.code for s in tracked.subjects()] == ["atlas", "etoile"] and tracked.subjects()[0] == ATLAS


def test_subjects_are_audited_and_their_changes_said(tracked):
    changed = tracked.edit_subject(Subject("atlas", "Programme Atlas", "Atlas programme", ("Atlas", "PGM-A")),
                                   by="ana")
    assert changed == {"synonyms": [("Atlas",), ("Atlas", "PGM-A")]}
    assert tracked.edit_subject(tracked.subjects()[0], by="ana") == {}  # nothing changed: nothing recorded
    tracked.remove_subject("etoile", by="ana")
    with pytest.raises(StoreError, match="No tracked subject"):
        tracked.remove_subject("etoile", by="ana")
    with pytest.raises(StoreError, match="already tracked"):
        tracked.add_subject(ATLAS, by="ana")
    trail = tracked.audit()
    assert trail[["who", "action", "segments"]].values.tolist() == [
        ["ana", "subject_remove", ["B2E"]], ["ana", "subject_edit", ["B2E"]], ["cdo", "subject_add", ["B2E"]],
        ["cdo", "subject_add", ["B2E"]]]


GRANTS = [Grant("viewer", ("B2E",), email="ines@groupe.fr"), Grant("editor", ("B2E",), email="ana@groupe.fr"),
          Grant("editor", ("B2C", "B2B"), email="paul@groupe.fr")]


@pytest.mark.parametrize(("who", "reads", "writes"), [
    ("ines@groupe.fr", True, False), ("ana@groupe.fr", True, True), ("paul@groupe.fr", False, False)])
def test_b2e_readers_read_the_subjects_and_b2e_editors_change_them(tracked, tmp_path, who, reads, writes):
    _import(tracked, _csv(tmp_path))
    scoped = ScopedStore(tracked, resolve(Identity(who), GRANTS, admins=()))
    assert [s.code for s in scoped.subjects()] == (["atlas", "etoile"] if reads else [])
    assert len(scoped.esn_subjects()) == (9 if reads else 0) and len(scoped.esn_months()) == (2 if reads else 0)
    if writes:
        scoped.add_subject(Subject("cafe", "Café"), by=who)
        scoped.remove_subject("cafe", by=who)
    else:
        with pytest.raises(AccessDenied):
            scoped.add_subject(Subject("cafe", "Café"), by=who)
        with pytest.raises(AccessDenied):
            scoped.remove_subject("atlas", by=who)
        assert [s.code for s in tracked.subjects()] == ["atlas", "etoile"]


def test_the_command_line_adds_edits_lists_and_removes_a_subject(tmp_path, capsys):
    store = str(tmp_path / "c.duckdb")
    assert cli.main(["subject", "add", "atlas", "--name-fr", "Programme Atlas", "--name-en", "Atlas programme",
                     "--synonym", "Atlas", "--store", store, "--by", "cdo"]) == 0
    assert capsys.readouterr().out == "subject added: atlas\tProgramme Atlas / Atlas programme\t(Atlas)\n"
    assert cli.main(["subject", "edit", "atlas", "--synonym", "Atlas", "--synonym", "PGM-A", "--store", store]) == 0
    assert "synonyms ('Atlas',) → ('Atlas', 'PGM-A')" in capsys.readouterr().out
    assert cli.main(["subject", "list", "--format", "json", "--store", store]) == 0
    assert json.loads(capsys.readouterr().out) == [{"code": "atlas", "name_fr": "Programme Atlas",
                                                    "name_en": "Atlas programme", "synonyms": ["Atlas", "PGM-A"]}]
    # a bad code is a usage error (exit 2), an unknown one a refusal (exit 1); both one line on stderr
    assert cli.main(["subject", "add", "Bad Code", "--name-fr", "X", "--store", store]) == 2
    assert "Invalid subject" in capsys.readouterr().err
    assert cli.main(["subject", "remove", "nope", "--store", store]) == 1
    assert capsys.readouterr().err == "No tracked subject has the code 'nope'.\n"
    assert cli.main(["subject", "remove", "atlas", "--store", store]) == 0
    assert cli.main(["subject", "list", "--store", store]) == 0
    assert capsys.readouterr().out == "subject atlas removed\nno tracked subject\n"
    assert Store(tmp_path / "c.duckdb").audit()["action"].tolist() == ["subject_remove", "subject_edit",
                                                                        "subject_add"]


def test_the_command_line_import_counts_the_store_s_subjects(tmp_path, capsys):
    store = str(tmp_path / "c.duckdb")
    cli.main(["subject", "add", "atlas", "--name-fr", "Programme Atlas", "--synonym", "Atlas", "--store", store])
    assert cli.main(["import", _csv(tmp_path), "--store", store]) == 0
    capsys.readouterr()
    found = _mentions(Store(tmp_path / "c.duckdb"))
    assert found == {k: v for k, v in EXPECTED.items() if k[2] == "atlas"}


def test_a_version_11_store_is_migrated_with_the_subject_tables_and_a_profile_name(tmp_path):
    path = tmp_path / "old.duckdb"
    Store(path)
    as_version(path, 11)  # no subject tables, profiles without name nor mentions
    store = Store(path)
    assert store.schema_version() == SCHEMA_VERSION == 12
    assert store.subjects() == [] and isinstance(store.esn_subjects(), pd.DataFrame)
    assert {"name", "mentions"} <= set(store.table_rows("esn_profiles").columns)
    store.add_subject(ATLAS, by="cdo")
    _import(store, _csv(tmp_path))
    assert _mentions(store)[(SEPT, ALL, "atlas")] == (6, 5, 4, 1, 1)
