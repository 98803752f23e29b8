"""grade-all: every entry a row by a stated rule, the skip key, shards and their merge, clean stops.

A class of awkward folders, submissions of the toy course (tests/toy/) graded in a toy repository,
is graded once per sandbox mode (support.SANDBOX_MODES); the same class, graded as three shards in parallel and
merged, must give the same bytes. Stops (SIGINT, SIGTERM, the wall limit) must leave no
workdir (TMPDIR is a fresh folder per run), pids cgroup or process behind.
"""

from __future__ import annotations

import csv
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from support import SANDBOX_MODES
from support import TOY_SOLUTION, run_cli, toy_submission

from autograder import reaper
from autograder.batch import parse_shard, shard_of

MODES = SANDBOX_MODES
ONLY = "scale,predict,shout"
LOOP = "\n\ndef scale(x, factor):\n    while True:\n        pass\n"
# entry -> (status, what its detail says)
EXPECTED = {
    "good": ("graded", ""),
    "gradebook.csv": ("graded", ""),  # named like a file the batch writes: no collision
    "=HYPERLINK(1)": ("graded", ""),
    "broken": ("does-not-import", "toy.py does not import: SyntaxError"),
    "empty": ("missing", "none of the exercise files"),
    "words-only": ("graded", "toy.py is missing"),
    ".hidden": ("refused", "hidden"),
    "notes.txt": ("refused", "not a folder"),
    "linked": ("refused", "symbolic link"),
    "bell\x07name": ("refused", "not printable"),
    "unreadable": ("refused", ""),
    "huge-int": ("graded", ""),
}


def _class(root: Path) -> Path:
    subs = root / "subs"
    for name in ("good", "gradebook.csv", "=HYPERLINK(1)", ".hidden", "bell\x07name"):
        toy_submission(subs / name)
    toy_submission(subs / "broken", "def scale(:\n")
    toy_submission(subs / "huge-int", TOY_SOLUTION + "\n\ndef scale(x, factor):\n    return 10 ** 400\n")
    toy_submission(subs / "words-only", None)
    (subs / "empty").mkdir()
    (subs / "notes.txt").write_text("not a submission\n")
    (subs / "linked").symlink_to(subs / "good")
    (subs / "unreadable").mkdir()
    (subs / "unreadable" / "toy.py").symlink_to("/proc/self/mem")  # a regular file that no read succeeds on
    return subs


def _rows(out: Path) -> dict[str, dict]:
    manifest = json.loads((out / "batch.json").read_text())
    return {row["name"]: row for row in manifest["rows"]}


def _tree(out: Path) -> dict[str, bytes]:
    """Every file of an OUT folder but the wall times."""
    return {str(path.relative_to(out)): path.read_bytes() for path in sorted(out.rglob("*"))
            if path.is_file() and path.name != "times.json"}


@pytest.fixture(scope="module", params=list(MODES.values()), ids=list(MODES))
def graded(request, tmp_path_factory, toy_repo):
    root = tmp_path_factory.mktemp("batch")
    subs = _class(root)
    env = request.param
    done = run_cli("grade-all", str(subs), "--out", str(root / "out"), "--jobs", "2", "--only", ONLY,
                   "--allow-unsandboxed", env=env, timeout=600, cwd=toy_repo)
    return root, subs, env, done


def test_every_entry_is_a_row_with_a_status_from_the_vocabulary(graded):
    root, _, _, done = graded
    assert done.returncode == 0, done.stderr
    rows = _rows(root / "out")
    assert sorted(rows) == sorted(EXPECTED)
    for name, (status, detail) in EXPECTED.items():
        assert rows[name]["status"] == status and detail in rows[name]["detail"], rows[name]
    with open(root / "out" / "gradebook.csv", newline="") as stream:
        table = list(csv.DictReader(stream))
    students = [row["student"] for row in table]
    assert len(students) == len(rows) and "'=HYPERLINK(1)" in students and "bellname" in students
    assert {row["status"] for row in table} <= {"graded", "missing", "does-not-import", "refused", "error"}
    good = next(row for row in table if row["student"] == "good")
    assert good["total"] == "12" and good["scale"] == "5" and good["predict"] == "5" and good["shout"] == "2"
    assert (root / "out" / "students" / "gradebook.csv" / "results.json").is_file()


def test_a_value_the_grader_cannot_convert_fails_the_students_check(graded):
    root, *_ = graded
    results = json.loads((root / "out" / "students" / "huge-int" / "results.json").read_text())
    failed = [t for t in results["tests"] if t["tags"][0] == "scale" and t["status"] != "passed"]
    assert failed and all(t["status"] == "failed" and "too large" in t["output"] for t in failed), failed
    assert not any("instructor" in t["output"] for t in results["tests"])


def test_every_row_and_results_json_name_the_grader_digest(graded):
    root, *_ = graded
    with open(root / "out" / "gradebook.csv", newline="") as stream:
        digests = {row["grader_digest"] for row in csv.DictReader(stream)}
    results = json.loads((root / "out" / "students" / "good" / "results.json").read_text())
    assert digests == {results["extra_data"]["grader_digest"]} and len(digests.pop()) == 64


def test_three_shards_in_parallel_merge_to_the_same_bytes_as_one_run(graded, toy_repo):
    root, subs, env, _ = graded
    shards = [subprocess.Popen([sys.executable, "-m", "autograder", "grade-all", str(subs), "--out",
                                str(root / f"shard{k}"), "--only", ONLY, "--shard", f"{k}/3", "--allow-unsandboxed"],
                               cwd=toy_repo, env={**os.environ, **env}, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
              for k in (1, 2, 3)]
    for shard in shards:
        assert shard.wait(timeout=600) == 0, shard.stderr.read()
    sizes = [len(_rows(root / f"shard{k}")) for k in (1, 2, 3)]
    assert sum(sizes) == len(EXPECTED) and all(sizes)  # a real split, each entry in one shard
    done = run_cli("grade-all", "--merge", *(str(root / f"shard{k}") for k in (1, 2, 3)), "--out", str(root / "merged"),
                   cwd=toy_repo)
    assert done.returncode == 0, done.stderr
    assert _tree(root / "merged") == _tree(root / "out")
    incomplete = run_cli("grade-all", "--merge", str(root / "shard1"), str(root / "shard2"), "--out", str(root / "m2"),
                         cwd=toy_repo)
    assert incomplete.returncode == 2 and "shards" in incomplete.stderr


def test_a_rerun_skips_unchanged_submissions_and_force_or_new_graders_regrade(graded, tmp_path, toy_repo):
    root, subs, env, _ = graded
    first = _tree(root / "out")
    again = run_cli("grade-all", str(subs), "--out", str(root / "out"), "--only", ONLY, "--allow-unsandboxed", env=env,
                    cwd=toy_repo)
    assert again.returncode == 0 and "(0 graded this run)" in again.stdout, again.stdout
    assert _tree(root / "out") == first  # the same rows, statuses and details as when they were graded
    forced = run_cli("grade-all", str(subs), "--out", str(root / "out"), "--only", ONLY, "--allow-unsandboxed",
                     "--force", env=env, cwd=toy_repo)
    assert "(7 graded this run)" in forced.stdout, forced.stdout
    config = tmp_path / "grading.toml"
    graders = f'[grading]\ngraders = "{toy_repo / "autograder" / "graders"}"\n'  # the same graders, from here
    config.write_text((toy_repo / "grading.toml").read_text().replace("[grading]\n", graders, 1) + "# a changed config\n")
    changed = run_cli("--config", str(config), "grade-all", str(subs), "--out", str(root / "out"), "--only", ONLY,
                      "--allow-unsandboxed", env=env, cwd=toy_repo)
    assert "(7 graded this run)" in changed.stdout, changed.stdout
    rows = _rows(root / "out")
    results = json.loads((root / "out" / "students" / "good" / "results.json").read_text())
    manifest = json.loads((root / "out" / "batch.json").read_text())
    assert results["extra_data"]["grader_digest"] == manifest["grader_digest"]
    assert rows["good"]["status"] == "graded"


def test_shards_split_by_name_alone():
    names = [f"student-{i}" for i in range(200)]
    assert [shard_of(name, 4) for name in names] == [shard_of(name, 4) for name in reversed(names)][::-1]
    assert {shard_of(name, 4) for name in names} == {1, 2, 3, 4}
    assert parse_shard("2/4") == (2, 4)
    for bad in ("0/4", "5/4", "x", "1/"):
        with pytest.raises(ValueError):
            parse_shard(bad)


def test_out_inside_the_submissions_is_refused(tmp_path):
    (tmp_path / "subs" / "alice").mkdir(parents=True)
    done = run_cli("grade-all", str(tmp_path / "subs"), "--out", str(tmp_path / "subs" / "out"), "--allow-unsandboxed")
    assert done.returncode == 2 and "inside" in done.stderr


# -- clean stops -------------------------------------------------------------------

def _descendants(root_pid: int) -> set[int]:
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                ppid = int(Path(f"/proc/{entry}/stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(ppid, []).append(int(entry))
    found, todo = set(), [root_pid]
    while todo:
        for child in children.get(todo.pop(), []):
            if child not in found:
                found.add(child)
                todo.append(child)
    return found


def _mentioning(needle: str) -> list[int]:
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit() and int(entry) != os.getpid():
            try:
                blob = Path(f"/proc/{entry}/cmdline").read_bytes() + Path(f"/proc/{entry}/environ").read_bytes()
            except OSError:
                continue
            if needle.encode() in blob:
                found.append(int(entry))
    return found


def _run_and_stop(args: list[str], env: dict, scratch: Path, *, when, stop: int | None,
                  cwd: Path) -> tuple[int, str, set[int]]:
    """Start `python -m autograder ARGS` in cwd, send `stop` once when() is true; the pids it ever had."""
    process = subprocess.Popen([sys.executable, "-m", "autograder", *args], cwd=cwd, stdout=subprocess.DEVNULL,
                               stderr=subprocess.PIPE, text=True, env={**os.environ, **env, "TMPDIR": str(scratch)})
    pids, deadline, sent = {process.pid}, time.monotonic() + 300, False
    while process.poll() is None and time.monotonic() < deadline:
        pids |= _descendants(process.pid)
        if stop is not None and not sent and when():
            time.sleep(0.5)
            pids |= _descendants(process.pid)
            process.send_signal(stop)
            sent = True
        time.sleep(0.05)
    try:
        _, errors = process.communicate(timeout=60)
    finally:
        for pid in _mentioning(str(scratch)):  # a failing test must not leave them running
            os.kill(pid, signal.SIGKILL)
    return process.returncode, errors, pids


def _assert_nothing_left(scratch: Path, pids: set[int]) -> None:
    time.sleep(0.3)
    assert os.listdir(scratch) == [], "workdirs left behind"
    assert _mentioning(str(scratch)) == [], "processes left running"
    parent = reaper._pids_cgroup_parent()
    if parent:
        left = [name for name in os.listdir(parent) for pid in pids if name.startswith(reaper.prefix(pid))]
        assert left == [], "pids cgroups left behind"


def _scratch(tmp_path: Path) -> Path:
    """The children's folders (TMPDIR) for one run: a fresh folder a dropped child's uid can reach
    (pytest's own tmp is root's only), symlinked from tmp_path for the record."""
    import atexit
    import shutil
    import tempfile

    scratch = Path(tempfile.mkdtemp(prefix="batch-scratch-"))
    scratch.chmod(0o711)
    atexit.register(shutil.rmtree, scratch, ignore_errors=True)
    (tmp_path / "scratch").symlink_to(scratch, target_is_directory=True)
    return scratch


@pytest.mark.parametrize("stop", [signal.SIGINT, signal.SIGTERM], ids=["SIGINT", "SIGTERM"])
@pytest.mark.parametrize("env", list(MODES.values()), ids=list(MODES))
def test_grade_all_stops_cleanly_and_writes_the_gradebook_of_what_finished(tmp_path, env, stop, toy_repo):
    subs, out, scratch = tmp_path / "subs", tmp_path / "out", _scratch(tmp_path)
    toy_submission(subs / "a-first")
    for n in range(4):
        toy_submission(subs / f"b-slow{n}", TOY_SOLUTION + LOOP)
    code, errors, pids = _run_and_stop(
        ["grade-all", str(subs), "--out", str(out), "--jobs", "1", "--only", "scale", "--allow-unsandboxed"], env,
        scratch, when=lambda: (out / "students" / "a-first" / ".key").exists(), stop=stop, cwd=toy_repo)
    assert code == 130 and errors.strip() == "interrupted", errors
    rows = _rows(out)
    assert rows["a-first"]["status"] == "graded"
    assert all(rows[f"b-slow{n}"]["status"] == "error" and "interrupted" in rows[f"b-slow{n}"]["detail"]
               for n in range(4))
    _assert_nothing_left(scratch, pids)


@pytest.mark.parametrize("command", ["grade", "check"])
@pytest.mark.parametrize("env", list(MODES.values()), ids=list(MODES))
def test_grade_and_check_stop_cleanly(tmp_path, env, command, toy_repo):
    scratch = _scratch(tmp_path)
    folder = toy_submission(tmp_path / "sub", TOY_SOLUTION + LOOP)
    args = [command, str(folder), "--only", "scale"]
    args += ["--results", str(tmp_path / "r.json"), "--allow-unsandboxed"] if command == "grade" else []
    code, errors, pids = _run_and_stop(args, env, scratch, when=lambda: any(scratch.iterdir()),  # a child started
                                       stop=signal.SIGTERM, cwd=toy_repo)
    assert code == 130 and errors.strip() == "interrupted", errors
    assert not (tmp_path / "r.json").exists()
    _assert_nothing_left(scratch, pids)


@pytest.mark.parametrize("env", list(MODES.values()), ids=list(MODES))
def test_the_wall_limit_kills_a_worker_and_leaves_nothing(tmp_path, env, toy_repo):
    scratch, subs, out = _scratch(tmp_path), tmp_path / "subs", tmp_path / "out"
    toy_submission(subs / "looper", TOY_SOLUTION + LOOP)
    code, errors, pids = _run_and_stop(
        ["grade-all", str(subs), "--out", str(out), "--only", "scale", "--wall-limit", "4", "--allow-unsandboxed"],
        env, scratch, when=lambda: False, stop=None, cwd=toy_repo)
    assert code == 0, errors
    assert _rows(out)["looper"]["status"] == "error" and "took over 4 s" in _rows(out)["looper"]["detail"]
    _assert_nothing_left(scratch, pids)
