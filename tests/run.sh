#!/usr/bin/env bash
# `make test`: what the suite needs on this machine, then the suite, in a temporary folder of its own.
#   As root (CI, a container): installs the missing system packages with apt-get and makes the
#   interpreter startable by other uids, saying so. As another user: one line on what to install.
#   Whatever the outcome, the run's temporary files (pytest's, the children's) are removed.
set -euo pipefail
cd "$(dirname "$0")/.."
PY="${PY:-.venv/bin/python}"

# bubblewrap: the sandbox of the hostile-submission tests; chromium: the report page tests;
# slurm-wlm and munge: tests/test_slurm.py starts a single-node Slurm on localhost.
missing=""
command -v bwrap >/dev/null || missing="$missing bubblewrap"
command -v chromium >/dev/null || missing="$missing chromium"
command -v slurmctld >/dev/null || missing="$missing slurm-wlm"
command -v munged >/dev/null || missing="$missing munge"
# What the course's set-up steps need (grading.toml's [setup] system_packages; `make data` runs them).
course="$("$PY" -m autograder.prepare --packages --missing 2>/dev/null || true)"
[ -z "$course" ] || missing="$missing $course"
if [ -n "$missing" ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "make test: installing$missing with apt-get"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $missing >/dev/null
  else
    echo "make test: install$missing first (Debian/Ubuntu: sudo apt-get install$missing); the tests that need them are skipped" >&2
  fi
fi

# The course's set-up steps (`make data`), now that their system packages are here.
"$PY" -m autograder.prepare

# The no-namespace sandbox (as in Gradescope's containers) runs the child as a uid of no account,
# which must be able to start the interpreter: pyenv keeps it under /root, which other users cannot
# search. Make the folders above it searchable (not listable).
if [ "$(id -u)" = 0 ]; then
  folder="$("$PY" -c 'import sys; print(sys.base_prefix)')"
  opened=""
  while [ "$folder" != / ]; do
    if [ -d "$folder" ] && [ $(( 0$(stat -c %a "$folder") & 1 )) = 0 ]; then
      chmod o+x "$folder"
      opened="$opened $folder"
    fi
    folder="$(dirname "$folder")"
  done
  if [ -n "$opened" ]; then
    echo "make test: made$opened searchable by other users (o+x), so the sandbox's own uid can start $("$PY" -c 'import sys; print(sys.executable)')"
  fi
fi

# Every temporary file of the run (pytest's folders, the sandbox children's) goes in one folder,
# removed on any exit; others' uids reach the children's folders inside it, as in /tmp.
TMPDIR="$(mktemp -d "${TMPDIR:-/tmp}/autograder-tests-XXXXXX")"
chmod 1777 "$TMPDIR"
export TMPDIR
trap 'rm -rf "$TMPDIR"' EXIT
[ $# -gt 0 ] || set -- tests  # `tests/run.sh tests/test_x.py` runs one file the same way
"$PY" -m pytest -q -n 2 --dist loadfile "$@"
