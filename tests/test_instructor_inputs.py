"""The instructor's own tools treat their inputs as untrusted (issue 24, item 5).

Each test is an attack on grade-all's skip key, its --merge, release, the spreadsheet escaping
of names, or intake, rebuilt from the issue. The grade-all ones run on a course of their own
(one exercise, `add` in calc.py, graded by a folder outside the package), not on the lesson.
"""

from __future__ import annotations

import csv
import io
import json
import os
import shutil
import stat
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from support import REPO, run_cli

from autograder import gradebook, intake
from autograder.digests import grader_digest
from autograder.errors import UsageError
from autograder.gradebook import Row, shard_of, write_outputs

GRADER = '''"""Checks for add(a, b)."""

from pathlib import Path

from autograder.checks import assert_close

HERE = Path(__file__).resolve().parent


def test_add_values(student):
    """add(a, b) adds two numbers"""
    want = float((HERE.parent / "{table}").read_text()) if "{table}" else 5.0
    assert_close(student.call("add", 2.0, 3.0), want, what="add(2, 3)", rtol=1e-9, atol=0, hint="a + b")
'''
MUL_GRADER = '''"""Checks for mul(a, b)."""

from autograder.checks import assert_close


def test_mul_values(student):
    """mul(a, b) multiplies two numbers"""
    assert_close(student.call("mul", 2.0, 3.0), 6.0, what="mul(2, 3)", rtol=1e-9, atol=0, hint="a * b")
'''
CONFIG = """[grading]
graders = "{graders}"
seed = 7
wall_s = 60

[exercise.add]
module = "calc"
timeout_s = 10
[exercise.add.points]
test_add_values = 1

[exercise.mul]
module = "other"
timeout_s = 10
[exercise.mul.points]
test_mul_values = 1
"""
ADD = "def add(a, b):\n    return a + b\n"
MUL = "def mul(a, b):\n    return a * b\n"


def course(root: Path, *, table: str = "", graders: str = "graders") -> Path:
    """grading.toml at root, its graders in root/<graders> (outside the autograder package)."""
    folder = root / graders / "public"
    folder.mkdir(parents=True)
    (folder / "test_add.py").write_text(GRADER.replace("{table}", table))
    (folder / "test_mul.py").write_text(MUL_GRADER)
    (root / "grading.toml").write_text(CONFIG.format(graders=graders))
    return root / "grading.toml"


def grade_all(config: Path, subs: Path, out: Path, *extra: str) -> subprocess.CompletedProcess:
    done = run_cli("--config", str(config), "grade-all", str(subs), "--out", str(out), *extra)
    assert done.returncode == 0, done.stderr
    return done


def total(out: Path, name: str) -> float:
    return json.loads((out / "students" / name / "results.json").read_text())["score"]


def regrade_rows(out: Path) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO((out / "regrade.csv").read_text())))


@pytest.fixture
def graded_once(tmp_path):
    config = course(tmp_path / "course", table="table.txt")
    (tmp_path / "course" / "graders" / "table.txt").write_text("5\n")
    subs = tmp_path / "subs"
    (subs / "ada").mkdir(parents=True)
    (subs / "ada" / "calc.py").write_text(ADD)
    (subs / "ada" / "other.py").write_text(MUL)
    out = tmp_path / "out"
    grade_all(config, subs, out)
    assert total(out, "ada") == 2
    return config, subs, out


def test_a_changed_grader_outside_the_package_is_noticed(graded_once):
    config, subs, out = graded_once
    grader = config.parent / "graders" / "public" / "test_mul.py"
    grader.write_text(grader.read_text().replace("6.0", "7.0"))
    done = grade_all(config, subs, out)
    assert "1 graded this run" in done.stdout
    assert total(out, "ada") == 1
    assert [(r["student"], r["exercise"], r["old"], r["new"], r["reason"]) for r in regrade_rows(out)] == [
        ("ada", "mul", "1", "0", "graders"), ("ada", "total", "2", "1", "graders")]
    assert "regrade: 1 students changed (0 up, 1 down)" in done.stdout


def test_the_data_a_grader_reads_is_in_the_key(graded_once):
    config, subs, out = graded_once
    (config.parent / "graders" / "table.txt").write_text("6\n")
    grade_all(config, subs, out)
    assert total(out, "ada") == 1
    assert {r["reason"] for r in regrade_rows(out)} == {"graders"}


def test_the_data_folder_beside_grading_toml_is_in_the_key(tmp_path):
    config = course(tmp_path / "course")
    before = grader_digest(config)
    (config.parent / "data").mkdir()
    (config.parent / "data" / "mnist.npz").write_bytes(b"new data")
    assert grader_digest(config) != before


def test_nothing_changed_writes_no_regrade(graded_once):
    config, subs, out = graded_once
    done = grade_all(config, subs, out, "--force")
    assert "regrade" not in done.stdout
    assert not (out / "regrade.csv").exists() and not (out / "history").exists()


def test_a_file_rewritten_while_it_is_graded_is_graded_again(graded_once, tmp_path):
    """The batch reads one version, the grading process another, then the first is back: the grade
    of the second must not stay as the grade of the first."""
    config, subs, out = graded_once
    calc = subs / "ada" / "calc.py"
    wrong = "def add(a, b):\n    return a - b\n"
    calc.write_text(wrong)  # the batch sees a change ...
    driver = textwrap.dedent(f"""
        import sys
        from pathlib import Path
        from autograder import batch, cli
        calc = Path({str(calc)!r})
        original = batch._Runner.run
        def run(self, argv):
            calc.write_text({ADD!r})  # ... the grading process reads the right code ...
            try:
                return original(self, argv)
            finally:
                calc.write_text({wrong!r})  # ... and the folder holds the wrong code again
        batch._Runner.run = run
        sys.exit(cli.main(["--config", {str(config)!r}, "grade-all", {str(subs)!r}, "--out", {str(out)!r}]))
    """)
    done = subprocess.run([sys.executable, "-c", driver], cwd=REPO, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    graded = json.loads((out / "students" / "ada" / "results.json").read_text())["extra_data"]["submission_sha256"]
    key = json.loads((out / "students" / "ada" / ".key").read_text())
    assert key["submission"] == graded == intake.digest({"calc.py": ADD.encode(), "other.py": MUL.encode()})
    again = grade_all(config, subs, out)  # the folder holds the wrong code: graded again, as it is
    assert "1 graded this run" in again.stdout
    assert total(out, "ada") == 1


def test_files_whose_bytes_spell_another_file_do_not_share_a_digest(graded_once):
    config, subs, out = graded_once
    one = {"calc.py": ADD.encode(), "other.py": MUL.encode()}
    # One file holding what the old scheme (name NUL bytes NUL) fed the hash for two.
    merged = {"calc.py": ADD.encode() + b"\0other.py\0" + MUL.encode()}
    assert intake.digest(one) != intake.digest(merged)
    (subs / "ada" / "other.py").unlink()
    (subs / "ada" / "calc.py").write_bytes(merged["calc.py"])
    done = grade_all(config, subs, out)
    assert "1 graded this run" in done.stdout
    assert total(out, "ada") == 0  # a file with NUL bytes does not import; other.py is gone


def test_merge_refuses_a_row_its_shard_never_writes(tmp_path):
    victim = tmp_path / "victim"
    victim.mkdir()
    (victim / "precious.txt").write_text("keep me\n")
    shard = tmp_path / "shard"
    (shard / "students").mkdir(parents=True)
    write_outputs(shard, [Row("../../victim", "graded", "", {"add": 1.0}, 1.0)], exercises=["add"], graders="g",
                  only=[], shard=(1, 1), entries=1)
    with pytest.raises(UsageError, match="never writes"):
        gradebook.merge([shard], tmp_path / "merged" / "out")
    assert (victim / "precious.txt").read_text() == "keep me\n"


def test_merge_refuses_a_name_hashed_to_another_shard(tmp_path):
    name = next(f"s{n}" for n in range(100) if shard_of(f"s{n}", 2) == 2)
    outs = []
    for k, rows in ((1, [Row(name, "graded", "", {"add": 1.0}, 1.0)]), (2, [])):
        outs.append(tmp_path / f"shard{k}")
        write_outputs(outs[-1], rows, exercises=["add"], graders="g", only=[], shard=(k, 2), entries=1)
    with pytest.raises(UsageError, match="never writes"):
        gradebook.merge(outs, tmp_path / "out")


def test_merge_copies_no_link_from_a_shard(tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("instructor only\n")
    shard = tmp_path / "shard"
    write_outputs(shard, [Row("ada", "graded", "", {"add": 1.0}, 1.0)], exercises=["add"], graders="g",
                  only=[], shard=(1, 1), entries=1)
    (shard / "students" / "ada").mkdir(parents=True)
    (shard / "students" / "ada" / "results.json").symlink_to(secret)
    (shard / "students" / "ada" / "times.json").write_text("{}")
    gradebook.merge([shard], tmp_path / "out")
    copied = tmp_path / "out" / "students" / "ada"
    assert not (copied / "results.json").exists() and (copied / "times.json").read_text() == "{}"


def test_names_that_escape_alike_are_told_apart():
    text = gradebook.gradebook([Row("=1+1", "graded"), Row("'=1+1", "graded")], ["add"], "g")
    names = [line[0] for line in csv.reader(io.StringIO(text))][1:]
    assert len(set(names)) == 2, names
    assert all(not name.startswith(("=", "+", "-", "@")) for name in names)


def test_release_never_deletes_or_writes_through_a_link(tmp_path):
    from autograder.release import release

    out = tmp_path / "release"
    release(out)
    victim = tmp_path / "solutions"
    victim.mkdir()
    (victim / "mlp.py").write_text("the instructor's solution\n")
    shutil.rmtree(out / "exercises")
    (out / "exercises").symlink_to(victim, target_is_directory=True)  # committed as a link
    with pytest.raises(UsageError, match="link"):
        release(out)
    assert (victim / "mlp.py").read_text() == "the instructor's solution\n"
    assert sorted(os.listdir(victim)) == ["mlp.py"]


def test_release_replaces_a_file_link_instead_of_writing_through_it(tmp_path):
    from autograder.release import release

    out = tmp_path / "release"
    release(out)
    victim = tmp_path / "victim.txt"
    victim.write_text("not the release's\n")
    (out / "requirements.txt").unlink()
    (out / "requirements.txt").symlink_to(victim)
    release(out)
    assert victim.read_text() == "not the release's\n"
    assert not (out / "requirements.txt").is_symlink()


@pytest.mark.skipif(os.geteuid() != 0, reason="making a device node needs root, as GNU tar unpacking one does")
def test_a_device_node_is_refused_before_it_is_opened(tmp_path, monkeypatch):
    folder = tmp_path / "sub"
    folder.mkdir()
    os.mknod(folder / "calc.py", stat.S_IFCHR | 0o644, os.makedev(1, 3))  # /dev/null's numbers
    opened = []
    real_open = os.open

    def spy(path, flags, *args, **kwargs):
        opened.append(os.fsdecode(path))
        return real_open(path, flags, *args, **kwargs)

    monkeypatch.setattr(os, "open", spy)
    taken = intake.read(folder, {"calc"}, max_bytes=1000)
    assert taken.files == {}
    assert "calc" in taken.refused and "not a regular file" in taken.refused["calc"]
    assert "calc.py" not in opened


def test_a_grader_changed_while_the_class_is_graded_is_not_trusted_next_run(graded_once):
    """grade-all digests the graders once for the class and checks them when the run ends."""
    config, subs, out = graded_once
    (subs / "ada" / "calc.py").write_text(ADD + "\n# resubmitted\n")
    grader = config.parent / "graders" / "public" / "test_mul.py"
    driver = textwrap.dedent(f"""
        import sys
        from pathlib import Path
        from autograder import batch, cli
        grader = Path({str(grader)!r})
        original = batch._Runner.run
        def run(self, argv):
            try:
                return original(self, argv)
            finally:
                grader.write_text(grader.read_text().replace("6.0", "7.0"))  # fixed while the class is graded
        batch._Runner.run = run
        sys.exit(cli.main(["--config", {str(config)!r}, "grade-all", {str(subs)!r}, "--out", {str(out)!r}]))
    """)
    done = subprocess.run([sys.executable, "-c", driver], cwd=REPO, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert "the graders changed during this run" in done.stdout
    assert not (out / "students" / "ada" / ".key").exists()
    again = grade_all(config, subs, out)
    assert "1 graded this run" in again.stdout and total(out, "ada") == 1


def test_a_large_data_file_rewritten_in_place_with_its_old_times_changes_the_digest(tmp_path):
    """Large files' digests are cached by inode and times: putting the old times back does not hide a change."""
    config = course(tmp_path / "course")
    data = config.parent / "data" / "big.npz"
    data.parent.mkdir()
    data.write_bytes(b"a" * (2 << 20))
    before = grader_digest(config)
    assert grader_digest(config) == before  # from the cache
    times = data.stat()
    with open(data, "r+b") as stream:
        stream.write(b"b")
    os.utime(data, ns=(times.st_atime_ns, times.st_mtime_ns))
    assert data.stat().st_size == times.st_size and data.stat().st_mtime_ns == times.st_mtime_ns
    assert grader_digest(config) != before
