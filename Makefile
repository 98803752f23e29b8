# The Makefile is a table of contents: each target is one command. `make help` lists them.
VENV := .venv
PY := $(VENV)/bin/python
SUBMISSION ?= exercises
RESULTS ?= out/results.json
SUBMISSIONS ?= submissions
OUT ?= out
JOBS ?= 2
export TF_CPP_MIN_LOG_LEVEL := 2
export TF_ENABLE_ONEDNN_OPTS := 0
# .venv/.student holds what built .venv: the interpreter's version, a hash of requirements.txt and
# the interpreter's path. Another Python or other requirements mean another id, and .venv is built
# again from scratch; left unset, PYTHON is the one that built .venv (so PYTHON=python3.12 sticks).
PYTHON ?= $(or $(shell sed -n 2p $(VENV)/.student 2>/dev/null),python3)
# Checked in Python 3.6+ syntax so that an old interpreter still reaches the one-line message.
VENV_ID = $(shell $(PYTHON) -c 'import hashlib, sys; print("python%d.%d-%s" % (sys.version_info[0], sys.version_info[1], hashlib.sha256(b"".join(open(n, "rb").read() for n in sys.argv[1:])).hexdigest()[:12]))' $(1) 2>/dev/null)
STUDENT_ID := $(call VENV_ID,requirements.txt)
DEV_ID := $(call VENV_ID,requirements.txt requirements-dev.txt)
ifneq ($(shell sed -n 1p $(VENV)/.student 2>/dev/null)|$(shell $(PY) -c 'print(1)' 2>/dev/null),$(STUDENT_ID)|1)
.PHONY: $(VENV)/.student
endif
ifneq ($(shell cat $(VENV)/.dev 2>/dev/null),$(DEV_ID))
.PHONY: $(VENV)/.dev
endif
SUPPORTED_PYTHON := 'import sys; sys.exit(not (3, 10) <= sys.version_info[:2] <= (3, 13))'
TOO_OLD = echo "make: this needs Python 3.10 to 3.13, and $(PYTHON) is $$(command -v $(PYTHON) >/dev/null && $(PYTHON) --version 2>&1 || echo "not found"). Install Python 3.12 (python.org or your package manager), then run: make $(or $(MAKECMDGOALS),check) PYTHON=python3.12" >&2; exit 1

.PHONY: help check test grade grade-all report notebook generate data validate-graders release gradescope bench clean

# `make help` shows these variables' values, not their names.
HELP_VALUES = $(foreach name,OUT SUBMISSION RESULTS SUBMISSIONS JOBS LMS NOTEBOOK,-e 's|$$($(name))|$($(name))|g')
NOTEBOOK = $(shell $(PY) -c 'from autograder.notebook import REPO, notebook_path; p = notebook_path(); print(p.relative_to(REPO) if p else "")' 2>/dev/null)

help:  ## list the targets
	@grep -E '^[a-z-]+:.*## ' Makefile | sed -E 's/:.*## /\t/' | sed $(HELP_VALUES) | expand -t 20

$(VENV)/.student:
	@$(PYTHON) -c $(SUPPORTED_PYTHON) 2>/dev/null || { $(TOO_OLD); }
	@if [ -e $(VENV) ]; then echo "rebuilding $(VENV): it was made by $$(sed -n 1p $@ 2>/dev/null | grep . || echo 'an install that did not finish'), this is $(STUDENT_ID)"; rm -rf $(VENV); fi
	@$(PYTHON) -m venv $(VENV) || { echo "make: $(PYTHON) cannot make a virtual environment: on Debian or Ubuntu, install it with: sudo apt install python3-venv (or python3.12-venv for PYTHON=python3.12)" >&2; rm -rf $(VENV); exit 1; }
	@echo "Installing requirements.txt into $(VENV), first time only: a few minutes (TensorFlow is the largest download)."
	$(PY) -m pip install --progress-bar on --upgrade pip
	$(PY) -m pip install --progress-bar on -r requirements.txt
	@printf '%s\n%s\n' '$(STUDENT_ID)' "$$($(PYTHON) -c 'import sys; print(sys.executable)')" > $@

$(VENV)/.dev: $(VENV)/.student
	$(PY) -m pip install --progress-bar on -r requirements-dev.txt
	@echo '$(DEV_ID)' > $@

check: $(VENV)/.student  ## run the public checks on exercises/ (one: EX=forward; passing checks too: V=1)
	@$(PY) -m autograder check exercises $(if $(EX),--only $(EX)) $(if $(filter-out 0,$(V)),--verbose)

test: $(VENV)/.dev  ## run our own test suite on two workers (as root: installs what it needs first; then make data)
	@PY=$(PY) tests/run.sh

grade: $(VENV)/.student  ## grade one folder: make grade SUBMISSION=dir RESULTS=file [ONLY=ex1,ex2]
	$(PY) -m autograder grade $(SUBMISSION) --results $(RESULTS) $(if $(ONLY),--only $(ONLY))

grade-all: $(VENV)/.student  ## grade every folder in SUBMISSIONS into OUT (gradebook.csv), JOBS in parallel [DUE=iso SUBMITTED_AT=csv LATE_PENALTY=0.1 EXTENSIONS=csv]
	$(PY) -m autograder grade-all $(SUBMISSIONS) --out $(OUT) --jobs $(JOBS) $(if $(DUE),--due $(DUE) --submitted-at $(SUBMITTED_AT)) $(if $(LATE_PENALTY),--late-penalty $(LATE_PENALTY)) $(if $(EXTENSIONS),--extensions $(EXTENSIONS))

report: $(VENV)/.student  ## feedback on $(SUBMISSION): $(OUT)/report.html with plots (never refused for want of a sandbox)
	@$(PY) -m autograder grade $(SUBMISSION) --feedback --results $(OUT)/results.json --report $(OUT)/report.html && echo "open $(OUT)/report.html in a browser"

notebook: $(VENV)/.dev  ## open the lesson notebook ($(NOTEBOOK)) in Jupyter
	$(PY) -m pip install -q -r requirements-notebook.txt
	$(PY) -m notebook $(NOTEBOOK)

generate: $(VENV)/.dev  ## regenerate exercises/ (and the nbgrader notebook) from solutions/
	$(PY) -m autograder generate

data: $(VENV)/.student  ## run the course's set-up steps (grading.toml's [setup]: e.g. build its datasets)
	@$(PY) -m autograder.prepare

validate-graders: $(VENV)/.dev  ## grade mutants of every exercise's solution (one: EX=id); fail if one keeps full marks
	$(PY) -m autograder.validate $(if $(EX),--exercise $(EX)) $(if $(wildcard tests/course/mutant_probe.py),--probe tests/course/mutant_probe.py)

release: $(VENV)/.dev  ## write the student repository: make release OUT=dir
	$(PY) -m autograder release $(OUT)

gradescope: $(VENV)/.dev  ## build autograder.zip for Gradescope
	$(PY) -m autograder gradescope autograder.zip

bench: $(VENV)/.dev data  ## measure grading speed; writes bench/RESULTS.md
	$(PY) bench/run.py

clean:  ## remove generated outputs (keeps .venv and data/)
	rm -rf out autograder.zip .pytest_cache

.PHONY: class-report export
LMS ?= canvas

class-report: $(VENV)/.student  ## OUT/class-report.html and .md from a grade-all output (the last regrade, late penalties too): make class-report OUT=dir
	$(PY) -m autograder class-report $(OUT)

export: $(VENV)/.student  ## LMS gradebook CSV (final scores when graded with DUE): make export OUT=dir ROSTER=file ASSIGNMENT=name [LMS=canvas|moodle]
	$(PY) -m autograder export $(OUT) --roster $(ROSTER) --lms $(LMS) --assignment "$(ASSIGNMENT)"
