"""Benchmark: 20,000 real posts through the whole analysis path, vs SnowNLP's sentiment.

Prints posts/s on one core (this process, single-threaded) and peak memory. Not a test.
Usage: .venv/bin/python bench/analysis_bench.py [--data ../shared/data] [--n 20000] [--snownlp 2000]
"""

from __future__ import annotations

import argparse
import csv
import os
import resource
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", type=Path, default=Path("../shared/data"))
    ap.add_argument("--n", type=int, default=20_000)
    ap.add_argument("--batch", type=int, default=500)
    ap.add_argument("--snownlp", type=int, default=2_000, help="posts for SnowNLP (it is slow); 0 skips")
    args = ap.parse_args()

    from yuqing.analysis.pipeline import Context, DocInput, analyse_batch
    from yuqing.analysis.releases import ReleaseRef
    from yuqing.analysis.sensitive import SensitiveLexicon
    from yuqing.analysis.sentiment.model import load_model
    from yuqing.analysis.stories import StoryIndex
    from yuqing.analysis.tokenise import tokenizer
    from yuqing.analysis.watch import WatchSet

    with (args.data / "weibo_senti_100k.csv").open(encoding="utf-8") as fh:
        posts = [row["review"] for _, row in zip(range(args.n), csv.DictReader(fh), strict=False)]
    now = datetime(2026, 11, 10, 6, tzinfo=UTC)
    ctx = Context(
        model=load_model(), lexicon=SensitiveLexicon(),
        watch=WatchSet({"物价": "CPI OR 居民消费价格 OR 物价", "造假": '造假 OR 注水 OR "被平均"'}),
        releases=[ReleaseRef(1, "CPI", "2026年10月", now - timedelta(hours=5))],
    )
    tokenizer()  # dictionary load is start-up, not throughput
    index = StoryIndex()
    docs = [DocInput(key=i, text=t, published_at=now - timedelta(minutes=i % 600), reposts=i % 3000)
            for i, t in enumerate(posts)]
    start, cpu_start = time.perf_counter(), time.process_time()
    next_story = 0
    for lo in range(0, len(docs), args.batch):
        results, _ = analyse_batch(docs[lo : lo + args.batch], ctx, now=now)
        for a in results:  # story assignment as the worker does it, without the database
            if a.signature is not None and index.find(a.signature) is None:
                next_story += 1
                index.add(next_story, a.signature)
    elapsed, cpu = time.perf_counter() - start, time.process_time() - cpu_start
    # CPU time too: on a shared machine the wall clock includes waiting for the core.
    print(f"full path: {len(docs):,} posts in {elapsed:.1f} s = {len(docs) / elapsed:,.0f} posts/s "
          f"(1 core; {len(docs) / cpu:,.0f} posts per CPU-second), {next_story:,} stories, "
          f"peak memory {_peak_mb():,.0f} MB")

    if args.snownlp:
        from snownlp import SnowNLP

        sample = posts[: args.snownlp]
        start, cpu_start = time.perf_counter(), time.process_time()
        for t in sample:
            SnowNLP(t).sentiments  # noqa: B018 - the property computes the score
        elapsed, cpu = time.perf_counter() - start, time.process_time() - cpu_start
        print(f"SnowNLP sentiment only: {len(sample):,} posts in {elapsed:.1f} s = "
              f"{len(sample) / elapsed:,.0f} posts/s ({len(sample) / cpu:,.0f} per CPU-second), "
              f"peak memory {_peak_mb():,.0f} MB")


if __name__ == "__main__":
    main()
