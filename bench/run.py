"""`make bench`: measure how fast we grade; write bench/RESULTS.md (Markdown tables) and print it.

    .venv/bin/python bench/run.py            # the full run (hours on 2 cores: most of it the class of 1,000)
    .venv/bin/python bench/run.py --quick    # fewer repetitions, for trying changes
    .venv/bin/python bench/run.py --class-shards-run 1   # of the class of 1,000, one shard of 100 graded

Everything runs on a snapshot of the repository (bench/timing.py). Times are wall-clock medians
over repeated runs, with min-max; the load average is recorded before each section, because
on a shared machine other work slows whatever runs at the same time.
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import nbgrader_compare  # noqa: E402
from report_md import FLOOR_ONE, FLOOR_TWO  # noqa: E402
from timing import (KERAS, NUMPY, PY, clear_bytecode, engine, grade, load_average, machine, run,  # noqa: E402
                    snapshot, versions)

RESULTS = Path(__file__).resolve().parent / "RESULTS.md"
OPTIMISATIONS = Path(__file__).resolve().parent / "optimisations.md"
TF_FILES = re.compile(r"site-packages/(tensorflow|keras|tf_keras)/")


class Bench:
    def __init__(self, quick: bool):
        self.quick = quick
        self.root = snapshot()
        self.work = Path(tempfile.mkdtemp(prefix="bench-work-"))
        self.out: dict = {"loads": {}}

    def reps(self, full: int) -> int:
        return max(1, full // 2) if self.quick else full

    def section(self, name: str) -> None:
        self.out["loads"][name] = load_average()
        print(f"[{time.strftime('%H:%M:%S')}] {name} (load average {self.out['loads'][name]})", flush=True)

    def check(self) -> None:
        self.section("make check")
        rows = {}
        for label, only in (("NumPy exercises", NUMPY), ("all six", NUMPY + KERAS)):
            cold, warm = [], []
            for _ in range(self.reps(3 if only == NUMPY else 2)):
                clear_bytecode(self.root)
                cold.append(engine(self.root, "check", "solutions", "--only", ",".join(only)).seconds)
            for _ in range(self.reps(5 if only == NUMPY else 3)):
                warm.append(engine(self.root, "check", "solutions", "--only", ",".join(only)).seconds)
            rows[label] = {"cold": cold, "warm": warm}
        self.out["check"] = rows

    def grade(self) -> None:
        self.section("make grade")
        parts = {"NumPy": (NUMPY, self.reps(5)), "Keras": (KERAS, self.reps(3)),
                 "all six": (NUMPY + KERAS, self.reps(2))}
        rows = {}
        for sandbox in (True, False):
            for part, (only, reps) in parts.items():
                if part == "all six" and not sandbox:
                    continue
                walls, execs, per = [], [], {}
                for _ in range(reps):
                    wall, results = grade(self.root, self.root / "solutions", only, self.work / "r.json",
                                          sandbox=sandbox)
                    walls.append(wall)
                    execs.append(results["execution_time"])
                    assert results["score"] == results["extra_data"]["max_score"], results["output"]
                    for name, seconds in results["extra_data"]["exercise_seconds"].items():
                        per.setdefault(name, []).append(seconds)
                sandbox_name = results["extra_data"]["sandbox"].split(" (")[0]
                rows[(part, sandbox_name)] = {"wall": walls, "exec": execs, "per": per}
        self.out["grade"] = rows

    def isolation(self) -> None:
        """The engine and the in-process baseline on the same submission, run by turns (as the
        ablation is), so that a change in the machine's speed hits both alike: what isolation costs."""
        self.section("in-process baseline")
        rows, paired = {}, {}
        for part, only, reps, modes in (("NumPy", NUMPY, self.reps(5), (True, False)),
                                        ("Keras", KERAS, self.reps(2), (True, False)),
                                        ("all six", NUMPY + KERAS, 1, (True,))):
            base = {"wall": [], "exec": []}
            engines = {sandbox: {"wall": [], "exec": []} for sandbox in modes}
            for _ in range(reps):
                for sandbox in modes:
                    wall, results = grade(self.root, self.root / "solutions", only, self.work / "r.json",
                                          sandbox=sandbox)
                    engines[sandbox]["wall"].append(wall)
                    engines[sandbox]["exec"].append(results["execution_time"])
                done = run([PY, "bench/inprocess_grade.py", "solutions", "--only", ",".join(only)], cwd=self.root)
                base["wall"].append(done.seconds)
                base["exec"].append(json.loads(done.stdout.strip().splitlines()[-1])["execution_time"])
            rows[part] = base
            for sandbox, times in engines.items():
                paired[(part, "bubblewrap" if sandbox else "no bubblewrap")] = times
        self.out["inprocess"] = rows
        self.out["paired"] = paired

    def ablations(self) -> None:
        self.section("ablations")
        configs = {"none of them (prefetch 0, close waits, all pytest plugins, no zygote, full sweeps, a watchdog "
                   "thread per call, the zygote started after the imports)": [
                       "--prefetch", "0", "--close", "wait", "--plugins", "all", "--zygote", "off", "--sweep", "full",
                       "--watchdog", "thread", "--early", "off"],
                   "+ fewer pytest plugins": ["--prefetch", "0", "--close", "wait", "--zygote", "off", "--sweep", "full",
                                              "--watchdog", "thread", "--early", "off"],
                   "+ closing in the background": ["--prefetch", "0", "--zygote", "off", "--sweep", "full",
                                                   "--watchdog", "thread", "--early", "off"],
                   "+ prefetch 2": ["--zygote", "off", "--sweep", "full", "--watchdog", "thread", "--early", "off"],
                   "+ a zygote forks each child": ["--sweep", "full", "--watchdog", "thread", "--early", "off"],
                   "+ one sweep once a child's pids cgroup is removed": ["--watchdog", "thread", "--early", "off"],
                   "+ a POSIX timer arms the stack dump (no thread per call)": ["--early", "off"],
                   "+ the zygote starts before pytest and NumPy are imported (the engine as it is)": []}
        times = {name: {"session": [], "wall": []} for name in configs}
        for _ in range(self.reps(5)):
            for name, flags in configs.items():  # interleaved, so load changes hit every config alike
                done = run([PY, "bench/ablation.py", "grade", "solutions", "--only", ",".join(NUMPY), *flags],
                           cwd=self.root)
                times[name]["session"].append(json.loads(done.stdout.strip().splitlines()[-1])["execution_time"])
                times[name]["wall"].append(done.seconds)
        self.out["ablations"] = times

    def nbgrader(self) -> None:
        self.section("nbgrader")
        result = nbgrader_compare.compare(self.root, self.work / "nbgrader", log=print)
        python = self.work / "nbgrader" / "py"
        for jobs in (1, 2):  # the same batch before the fork server: one subprocess per submission
            done = run([PY, "bench/ablation.py", "grade-all", str(python), str(self.work / f"sub-{jobs}"),
                        "--only", ",".join(NUMPY), "--jobs", str(jobs)], cwd=self.root)
            result[f"grade-all --jobs {jobs}, subprocess per submission"] = done.seconds
        sessions = 0.0  # the same submissions' pytest sessions with no isolation and no start-up at all
        for folder in sorted(python.iterdir()):
            done = run([PY, "bench/inprocess_grade.py", str(folder), "--only", ",".join(NUMPY)], cwd=self.root)
            sessions += json.loads(done.stdout.strip().splitlines()[-1])["execution_time"]
        result[FLOOR_ONE] = sessions
        result[FLOOR_TWO] = sessions / 2
        self.out["nbgrader"] = result

    def keras(self) -> None:
        self.section("keras")
        done = run([PY, "bench/keras_reference.py"], cwd=self.root, timeout=1800)
        # keras_reference.py prints "name" padded to 17 columns, then the value
        self.out["keras"] = {line[:17].strip(): line[17:].strip() for line in done.stdout.splitlines()
                             if len(line) > 17}
        self.out["tf_proof"] = self.tensorflow_proof()

    def keras_grade(self) -> None:
        """The whole keras_mnist grade of the reference against a bare TensorFlow import, interleaved,
        and the accuracy tiers of four known models under grading.toml's training budget."""
        self.section("keras grade")
        imports, grades, unloaded = [], [], []
        for _ in range(self.reps(3)):
            imports.append(run([PY, "-c", "import tensorflow"], cwd=self.root).seconds)
            wall, results = grade(self.root, self.root / "solutions", KERAS, self.work / "k.json")
            assert results["score"] == results["extra_data"]["max_score"], results["output"]
            grades.append(wall)
            unloaded.append(run([PY, "bench/ablation.py", "grade", "solutions", "--only", ",".join(KERAS),
                                 "--preload", "off"], cwd=self.root).seconds)
        self.out["keras_grade"] = {"import": imports, "grade": grades, "no preload": unloaded}
        done = run([PY, "bench/keras_tiers.py", "--course", "--seeds", "0,1,2" if self.quick else "0,1,2,3,4"],
                   cwd=self.root, timeout=3600)
        self.out["keras_tiers"] = done.stdout.strip()

    def tensorflow_proof(self) -> dict:
        """Files under tensorflow/ or keras/ opened by the grader and every child (strace -f)."""
        if shutil.which("strace") is None:
            done = run([PY, "bench/inprocess_grade.py", "solutions", "--only", ",".join(NUMPY)], cwd=self.root)
            return {"method": "sys.modules of the grading process (strace not installed)",
                    "numpy": json.loads(done.stdout.splitlines()[-1])["tensorflow_imported"]}
        counts = {}
        for label, only in (("numpy", NUMPY), ("keras (control)", KERAS)):
            trace = self.work / f"strace-{label.split()[0]}.txt"
            run(["strace", "-f", "-qq", "-e", "trace=open,openat", "-o", str(trace), PY, "-m", "autograder", "grade",
                 "solutions", "--results", str(self.work / "t.json"), "--only", ",".join(only)],
                cwd=self.root, timeout=1800)
            counts[label] = sum(1 for line in trace.read_text(errors="replace").splitlines()
                                if TF_FILES.search(line) and "ENOENT" not in line)
        return {"method": "strace -f: files under site-packages/tensorflow or keras/ opened by the grader and "
                          "all its children (inside bubblewrap too)",
                **counts}

    def scaling(self) -> None:
        self.section("scaling")
        sources = sorted((self.work / "nbgrader" / "py").iterdir())
        rows = {}
        for n, jobs in ((1, 2), (10, 1), (10, 2), (50, 2)):
            folder = self.work / f"class-{n}"
            if not folder.exists():
                for i in range(n):
                    shutil.copytree(sources[i % len(sources)], folder / f"student-{i:03d}")
            done = engine(self.root, "grade-all", str(folder), "--out", str(self.work / f"class-{n}-{jobs}"),
                          "--jobs", str(jobs), "--only", ",".join(NUMPY), timeout=1800)
            rows[(n, jobs)] = done.seconds
        self.out["scaling"] = rows

    def klass(self) -> None:
        """A synthetic class (bench/batch_class.py), all six exercises, as shards one after another:
        their sum is what this machine takes, the slowest shard and the merge what N machines take.
        --class-shards-run K grades the first K shards only (a measured sample)."""
        self.section("class")
        students, shards, ran = self.klass_size
        done = run([PY, "bench/batch_class.py", str(self.work / "class"), "--students", str(students),
                    "--shards", str(shards), "--shards-only", "--run-shards", str(ran)], cwd=self.root,
                   timeout=12 * 3600)
        self.out["class"] = json.loads(done.stdout.strip().splitlines()[-1])

    def profile(self) -> None:
        self.section("profile")
        done = run([PY, "bench/profile_grade.py", "solutions", "--only", ",".join(NUMPY)], cwd=self.root)
        self.out["profile"] = json.loads(done.stdout.strip().splitlines()[-1])


def markdown(out: dict, seconds: float) -> str:
    from report_md import render

    return render(out, seconds, machine=machine(), versions=versions(),
                  optimisations=OPTIMISATIONS.read_text() if OPTIMISATIONS.exists() else "")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer repetitions (not for RESULTS.md)")
    parser.add_argument("--output", type=Path, default=RESULTS)
    parser.add_argument("--class-students", type=int, default=1000, help="the synthetic class's size")
    parser.add_argument("--class-shards", type=int, default=10, help="shards it is graded as")
    parser.add_argument("--class-shards-run", type=int, default=0,
                        help="grade only the first K shards (default: all of them; hours on 2 cores)")
    args = parser.parse_args(argv)
    started = time.monotonic()
    bench = Bench(args.quick)
    bench.klass_size = (args.class_students, args.class_shards, args.class_shards_run or args.class_shards)
    bench.out["date"] = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    bench.out["quick"] = args.quick
    try:
        for step in (bench.profile, bench.check, bench.grade, bench.isolation, bench.ablations, bench.nbgrader,
                     bench.scaling, bench.keras_grade, bench.keras, bench.klass):
            step()
        bench.out["loads"]["end"] = load_average()
    finally:
        shutil.rmtree(bench.work, ignore_errors=True)
        shutil.rmtree(bench.root, ignore_errors=True)
    text = markdown(bench.out, time.monotonic() - started)
    args.output.write_text(text)
    print(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
