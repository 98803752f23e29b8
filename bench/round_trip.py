"""One call's round trip, grader to child and back: `sigmoid` of a 3x4 array through the engine.

    python bench/round_trip.py [--watchdog thread] [--batches 10] [--calls 200]

Prints one JSON line: the median and the fastest batch's seconds per call, in milliseconds.
--watchdog thread: the child arms its stack dump with a faulthandler thread per call, as before
the POSIX timer (bench/ablation.py's temporary copy of child.py).
"""

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

ROOT = Path.cwd()  # bench/run.py runs this in its snapshot of the repository
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import numpy as np  # noqa: E402

from ablation import _engine_with_thread_watchdog  # noqa: E402
from autograder import handle, intake, sandbox, zygote  # noqa: E402
from autograder.config import load  # noqa: E402


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--watchdog", choices=["timer", "thread"], default="timer")
    parser.add_argument("--batches", type=int, default=10)
    parser.add_argument("--calls", type=int, default=200)
    args = parser.parse_args(argv)
    if args.watchdog == "thread":
        sandbox._HERE = _engine_with_thread_watchdog()
    config = load(ROOT / "grading.toml")
    files = intake.read(ROOT / "solutions", config.modules(), max_bytes=config.max_file_bytes).files
    limits = sandbox.Limits(10, 1024, 8, scratch_mb=64)
    forks = zygote.Zygote(files, limits, slots=2) if zygote.available() else None
    student = handle.Student("mlp", files, limits, seed=1, zygote=forks)
    x = np.linspace(-3, 3, 12).reshape(3, 4)
    try:
        student.call("sigmoid", x)  # the start and the import, not measured
        batches = []
        for _ in range(args.batches):
            started = time.perf_counter()
            for _ in range(args.calls):
                student.call("sigmoid", x)
            batches.append((time.perf_counter() - started) / args.calls * 1000)
    finally:
        student.close()
        if forks is not None:
            forks.close()
    print(json.dumps({"watchdog": args.watchdog, "zygote": forks is not None,
                      "median_ms": round(statistics.median(batches), 3), "fastest_ms": round(min(batches), 3)}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
