"""The trust boundary outside the hostile corpus: intake, the sandbox's modes, bounded replies,
sized scratch space, time budgets, and who may write a grade.

Each submission here is built on the spot (links, FIFOs, slow code), since the corpus composes
only source text. Submissions are of the toy course (tests/toy/). Tests that need the no-namespace mode run it as Gradescope's containers do
(support.FAILING_BWRAP) and are skipped, with the reason, where that mode cannot run.
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest
from support import requires_bwrap, requires_root_dropping
from support import REPO, TOY, TOY_CONFIG, TOY_SOLUTION, exercise_scores, make_submission, run_cli, toy_repository

from autograder import intake, sandbox, wire
from autograder.handle import Student, StudentCrashed

MODULES = {"mlp", "mnist_keras"}  # intake's rule on any module names: one with an underscore, one without
TOY_EXERCISES = "scale,predict,mean,fit"
SOLUTION = TOY_SOLUTION


# -- intake: one rule, regular files only, nothing followed ---------------------------------

def test_intake_takes_regular_files_and_notes_renamed_or_nested_ones(tmp_path):
    (tmp_path / "Day 2" / "work").mkdir(parents=True)
    (tmp_path / "Day 2" / "work" / "MLP (1).py").write_text("a = 1\n")
    (tmp_path / "mnist_keras.py").write_text("b = 2\n")
    (tmp_path / "mnist-keras copy.py").write_text("c = 3\n")
    taken = intake.read(tmp_path, MODULES, max_bytes=1000)
    assert taken.files == {"mlp.py": b"a = 1\n", "mnist_keras.py": b"b = 2\n"}
    assert any("Graded Day 2/work/MLP (1).py as mlp.py" in note for note in taken.notes)
    assert any("Also found mnist-keras copy.py: not graded" in note for note in taken.notes)


@pytest.mark.parametrize("name, module", [
    ("mlp.py", "mlp"), ("MLP.py", "mlp"), ("mlp (1).py", "mlp"), ("mlp copy 2.py", "mlp"), ("mlp-3.py", "mlp"),
    ("mnist_keras.py", "mnist_keras"), ("Mnist-Keras (2).py", "mnist_keras"),
    ("mlp_notes.py", None), ("mlp.py.txt", None), ("test_mlp.py", None), ("mlp.ipynb", None)])
def test_module_for_recognises_renamed_copies_only(name, module):
    assert intake.module_for(name, MODULES) == module


def test_intake_refuses_links_fifos_and_oversized_files_with_a_note(tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("the hidden answer")
    submission = tmp_path / "submission"
    (submission / "linked").mkdir(parents=True)
    (submission / "mlp.py").symlink_to(secret)
    (submission / "linked" / "inner").symlink_to(tmp_path, target_is_directory=True)  # a folder link: not walked
    os.mkfifo(submission / "mnist_keras.py")  # reading it would block forever
    taken = intake.read(submission, MODULES, max_bytes=1000)
    assert taken.files == {}
    assert set(taken.refused) == MODULES
    assert any("mlp.py is a symbolic link" in note for note in taken.notes)
    assert any("mnist_keras.py is not a regular file" in note for note in taken.notes)
    (submission / "mlp.py").unlink()
    (submission / "mlp.py").write_bytes(b"x" * 1001)
    assert "larger than" in intake.read(submission, MODULES, max_bytes=1000).refused["mlp"]


def test_intake_refuses_a_submission_folder_that_is_a_link(tmp_path):
    make_submission(tmp_path / "alice", mlp="a = 1\n")
    (tmp_path / "bob").symlink_to(tmp_path / "alice", target_is_directory=True)
    with pytest.raises(intake.IntakeError, match="symbolic link"):
        intake.read(tmp_path / "bob", MODULES, max_bytes=1000)
    with pytest.raises(intake.IntakeError, match="not a folder"):
        intake.read(tmp_path / "alice" / "mlp.py", MODULES, max_bytes=1000)


def test_linked_files_and_folders_score_zero_in_a_batch_that_grades_everyone_else(tmp_path, toy_repo):
    """The Makefile's layout: submissions/<student>/toy.py. Links to the reference, to another
    student's folder, to /proc/self/mem and to /etc/shadow are refused; the batch completes."""
    subs = tmp_path / "submissions"
    make_submission(subs / "honest", toy=SOLUTION)
    (subs / "to_reference").mkdir()
    (subs / "to_reference" / "toy.py").symlink_to(Path("../../solutions/toy.py"))
    (subs / "copycat").symlink_to(subs / "honest", target_is_directory=True)
    (subs / "memory").mkdir()
    (subs / "memory" / "toy.py").symlink_to("/proc/self/mem")
    (subs / "shadow").mkdir()
    (subs / "shadow" / "toy.py").symlink_to("/etc/shadow")
    os.symlink(toy_repo / "solutions", tmp_path / "solutions")  # so ../../solutions/toy.py really is the reference
    done = run_cli("grade-all", str(subs), "--out", str(tmp_path / "out"), "--only", "scale", timeout=600, cwd=toy_repo)
    assert done.returncode == 0, done.stderr
    rows = {row["student"]: row for row in csv.DictReader(open(tmp_path / "out" / "gradebook.csv"))}
    assert rows["honest"]["total"] == "5" and rows["honest"]["status"] == "graded"
    for student in ("to_reference", "memory", "shadow", "copycat"):
        assert rows[student]["status"] == "refused" and rows[student]["total"] in ("", "0"), (student, rows[student])
        assert "symbolic link" in rows[student]["detail"], rows[student]
    assert "root:" not in (tmp_path / "out" / "gradebook.csv").read_text()


def test_grade_reads_the_submission_once(tmp_path, monkeypatch):
    """The digest, the child's copy and the report use the same bytes: a file swapped after intake
    changes nothing."""
    from autograder import grade as grading
    from autograder.config import load

    folder = make_submission(tmp_path / "s", toy=SOLUTION)
    taken = grading.submission_files(folder, load(TOY_CONFIG))
    (folder / "toy.py").write_text("raise SystemExit\n")
    report = grading.grade(taken, config=load(TOY_CONFIG), only=["scale"], solutions=TOY / "solutions")
    assert report.score == report.max_score and report.files == taken.files


# -- who may write a grade -------------------------------------------------------------------

def test_without_a_sandbox_grade_refuses_and_check_says_so(tmp_path):
    folder = make_submission(tmp_path / "s", toy=SOLUTION)
    toy = ("--config", str(TOY_CONFIG))
    refused = run_cli(*toy, "grade", str(folder), "--results", str(tmp_path / "r.json"), "--only", "scale",
                      env={"AUTOGRADER_SANDBOX": "none"})
    assert refused.returncode == 2 and "no sandbox here" in refused.stderr and not (tmp_path / "r.json").exists()
    assert len(refused.stderr.strip().splitlines()) == 1
    allowed = run_cli(*toy, "grade", str(folder), "--results", str(tmp_path / "r.json"), "--only", "scale",
                      "--allow-unsandboxed", env={"AUTOGRADER_SANDBOX": "none"})
    results = json.loads((tmp_path / "r.json").read_text())
    assert allowed.returncode == 0 and "NOT SANDBOXED" in results["output"]
    assert results["extra_data"]["sandbox_layers"]["mode"] == "none"
    check = run_cli(*toy, "check", str(folder), "--only", "scale", env={"AUTOGRADER_SANDBOX": "none"})
    assert "Your code ran as a plain process" in " ".join(check.stdout.split())


@requires_root_dropping
def test_no_namespace_child_cannot_reach_the_grader(tmp_path, no_namespaces):
    """Its own uid and gid, no groups, no_new_privs; no signal, ptrace or environ of the grader;
    nothing of the course readable, nothing outside its folder writable."""
    probe = SOLUTION + '''
import ctypes, os
def _try(action):
    try:
        action()
        return "yes"
    except OSError:
        return "no"
def escape_report():
    parent = os.getppid()
    libc = ctypes.CDLL(None, use_errno=True)
    return {
        "uid": os.getuid(), "groups": os.getgroups(),
        "no_new_privs": int(open("/proc/self/status").read().split("NoNewPrivs:")[1].split()[0]),
        "signal": _try(lambda: os.kill(parent, 0)),
        "ptrace": "yes" if libc.ptrace(16, parent, None, None) == 0 else "no",
        "environ": _try(lambda: open(f"/proc/{parent}/environ").read()),
        "solutions": _try(lambda: open(%r).read()),
        "hidden": _try(lambda: os.listdir(%r)),
        "tmp": _try(lambda: open("/tmp/escape-" + str(os.getpid()), "w").close()),
    }
''' % (str(TOY / "solutions" / "toy.py"), str(TOY / "graders" / "hidden"))
    folder = make_submission(tmp_path / "s", toy=probe)
    script = ("import json, sys; sys.path.insert(0, %r)\n"
              "from autograder.handle import Student\nfrom autograder.sandbox import Limits, mode\n"
              "s = Student('toy', {'toy.py': open(%r, 'rb').read()}, Limits(), seed=0)\n"
              "print(json.dumps([mode(), s.call('escape_report')])); s.close()\n") % (str(REPO), str(folder / "toy.py"))
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120,
                          env={**os.environ, **no_namespaces})
    assert done.returncode == 0, done.stderr
    mode, seen = json.loads(done.stdout)
    assert mode == "dropped"
    assert seen["uid"] >= 1_000_000 and seen["groups"] == [] and seen["no_new_privs"] == 1
    assert {key: seen[key] for key in ("signal", "ptrace", "environ", "solutions", "hidden")} == dict.fromkeys(
        ("signal", "ptrace", "environ", "solutions", "hidden"), "no")
    if sandbox.landlock_abi():
        assert seen["tmp"] == "no"


@requires_root_dropping
def test_without_landlock_the_engine_tightens_what_the_child_could_read(tmp_path, no_namespaces):
    """Verified, not assumed: a world-readable copy of the course (as root unpacks a zip) is made
    unreadable to the child before any submission runs."""
    import shutil
    import tempfile

    course = Path(tempfile.mkdtemp(prefix="course-"))
    try:
        course.chmod(0o755)
        toy_repository(course)
        for path in [course, *course.rglob("*")]:
            path.chmod(0o755 if path.is_dir() else 0o644)
        folder = make_submission(tmp_path / "s", toy=SOLUTION)
        done = run_cli("grade", str(folder), "--results", str(tmp_path / "r.json"), "--only", "scale", cwd=course,
                       env={**no_namespaces, "AUTOGRADER_LANDLOCK": "0", "PYTHONPATH": str(course)})
        assert done.returncode == 0, done.stderr
        assert json.loads((tmp_path / "r.json").read_text())["extra_data"]["sandbox_layers"]["landlock_abi"] == 0
        for path in (course / "solutions", course / "autograder" / "graders", course / "grading.toml"):
            assert path.stat().st_mode & 0o077 == 0, f"{path} is still readable by others"
    finally:
        shutil.rmtree(course, ignore_errors=True)


# -- a bounded trusted side ------------------------------------------------------------------

WORST_REPLIES = """
import base64, gc, io, json, struct, sys
import numpy as np
sys.path.insert(0, %r)
from autograder import wire
limit, values = wire.MAX_MESSAGE - 64, wire.MAX_VALUES - 10


def array():
    count = (limit - 200) * 3 // 4 // 8
    return (b'{"ok": {"__nd__": "' + base64.b64encode(bytes(count * 8)) + b'", "dtype": "<f8", "shape": ['
            + str(count).encode() + b']}}')


build = {
    "ascii string": lambda: b'{"ok": "' + b"a" * (limit - 16) + b'"}',
    "4-byte characters": lambda: b'{"ok": "' + "\\U0001F600".encode() * ((limit - 16) // 4) + b'"}',
    "escaped surrogate pairs": lambda: b'{"ok": "' + b"\\\\ud83d\\\\ude00" * ((limit - 16) // 12) + b'"}',
    "floats": lambda: b'{"ok": [' + b"1.5," * (values - 5) + b'1.5]}',
    "short strings": lambda: b'{"ok": [' + b'"ab",' * (values - 5) + b'"ab"]}',
    "empty lists": lambda: b'{"ok": [' + b"[]," * (values // 2 - 5) + b'[]]}',
    "an array": array,
}[sys.argv[1]]
payload = build()
frame = io.BytesIO(struct.pack(">Q", len(payload)) + payload)
del payload
gc.collect()
with open("/proc/self/clear_refs", "w") as stream:
    stream.write("5")  # reset the peak RSS: what follows is the decoding alone (the frame included)
try:
    wire.decode(wire.receive(frame).get("ok"))
    outcome = "decoded"
except wire.WireError:
    outcome = "refused"
peak = next(int(line.split()[1]) for line in open("/proc/self/status") if line.startswith("VmHWM"))
print(json.dumps({"peak_mb": peak / 1024, "outcome": outcome}))
""" % str(REPO)
REPLY_KINDS = ("ascii string", "4-byte characters", "escaped surrogate pairs", "floats", "short strings", "empty lists",
               "an array")


def test_the_worst_reply_within_the_limits_costs_the_grader_a_bounded_amount_of_memory():
    """Each reply as large as the limits let it be, decoded in a fresh interpreter: its peak RSS."""
    peaks = {}
    for kind in REPLY_KINDS:
        done = subprocess.run([sys.executable, "-c", WORST_REPLIES, kind], capture_output=True, text=True, timeout=300)
        assert done.returncode == 0, done.stderr
        measured = json.loads(done.stdout)
        peaks[kind] = (round(measured["peak_mb"]), measured["outcome"])
    print(f"\ngrader peak RSS (MB) decoding the worst replies: {peaks}")
    assert max(peak for peak, _ in peaks.values()) < 512, peaks
    too_many = b'{"ok": [' + b"[]," * wire.MAX_VALUES + b"[]]}"
    with pytest.raises(wire.WireError, match="value limit"):
        wire.receive(io.BytesIO(len(too_many).to_bytes(8, "big") + too_many))


FILL = SOLUTION + '''
import os
def fill():
    chunk = b"\\0" * (4 << 20)
    written = {}
    for index, place in enumerate((os.path.expanduser("~"), "/tmp", "/dev/shm", "/dev")):
        for number in range(1024):
            try:
                with open(os.path.join(place, "fill-%d-%d" % (index, number)), "wb") as stream:
                    stream.write(chunk)
                written["%d %s" % (index, place)] = written.get("%d %s" % (index, place), 0) + len(chunk)
            except OSError:
                break
    return written
'''


@requires_bwrap
def test_scratch_space_under_bubblewrap_is_sized_tmpfs(tmp_path):
    """The child fills every writable place; the host loses at most the scratch size (its tmpfs use)."""
    limits = sandbox.Limits(timeout_s=60, scratch_mb=32)
    student = Student("toy", {"toy.py": FILL.encode()}, limits, seed=0)
    try:
        written = student.call("fill")
        pid = _innermost(student._child.process.pid)
        used = sum(_tmpfs_used(f"/proc/{pid}/root{place}") for place in ("/tmp", "/dev"))
    finally:
        student.close()
    print(f"\nscratch fill under bubblewrap: the child wrote {written}; tmpfs use {used / 2**20:.1f} MB")
    assert sum(written.values()) <= 33 * 2**20
    assert used <= 33 * 2**20


@requires_root_dropping
def test_scratch_space_without_namespaces_is_watched(tmp_path, no_namespaces):
    script = ("import json, sys, time; sys.path.insert(0, %r)\n"
              "from autograder.handle import Student, StudentCrashed\nfrom autograder.sandbox import Limits\n"
              "s = Student('toy', {'toy.py': open(%r, 'rb').read()}, Limits(timeout_s=60, scratch_mb=32), seed=0)\n"
              "s.call('scale', 0.0, 1.0)\nhome = s._child.workdir + '/home'\nimport shutil\n"
              "started = time.monotonic()\n"
              "try:\n    s.call('fill'); outcome = 'finished'\nexcept StudentCrashed as error:\n    outcome = str(error)\n"
              "print(json.dumps([outcome, time.monotonic() - started])); s.close()\n") % (str(REPO), str(tmp_path / "toy.py"))
    (tmp_path / "toy.py").write_text(FILL)
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120,
                          env={**os.environ, **no_namespaces})
    assert done.returncode == 0, done.stderr
    outcome, seconds = json.loads(done.stdout)
    print(f"\nscratch fill without namespaces: {outcome} after {seconds:.2f} s")
    assert "scratch space" in outcome


def _innermost(pid: int) -> int:
    """The deepest descendant of pid (bubblewrap's sandboxed Python)."""
    while True:
        try:
            children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
        except OSError:
            return pid
        if not children:
            return pid
        pid = int(children[0])


def _tmpfs_used(path: str) -> int:
    info = os.statvfs(path)
    return (info.f_blocks - info.f_bfree) * info.f_frsize


# -- time ----------------------------------------------------------------------------------

def _config_with(tmp_path: Path, replace: dict[str, str]) -> Path:
    """The toy course's grading.toml with these replacements (its graders named by their path)."""
    text = TOY_CONFIG.read_text().replace('graders = "graders"', f'graders = "{TOY / "graders"}"', 1)
    for old, new in replace.items():
        assert old in text, old
        text = text.replace(old, new, 1)
    path = tmp_path / "grading.toml"
    path.write_text(text)
    return path


def test_a_maximally_slow_submission_is_stopped_by_its_time_budgets(tmp_path, toy_repo):
    """Every call just under its limit: the exercise's and the submission's budgets end the grade."""
    slow = SOLUTION + "\nimport time\n_s = scale\ndef scale(x, factor):\n    time.sleep(1.8)\n    return _s(x, factor)\n"
    config = _config_with(tmp_path, {"wall_s = 120\n": "wall_s = 8\n",
                                     "[exercise.scale]\nmodule = \"toy\"\ntimeout_s = 10\n":
                                     "[exercise.scale]\nmodule = \"toy\"\ntimeout_s = 2\nwall_s = 3\n"})
    folder = make_submission(tmp_path / "s", toy=slow)
    started = time.monotonic()
    done = run_cli("--config", str(config), "grade", str(folder), "--results", str(tmp_path / "r.json"), "--only",
                   TOY_EXERCISES, cwd=toy_repo)
    seconds = time.monotonic() - started
    assert done.returncode == 0, done.stderr
    results = json.loads((tmp_path / "r.json").read_text())
    outputs = " ".join(t["output"] for t in results["tests"] if t["tags"][0] == "scale")
    assert "time budget" in outputs
    assert seconds < 8 + 30, seconds  # the submission's budget plus start-up and reporting


def test_a_child_started_ahead_is_not_charged_for_waiting_its_turn(tmp_path, toy_config, toy_repo):
    """A slow but correct scale: the prefetched children of the next exercises wait longer than
    their import limit (3 x 1 s), and must still get full marks. (Slow only when scale's own checks
    call it: predict calls the student's own scale, which passes, with factor 1.0, under a 1 s limit.)"""
    slow = SOLUTION + ("\nimport time\n_s = scale\ndef scale(x, factor):\n"
                       "    if factor != 1.0:\n        time.sleep(1.5)\n    return _s(x, factor)\n")
    path = _config_with(tmp_path, {"[exercise.predict]\nmodule = \"toy\"\nstandins = [\"scale\"]\ntimeout_s = 10\n":
                                   "[exercise.predict]\nmodule = \"toy\"\nstandins = [\"scale\"]\ntimeout_s = 1\n",
                                   "[exercise.mean]\nmodule = \"toy\"\ntimeout_s = 10\n":
                                   "[exercise.mean]\nmodule = \"toy\"\ntimeout_s = 1\n"})
    folder = make_submission(tmp_path / "s", toy=slow)
    done = run_cli("--config", str(path), "grade", str(folder), "--results", str(tmp_path / "r.json"),
                   "--only", "scale,predict,mean", cwd=toy_repo)
    assert done.returncode == 0, done.stderr
    scores = exercise_scores(json.loads((tmp_path / "r.json").read_text()))
    assert scores["predict"] == toy_config.exercises["predict"].max_score
    assert scores["mean"] == toy_config.exercises["mean"].max_score


CRASHES = """import os, signal
def dumping():  # what the watchdog writes just before the time limit, then a fault, as when the dump races the loop
    os.write(2, b"Current thread 0x00007f0000000001 (most recent call first):\\n  File \\"m.py\\", line 4 in dumping\\n")
    os.kill(os.getpid(), signal.SIGSEGV)
def faulting():
    os.kill(os.getpid(), signal.SIGSEGV)
"""


@pytest.mark.parametrize(("function", "says"), [("dumping", "took longer than the 5 s time limit"),
                                                ("faulting", "the process crashed (SIGSEGV)")])
def test_a_fault_while_the_stack_is_dumped_at_the_time_limit_is_the_time_limit(function, says):
    child = sandbox.Child({"m.py": CRASHES.encode()}, sandbox.Limits(timeout_s=5))
    try:
        assert child.request(wire.encode({"op": "import", "module": "m"}))["ok"] is None
        with pytest.raises(sandbox.ChildDied, match=re.escape(says)) as died:
            child.request(wire.encode({"op": "call", "target": function, "args": []}), 5)
        assert ("line 4 in dumping" in died.value.dump) == (function == "dumping")
    finally:
        child.close()


def test_send_then_late_receive_counts_time_from_receive():
    child = sandbox.Child({"m.py": b"import time\ndef f():\n    return 1\n"}, sandbox.Limits(timeout_s=1))
    try:
        child.send(wire.encode({"op": "import", "module": "m"}), 1)
        time.sleep(1.5)  # the grader is busy elsewhere: the import's reply waits
        assert child.receive()["ok"] is None
    finally:
        child.close()


# -- the same score every time -----------------------------------------------------------------

@pytest.mark.parametrize("mode", ["bubblewrap", "no namespaces"])
def test_hash_dependent_code_scores_the_same_on_every_run(tmp_path, mode, no_namespaces):
    if mode == "bubblewrap" and not sandbox.bwrap_works():
        pytest.skip("bubblewrap is not installed here (make test installs it as root)")
    if mode == "no namespaces" and (os.geteuid() != 0 or sandbox.unprivileged_can_run()):
        pytest.skip("the no-namespace mode needs root and a Python any uid can run")
    flaky = SOLUTION + "\n_s = scale\ndef scale(x, factor):\n    return _s(x, factor) if hash('abc') % 5 else _s(x, factor) * 0\n"
    folder = make_submission(tmp_path / "s", toy=flaky)
    env = no_namespaces if mode == "no namespaces" else {}
    scores = set()
    for run in range(3):
        done = run_cli("--config", str(TOY_CONFIG), "grade", str(folder), "--results", str(tmp_path / f"{run}.json"),
                       "--only", "scale",
                       "--seed", "7", env={**env, "PYTHONHASHSEED": str(run)})
        assert done.returncode == 0, done.stderr
        scores.add(json.loads((tmp_path / f"{run}.json").read_text())["score"])
    assert len(scores) == 1, scores


def test_budget_exhausted_checks_fail_at_once(tmp_path):
    student = Student("toy", {"toy.py": SOLUTION.encode()}, sandbox.Limits(), seed=0, wall_s=0.0)
    try:
        with pytest.raises(StudentCrashed, match="time budget"):
            student.call("scale", 0.0, 1.0)
    finally:
        student.close()
