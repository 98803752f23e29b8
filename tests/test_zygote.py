"""The zygote (autograder/zygote.py): each exercise's child is forked from one per submission, in
both sandbox modes, and each child keeps its own limits and fate: a child that loops, exits or
runs out of memory ends alone, the next one is forked as before, and a zygote that dies leaves
its submission graded by fresh children. What siblings cannot do to each other is the hostile
corpus' `siblings` attack (tests/test_hostile.py).
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import tempfile
from pathlib import Path

import pytest
from support import requires_bwrap, requires_root_dropping
from support import run_cli, toy_submission

from autograder import sandbox, wire, zygote

pytestmark = pytest.mark.skipif(not zygote.available(), reason=(
    f"children are forked from a zygote only where Landlock scopes signals (ABI {zygote.MIN_LANDLOCK_ABI}); "
    f"this kernel has ABI {sandbox.landlock_abi()}"))

MODES = [pytest.param("bubblewrap", marks=requires_bwrap), pytest.param("dropped", marks=requires_root_dropping)]
CODE = b"""
import os, time
def ok():
    return os.getpid() > 0
def loop():
    while True:
        pass
def leave(code):
    os._exit(code)
def grab(megabytes):
    return len(bytearray(megabytes << 20))
def write(megabytes):
    for number in range(megabytes // 16):  # files under the per-file limit, more than the folder's
        with open(f"big-{number}", "wb") as stream:
            stream.write(b"0" * (16 << 20))
    return megabytes
"""


@pytest.fixture(params=MODES)
def forks(request, monkeypatch):
    monkeypatch.setenv("AUTOGRADER_SANDBOX", request.param)
    server = zygote.Zygote({"m.py": CODE}, sandbox.Limits(timeout_s=5, memory_mb=1024), slots=4)
    yield server
    server.close()


def _child(forks, **limits) -> sandbox.Child:
    child = sandbox.Child({"m.py": CODE}, sandbox.Limits(**{"timeout_s": 5, "memory_mb": 1024, **limits}), zygote=forks)
    assert child.request(wire.encode({"op": "import", "module": "m"})) == {"ok": None, "output": ""}
    return child


def _call(child, name, *args, timeout_s=None):
    return child.request(wire.encode({"op": "call", "target": name, "args": list(args)}), timeout_s)


def test_a_child_that_loops_exits_or_runs_out_of_memory_ends_alone(forks):
    looping = _child(forks)
    assert isinstance(looping.process, zygote.Forked)
    with pytest.raises(sandbox.ChildDied, match="time limit"):
        _call(looping, "loop", timeout_s=1)
    leaving = _child(forks)
    with pytest.raises(sandbox.ChildDied, match="exited with status 3"):
        _call(leaving, "leave", 3)
    small = _child(forks, memory_mb=300)  # its own limit, under the zygote's 1024 MB
    reply = _call(small, "grab", 600)
    assert reply.get("error", {}).get("type") == "MemoryError", reply
    after = _child(forks)
    assert _call(after, "grab", 600)["ok"] == 600 << 20
    for child in (looping, leaving, small, after):
        child.close()
    assert not forks.broken, forks.why


def test_a_child_writes_only_its_own_scratch_space_and_it_is_bounded(forks):
    child = _child(forks)
    if forks.mode == "bubblewrap":  # a sized tmpfs of its own: the write stops at scratch_mb
        reply = _call(child, "write", 100)
        assert reply.get("error", {}).get("type") == "OSError" and "No space left" in reply["error"]["message"]
    else:  # a folder of its own that the watchdog measures
        with pytest.raises(sandbox.ChildDied, match="scratch space"):
            _call(child, "write", 1024, timeout_s=10)
    child.close()
    assert _call(_child(forks), "ok")["ok"] is True


PRELOADED = b"""
import sys
AT_IMPORT = "colorsys" in sys.modules  # what was imported before the submission was
def preloaded():
    return AT_IMPORT
"""


@pytest.mark.parametrize("mode", MODES)
def test_a_child_forked_ahead_has_imported_its_preload_and_an_unused_one_is_ended(mode, monkeypatch):
    monkeypatch.setenv("AUTOGRADER_SANDBOX", mode)
    limits = sandbox.Limits(timeout_s=5, memory_mb=1024)
    server = zygote.Zygote({"m.py": PRELOADED}, limits, slots=4,
                           preload={"ahead": ("no_such_module_anywhere", "colorsys"), "unused": ("colorsys",)})
    try:
        server.fork_ahead("ahead", limits)
        server.fork_ahead("unused", limits)
        unused = server._ahead["unused"][1]
        children = [sandbox.Child({"m.py": PRELOADED}, limits, zygote=server, exercise=name) for name in ("ahead", "other")]
        assert children[0].process is not unused and isinstance(children[0].process, zygote.Forked)
        for child in children:  # a preload that fails costs nothing: the submission's import reports
            assert child.request(wire.encode({"op": "import", "module": "m"})) == {"ok": None, "output": ""}
        assert [_call(child, "preloaded")["ok"] for child in children] == [True, False]
        for child in children:
            child.close()
        assert unused.adopt() and os.path.exists(f"/proc/{unused.pid}")
    finally:
        server.close()
    assert not os.path.exists(f"/proc/{unused.pid}") or "zombie" in Path(f"/proc/{unused.pid}/status").read_text()
    assert unused.cgroup is None or unused.cgroup.path is None  # its pids cgroup is removed


def test_a_dead_zygote_leaves_fresh_children(forks):
    first = _child(forks)
    os.killpg(forks._server.process.pid, signal.SIGKILL)
    forks._server.process.wait()
    second = _child(forks)  # the zygote cannot answer: a fresh sandboxed process instead
    assert _call(second, "ok")["ok"] is True
    assert forks.broken and not isinstance(second.process, zygote.Forked)
    for child in (first, second):
        child.close()


@pytest.mark.parametrize("env", [pytest.param({}, marks=requires_bwrap), pytest.param("no namespaces", marks=requires_root_dropping)])
def test_a_grade_records_the_zygote_and_leaves_nothing(tmp_path, env, no_namespaces, toy_repo):
    env = no_namespaces if env == "no namespaces" else env
    children = Path(tempfile.mkdtemp(prefix="zygote-children-"))  # a place the dropped uid can reach
    children.chmod(0o711)
    try:
        done = run_cli("grade", str(toy_submission(tmp_path / "reference")), "--results", str(tmp_path / "r.json"),
                       env={**env, "TMPDIR": str(children)}, cwd=toy_repo)
        assert done.returncode == 0, done.stderr
        assert list(children.iterdir()) == []  # every folder of the zygote and its children is gone
    finally:
        shutil.rmtree(children, ignore_errors=True)
    results = json.loads((tmp_path / "r.json").read_text())
    assert results["score"] == results["extra_data"]["max_score"]
    assert results["extra_data"]["sandbox_layers"]["zygote"] is True
    off = run_cli("grade", str(tmp_path / "reference"), "--results", str(tmp_path / "off.json"), "--only", "scale",
                  env={**env, "AUTOGRADER_ZYGOTE": "0"}, cwd=toy_repo)
    assert off.returncode == 0, off.stderr
    assert json.loads((tmp_path / "off.json").read_text())["extra_data"]["sandbox_layers"]["zygote"] is False
