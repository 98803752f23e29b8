"""bench/RESULTS.md from the measurements bench/run.py collected (plain data in, Markdown out)."""

from __future__ import annotations

from timing import median, spread

AIM_OVERHEAD, AIM_NBGRADER, AIM_GRADE_S, AIM_PER_MINUTE, AIM_KERAS = 1.15, 6.0, 10.0, 150, 1.3
# Rows of the nbgrader comparison that no grader can beat: the same submissions' in-process pytest
# sessions (the graders and the student's code, nothing of isolation or start-up), on one core and on two.
FLOOR_ONE = "in-process pytest sessions, back to back (no isolation, no start-up: one core cannot do better)"
FLOOR_TWO = "the same on 2 cores (what grade-all --jobs 2 cannot beat)"


def _table(header: list[str], rows: list[list]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join(" --- " for _ in header) + "|"]
    lines += ["| " + " | ".join(str(cell) for cell in row) + " |" for row in rows]
    return "\n".join(lines)


def _sandbox(name: str) -> str:
    return "bubblewrap" if name.startswith("bubblewrap") else "no bubblewrap"


def _grade_row(grade: dict, part: str, sandbox: str) -> dict | None:
    return next((row for (p, s), row in grade.items() if p == part and _sandbox(s) == sandbox), None)


def _ratio(grade: dict, inprocess: dict, part: str, key: str) -> float | None:
    row = _grade_row(grade, part, "bubblewrap") or _grade_row(grade, part, "no bubblewrap")
    if row is None or part not in inprocess:
        return None
    return median(row[key]) / median(inprocess[part][key])


def render(out: dict, seconds: float, *, machine: str, versions: str, optimisations: str) -> str:
    grade, inprocess, nb, keras = out["grade"], out["inprocess"], out["nbgrader"], out["keras"]
    paired = out.get("paired", grade)  # the engine's runs taken by turns with the in-process ones
    numpy_bwrap = _grade_row(grade, "NumPy", "bubblewrap") or _grade_row(grade, "NumPy", "no bubblewrap")
    ratio = {(part, key): _ratio(paired, inprocess, part, key) for part in inprocess for key in ("exec", "wall")}
    n = nb["n"]
    per = {name: nb[name] / n for name in nb if isinstance(nb.get(name), float)}
    ours1, ours2 = per["grade-all --jobs 1"], per["grade-all --jobs 2"]
    kernel, cells = per["nbgrader in-kernel"], per["nbgrader engine cells"]
    never = out["tf_proof"].get("numpy") in (0, False)
    speed = out["keras_grade"]
    largest = max((key for key in out["scaling"] if key[1] == 2), key=lambda key: key[0])
    per_minute = 60 * largest[0] / out["scaling"][largest]
    accuracy = keras.get("test accuracy", "?").split()[0]
    training = keras.get("training seconds", "?").split(" wall")[0]
    headline = [
        ["`make check`, full solution, NumPy exercises (warm)", spread(out["check"]["NumPy exercises"]["warm"]), "-"],
        ["`make grade`, full solution, NumPy exercises, bubblewrap", spread(numpy_bwrap["wall"]),
         f"well under {AIM_GRADE_S:g} s"],
        ["sandbox overhead, NumPy exercises: engine / in-process, pytest session",
         f"{ratio['NumPy', 'exec']:.2f}x", f"<= {AIM_OVERHEAD}x"],
        ["the same, whole command (interpreter start and imports included)", f"{ratio['NumPy', 'wall']:.2f}x",
         f"<= {AIM_OVERHEAD}x"],
        ["sandbox overhead, all six exercises, pytest session",
         f"{ratio['all six', 'exec']:.2f}x" if ratio.get(("all six", "exec")) else "n/a", f"<= {AIM_OVERHEAD}x"],
        [f"per submission: nbgrader in-kernel / grade-all --jobs 1 ({n} submissions)", f"{kernel / ours1:.1f}x", "-"],
        ["per submission: nbgrader in-kernel / grade-all --jobs 2", f"{kernel / ours2:.1f}x", f">= {AIM_NBGRADER:g}x"],
        ["grade-all --jobs 2, NumPy exercises: submissions a minute (the largest class in Scaling)",
         f"{per_minute:.0f}", f">= {AIM_PER_MINUTE}"],
        ["per submission: nbgrader as the course ships (engine cells) / grade-all --jobs 2", f"{cells / ours2:.1f}x",
         "-"],
        ["the ceiling of the two aims above: the graders and the student's code alone, in-process, on 2 cores "
         "(no grader can beat it)",
         f"{60 / per[FLOOR_TWO]:.0f} a minute; nbgrader in-kernel / it = {kernel / per[FLOOR_TWO]:.1f}x"
         if FLOOR_TWO in per else "n/a", "-"],
        ["Keras reference: test accuracy, training time, peak RSS",
         f"{accuracy}, {training} s, {keras.get('peak RSS MiB', '?')} MiB", "-"],
        ["Keras: the whole keras_mnist grade of the reference / a bare `import tensorflow`",
         f"{median(speed['grade']):.1f} s / {median(speed['import']):.1f} s = "
         f"{median(speed['grade']) / median(speed['import']):.2f}x", f"<= {AIM_KERAS}x"],
        ["Keras: TensorFlow import time", f"{keras.get('TF import seconds', '?')} s", "-"],
        ["grading only the NumPy exercises imports TensorFlow", "never" if never else "YES (see below)", "never"],
    ]
    parts = [
        "# Grading speed: bench/RESULTS.md",
        "",
        f"Written by `make bench` (bench/run.py) on {out['date']}"
        f"{' with --quick (fewer repetitions)' if out['quick'] else ''}; the whole run took {seconds / 60:.1f} min.",
        f"Machine: {machine}. Software: {versions}.",
        "Load average (1, 5, 15 min) before each section: "
        + "; ".join(f"{k}: {v}" for k, v in out["loads"].items())
        + ". The machine is shared: a load above 2 on 2 cores means other work competed for the CPU.",
        "Times are wall-clock medians (min-max, n runs). \"NumPy exercises\" are sigmoid, sigmoid_derivative, "
        "forward, backward and train_xor; \"full solution\" is solutions/.",
        "",
        "## Headline",
        "",
        _table(["measure", "result", "aim"], headline),
        "",
    ]
    parts += _check(out["check"]) + _grade(grade) + _isolation(paired, inprocess) + _ablations(out["ablations"])
    parts += _nbgrader(nb, per) + _scaling(out["scaling"]) + _keras_grade(speed, out["keras_tiers"])
    parts += _keras(keras, out["tf_proof"]) + _class(out["class"]) + _profile(out["profile"])
    if optimisations:
        parts += [optimisations.strip(), ""]
    return "\n".join(parts) + "\n"


def _check(check: dict) -> list[str]:
    rows = [[label, spread(times["cold"]), spread(times["warm"])] for label, times in check.items()]
    return ["## `make check` on a full solution", "",
            "`python -m autograder check solutions --only ...` (what `make check` runs on exercises/). Cold: the "
            "first run after deleting every `__pycache__` of our code (autograder/, graders, solutions/); the "
            "interpreter's and site-packages' bytecode and the OS file cache stay warm (they do on a student's "
            "laptop after the first `make check`). Warm: the runs after it.", "",
            _table(["exercises", "cold", "warm"], rows), ""]


def _grade(grade: dict) -> list[str]:
    rows = []
    for (part, sandbox), row in grade.items():
        per = ", ".join(f"{name} {median(values):.2f}" for name, values in row["per"].items())
        rows.append([part, _sandbox(sandbox), spread(row["wall"]), f"{median(row['exec']):.2f} s", per])
    return ["## Grading one full submission (`make grade`)", "",
            "Wall: the whole `python -m autograder grade` command. Session: results.json's execution_time (the pytest "
            "session, without interpreter start and imports). Per exercise: seconds of its tests (set-up included, "
            "so waiting for a child to start counts where it happens).", "",
            _table(["part", "sandbox", "wall", "session", "per exercise (s)"], rows), ""]


def _isolation(grade: dict, inprocess: dict) -> list[str]:
    rows = []
    for part, base in inprocess.items():
        for sandbox in ("bubblewrap", "no bubblewrap"):
            row = _grade_row(grade, part, sandbox)
            if row:
                rows.append([part, sandbox, f"{median(row['exec']):.2f} s / {median(base['exec']):.2f} s = "
                             f"{median(row['exec']) / median(base['exec']):.2f}x",
                             f"{median(row['wall']):.2f} s / {median(base['wall']):.2f} s = "
                             f"{median(row['wall']) / median(base['wall']):.2f}x"])
    return ["## The cost of isolation", "",
            "The same graders on the same submission, through the engine (a fresh sandboxed child per exercise) and "
            "in-process (autograder/inprocess.py: the submission imported into the grading process, calls served "
            "by the child's own Session, arguments copied as the wire would; benchmarks only), run by turns so "
            "that a change in the machine's speed hits both alike (medians of the same number of runs each; the "
            "engine's runs here are not those of the table above). Ratio > 1 is what isolation costs.", "",
            _table(["part", "sandbox", "pytest session: engine / in-process", "whole command: engine / in-process"],
                   rows),
            ""]


def _ablations(ablations: dict) -> list[str]:
    first = {key: median(next(iter(ablations.values()))[key]) for key in ("session", "wall")}
    rows = [[name, spread(times["session"]), f"{median(times['session']) / first['session']:.2f}",
             spread(times["wall"]), f"{median(times['wall']) / first['wall']:.2f}"] for name, times in ablations.items()]
    return ["## What each engine change buys (measured in this run)", "",
            "bench/ablation.py switches the changes off again one by one, in the same snapshot, runs interleaved; "
            "NumPy grade of the full solution with bubblewrap: the pytest session, and the whole command.", "",
            _table(["engine", "session", "relative", "whole command", "relative"], rows), ""]


def _nbgrader(nb: dict, per: dict) -> list[str]:
    rows = [[name, f"{nb[name]:.1f} s", f"{per[name]:.2f} s", f"{60 / per[name]:.1f}"]
            for name in per]
    return ["## Against nbgrader", "",
            f"{nb['n']} submissions ({', '.join(nb['students'])}): the reference, the released stubs and known "
            "mistakes from tests/mistakes, as notebooks for `nbgrader autograde` and as the .py files rebuilt from "
            "those notebooks for grade-all; NumPy exercises only (the benchmark notebook leaves out the Keras cells, "
            "which would make nbgrader's kernel import TensorFlow for every notebook). Same checks everywhere; "
            f"scores agree: {'yes' if nb['scores_agree'] else 'NO'}.",
            "Honest notes: the course's own test cells call our engine in a subprocess per exercise "
            "(\"engine cells\"), so that row pays our engine start five times per notebook plus nbgrader's kernel. "
            "\"in-kernel\" is the "
            "classic nbgrader set-up (checks run inside the student's kernel, no sandbox), with our graders run by "
            "pytest in the kernel: the fairer baseline. \"subprocess per submission\" is grade-all before the fork "
            "server.", "",
            _table(["grader", "total", "per submission", "submissions / min"], rows), ""]


def _scaling(scaling: dict) -> list[str]:
    rows = [[n, jobs, f"{seconds:.1f} s", f"{seconds / n:.2f} s", f"{60 * n / seconds:.0f}"]
            for (n, jobs), seconds in scaling.items()]
    return ["## Scaling (grade-all, NumPy exercises)", "",
            "Folders cycle through the nbgrader comparison's submissions; a fresh --out each time.", "",
            _table(["submissions", "--jobs", "total", "per submission", "submissions / min"], rows), ""]


def _keras_grade(speed: dict, tiers: str) -> list[str]:
    rows = [["`python -c \"import tensorflow\"`", spread(speed["import"])],
            ["`grade solutions --only keras_mnist` (bubblewrap)", spread(speed["grade"])]]
    if speed.get("no preload"):
        rows.append(["the same without `preload` (`bench/ablation.py grade ... --preload off`)", spread(speed["no preload"])])
    return ["## Keras grading against a bare TensorFlow import", "",
            "Interleaved runs. The grade covers the TensorFlow import in the sandbox, the load and build checks, "
            "train_model's check (a few eager steps on the grader's own model) and one training of the student's "
            "pipeline that the public and the hidden accuracy checks share. With grading.toml's `preload`, the "
            "child imports Keras from the moment grading starts, while the grader starts up.", "",
            _table(["command", "wall"], rows), "",
            "Accuracy tiers of four known models under grading.toml's budget (bench/keras_tiers.py --course): the "
            "same training the grader runs, scored on the 10000 MNIST test digits.", "", tiers, ""]


def _keras(keras: dict, proof: dict) -> list[str]:
    rows = [[key, value] for key, value in keras.items()]
    proof_rows = [[key, value] for key, value in proof.items()]
    return ["## Keras", "",
            "bench/keras_reference.py: the reference model trained on full MNIST (data/mnist.npz), 1 thread.", "",
            _table(["measure", "value"], rows), "",
            "Does grading only the NumPy exercises import TensorFlow? The control row grades keras_mnist the same "
            "way, to show the method sees an import when there is one.", "",
            _table(["", ""], proof_rows), ""]


def _class(klass: dict) -> list[str]:
    shards, ran, total = klass["shard_s"], klass["shards_run"], klass["shards"]
    per = klass["shards_total_s"] / klass["graded"]
    rows = [["submissions", f"{klass['students']}, as {total} shards" + (
                f"; the first {ran} graded here ({klass['graded']} submissions)" if ran < total else "")],
            ["statuses" + (" (the shards graded)" if ran < total else ""),
             ", ".join(f"{count} {status}" for status, count in sorted(klass["statuses"].items()))],
            ["per submission, one machine, --jobs 2", f"{per:.2f} s"],
            ["per shard", ", ".join(f"{seconds:.0f} s" for seconds in shards)]]
    if ran == total:
        rows += [["this machine: the shards one after another", f"{klass['shards_total_s'] / 60:.1f} min"],
                 [f"{total} machines: the slowest shard, then the merge",
                  f"{(klass['slowest_shard_s'] + klass['merge_s']) / 60:.1f} min"]]
    else:  # an estimate from the shards measured, said as one
        rows += [["this machine, all of it (estimate: the measured rate x the class)",
                  f"{per * klass['students'] / 60:.0f} min"],
                 [f"{total} machines (estimate: the slowest measured shard; the merge takes about a second)",
                  f"{klass['slowest_shard_s'] / 60:.1f} min"]]
    return [f"## A class of {klass['students']} (grade-all --jobs 2, all six exercises)", "",
            "bench/batch_class.py: 40% correct (the reference and the correct variants), 30% with one NumPy "
            "mistake, 10% with one Keras mistake, 20% broken; graded as shards (`--shard k/N`), one after another "
            "on this machine, then merged (`--merge`).", "",
            _table(["measure", "value"], rows), ""]


def _profile(profile: dict) -> list[str]:
    phases = sorted(profile["phases"].items(), key=lambda item: -item[1])
    rows = [[name, f"{seconds:.3f} s", f"{100 * seconds / profile['wall']:.0f}%"] for name, seconds in phases]
    top = [[name, f"{seconds:.3f} s"] for name, seconds in profile["top_self"][:8]]
    return ["## Profile of `make grade` (NumPy exercises, bubblewrap)", "",
            "pyinstrument, 1 ms interval, the grading process (bench/profile_grade.py): "
            f"{profile['wall']:.2f} s in all. "
            "The children are other processes: their start-up and the submission's own work show up as waiting.", "",
            _table(["phase", "time", "share"], rows), "", "Most self time:", "",
            _table(["function", "self time"], top), ""]
