"""Time loading and scoring an exercise the size of the SemEval-2020 Task 11 corpus.

Run by hand: ``python bench/large_exercise.py``. Builds a package of 357 synthetic articles whose
key (5,745 items) comes from SemEval-layout labels through `exercises.semeval.key_items`, as an
instructor's SemEval import makes it, writes it to a temporary folder, then prints the figures
and the targets they are held to: loading the package in under 2 s, and ``crosscheck score`` on
an answers file flagging a third of the items in under 3 s. Times are CPU seconds of this
process, the best of three runs. ``bench/large_workspace.py`` builds its 50-article package with
the same `build_package`, and times that exercise's workspace and dashboard in the app.
"""

from __future__ import annotations

import json
import random
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import tomli_w
from click.testing import CliRunner

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from exercises.answers import read_answers
from exercises.loader import load_package
from exercises.score_cli import score
from exercises.semeval import DEFAULT_MAPPING, Label, key_items

ARTICLES = 357
ITEMS = 5_745
WORDS = [
    "the",
    "officials",
    "said",
    "forces",
    "town",
    "attack",
    "claimed",
    "reportedly",
    "according",
    "sources",
    "killed",
    "dozens",
    "residents",
    "government",
    "army",
    "militants",
    "border",
    "report",
    "unnamed",
    "witnesses",
    "regime",
    "brutal",
    "heroic",
    "shocking",
    "alleged",
    "massive",
    "crisis",
    "hundreds",
    "village",
    "people",
    "fighters",
    "city",
    "week",
    "spokesman",
]
TECHNIQUES = sorted(technique for technique, category in DEFAULT_MAPPING.items() if category is not None)


def article_text(rng: random.Random) -> str:
    """About 5,000 characters of sentences of random words."""
    sentences: list[str] = []
    length = 0
    while length < 5_000:
        words = [rng.choice(WORDS) for _ in range(rng.randint(8, 24))]
        sentences.append(" ".join(words).capitalize() + ".")
        length += len(sentences[-1]) + 1
    return " ".join(sentences)


def labels_for(article: str, text: str, count: int, rng: random.Random) -> list[Label]:
    """``count`` labels of one to eight words that do not overlap, as SemEval annotators mark spans."""
    starts = [0] + [i + 1 for i, c in enumerate(text) if c == " "]
    chosen = sorted(rng.sample(range(0, len(starts) - 10, 10), count))
    labels = []
    for first in chosen:
        last = first + rng.randint(1, 8)
        start, end = starts[first], starts[last] - 1
        labels.append(Label(article, rng.choice(TECHNIQUES), start, end))
    return labels


def build_package(
    folder: Path,
    rng: random.Random,
    *,
    articles: int = ARTICLES,
    items: int = ITEMS,
    slug: str = "semeval-large",
) -> dict[str, list[dict[str, object]]]:
    """Write a package of ``articles`` articles and about ``items`` key items into ``folder``;
    return an answers file flagging a third of its items."""
    (folder / "articles").mkdir(parents=True)
    ids = [f"article{100000 + n}" for n in range(articles)]
    texts = {article: article_text(rng) for article in ids}
    labels: list[Label] = []
    per_article, extra = divmod(items, articles)
    for number, article in enumerate(ids):
        labels += labels_for(article, texts[article], per_article + (number < extra), rng)
        (folder / "articles" / f"{article}.txt").write_text(texts[article], encoding="utf-8")
        sidecar = {
            "id": article,
            "title": f"Synthetic article {number}",
            "event_date": "2019-06-01",
            "language": "en",
            "provenance": "Random words, for a benchmark.",
        }
        (folder / "articles" / f"{article}.toml").write_text(tomli_w.dumps(sidecar), encoding="utf-8")
    exercise = {
        "slug": slug,
        "title": "A SemEval-sized exercise",
        "briefing": "Flag what you would check.",
        "instructions": "Flag the problems.",
        "suggested_minutes": 600,
        "articles": ids,
        "categories": [
            {"id": "unverified", "name": "Unverified claim", "definition": "Unsourced.", "example": "reportedly"},
            {"id": "loaded_framing", "name": "Loaded framing", "definition": "Emotive.", "example": "brutal"},
        ],
    }
    (folder / "exercise.toml").write_text(tomli_w.dumps(exercise), encoding="utf-8")
    (folder / "key.toml").write_text(
        tomli_w.dumps({"items": key_items(labels, texts, DEFAULT_MAPPING)}), encoding="utf-8"
    )
    flags: list[dict[str, object]] = []
    for label in rng.sample(labels, len(labels) // 3):
        start, end = label.start, label.end + rng.choice([0, 0, 4])
        category = DEFAULT_MAPPING[label.technique] if rng.random() < 0.8 else "unverified"
        text = texts[label.article]
        end = min(end, len(text))
        flags.append(
            {
                "id": f"f{len(flags)}",
                "article": label.article,
                "start": start,
                "end": end,
                "quote": text[start:end],
                "category": category,
            }
        )
    return {"flags": flags}


def best_cpu(runs: int, work: Callable[[], object]) -> float:
    """The least CPU time of ``runs`` runs of ``work``, in seconds."""
    best = float("inf")
    for _ in range(runs):
        began = time.process_time()
        work()
        best = min(best, time.process_time() - began)
    return best


def main() -> None:
    rng = random.Random(2020)
    with tempfile.TemporaryDirectory(prefix="crosscheck-large-") as workspace:
        folder = Path(workspace) / "semeval-large"
        answers_file = Path(workspace) / "answers.json"
        answers = build_package(folder, rng)
        answers_file.write_text(json.dumps(answers), encoding="utf-8")
        package = load_package(folder)
        flags = read_answers(answers, {article.id: article.text for article in package.articles})
        print(f"package: {len(package.articles)} articles, {len(package.key)} key items; answers: {len(flags)} flags")
        loading = best_cpu(3, lambda: load_package(folder))
        print(f"load and validate the package: {loading:6.2f} s CPU  (target < 2 s)")
        scoring = best_cpu(3, lambda: package.prepared_key().score(flags))
        print(f"prepare the key and score the answers: {scoring:6.2f} s CPU")
        runner = CliRunner()
        arguments = ["--exercise", str(folder), "--answers", str(answers_file)]

        def score_command() -> None:
            result = runner.invoke(score, arguments, catch_exceptions=False)
            assert result.exit_code == 0, result.output

        command = best_cpu(3, score_command)
        print(f"crosscheck score (load, read answers, score, print): {command:6.2f} s CPU  (target < 3 s)")


if __name__ == "__main__":
    main()
