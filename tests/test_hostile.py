"""Hostile submissions: each is graded and must score what it earned, and no more.

Each file tests/hostile/<attack>.py holds one attack and nothing else; its docstring says what
it does and what it must score. The attacks target the engine's toy course (tests/toy/), so they
pass whatever lesson the repository holds; the submission graded for each is composed here from
the toy reference: toy.py = tests/toy/solutions/toy.py + "\n\n" + tests/hostile/<attack>.py. So an
attack is module-level code that runs after the solution's definitions and rebinds what it attacks
(`Line.predict = _predict`, a new `def scale`, possibly wrapping the solution's own), or acts at
import (a side effect, an exit, a line that does not compile).

The corpus is graded by one `python -m autograder grade-all` call per sandbox mode, in a repository
whose lesson is the toy course (support.toy_repository), and each
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
- network, except on x86-64: without a network namespace the child has a route out (Landlock
  blocks TCP only); on x86-64 the child's seccomp filter leaves it unix sockets only.
Lies, forged replies and source stolen from memory are judged or refused in the trusted
process whatever the sandbox, so when the bubblewrap run has them the other leaves them out.
Not defended even under bubblewrap: stand-ins and grader helpers reach the child as bytecode,
which a submission can disassemble (not as source text, so no line of it shows up verbatim).
"""

from __future__ import annotations

import csv
import json
import os
import platform
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
from support import requires_root_dropping
from support import REPO, TOY, TOY_CONFIG, TOY_MODULE, TOY_SOLUTION, exercise_scores, make_submission, run_cli

from autograder import sandbox, wire
from autograder.config import load
from autograder.handle import Student

CORPUS = Path(__file__).resolve().parent / "hostile"
ATTACKED = TOY_MODULE  # every attack is appended to this module of the toy reference
# The exercises of that module, from the toy grading.toml: a new one is graded under every attack too.
NUMPY = tuple(name for name, exercise in load(TOY_CONFIG).exercises.items() if exercise.module == ATTACKED)
PLANTED = "hostile-fake-results.json"  # what fake_results writes outside its sandbox

ALL = ("all",)  # every check of the exercise fails


def all_but(*passing: str) -> tuple:
    return ("all but", *passing)


# Checks that never call predict(): an attack inside predict() still earns these.
PREDICT_BROKEN = all_but("test_predict_init_shapes")

# attack -> {exercise: the checks it fails (ALL, all_but(...) or their names)}; exercises not
# listed get full marks.
EXPECTED: dict[str, dict[str, tuple]] = {
    "exit_at_import": {exercise: ALL for exercise in NUMPY},
    "syntax_error": {exercise: ALL for exercise in NUMPY},
    "os_exit_in_predict": {"predict": PREDICT_BROKEN},
    "infinite_loop": {"scale": ("test_scale_keeps_shape",)},  # it loops on 3-d input only
    "memory_bomb": {"predict": PREDICT_BROKEN},
    "monkeypatch_numpy": {"mean": ALL},
    "lying_ndarray": {"predict": PREDICT_BROKEN},
    "nan_outputs": {"predict": PREDICT_BROKEN},
    "forged_npyfile": {"predict": PREDICT_BROKEN},
    "forged_deep_json": {"predict": PREDICT_BROKEN},
    "forged_oversize": {"predict": PREDICT_BROKEN},
    "forged_wide_json": {"predict": PREDICT_BROKEN},
    "reach_grader": {},
    "scratch_fill": {},
    "standin_globals": {"predict": PREDICT_BROKEN, "fit": ALL},
    "import_solution": {"scale": ALL},
    "steal_from_memory": {},
    "huge_output": {},
    "fake_results": {},
    "background_process": {},
    "fork_bomb": {},
    "read_graders": {},
    "network": {},
    "siblings": {},
}
# Standalone modules that tests/test_isolation.py drives through the engine directly (not appended
# to the toy solution and graded here).
ENGINE_ATTACKS = ("sibling_channels", "seed_thief", "wide_reply")
BWRAP_ONLY = {} if platform.machine() == "x86_64" else {  # (child.filter_system_calls)
    "network": "without a network namespace the child has a route out (Landlock blocks TCP only)",
}
BWRAP, NO_NAMESPACES = "bubblewrap", "no namespaces"
# What a mode changes in an attack's score: without namespaces the scratch watchdog kills the filler.
EXPECTED_IN_MODE = {NO_NAMESPACES: {"scratch_fill": {"mean": ALL}}}
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
    for path in sorted((TOY / "graders" / "hidden").glob("test_*.py")):
        lines.update(line.strip() for line in path.read_text().splitlines())
    inside = False
    for line in TOY_SOLUTION.splitlines():
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
    """The toy.py graded for an attack: the toy reference solution, then the attack."""
    return TOY_SOLUTION + "\n\n" + (CORPUS / f"{attack}.py").read_text()


def _planted_paths(toy_repo: Path) -> list[Path]:
    return [toy_repo / PLANTED, REPO / PLANTED, Path("/tmp") / PLANTED, Path.cwd() / PLANTED]


MODES = [pytest.param(BWRAP, id=BWRAP, marks=pytest.mark.skipif(
              not sandbox.bwrap_works(),
              reason="bubblewrap is not installed or cannot create namespaces here (make test installs it as root)")),
          pytest.param(NO_NAMESPACES, id=NO_NAMESPACES, marks=requires_root_dropping)]


def _graded_in(mode: str, attack: str) -> bool:
    """Which run grades an attack: every one in bubblewrap; without namespaces, those it defends
    there, less those judged in the trusted process alike (when the bubblewrap run has them)."""
    return mode == BWRAP or attack not in BWRAP_ONLY and not (attack in SANDBOX_INDEPENDENT and sandbox.bwrap_works())


def per_attack(attacks) -> list:
    """(mode, attack) for each attack in each run that grades it: no case exists only to be skipped."""
    return [pytest.param(mode.values[0], attack, id=f"{mode.values[0]}-{attack}", marks=mode.marks)
            for mode in MODES for attack in attacks if _graded_in(mode.values[0], attack)]


def each_mode(test):
    return pytest.mark.parametrize("run", MODES, indirect=True)(test)


def each_attack(attacks):
    return pytest.mark.parametrize(("run", "attack"), per_attack(attacks), indirect=["run"])


_RUNS: dict[str, Run] = {}  # one grade-all per mode for the whole module (xdist keeps a file on one worker)


@pytest.fixture
def run(request, tmp_path_factory, no_namespaces, toy_repo) -> Run:
    if request.param not in _RUNS:
        _RUNS[request.param] = _graded_corpus(request.param, tmp_path_factory, no_namespaces, toy_repo)
    return _RUNS[request.param]


def _graded_corpus(mode, tmp_path_factory, no_namespaces, toy_repo) -> Run:
    """The corpus graded by one grade-all call in this sandbox; cleans up whatever the attacks left."""
    assert sorted(path.stem for path in CORPUS.glob("*.py") if path.stem not in ENGINE_ATTACKS) == sorted(EXPECTED), \
        "tests/hostile/ and EXPECTED differ"
    root = tmp_path_factory.mktemp(f"corpus-{mode.replace(' ', '-')}")
    submissions, out = root / "submissions", root / "out"
    # The children's folders: a place the dropped uid can reach (pytest's own tmp is root's only).
    scratch = Path(tempfile.mkdtemp(prefix="corpus-children-"))
    scratch.chmod(0o711)
    attacks = [a for a in EXPECTED if _graded_in(mode, a)]
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
        make_submission(submissions / attack, toy=text)
    for path in _planted_paths(toy_repo):
        path.unlink(missing_ok=True)
    env = {"TMPDIR": str(scratch)}  # the children's folders, so their command lines name this run
    if mode == NO_NAMESPACES:
        env.update(no_namespaces)
    started = time.monotonic()
    try:
        done = run_cli("grade-all", str(submissions), "--out", str(out), "--jobs", "2", "--only", ",".join(NUMPY),
                       cwd=toy_repo, env=env, timeout=900)
    finally:
        seconds = time.monotonic() - started
        time.sleep(0.5)  # anything that escaped would have started by now
        leftovers = {**_processes_of(root), **_processes_of(scratch)}
        for pid in leftovers:  # ours: started by this run; a failure must not leave them running
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        planted = [str(path) for path in _planted_paths(toy_repo) if path.exists()]
        for path in _planted_paths(toy_repo):
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
    "exit_at_import": "SystemExit", "syntax_error": "SyntaxError", "os_exit_in_predict": "exited",
    "infinite_loop": "time limit", "memory_bomb": "MemoryError", "forged_npyfile": "not plain data",
    "forged_deep_json": "not plain data", "forged_oversize": "more than the grader takes", "forged_wide_json": "not plain data",
    "nan_outputs": "NaN",
    "import_solution": "not implemented", "standin_globals": "not implemented",
}


@each_attack(EXPECTED)
def test_attack_scores_what_it_earned(run, attack, toy_config):
    config = toy_config
    assert run.status(attack) in ("graded", "does-not-import"), f"grading {attack} did not complete: {run.status(attack)}"
    results = run.results(attack)
    messages = [(t["name"], t["output"][:160]) for t in results["tests"] if t["status"] != "passed"]
    assert exercise_scores(results) == expected_scores(config, attack, run.mode), messages
    assert results["score"] == pytest.approx(sum(expected_scores(config, attack, run.mode).values()))
    assert results["extra_data"]["sandbox_layers"]["mode"] == ("bubblewrap" if run.mode == BWRAP else "dropped")


@each_attack(REASONS)
def test_failed_checks_say_why(run, attack):
    failed = [t for t in run.results(attack)["tests"] if t["status"] != "passed"]
    assert failed and all(REASONS[attack] in t["output"] for t in failed), [t["output"][:120] for t in failed]


@each_attack(EXPECTED)
def test_results_show_no_grader_or_solution_text(run, attack):
    assert leaked(run.results(attack), secret_lines()) == []


def test_secret_lines_catch_a_leak():
    secrets = secret_lines()
    hidden = (TOY / "graders" / "hidden" / "test_predict.py").read_text()
    assert len(secrets) >= 5 and leaked({"tests": [{"output": hidden[:2000]}]}, secrets)
    assert not leaked({"tests": [{"output": (CORPUS / "syntax_error.py").read_text()}]}, secrets)


@each_mode
def test_nothing_is_left_running(run):
    assert run.leftovers == []


@each_mode
def test_fake_results_change_nothing(run):
    for attack in run.attacks:
        assert "hostile-fake-results" not in json.dumps(run.results(attack)), f"{attack}'s results.json was replaced"
    assert run.planted == []


@pytest.mark.parametrize("run", [mode for mode in MODES if _graded_in(mode.values[0], "network")], indirect=True)
def test_network_is_unreachable(run):
    assert run.connections == 0


def test_grader_writes_large_arrays_without_following_planted_links(tmp_path):
    """Student.put never writes through a symlink the submission planted in its folder."""
    target = tmp_path / "precious.txt"
    target.write_text("precious")
    plant = (f"import os\nfor name in ('images', 'images.npy', 'home/images.npy'):\n"
             f"    try:\n        os.symlink({str(target)!r}, os.path.join(os.path.dirname(os.getcwd()), name))\n"
             f"    except OSError:\n        pass\n\ndef total(a):\n    return float(a.sum())\n")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "toy.py").write_text(plant)
    student = Student("toy", {"toy.py": (tmp_path / "sub" / "toy.py").read_bytes()}, sandbox.Limits(), seed=0)
    try:
        assert student.call("total", student.put("images", np.ones(3))) == 3.0
    finally:
        student.close()
    assert target.read_text() == "precious"


def test_grader_never_opens_a_path_the_child_names():
    with pytest.raises(wire.WireError):
        wire.decode({"__npyfile__": "/dev/stdin"})
