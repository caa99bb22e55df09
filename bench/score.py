"""Time the scoring engine on the seed exercise and the SemEval span metric on a large corpus.

Run by hand: ``python bench/score.py``. Prints the figures and the targets they are held to:
10,000 submissions rescored in under 2 s on one core, peak memory under 150 MB while doing so,
and the span metric on 400 articles (5,000 key spans, 4,000 flagged spans) in under 30 ms.

Each timing is the best of several runs: on a shared virtual machine the same run can take 30%
longer from one minute to the next. For comparing two versions of the engine, count instructions
instead, which do not depend on what else the host is doing: ``python bench/score.py
--instructions [--baseline REV]`` runs the rescoring of 1,000 submissions under valgrind's
callgrind, counting only the rescoring (with a fresh key, then again once every span is
analysed, then again with `report_to_dict` of each report, as the app stores it), for this tree
and for the engine at git revision REV (default main) with the same submissions.
"""

from __future__ import annotations

import argparse
import io
import os
import random
import re
import resource
import subprocess
import sys
import tarfile
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# Counting instructions runs this script again on another tree's engine (see count_one_pass).
ENGINE_ROOT = Path(os.environ.get("BENCH_ENGINE_ROOT", ROOT))
sys.path.insert(0, str(ENGINE_ROOT))

from exercises.loader import load_package
from exercises.types import ExercisePackage
from scoring import Flag, KeyItem, PreparedKey, report_to_dict, rescore, score, span_metric

SEED = ROOT / "exercises" / "deir-ez-zor-2018"
SUBMISSIONS = 10_000
COUNTED_SUBMISSIONS = 1_000


def synthetic_submission(
    rng: random.Random, key: tuple[KeyItem, ...], lengths: dict[str, int], categories: list[str]
) -> list[Flag]:
    """A plausible trainee: finds 30-80% of the items, selecting the core or the whole phrase with
    sloppy boundaries and some wrong categories, hits a decoy now and then, adds a few false
    positives and links some figures."""
    flags: list[Flag] = []
    skill = rng.uniform(0.3, 0.8)
    for item in key:
        if item.decoy:
            if rng.random() < 0.15:
                flags.append(Flag(f"f{len(flags)}", item.article, item.start, item.end, item.category))
            continue
        if rng.random() > skill:
            continue
        start, end = item.core if rng.random() < 0.5 else (item.start, item.end)
        start = max(0, start + rng.choice([0, 0, 0, -1, 2, -6, 5]))
        end = min(lengths[item.article], max(start + 1, end + rng.choice([0, 0, 0, 1, -2, 8])))
        roll = rng.random()
        category = item.category if roll < 0.75 else rng.choice(categories)
        flags.append(Flag(f"f{len(flags)}", item.article, start, end, category))
    for _ in range(rng.randint(0, 4)):
        article = rng.choice(list(lengths))
        start = rng.randrange(0, lengths[article] - 60)
        flags.append(Flag(f"f{len(flags)}", article, start, start + rng.randint(8, 60), rng.choice(categories)))
    figures = [f for f in flags if f.category == "conflicting_number"]
    linked = []
    for flag in flags:
        if flag in figures and len(figures) > 1 and rng.random() < 0.6:
            other = rng.choice([f for f in figures if f is not flag])
            flag = Flag(flag.id, flag.article, flag.start, flag.end, flag.category, links=(other.id,))
        linked.append(flag)
    return linked


def best_of(runs: int, work: Callable[[], object]) -> tuple[float, float]:
    """Return the fastest of ``runs`` timings of ``work`` in seconds: (wall clock, CPU time)."""
    wall = cpu = float("inf")
    for _ in range(runs):
        began, began_cpu = time.perf_counter(), time.process_time()
        work()
        wall = min(wall, time.perf_counter() - began)
        cpu = min(cpu, time.process_time() - began_cpu)
    return wall, cpu


def span_corpus(rng: random.Random) -> tuple[list[tuple[str, int, int]], list[tuple[str, int, int]]]:
    """400 articles of 5,000 characters, 5,000 key spans and 4,000 flagged spans."""

    def spans(count: int) -> list[tuple[str, int, int]]:
        result = []
        for _ in range(count):
            start = rng.randrange(0, 4900)
            result.append((f"article-{rng.randrange(400)}", start, start + rng.randint(5, 90)))
        return result

    return spans(4_000), spans(5_000)


def seed_submissions(count: int) -> tuple[ExercisePackage, list[tuple[int, list[Flag]]], random.Random]:
    """The seed package, ``count`` synthetic submissions (the same on every run) and the random
    generator that made them, for what follows."""
    rng = random.Random(20180207)
    package = load_package(SEED)
    categories = [c.id for c in package.categories]
    lengths = {a.id: len(a.text) for a in package.articles}
    submissions = [(number, synthetic_submission(rng, package.key, lengths, categories)) for number in range(count)]
    return package, submissions, rng


def count_one_pass(passes: int, gate: Path, *, store: bool) -> None:
    """Rescore `COUNTED_SUBMISSIONS` ``passes`` times with one prepared key, under callgrind
    started with instrumentation off: before the last pass, create ``gate``.ready and wait for
    ``gate``.go, so that only that pass is counted (with ``store``, turning each report into its
    stored form too); then leave without the interpreter's shutdown."""
    package, submissions, _ = seed_submissions(COUNTED_SUBMISSIONS)
    prepared = PreparedKey(
        package.key,
        package.policy,
        categories=[c.id for c in package.categories],
        texts={a.id: a.text for a in package.articles},
    )
    for number in range(passes):
        if number == passes - 1:
            gate.with_suffix(".ready").touch()
            while not gate.with_suffix(".go").exists():
                time.sleep(0.05)
        for _, flags in submissions:
            report = prepared.score(flags)
            if store and number == passes - 1:
                report_to_dict(report)
    os._exit(0)


def instructions_per_submission(engine_root: Path, passes: int, workdir: Path, *, store: bool = False) -> int:
    """Count the instructions of the last of ``passes`` rescorings with the engine under ``engine_root``
    (with ``store``, and of `report_to_dict` of each report)."""
    run = f"{passes}{'-stored' if store else ''}-{engine_root.name}"
    gate = workdir / f"gate-{run}"
    log = workdir / f"callgrind-{run}.log"
    with log.open("w") as errors:
        child = subprocess.Popen(
            ["valgrind", "--tool=callgrind", "--instr-atstart=no", f"--callgrind-out-file={workdir}/callgrind.%p"]
            + [sys.executable, str(Path(__file__).resolve()), "--count-pass", str(passes), str(gate)]
            + (["--count-stored"] if store else []),
            env={**os.environ, "BENCH_ENGINE_ROOT": str(engine_root)},
            stdout=subprocess.DEVNULL,
            stderr=errors,
        )
        while not gate.with_suffix(".ready").exists():
            if child.poll() is not None:
                raise RuntimeError(f"the counted run failed: see {log}")
            time.sleep(0.1)
        subprocess.run(["callgrind_control", "--instr=on", str(child.pid)], check=True, capture_output=True)
        gate.with_suffix(".go").touch()
        child.wait()
    collected = re.search(r"Collected : (\d+)", log.read_text())
    if collected is None:
        raise RuntimeError(f"callgrind counted nothing: see {log}")
    return int(collected.group(1)) // COUNTED_SUBMISSIONS


def compare_instructions(baseline: str) -> None:
    """Print instructions per submission, fresh key, warm, and warm with the stored form, for
    ``baseline`` and for this tree."""
    with tempfile.TemporaryDirectory() as directory:
        workdir = Path(directory)
        engine = workdir / "baseline"
        archive = subprocess.run(["git", "-C", str(ROOT), "archive", baseline], check=True, capture_output=True)
        with tarfile.open(fileobj=io.BytesIO(archive.stdout)) as tar:
            tar.extractall(engine, filter="data")
        counts = {
            name: [
                instructions_per_submission(root, 1, workdir),
                instructions_per_submission(root, 2, workdir),
                instructions_per_submission(root, 2, workdir, store=True),
            ]
            for name, root in ((baseline, engine), ("this tree", ROOT))
        }
    (base_fresh, base_warm, base_stored), (fresh, warm, stored) = counts[baseline], counts["this tree"]
    print(f"instructions per submission, callgrind, {COUNTED_SUBMISSIONS} seed submissions:")
    print(
        f"  a fresh key:           {baseline} {base_fresh / 1e6:.2f} M, this tree {fresh / 1e6:.2f} M, "
        f"ratio {fresh / base_fresh:.2f}"
    )
    print(
        f"  spans already analysed: {baseline} {base_warm / 1e6:.2f} M, this tree {warm / 1e6:.2f} M, "
        f"ratio {warm / base_warm:.2f}"
    )
    print(
        f"  the same, report_to_dict each: {baseline} {base_stored / 1e6:.2f} M, this tree {stored / 1e6:.2f} M, "
        f"ratio {stored / base_stored:.2f}"
    )


def main() -> None:
    package, submissions, rng = seed_submissions(SUBMISSIONS)
    key, policy = package.key, package.policy
    categories = [c.id for c in package.categories]
    texts = {a.id: a.text for a in package.articles}
    flag_count = sum(len(flags) for _, flags in submissions)
    print(
        f"seed exercise: {len(key)} key items; {SUBMISSIONS} synthetic submissions, "
        f"{flag_count / SUBMISSIONS:.1f} flags on average"
    )

    one = submissions[0][1]
    single, single_cpu = best_of(200, lambda: score(key, one, policy, categories=categories, texts=texts))
    print(
        f"score one submission ({len(one)} flags, key prepared each time): "
        f"{single * 1e6:6.0f} µs wall, {single_cpu * 1e6:6.0f} µs CPU"
    )

    def rescore_all() -> float:
        total = 0.0
        for _, report in rescore(key, submissions, policy, categories=categories, texts=texts):
            total += report.score
        return total

    def rescore_and_store() -> None:
        for _, report in rescore(key, submissions, policy, categories=categories, texts=texts):
            report_to_dict(report)

    mean = rescore_all() / SUBMISSIONS
    rescoring, rescoring_cpu = best_of(5, rescore_all)
    storing, storing_cpu = best_of(1, rescore_and_store)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        f"rescore {SUBMISSIONS} submissions: {rescoring:6.2f} s wall, {rescoring_cpu:6.2f} s CPU, "
        f"{rescoring_cpu / SUBMISSIONS * 1e6:.0f} µs each  (target < 2 s; mean score {mean:.1f})"
    )
    print(f"rescore {SUBMISSIONS} and report_to_dict each: {storing:6.2f} s wall, {storing_cpu:6.2f} s CPU")
    print(f"peak resident memory after rescoring: {peak:6.1f} MB  (target < 150 MB)")

    flagged, gold = span_corpus(rng)
    metric, metric_cpu = best_of(20, lambda: span_metric(flagged, gold))
    result = span_metric(flagged, gold)
    print(
        f"SemEval span metric, 400 articles, 5,000 key / 4,000 flagged spans: "
        f"{metric * 1e3:5.1f} ms wall, {metric_cpu * 1e3:5.1f} ms CPU  (target < 30 ms; "
        f"P {result.precision:.3f} R {result.recall:.3f})"
    )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--instructions", action="store_true", help="count instructions with callgrind instead")
    parser.add_argument("--baseline", default="main", help="git revision to compare with (default main)")
    parser.add_argument("--count-pass", nargs=2, metavar=("PASSES", "GATE"), help=argparse.SUPPRESS)
    parser.add_argument("--count-stored", action="store_true", help=argparse.SUPPRESS)
    arguments = parser.parse_args()
    if arguments.count_pass:
        count_one_pass(int(arguments.count_pass[0]), Path(arguments.count_pass[1]), store=arguments.count_stored)
    elif arguments.instructions:
        compare_instructions(arguments.baseline)
    else:
        main()
