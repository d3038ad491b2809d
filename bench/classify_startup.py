"""Benchmark: how long `yuqing classify` takes to answer its first line (a fresh process each time).

Prints wall seconds to the first output line and the CPU seconds the process used (CPU time is what an
idle machine's wall time would be; a loaded machine inflates wall time). Not a test.
Usage: PYTHONPATH=$PWD .venv/bin/python bench/classify_startup.py [--runs 5]
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import time


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=5)
    args = ap.parse_args()
    walls, cpus = [], []
    for _ in range(args.runs):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        start = time.perf_counter()
        proc = subprocess.Popen([sys.executable, "-m", "yuqing", "classify"], stdin=subprocess.PIPE,
                                stdout=subprocess.PIPE, text=True, env=os.environ.copy())
        assert proc.stdin and proc.stdout
        proc.stdin.write("统计局这CPI是不是注水了笑死…反正我是不信\n")
        proc.stdin.close()
        first = proc.stdout.readline()
        walls.append(time.perf_counter() - start)
        proc.wait()
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpus.append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
        assert first.startswith("{"), first
    wall, cpu = sorted(walls)[len(walls) // 2], sorted(cpus)[len(cpus) // 2]
    print(f"yuqing classify, first line: median {wall:.2f} s wall, {cpu:.2f} s CPU over {args.runs} runs "
          f"(load average {os.getloadavg()[0]:.1f})")


if __name__ == "__main__":
    main()
