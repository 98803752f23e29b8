"""Hostile submissions: each is graded and must score what it earned, and no more.

Each file tests/hostile/<attack>.py holds one attack and nothing else; its docstring says what
it does and what it must score. The submission graded for it is composed here, from the current
reference solution: mlp.py = solutions/mlp.py + "\n\n" + tests/hostile/<attack>.py. So an attack is
module-level code that runs after the solution's definitions and rebinds what it attacks
(`MLP.forward = _forward`, a new `def sigmoid`, possibly wrapping the solution's own), or acts at
import (a side effect, an exit, a line that does not compile).

The corpus is graded by one `python -m autograder grade-all` call per sandbox mode, and each
attack is judged from its results.json: grading completed, the attacked exercise scored what the
code earned (EXPECTED, with points from grading.toml), every other exercise got full marks, the
results hold no line of a hidden grader or of the reference solution, no process of the run is
left, and no results.json was replaced.

The two modes that give grades of record are both run:
- bubblewrap (namespaces);
- no namespaces, as root, as in Docker's default seccomp profile (Gradescope): a `bwrap` on PATH
  fails the way it fails there, and the child drops root for a uid of its own, confined by
  Landlock where the kernel has it.
What only bubblewrap defends (skipped, with the reason, in the no-namespace run):
- network: without a network namespace the child has a route out (Landlock blocks TCP only).
Lies, forged replies and source stolen from memory are judged or refused in the trusted
process whatever the sandbox, so when the bubblewrap run has them the other leaves them out.
Not defended even under bubblewrap: stand-ins and grader helpers reach the child as bytecode,
which a submission can disassemble (not as source text, so no line of it shows up verbatim).
"""

from __future__ import annotations

import csv
import json
import os
import signal
import shutil
import socket
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pytest
from conftest import REPO, exercise_scores, make_submission, requires_root_dropping, run_cli

from autograder import sandbox, wire
from autograder.config import load
from autograder.handle import Student

CORPUS = Path(__file__).resolve().parent / "hostile"
ATTACKED = "mlp"  # every attack is appended to this module of the reference
# The exercises of that module, from grading.toml: a new one is graded under every attack too.
NUMPY = tuple(name for name, exercise in load(REPO / "grading.toml").exercises.items() if exercise.module == ATTACKED)
PLANTED = "hostile-fake-results.json"  # what fake_results writes outside its sandbox

ALL = ("all",)  # every check of the exercise fails


def all_but(*passing: str) -> tuple:
    return ("all but", *passing)


# Checks that never call forward(): an attack inside forward() still earns these.
FORWARD_BROKEN = all_but("test_forward_init_shapes", "test_forward_init_random_and_seeded")

# attack -> {exercise: the checks it fails (ALL, all_but(...) or their names)}; exercises not
# listed get full marks.
EXPECTED: dict[str, dict[str, tuple]] = {
    "exit_at_import": {exercise: ALL for exercise in NUMPY},
    "syntax_error": {exercise: ALL for exercise in NUMPY},
    "os_exit_in_forward": {"forward": FORWARD_BROKEN},
    "infinite_loop": {"sigmoid": ("test_sigmoid_keeps_shape",)},  # it loops on 3-d input only
    "memory_bomb": {"backward": ALL},
    "monkeypatch_numpy": {"sigmoid_derivative": ALL},
    "lying_ndarray": {"forward": FORWARD_BROKEN},
    "nan_outputs": {"forward": FORWARD_BROKEN},
    "forged_npyfile": {"forward": FORWARD_BROKEN},
    "forged_deep_json": {"forward": FORWARD_BROKEN},
    "forged_oversize": {"forward": FORWARD_BROKEN},
    "forged_wide_json": {"forward": FORWARD_BROKEN},
    "reach_grader": {},
    "scratch_fill": {},
    "standin_globals": {"backward": ALL, "train_xor": ALL},
    "import_solution": {"sigmoid": ALL},
    "steal_from_memory": {},
    "huge_output": {},
    "fake_results": {},
    "background_process": {},
    "fork_bomb": {},
    "read_graders": {},
    "network": {},
    "siblings": {},
}
BWRAP_ONLY = {
    "network": "without a network namespace the child has a route out (Landlock blocks TCP only)",
}
BWRAP, NO_NAMESPACES = "bubblewrap", "no namespaces"
# What a mode changes in an attack's score: without namespaces the scratch watchdog kills the filler.
EXPECTED_IN_MODE = {NO_NAMESPACES: {"scratch_fill": {"sigmoid_derivative": ALL}}}
# Judged in the trusted process whatever the sandbox: when the bubblewrap run has them, the
# fallback run leaves them out (it checks what differs there: limits, kills, cleanup).
SANDBOX_INDEPENDENT = ("monkeypatch_numpy", "lying_ndarray", "nan_outputs", "forged_npyfile", "forged_deep_json",
                       "forged_oversize", "forged_wide_json", "standin_globals", "steal_from_memory", "syntax_error")


def expected_scores(config, attack: str, mode: str = BWRAP) -> dict[str, float]:
    scores = {}
    expected = {**EXPECTED[attack], **EXPECTED_IN_MODE.get(mode, {}).get(attack, {})}
    for exercise in NUMPY:
        points = config.exercises[exercise].points
        failing = expected.get(exercise, ())
        if failing == ALL:
            failing = tuple(points)
        elif failing[:1] == ("all but",):
            assert set(failing[1:]) <= set(points), f"{attack}: no such checks {set(failing[1:]) - set(points)}"
            failing = tuple(name for name in points if name not in failing[1:])
        assert set(failing) <= set(points), f"{attack}: no such checks {set(failing) - set(points)}"
        scores[exercise] = round(sum(p for name, p in points.items() if name not in failing), 6)
    return scores


def secret_lines() -> set[str]:
    """Lines (stripped, > 30 characters) of the hidden graders and of the solution's bodies."""
    lines = set()
    for path in sorted((REPO / "autograder" / "graders" / "hidden").glob("test_*.py")):
        lines.update(line.strip() for line in path.read_text().splitlines())
    inside = False
    for line in (REPO / "solutions" / "mlp.py").read_text().splitlines():
        inside = (inside or "### BEGIN SOLUTION" in line) and "### END SOLUTION" not in line
        if inside and "### BEGIN SOLUTION" not in line:
            lines.add(line.strip())
    return {line for line in lines if len(line) > 30}


def leaked(results: dict, secrets: set[str]) -> list[str]:
    def strings(node):
        if isinstance(node, str):
            yield node
        elif isinstance(node, dict):
            for value in node.values():
                yield from strings(value)
        elif isinstance(node, list):
            for value in node:
                yield from strings(value)
    text = "\n".join(strings(results))
    return sorted(line for line in secrets if line in text)


@dataclass
class Run:
    mode: str
    out: Path
    attacks: list[str]
    leftovers: list[str] = field(default_factory=list)
    planted: list[str] = field(default_factory=list)
    connections: int = 0

    def results(self, attack: str) -> dict:
        return json.loads((self.out / "students" / attack / "results.json").read_text())

    def status(self, attack: str) -> str:
        with open(self.out / "gradebook.csv", newline="") as stream:
            return next(row["status"] for row in csv.DictReader(stream) if row["student"] == attack)


def _processes_of(root: Path) -> dict[int, str]:
    """Processes whose command line or environment names root: the children's folders are in
    root (TMPDIR), and everything an attack starts inherits HOME and TMPDIR from its child."""
    found, needle = {}, str(root).encode()
    for entry in os.listdir("/proc"):
        if entry.isdigit() and int(entry) != os.getpid():
            try:
                command = Path(f"/proc/{entry}/cmdline").read_bytes()
                environment = Path(f"/proc/{entry}/environ").read_bytes()
            except OSError:
                continue
            if needle in command or needle in environment:
                found[int(entry)] = command.replace(b"\0", b" ").decode(errors="replace")[:120]
    return found


def submission(attack: str) -> str:
    """The mlp.py graded for an attack: the current reference solution, then the attack."""
    return (REPO / "solutions" / "mlp.py").read_text() + "\n\n" + (CORPUS / f"{attack}.py").read_text()


def _planted_paths() -> list[Path]:
    return [REPO / PLANTED, Path("/tmp") / PLANTED, Path.cwd() / PLANTED]


@pytest.fixture(scope="module", params=[
    pytest.param(BWRAP, marks=pytest.mark.skipif(not sandbox.bwrap_works(), reason="bubblewrap is not installed "
                                                 "or cannot create namespaces here (.ci/run installs it)")),
    pytest.param(NO_NAMESPACES, marks=requires_root_dropping)])
def run(request, tmp_path_factory, no_namespaces) -> Run:
    """The corpus graded by one grade-all call in this sandbox; cleans up whatever the attacks left."""
    mode = request.param
    assert sorted(path.stem for path in CORPUS.glob("*.py")) == sorted(EXPECTED), "tests/hostile/ and EXPECTED differ"
    root = tmp_path_factory.mktemp(f"corpus-{mode.replace(' ', '-')}")
    submissions, out = root / "submissions", root / "out"
    # The children's folders: a place the dropped uid can reach (pytest's own tmp is root's only).
    scratch = Path(tempfile.mkdtemp(prefix="corpus-children-"))
    scratch.chmod(0o711)
    attacks = [a for a in EXPECTED if mode == BWRAP or a not in BWRAP_ONLY
               and not (a in SANDBOX_INDEPENDENT and sandbox.bwrap_works())]
    listener = socket.create_server(("127.0.0.1", 0))
    listener.settimeout(0.2)
    connections = []

    def accept():
        while True:
            try:
                listener.accept()[0].close()
                connections.append(1)
            except TimeoutError:
                continue
            except OSError:
                return
    threading.Thread(target=accept, daemon=True).start()
    for attack in attacks:
        text = submission(attack).replace("PORT = 0 ", f"PORT = {listener.getsockname()[1]} ")
        make_submission(submissions / attack, mlp=text)
    for path in _planted_paths():
        path.unlink(missing_ok=True)
    env = {"TMPDIR": str(scratch)}  # the children's folders, so their command lines name this run
    if mode == NO_NAMESPACES:
        env.update(no_namespaces)
    started = time.monotonic()
    try:
        done = run_cli("grade-all", str(submissions), "--out", str(out), "--jobs", "2", "--only", ",".join(NUMPY),
                       cwd=REPO, env=env, timeout=900)
    finally:
        seconds = time.monotonic() - started
        time.sleep(0.5)  # anything that escaped would have started by now
        leftovers = {**_processes_of(root), **_processes_of(scratch)}
        for pid in leftovers:  # ours: started by this run; a failure must not leave them running
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        planted = [str(path) for path in _planted_paths() if path.exists()]
        for path in _planted_paths():
            path.unlink(missing_ok=True)
        listener.close()
        left_behind = sorted(path.name for path in scratch.iterdir())
        shutil.rmtree(scratch, ignore_errors=True)
    assert done.returncode == 0, done.stderr
    assert left_behind == [], f"children's folders left behind: {left_behind}"
    print(f"\n{mode}: graded {len(attacks)} hostile submissions in {seconds:.1f} s")
    return Run(mode, out, attacks, sorted(leftovers.values()), planted, len(connections))


# What the failed checks of an attack tell the student (each failing check's output says it).
REASONS = {
    "exit_at_import": "SystemExit", "syntax_error": "SyntaxError", "os_exit_in_forward": "exited",
    "infinite_loop": "time limit", "memory_bomb": "MemoryError", "forged_npyfile": "not plain data",
    "forged_deep_json": "not plain data", "forged_oversize": "not plain data", "forged_wide_json": "not plain data",
    "nan_outputs": "NaN",
    "import_solution": "not implemented", "standin_globals": "not implemented",
}


def _skip_unless_graded(run: Run, attack: str) -> None:
    if attack in BWRAP_ONLY and attack not in run.attacks:
        pytest.skip(f"{attack} needs bubblewrap: {BWRAP_ONLY[attack]}")
    if attack not in run.attacks:
        pytest.skip(f"{attack} does not depend on the sandbox; the bubblewrap run graded it")


@pytest.mark.parametrize("attack", EXPECTED)
def test_attack_scores_what_it_earned(run, attack, config):
    _skip_unless_graded(run, attack)
    assert run.status(attack) in ("graded", "does-not-import"), f"grading {attack} did not complete: {run.status(attack)}"
    results = run.results(attack)
    messages = [(t["name"], t["output"][:160]) for t in results["tests"] if t["status"] != "passed"]
    assert exercise_scores(results) == expected_scores(config, attack, run.mode), messages
    assert results["score"] == pytest.approx(sum(expected_scores(config, attack, run.mode).values()))
    assert results["extra_data"]["sandbox_layers"]["mode"] == ("bubblewrap" if run.mode == BWRAP else "dropped")


@pytest.mark.parametrize("attack", REASONS)
def test_failed_checks_say_why(run, attack):
    _skip_unless_graded(run, attack)
    failed = [t for t in run.results(attack)["tests"] if t["status"] != "passed"]
    assert failed and all(REASONS[attack] in t["output"] for t in failed), [t["output"][:120] for t in failed]


@pytest.mark.parametrize("attack", EXPECTED)
def test_results_show_no_grader_or_solution_text(run, attack):
    _skip_unless_graded(run, attack)
    assert leaked(run.results(attack), secret_lines()) == []


def test_secret_lines_catch_a_leak():
    secrets = secret_lines()
    hidden = (REPO / "autograder" / "graders" / "hidden" / "test_backward.py").read_text()
    assert len(secrets) > 50 and leaked({"tests": [{"output": hidden[:2000]}]}, secrets)


def test_nothing_is_left_running(run):
    assert run.leftovers == []


def test_fake_results_change_nothing(run, config):
    for attack in run.attacks:
        assert "hostile-fake-results" not in json.dumps(run.results(attack)), f"{attack}'s results.json was replaced"
    assert run.planted == []


def test_network_is_unreachable(run):
    if run.mode == NO_NAMESPACES:
        pytest.skip(f"network: {BWRAP_ONLY['network']}")
    assert run.connections == 0


def test_grader_writes_large_arrays_without_following_planted_links(tmp_path):
    """Student.put never writes through a symlink the submission planted in its folder."""
    target = tmp_path / "precious.txt"
    target.write_text("precious")
    plant = (f"import os\nfor name in ('images', 'images.npy', 'home/images.npy'):\n"
             f"    try:\n        os.symlink({str(target)!r}, os.path.join(os.path.dirname(os.getcwd()), name))\n"
             f"    except OSError:\n        pass\n\ndef total(a):\n    return float(a.sum())\n")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "mlp.py").write_text(plant)
    student = Student("mlp", {"mlp.py": (tmp_path / "sub" / "mlp.py").read_bytes()}, sandbox.Limits(), seed=0)
    try:
        assert student.call("total", student.put("images", np.ones(3))) == 3.0
    finally:
        student.close()
    assert target.read_text() == "precious"


def test_grader_never_opens_a_path_the_child_names():
    with pytest.raises(wire.WireError):
        wire.decode({"__npyfile__": "/dev/stdin"})
