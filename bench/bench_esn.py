"""ESN benchmark: the tone of workplace messages (accuracy), and the import of 100,000 messages.

    $ .venv/bin/python bench/bench_esn.py

1. Accuracy on ``tests/fixtures/esn_sentiment.csv`` (314 messages written for the tests, French and English:
   praise, complaints, questions, irony, negations, emojis) of the chosen analyser (``kpis.esn.sentiment``:
   VADER for English, the Pattern French lexicon of textblob-fr for French, language read from common words),
   beside the majority class and the alternatives: VADER on every message, TextBlob's Pattern lexicons
   (English and French), the multilingual ``vader-multi`` is not measured (it translates through an online
   service). Each line gives the accuracy overall, in French, in English, and the time per message.
2. ``kpis import`` of an export of 100,000 messages (``sample_data/generate.py``'s generator) into a new store
   that tracks the demo's two subjects (their mentions are counted too), whole process, median of 3 runs
   (target ≤ 60 s), beside a child that only reads the same CSV with the csv module.
"""

from __future__ import annotations

import csv
import statistics
import sys
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.harness import CACHE, PYTHON, ROOT, report, run_process  # noqa: E402
from kpis.esn import sentiment  # noqa: E402

FIXTURE = ROOT / "tests" / "fixtures" / "esn_sentiment.csv"
BIG = CACHE / "esn_100k_messages.csv"
N_BIG = 100_000
VALUE = {"positive": 1, "negative": -1, "neutral": 0}


def _vader(text: str) -> int:
    return sentiment._sign(sentiment._vader().polarity_scores(text)["compound"], sentiment.VADER_THRESHOLD)


def _textblob(text: str) -> int:
    if sentiment.language(text) == "fr":
        from textblob_fr import PatternAnalyzer  # with its own tokenizer

        return sentiment._sign(PatternAnalyzer().analyze(text)[0], 0.0)
    from textblob import TextBlob

    return sentiment._sign(TextBlob(text).sentiment.polarity, 0.0)


def accuracy() -> None:
    with open(FIXTURE, encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    majority = Counter(r["label"] for r in rows).most_common(1)[0][0]
    candidates = {
        f"majority class ({majority})": lambda _text: VALUE[majority],
        "VADER on every message": _vader,
        "TextBlob Pattern EN + textblob-fr FR": _textblob,
        "chosen: VADER EN + textblob-fr FR": sentiment.tone,
    }
    print(f"{'analyser':<40} {'all':>6} {'fr':>6} {'en':>6} {'ms/msg':>7}   ({len(rows)} messages)")
    for name, fn in candidates.items():
        t0 = time.perf_counter()
        said = [fn(r["text"]) for r in rows]
        ms = (time.perf_counter() - t0) * 1000 / len(rows)
        right = [s == VALUE[r["label"]] for s, r in zip(said, rows, strict=True)]
        by = {lang: [ok for ok, r in zip(right, rows, strict=True) if r["lang"] == lang] for lang in ("fr", "en")}
        print(f"{name:<40} {sum(right) / len(right):6.1%} {sum(by['fr']) / len(by['fr']):6.1%} "
              f"{sum(by['en']) / len(by['en']):6.1%} {ms:7.2f}", flush=True)


def big_export() -> Path:
    if not BIG.exists():
        sys.path.insert(0, str(ROOT / "sample_data"))
        import generate

        BIG.parent.mkdir(parents=True, exist_ok=True)
        with open(BIG, "w", newline="", encoding="utf-8") as f:
            writer = csv.writer(f, delimiter=";", lineterminator="\n")
            writer.writerow(generate.ESN_HEADER)
            writer.writerows(generate.make_esn_messages(N_BIG))
    return BIG


def import_speed() -> None:
    path = big_export()
    store = CACHE / "esn_100k.duckdb"

    def clean() -> None:
        for p in store.parent.glob(store.name + "*"):
            p.unlink()

    from kpis.demo import DEMO_SUBJECTS
    from kpis.store import Store

    times, peaks = [], []
    for _ in range(3):
        clean()
        tracked = Store(store)
        for subject in DEMO_SUBJECTS:
            tracked.add_subject(subject, by="bench")
        t, p = run_process([PYTHON, "-m", "kpis", "import", str(path), "--store", str(store)], repeat=1)
        times.append(t)
        peaks.append(p)
    t_import, peak = statistics.median(times), max(peaks)
    clean()
    t_read, _ = run_process([PYTHON, "-c", f"import csv; list(csv.reader(open({str(path)!r}, encoding='utf-8')))"],
                            repeat=3)
    report(f"import of {N_BIG:,} ESN messages, {peak:.0f} MiB peak", t_import, "csv module reads the file",
           t_read, "<= 60 s")


if __name__ == "__main__":
    accuracy()
    import_speed()
