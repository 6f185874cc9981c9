"""The tone of workplace messages, French and English, from libraries that ship their lexicons."""

import csv
from collections import Counter

from conftest import ROOT
from kpis.esn.sentiment import language, tone, tones

# 20 messages labelled by hand (+1 positive, −1 negative, 0 neutral), beside what the library says.
# Its misses are kept and named: they are what a reader of the score should know (irony, idioms).
GOLDEN = [
    ("Bravo à l'équipe support, problème réglé en dix minutes !", 1, 0),    # « bravo » not in the FR lexicon
    ("Merci pour cette formation très utile.", 1, 1),
    ("Le nouvel outil de réservation est lent et plante tout le temps.", -1, 1),  # « plante »: missed
    ("Je ne suis pas satisfait de la nouvelle organisation.", -1, -1),       # negation
    ("Quelqu'un sait où trouver le modèle de présentation ?", 0, 0),         # a question
    ("La réunion est décalée à 14h.", 0, 0),
    ("Super, encore une panne juste avant la démo... merci bien.", -1, 1),  # irony: missed
    ("Très déçue par l'organisation du séminaire.", -1, -1),
    ("Excellente initiative, bravo 👏", 1, 1),
    ("Ce n'est pas mal du tout, la nouvelle version est fluide.", 1, 1),      # negated negative
    ("Great job on the rollout, well done team!", 1, 1),
    ("The VPN keeps dropping, so annoying 😡", -1, -1),                      # emoji
    ("I'm not happy with how this was handled.", -1, -1),                    # negation
    ("Where can we pick up visitor badges?", 0, 0),
    ("The meeting has moved to 2pm.", 0, 0),
    ("Oh yes, fantastic communication, nobody was told.", -1, 1),            # irony: missed
    ("Really impressed by the new dashboard 😍", 1, 1),
    ("Not convinced at all by this reorganisation.", -1, -1),
    ("Thanks a lot for covering for me, much appreciated.", 1, 1),
    ("Expense refunds take far too long.", -1, -1),   # read as French (no common English word); « long » −
]


def test_twenty_hand_labelled_messages():
    said = tones(text for text, _, _ in GOLDEN)
    assert said == [library for _, _, library in GOLDEN]
    agree = sum(s == hand for s, (_, hand, _) in zip(said, GOLDEN, strict=True))
    assert agree == 16  # 20 − 2 ironies − « bravo » − « plante »


def _fixture():
    with open(ROOT / "tests" / "fixtures" / "esn_sentiment.csv", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def test_the_labelled_set_is_large_balanced_and_bilingual():
    rows = _fixture()
    assert len(rows) >= 300
    assert Counter(r["lang"] for r in rows) == {"fr": 158, "en": 156}
    counts = Counter(r["label"] for r in rows)
    assert min(counts.values()) >= 100 and set(counts) == {"positive", "negative", "neutral"}


def test_accuracy_on_the_labelled_set_beats_the_majority_class_by_far():
    rows = _fixture()
    value = {"positive": 1, "negative": -1, "neutral": 0}
    said = tones(r["text"] for r in rows)
    accuracy = sum(s == value[r["label"]] for s, r in zip(said, rows, strict=True)) / len(rows)
    majority = max(Counter(r["label"] for r in rows).values()) / len(rows)  # 108 / 314 = 0.344
    assert round(majority, 3) == 0.344
    assert accuracy >= 0.74  # measured 0.758 (bench/bench_esn.py prints the table)


def test_language_is_read_from_common_words():
    rows = _fixture()
    right = sum(language(r["text"]) == r["lang"] for r in rows)
    assert right >= 310  # 311 of 314: three short English lines with no common word read as French
    assert tone("") == 0 and tone("   ") == 0
