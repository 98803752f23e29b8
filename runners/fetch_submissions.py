"""Fetch each student's exercise files from their repository into SUBMISSIONS/<folder>/, nothing else.

    python runners/fetch_submissions.py CLASS_LIST SUBMISSIONS [--base-url URL] [--path exercises] [--log FILE]
                                        [--api-url URL] [--submitted-at FILE]

CLASS_LIST is a CSV with a header `folder,repository[,ref]`: the folder name grade-all will
use, the repository (`owner/name`, joined to --base-url, default https://github.com/), and an
optional branch, tag or commit (default: the repository's default branch, HEAD).

Nothing from a student repository is checked out: each is fetched (depth 1) into a scratch
bare repository, and only the blobs at <path>/<module>.py, for the modules grading.toml names,
are read with `git cat-file`, and only when git records them as regular files (a symlink is
mode 120000 and is skipped) no larger than --max-bytes. A read token comes from the
environment variable GRADER_TOKEN and reaches git as an HTTP header through GIT_CONFIG_*
variables: never on a command line, never written to disk. The log (SUBMISSIONS-fetched.csv)
records, per student, the commit graded, the files copied, why anything was skipped, the time
this script fetched the repository (fetched_at, this machine's clock, UTC) and the time the
hosting service says the repository was last pushed to (pushed_at: GitHub's REST API,
--api-url, default https://api.github.com for github.com repositories; blank elsewhere).
A commit's own date is never used: the student sets it. --submitted-at FILE writes
`student,submitted_at` for grade-all --due: the pushed time when the service reported one no
later than the fetch (the commit fetched was pushed by then), else the fetch time (the commit
fetched was there by then; a push that raced the fetch is not the one graded).
A repository that cannot be fetched gets no folder (so no "missing" grade it did not earn).
Exit status: 0 every repository was fetched (files may still be missing), 1 some could not
be, 2 a bad class list.
"""

from __future__ import annotations

import argparse
import base64
import csv
import json
import os
import re
import subprocess
import sys
import tempfile
import tomllib
import urllib.error
import urllib.request
from datetime import datetime, timezone
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
FOLDER = re.compile(r"[A-Za-z0-9_][A-Za-z0-9._@+-]{0,127}")
REPOSITORY = re.compile(r"[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+")
REF = re.compile(r"[A-Za-z0-9_./-]{1,200}")
REGULAR = ("100644", "100755")


def exercise_files(config: Path) -> list[str]:
    """The file names a submission holds: <module>.py for each module grading.toml names."""
    tables = tomllib.loads(config.read_text()).get("exercise", {})
    return sorted({f"{table['module']}.py" for table in tables.values()})


def git_environment(token: str | None) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith("GIT_")}
    env.update({"GIT_TERMINAL_PROMPT": "0", "GIT_CONFIG_NOSYSTEM": "1", "GIT_CONFIG_GLOBAL": os.devnull})
    if token:
        basic = base64.b64encode(f"x-access-token:{token}".encode()).decode()
        env.update({"GIT_CONFIG_COUNT": "1", "GIT_CONFIG_KEY_0": "http.extraHeader",
                    "GIT_CONFIG_VALUE_0": f"Authorization: Basic {basic}"})
    return env


def fetch_one(url: str, ref: str, files: list[str], path: str, target: Path, max_bytes: int,
              env: dict[str, str]) -> tuple[str, list[str], list[str]]:
    """(commit, files copied, notes) for one repository; raises CalledProcessError if git cannot fetch it."""
    with tempfile.TemporaryDirectory(prefix="fetch-") as scratch:
        def git(*args: str) -> str:
            return subprocess.run(["git", "-C", scratch, *args], check=True, capture_output=True, text=True,
                                  env=env, timeout=300).stdout

        git("init", "-q", "--bare")
        git("fetch", "-q", "--depth", "1", "--no-tags", url, ref)
        commit = git("rev-parse", "FETCH_HEAD^{commit}").strip()
        copied, notes = [], []
        for name in files:
            listed = git("ls-tree", "-l", commit, "--", f"{path}/{name}" if path else name).split()
            if not listed:
                continue
            mode, kind, blob, size = listed[:4]
            if mode not in REGULAR or kind != "blob":
                notes.append(f"{name} skipped: not a regular file (git mode {mode})")
            elif int(size) > max_bytes:
                notes.append(f"{name} skipped: {size} bytes, over {max_bytes}")
            else:
                data = subprocess.run(["git", "-C", scratch, "cat-file", "blob", blob], check=True,
                                      capture_output=True, env=env, timeout=60).stdout
                target.mkdir(parents=True, exist_ok=True)
                descriptor = os.open(target / name, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o644)
                with os.fdopen(descriptor, "wb") as stream:
                    stream.write(data)
                copied.append(name)
        return commit, copied, notes


def pushed_at(api_url: str, repository: str, token: str | None) -> str:
    """The time the hosting service last saw a push to the repository (ISO 8601, UTC), or ""."""
    if not api_url:
        return ""
    request = urllib.request.Request(f"{api_url.rstrip('/')}/repos/{repository}",
                                     headers={"Accept": "application/vnd.github+json",
                                              **({"Authorization": f"Bearer {token}"} if token else {})})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            answer = json.loads(response.read(1_000_000))
        moment = datetime.fromisoformat(str(answer["pushed_at"]).replace("Z", "+00:00"))
    except (OSError, ValueError, KeyError, TypeError, urllib.error.URLError):
        return ""
    if moment.tzinfo is None:
        return ""
    return moment.astimezone(timezone.utc).isoformat()


def submitted_at(fetched: str, pushed: str) -> str:
    """What grade-all --due takes as the student's time (see the module docstring)."""
    return pushed if pushed and datetime.fromisoformat(pushed) <= datetime.fromisoformat(fetched) else fetched


def _cell(text: str) -> str:
    """A CSV cell no spreadsheet runs as a formula (as autograder/text.py's for_csv)."""
    return "'" + text if text.startswith(("=", "+", "-", "@", "\t", "\r", "'")) else text


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("class_list", type=Path)
    parser.add_argument("submissions", type=Path, help="a new or empty folder")
    parser.add_argument("--base-url", default="https://github.com/")
    parser.add_argument("--path", default="exercises", help="folder of the exercise files in a student repository")
    parser.add_argument("--config", type=Path, default=REPO / "grading.toml")
    parser.add_argument("--max-bytes", type=int, default=1_000_000)
    parser.add_argument("--log", type=Path, help="default: SUBMISSIONS-fetched.csv, beside SUBMISSIONS")
    parser.add_argument("--api-url", help="the hosting service's REST API, for pushed_at (default: "
                        "https://api.github.com when --base-url is GitHub's; '' for none)")
    parser.add_argument("--submitted-at", type=Path, metavar="FILE",
                        help="also write student,submitted_at here, for grade-all --due")
    args = parser.parse_args(argv)
    log_path = args.log or args.submissions.with_name(args.submissions.name + "-fetched.csv")

    if args.submissions.exists() and any(args.submissions.iterdir()):
        print(f"error: {args.submissions} is not empty", file=sys.stderr)
        return 2
    with open(args.class_list, newline="", encoding="utf-8-sig") as stream:
        students = list(csv.DictReader(stream))
    for number, row in enumerate(students, start=2):
        folder, repository, ref = row.get("folder") or "", row.get("repository") or "", row.get("ref") or "HEAD"
        if not FOLDER.fullmatch(folder) or not REPOSITORY.fullmatch(repository) or not REF.fullmatch(ref) \
                or ".." in repository or ref.startswith("-"):
            print(f"error: {args.class_list}, line {number}: need folder, owner/name and an optional ref "
                  f"(letters, digits, . _ - only)", file=sys.stderr)
            return 2
    if len({row["folder"] for row in students}) != len(students):
        print(f"error: {args.class_list}: a folder name is listed twice", file=sys.stderr)
        return 2

    token = os.environ.get("GRADER_TOKEN")
    files, env = exercise_files(args.config), git_environment(token)
    api_url = args.api_url if args.api_url is not None else (
        "https://api.github.com" if args.base_url.rstrip("/") == "https://github.com" else "")
    times = []
    args.submissions.mkdir(parents=True, exist_ok=True)
    failed = 0
    with open(log_path, "w", newline="") as stream:
        log = csv.writer(stream)
        log.writerow(["folder", "repository", "commit", "files", "note", "fetched_at", "pushed_at"])
        for row in students:
            folder, repository, ref = row["folder"], row["repository"], row.get("ref") or "HEAD"
            try:
                commit, copied, notes = fetch_one(args.base_url.rstrip("/") + "/" + repository, ref, files,
                                                  args.path.strip("/"), args.submissions / folder, args.max_bytes,
                                                  env)
            except (subprocess.CalledProcessError, subprocess.TimeoutExpired) as error:
                failed += 1
                reason = (getattr(error, "stderr", "") or "").strip().splitlines()[-1:] or ["timed out"]
                commit, copied, notes = "", [], [f"could not fetch: {reason[0][:300]}"]
            else:
                (args.submissions / folder).mkdir(exist_ok=True)  # fetched, no files: grade-all says "missing"
            fetched = datetime.now(timezone.utc).replace(microsecond=0).isoformat() if commit else ""
            pushed = pushed_at(api_url, repository, token) if commit else ""
            if commit:
                times.append((folder, submitted_at(fetched, pushed)))
            log.writerow([_cell(cell) for cell in (folder, repository, commit, " ".join(copied), "; ".join(notes),
                                                   fetched, pushed)])
            print(f"{folder}: {commit[:12] or '-'} {' '.join(copied) or 'no files'}{'; ' if notes else ''}"
                  f"{'; '.join(notes)}")
    if args.submitted_at:
        with open(args.submitted_at, "w", newline="") as stream:
            writer = csv.writer(stream, lineterminator="\n")
            writer.writerow(["student", "submitted_at"])
            writer.writerows([_cell(folder), when] for folder, when in times)
    print(f"fetched {len(students) - failed} of {len(students)} repositories into {args.submissions} (log: {log_path})")
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
