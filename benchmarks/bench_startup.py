"""How long `tms-sched --help` and `tms-sched plan --help` take to start (not a test; prints figures).

    python benchmarks/bench_startup.py            # 15 runs of each, the median
    python benchmarks/bench_startup.py --runs 31

The yardstick is `python -c "import click"`: the least any click program pays. Each run
is a fresh interpreter (the way a shell starts the command), timed from the outside;
the median of the runs is reported, with the ratio to the yardstick. The target is a
ratio of at most 3 for both help screens.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time

ENTRY = "import sys; from tms_sched.cli import run; sys.argv[0] = 'tms-sched'; run()"

CASES = {
    'python -c "import click"': [sys.executable, "-c", "import click"],
    "tms-sched --help": [sys.executable, "-c", ENTRY, "--help"],
    "tms-sched plan --help": [sys.executable, "-c", ENTRY, "plan", "--help"],
}
TARGET = 3.0


def median_seconds(argv: list[str], runs: int) -> float:
    subprocess.run(argv, check=True, stdout=subprocess.DEVNULL)  # warm the file cache
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(argv, check=True, stdout=subprocess.DEVNULL)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15, help="runs of each command (default 15)")
    args = parser.parse_args()
    base = None
    worst = 0.0
    print(f"{'command':<28} {'median':>9} {'ratio':>6}")
    for name, argv in CASES.items():
        seconds = median_seconds(argv, args.runs)
        base = base or seconds
        ratio = seconds / base
        if name in ("tms-sched --help", "tms-sched plan --help"):
            worst = max(worst, ratio)
        print(f"{name:<28} {seconds * 1000:7.1f} ms {ratio:5.2f}x")
    print(f"target: both help screens within {TARGET:.0f}x the yardstick: {'met' if worst <= TARGET else 'MISSED'}")
    return 0 if worst <= TARGET else 1


if __name__ == "__main__":
    raise SystemExit(main())
