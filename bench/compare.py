"""Before and after: the same commands in another checkout (BEFORE, e.g. a worktree of an older
commit) and in this one, by turns, so that a change in the machine's speed hits both alike.

    git worktree add /tmp/before <commit>
    .venv/bin/python bench/compare.py /tmp/before [--runs 5] [--keras-runs N] [--class-size 8] [--output FILE]

Each checkout grades its own solutions/ with this interpreter (data/ is linked from this one
where BEFORE has none). Measured, wall-clock medians:
  check     `python -m autograder check solutions --only <NumPy exercises>` (warm: one unmeasured run first)
  grade     `python -m autograder grade solutions --only <NumPy exercises>`, in this machine's
            strongest sandbox, and without namespaces (AUTOGRADER_SANDBOX=dropped) where root
  in-process  bench/inprocess_grade.py on the same exercises (no sandbox): grade / it is what
            isolation costs
  keras     `grade --only keras_mnist`, and a bare `import tensorflow`: keras / import is the ratio
            bench/RESULTS.md reports
  class     `grade-all --jobs 2` of --class-size copies of solutions/ (NumPy exercises): submissions a minute
Prints a Markdown table (and writes it to --output).
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

AFTER = Path(__file__).resolve().parent.parent
NUMPY = "sigmoid,sigmoid_derivative,forward,backward,train_xor"


def timed(command: list[str], cwd: Path, env: dict | None = None) -> float:
    started = time.perf_counter()
    done = subprocess.run(command, cwd=cwd, env={**os.environ, **(env or {})}, capture_output=True, text=True)
    seconds = time.perf_counter() - started
    if done.returncode not in (0, 1):  # check exits 1 when a check fails; anything else is a broken run
        raise SystemExit(f"error: {' '.join(command)} in {cwd} exited {done.returncode}: {done.stderr[-400:]}")
    return seconds


def measures(class_dir: dict[Path, Path], out: Path, class_size: int) -> dict[str, tuple[list, dict]]:
    """{name: (command, env)}, per checkout through class_dir."""
    py = sys.executable
    rows = {
        "check, NumPy exercises (warm)": (lambda repo: [py, "-m", "autograder", "check", "solutions", "--only", NUMPY], {}),
        "grade, NumPy exercises": (lambda repo: [py, "-m", "autograder", "grade", "solutions", "--only", NUMPY,
                                                  "--results", str(out / f"{repo.name}-r.json")], {}),
        "in-process grade, NumPy exercises (no sandbox)": (
            lambda repo: [py, "bench/inprocess_grade.py", "solutions", "--only", NUMPY], {}),
        "grade, keras_mnist": (lambda repo: [py, "-m", "autograder", "grade", "solutions", "--only", "keras_mnist",
                                             "--results", str(out / f"{repo.name}-k.json")], {}),
        "bare `import tensorflow`": (lambda repo: [py, "-c", "import tensorflow"], {"TF_CPP_MIN_LOG_LEVEL": "2"}),
        f"grade-all --jobs 2, {class_size} submissions, NumPy exercises": (
            lambda repo: [py, "-m", "autograder", "grade-all", str(class_dir[repo]), "--out",
                          str(out / f"{repo.name}-class-{time.monotonic_ns()}"), "--jobs", "2", "--only", NUMPY], {}),
    }
    if os.geteuid() == 0:
        rows["grade, NumPy exercises, no namespaces"] = (
            lambda repo: [py, "-m", "autograder", "grade", "solutions", "--only", NUMPY,
                          "--results", str(out / f"{repo.name}-d.json")], {"AUTOGRADER_SANDBOX": "dropped"})
    return rows


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("before", type=Path, help="the other checkout (an older commit's worktree)")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--class-size", type=int, default=8)
    parser.add_argument("--output", type=Path)
    parser.add_argument("--keras-runs", type=int, help="runs of the Keras and grade-all rows (default: half of --runs)")
    args = parser.parse_args()
    before = args.before.resolve()
    if not (before / "autograder").is_dir() or not (before / "grading.toml").is_file():
        print(f"error: {before} is not a checkout of this repository (no autograder/ or grading.toml)", file=sys.stderr)
        return 2
    if not (before / "data").exists() and (AFTER / "data").exists():
        (before / "data").symlink_to(AFTER / "data")
    out = Path(tempfile.mkdtemp(prefix="compare-"))
    class_dir = {}
    for repo in (before, AFTER):
        class_dir[repo] = out / f"class-{repo.name}"
        for n in range(args.class_size):
            shutil.copytree(repo / "solutions", class_dir[repo] / f"student{n:03d}")
    rows = measures(class_dir, out, args.class_size)
    times = {name: {before: [], AFTER: []} for name in rows}
    for name, (command, env) in rows.items():
        for repo in (before, AFTER):
            timed(command(repo), repo, env)  # warm: bytecode written, files cached
        runs = args.runs if "grade-all" not in name and "keras" not in name else args.keras_runs or max(2, args.runs // 2)
        for _ in range(runs):
            for repo in (before, AFTER):
                times[name][repo].append(timed(command(repo), repo, env))
    shutil.rmtree(out, ignore_errors=True)

    def cell(values: list[float]) -> str:
        return f"{statistics.median(values):.2f} s ({min(values):.2f}-{max(values):.2f}, n={len(values)})"

    lines = [f"Before: {before} ({_commit(before)}); after: {AFTER} ({_commit(AFTER)}); "
             f"load average at the end: {os.getloadavg()[0]:.2f} on {os.cpu_count()} CPUs.", "",
             "| measure | before | after | after / before |", "| --- | --- | --- | --- |"]
    for name, by_repo in times.items():
        b, a = statistics.median(by_repo[before]), statistics.median(by_repo[AFTER])
        lines.append(f"| {name} | {cell(by_repo[before])} | {cell(by_repo[AFTER])} | {a / b:.2f}x |")
    med = {name: {repo: statistics.median(v) for repo, v in by_repo.items()} for name, by_repo in times.items()}
    for label, top, bottom in (("isolation: grade / in-process, NumPy", "grade, NumPy exercises",
                                "in-process grade, NumPy exercises (no sandbox)"),
                               ("Keras: grade / bare import tensorflow", "grade, keras_mnist", "bare `import tensorflow`")):
        b, a = med[top][before] / med[bottom][before], med[top][AFTER] / med[bottom][AFTER]
        lines.append(f"| {label} | {b:.2f}x | {a:.2f}x | {a / b:.2f}x |")
    name = next(n for n in med if n.startswith("grade-all"))
    b, a = (60 * args.class_size / med[name][repo] for repo in (before, AFTER))
    lines.append(f"| class throughput: submissions a minute | {b:.0f} | {a:.0f} | {a / b:.2f}x |")
    text = "\n".join(lines) + "\n"
    print(text)
    if args.output:
        args.output.write_text(text)
    return 0


def _commit(repo: Path) -> str:
    done = subprocess.run(["git", "-C", str(repo), "rev-parse", "--short", "HEAD"], capture_output=True, text=True)
    return done.stdout.strip() or "unknown"


if __name__ == "__main__":
    raise SystemExit(main())
