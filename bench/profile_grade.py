"""Profile `python -m autograder grade` (the trusted process) with pyinstrument; print JSON.

    python bench/profile_grade.py SUBMISSION_DIR --only sigmoid,forward

Wall time in the grading process, split into phases by the functions on the stack (the first
matching frame counts, so nothing is counted twice), and the functions with the most self
time. The children are other processes: their work shows up here as time spent waiting in
Child.receive (their start-up, the submission's import, and the calls the graders make).
"""

import argparse
import contextlib
import json
import sys
import tempfile
from pathlib import Path

from pyinstrument import Profiler

ROOT = Path.cwd()
sys.path.insert(0, str(ROOT))

# (phase, function names that start it), checked from the root down; the first match wins.
PHASES = [
    ("closing children (kill, reap, sweep, delete)", {"close", "_finish_close", "join_closing"}),
    ("starting children (bubblewrap + Python spawn)", {"__init__@sandbox.py"}),
    ("waiting for children (their start-up and imports, then the submission's code)", {"receive"}),
    ("imports of the grading process (pytest, numpy, engine)", {"<module>"}),
    ("pytest start-up and collection", {"_preparse", "pytest_collection", "pytest_configure",
                                        "pytest_sessionstart", "pytest_load_initial_conftests",
                                        "PytestPluginManager.import_plugin", "register"}),
    ("graders' own work (reference values, comparisons)", {"pytest_pyfunc_call"}),
]


def _key(frame) -> str:
    return f"{frame.function}@{Path(frame.file_path or '').name}"


OTHER = "other (argument parsing, results, pytest's runner)"


def split(frame, phases: dict, on_stack: frozenset = frozenset()) -> None:
    """Add each frame's own time to the most specific phase on its stack (PHASES order)."""
    on_stack = on_stack | {phase for phase, names in PHASES if frame.function in names or _key(frame) in names}
    own = frame.time - sum(child.time for child in frame.children)
    if own > 0:
        label = next((phase for phase, _ in PHASES if phase in on_stack), OTHER)
        phases[label] = phases.get(label, 0.0) + own
    for child in frame.children:
        split(child, phases, on_stack)


def self_times(frame, totals: dict, parent=None) -> None:
    own = frame.time - sum(child.time for child in frame.children)
    owner = parent if frame.is_synthetic and parent is not None else frame
    if own > 0:
        name = f"{owner.function} ({owner.file_path_short or '?'}:{owner.line_no})"
        totals[name] = totals.get(name, 0.0) + own
    for child in frame.children:
        self_times(child, totals, frame)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("submission")
    parser.add_argument("--only", required=True)
    args = parser.parse_args(argv)
    profiler = Profiler(interval=0.001)
    profiler.start()
    from autograder import cli

    with tempfile.TemporaryDirectory() as scratch, contextlib.redirect_stdout(sys.stderr):
        code = cli.main(["grade", args.submission, "--results", str(Path(scratch, "results.json")),
                         "--only", args.only])
    profiler.stop()
    root = profiler.last_session.root_frame()
    phases, totals = {}, {}
    split(root, phases)
    self_times(root, totals)
    top = sorted(totals.items(), key=lambda item: -item[1])[:10]
    print(json.dumps({"code": code, "wall": root.time, "phases": phases, "top_self": top,
                      "text": profiler.output_text(show_all=False, color=False, unicode=False)[:20000]}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
