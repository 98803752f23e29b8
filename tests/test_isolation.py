"""Isolation between the children of one submission, and the trusted side's bounded work.

The children of one submission (each exercise's, some started ahead) must not be able to observe
or signal each other in any sandbox mode: tests/hostile/sibling_channels.py arms every channel we
found in one child and knocks on it from another. Forged replies must not make the trusted side
work or allocate without bound (tests/hostile/wide_reply.py). The engine is attacked directly
(sandbox.Child, zygote.Zygote, handle.Student) with a module of its own: no course is involved.
"""

from __future__ import annotations

import os
import random
import resource
import subprocess
import sys
from pathlib import Path

import pytest
from support import REPO, SANDBOX_MODES, run_cli

from autograder import sandbox, zygote
from autograder.handle import Student

HOSTILE = Path(__file__).resolve().parent / "hostile"
CHANNELS = {"sibling_channels.py": (HOSTILE / "sibling_channels.py").read_bytes()}
# The modes that give grades of record, and the fallback (a plain subprocess): the fallback has
# the same Landlock and system-call filter where the kernel has them (this one has), not a uid of its own.
MODES = [SANDBOX_MODES["bubblewrap"], SANDBOX_MODES["no namespaces"], SANDBOX_MODES["fallback"]]
MODE_IDS = ["bubblewrap", "no-namespaces", "fallback"]


@pytest.fixture(params=MODES, ids=MODE_IDS)
def mode(request, monkeypatch):
    for key, value in request.param.items():
        monkeypatch.setenv(key, value)
    sandbox.bwrap_works.cache_clear()  # the failing bwrap on PATH is seen again
    yield sandbox.mode()
    sandbox.bwrap_works.cache_clear()


def _students(forks, count: int) -> list[Student]:
    limits = sandbox.Limits(timeout_s=10, memory_mb=1024)
    return [Student("sibling_channels", CHANNELS, limits, seed=1, zygote=forks, exercise=f"exercise{n}")
            for n in range(count)]


NO_ZYGOTE = pytest.mark.skipif(not zygote.available(), reason="the engine forks no zygote here (Landlock ABI < 6)")


@pytest.mark.parametrize("forked", [pytest.param(True, marks=NO_ZYGOTE), False], ids=["zygote", "fresh"])
def test_children_of_one_submission_cannot_reach_each_other(mode, forked):
    forks = zygote.Zygote(CHANNELS, sandbox.Limits(timeout_s=10, memory_mb=1024), slots=4) if forked else None
    first, second = _students(forks, 2)
    port = random.randrange(20000, 60000)
    try:
        armed = first.call("arm", port)
        # What the first child could set up is what the second must not reach (and the attack is real:
        # the child can always rewrite its own command line and hold a lock on its own).
        assert {"cmdline", "flock", "scheduling"} <= set(armed["armed"]), armed
        knocked = second.call("knock", port, armed["pid"], armed["socket"])
        heard = first.call("heard")
    finally:
        for student in (first, second):
            student.close()
        if forks is not None:
            forks.close()
    assert (knocked, heard) == ([], []), f"{mode}: armed {armed['armed']}; reached {knocked}; heard {heard}"


def test_a_child_still_reads_what_numpy_needs_of_proc(mode):
    student = Student("sibling_channels", {**CHANNELS, "probe.py": b"""
import os
def own():
    return [len(open(path, "rb").read()) > 0 for path in
            ("/proc/self/status", "/proc/self/maps", "/proc/self/cmdline", "/proc/cpuinfo", "/proc/meminfo", "/proc/stat")]
def fds():
    return len(os.listdir("/proc/self/fd")) > 0
"""}, sandbox.Limits(timeout_s=10, memory_mb=1024), seed=1)
    student.module = "probe"
    try:
        assert student.call("own") == [True] * 6
        assert student.call("fds") is True
    finally:
        student.close()


def test_the_run_seed_never_reaches_the_child(mode):
    import numpy as np

    run_seed = 2_718_281_828
    student = Student("seed_thief", {"seed_thief.py": (HOSTILE / "seed_thief.py").read_bytes()},
                      sandbox.Limits(timeout_s=10, memory_mb=1024), seed=run_seed, exercise="any")
    try:
        stolen = student.call("stolen")
    finally:
        student.close()
    assert stolen["locals"], "the attack found no seed at all: it no longer looks where the seed is passed"
    assert run_seed not in stolen["locals"]
    assert stolen["numpy_state"] != int(np.random.RandomState(run_seed).get_state()[1][0])


# -- the trusted side's work on a reply is bounded ------------------------------------------------

WORK_ON_REPLIES = """
import json, resource, sys, time
sys.path.insert(0, %r)
import numpy as np
from autograder import sandbox
from autograder.handle import Student, StudentCrashed

files = {"wide_reply.py": open(%r, "rb").read()}
student = Student("wide_reply", files, sandbox.Limits(timeout_s=30, memory_mb=2048), seed=1, wall_s=float(sys.argv[2]))
started, outcome = time.monotonic(), "finished"
try:
    with student.budget():  # as the grading plugin runs every check
        if sys.argv[1] == "many layers":
            for layer in student.call("many_layers", 100_000):  # a grader's work per layer: ~1 ms each
                np.tanh(np.arange(100_000.0) * layer["units"]).sum()
        else:
            kernel = student.call("wide_kernel").astype(np.float64)  # what a grader does with a kernel
            outcome = "decoded %%d MB" %% (kernel.nbytes >> 20)
except StudentCrashed as error:
    outcome = str(error)
finally:
    student.close()
usage = resource.getrusage(resource.RUSAGE_SELF)
print(json.dumps({"outcome": outcome, "seconds": time.monotonic() - started, "cpu_s": usage.ru_utime + usage.ru_stime,
                  "peak_mb": usage.ru_maxrss / 1024}))
""" % (str(REPO), str(HOSTILE / "wide_reply.py"))


def _work_on_replies(kind: str, wall_s: float) -> dict:
    """In a fresh interpreter (its own peak RSS), in the mode the `mode` fixture set in os.environ."""
    import json

    done = subprocess.run([sys.executable, "-c", WORK_ON_REPLIES, kind, str(wall_s)], capture_output=True, text=True,
                          timeout=600)
    assert done.returncode == 0, done.stderr[-2000:]
    measured = json.loads(done.stdout.splitlines()[-1])
    print(f"\n{kind}: {measured}")
    return measured


def test_the_graders_work_on_a_reply_stops_with_the_time_budget(mode):
    wall_s = 4.0
    measured = _work_on_replies("many layers", wall_s)
    assert "time budget" in measured["outcome"]
    assert measured["seconds"] < wall_s + 3, measured  # the budget, its grace (1 s) and the child's start


def test_a_reply_too_wide_to_work_on_is_refused_before_it_is_decoded(mode):
    measured = _work_on_replies("wide kernel", 60.0)
    assert "more than the grader takes" in measured["outcome"] and "elements" in measured["outcome"]
    assert measured["peak_mb"] < 400, measured


FIGURES = '''
import numpy as np

def wide(report, files, config):  # a very wide network's activations on 10,000 images: 4.8 GB
    kept = [np.ones((10_000, 6_000)) for _ in range(8)]
    return "drawn %d" % len(kept)

def slow(report, files, config):
    while True:
        pass

def small(report, files, config):
    return "<p>the small section</p>"

SECTIONS = [("Wide", wide), ("Slow", slow), ("Small", small)]
'''
PAGE = """
import json, resource, sys
sys.path.insert(0, %r)
from autograder import report
from autograder.config import load
from autograder.results import Report

report.SECTION_S = 10.0
page = report.build_page(Report(tests=[], seed=1, sandbox="test", execution_time=0.0, submission_sha256="0"), {},
                         config=load(sys.argv[1]))
print(json.dumps({"page": page, "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
""" % str(REPO)


def test_the_feedback_page_is_written_within_a_bounded_memory_and_time(tmp_path):
    import json
    import shutil

    course = shutil.copytree(REPO / "tests" / "toy", tmp_path / "course")
    (course / "graders" / "figures.py").write_text(FIGURES)
    done = subprocess.run([sys.executable, "-c", PAGE, str(course / "grading.toml")], capture_output=True, text=True,
                          timeout=600)
    assert done.returncode == 0, done.stderr[-2000:]
    measured = json.loads(done.stdout)
    print(f"\nfeedback page: peak {measured['peak_mb']:.0f} MB")
    assert "Wide could not be drawn within 1024 MB" in measured["page"]
    assert "Slow could not be drawn within 10 s" in measured["page"]
    assert "the small section" in measured["page"]
    assert measured["peak_mb"] < 1024 + 400, measured["peak_mb"]


def test_arrays_decode_whole_in_pieces_and_their_elements_are_counted_per_reply():
    import numpy as np

    from autograder import wire

    for size in (3_500_000, 3_500_001, 3_500_002):  # more than one piece of base64, each padding
        array = (np.arange(size) % 251).astype(np.int8)
        decoded = wire.decode(wire.encode(array))
        assert np.array_equal(decoded, array) and decoded.flags.writeable
    half = wire.encode(np.zeros(wire.MAX_ELEMENTS // 2 + 1, dtype=np.int8))
    with pytest.raises(wire.WireError, match="elements in one reply"):
        wire.decode([half, half])
    assert wire.decode([half, half], files=True)[0].size == wire.MAX_ELEMENTS // 2 + 1  # the child side: no limit
    text = "A" * ((4 << 20) - 4) + "AA==" + "AAAA"  # padding where the first piece ends
    with pytest.raises(wire.WireError, match="cut short"):
        wire.decode({"__nd__": text, "dtype": "|i1", "shape": [len(text) // 4 * 3]})


SLOW_GRADER = '''

def test_scale_known_values(student, cfg):  # works on a reply item by item, as a grader may on a model's layers
    """scale multiplies every entry by the factor"""
    for row in student.call("scale", np.ones((300_000, 1)), 2.0):  # 0.1-1 ms of the grader's work each
        np.tanh(np.arange(100_000.0) * row[0]).sum()
'''


def test_a_grade_stops_the_graders_own_work_at_the_exercises_budget(tmp_path, mode):
    import json
    import time

    from support import toy_repository, toy_submission

    repo = toy_repository(tmp_path / "repo")
    graders = repo / "autograder" / "graders" / "public" / "test_scale.py"
    graders.write_text(graders.read_text().replace("def test_scale_known_values(", "def _replaced(") + SLOW_GRADER)
    config = (repo / "grading.toml").read_text()
    (repo / "grading.toml").write_text(config.replace("[exercise.scale]\n", "[exercise.scale]\nwall_s = 3\n", 1))
    submission = toy_submission(tmp_path / "submission")
    started = time.monotonic()
    done = run_cli("grade", str(submission), "--results", str(tmp_path / "results.json"), "--only", "scale",
                   "--allow-unsandboxed", cwd=repo, timeout=600)
    seconds = time.monotonic() - started
    assert done.returncode == 0, done.stderr[-2000:]
    check = next(t for t in json.loads((tmp_path / "results.json").read_text())["tests"] if "multiplies" in t["name"])
    assert check["score"] == 0 and "time budget" in check["output"], check
    assert seconds < 30, seconds  # the grader's work alone takes 45 s or more here
