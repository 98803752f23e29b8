#!/usr/bin/env bash
# Gradescope runs this once, as root, while it builds the autograder image.
# It installs bubblewrap (the sandbox), a Python >= 3.11 environment with requirements.txt in
# $AUTOGRADER_ROOT/venv, and runs the course's set-up steps (grading.toml's [setup]: the Debian
# packages they need, baked in below by `make gradescope`, then `python -m autograder.prepare`).
# Each step can be skipped, e.g. to try the zip on a machine that already has them:
# AUTOGRADER_SKIP_APT=1, AUTOGRADER_SKIP_PIP=1, AUTOGRADER_SKIP_SETUP=1 (or the older
# AUTOGRADER_SKIP_DATA=1); AUTOGRADER_PYTHON names the interpreter to use instead of the venv.
set -euo pipefail
ROOT="${AUTOGRADER_ROOT:-/autograder}"
cd "$ROOT/source"

new_enough() { "$1" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; }

if [ "${AUTOGRADER_SKIP_APT:-0}" != 1 ]; then
  apt-get update -qq
  # The sandbox, the grader's Python environment, and what the course's set-up steps need.
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq bubblewrap python3-venv python3-pip @SETUP_PACKAGES@
  if ! new_enough python3; then
    # numpy 2.4 and tomllib need 3.11; Ubuntu 22.04 images ship 3.10 but package 3.11
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3.11 python3.11-venv
  fi
fi

if [ "${AUTOGRADER_SKIP_PIP:-0}" != 1 ]; then
  base=""
  for candidate in python3.13 python3.12 python3.11 python3; do
    if command -v "$candidate" >/dev/null && new_enough "$candidate"; then base="$candidate"; break; fi
  done
  if [ -z "$base" ]; then echo "setup.sh: no Python >= 3.11 found" >&2; exit 1; fi
  "$base" -m venv "$ROOT/venv"
  "$ROOT/venv/bin/python" -m pip install -q --upgrade pip
  "$ROOT/venv/bin/python" -m pip install -q -r requirements.txt
fi

if [ "${AUTOGRADER_SKIP_SETUP:-${AUTOGRADER_SKIP_DATA:-0}}" != 1 ]; then
  "${AUTOGRADER_PYTHON:-$ROOT/venv/bin/python}" -m autograder.prepare
fi
