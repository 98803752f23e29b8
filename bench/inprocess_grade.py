"""Grade a folder with the submission imported into this process (no sandbox): the baseline for
the cost of isolation. Benchmarks only (see autograder/inprocess.py); prints one JSON line.

    python bench/inprocess_grade.py SUBMISSION_DIR --only sigmoid,forward
"""

import argparse
import json
import sys
import time
from pathlib import Path

ROOT = Path.cwd()  # bench/run.py runs this in its snapshot of the repository
sys.path.insert(0, str(ROOT))

from autograder.config import load  # noqa: E402
from autograder.grade import grade  # noqa: E402
from autograder.inprocess import InProcessStudent  # noqa: E402


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("submission", type=Path)
    parser.add_argument("--only", required=True)
    args = parser.parse_args(argv)
    started = time.monotonic()
    report = grade(args.submission, config=load(ROOT / "grading.toml"), only=args.only.split(","),
                   student_factory=InProcessStudent)
    seconds = {}
    for test in report.tests:
        seconds[test.exercise] = round(seconds.get(test.exercise, 0.0) + test.seconds, 3)
    print(json.dumps({"score": report.score, "exercise_scores": report.exercise_scores(),
                      "execution_time": report.execution_time,
                      "grade_seconds": time.monotonic() - started, "exercise_seconds": seconds,
                      "tensorflow_imported": "tensorflow" in sys.modules}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
