"""nbgrader configuration for this repository's course. The course root is this folder; the
assignment (and course id) is grading.toml's [notebook] name, NAME below.

Run nbgrader from here (any shell; the virtual environment need not be activated):
    nbgrader generate_assignment NAME     source/ -> release/ (solutions and hidden tests removed)
    nbgrader autograde NAME               submitted/<student>/NAME/ -> autograded/
    nbgrader export                       grades.csv
The test cells grade with this repository's engine (see autograder/notebook.py); the kernel
that runs them inherits the environment set below.
"""

import os
import sys
import warnings
from pathlib import Path

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10
    import tomli as tomllib

from sqlalchemy.exc import SAWarning

ROOT = Path(__file__).resolve().parent

# The gradebook's SQLAlchemy models warn on every command; the warnings say nothing to a user.
warnings.filterwarnings("ignore", category=SAWarning)
# nbgrader runs `alembic` by name: put the bin folder of the Python running nbgrader first on PATH.
os.environ["PATH"] = os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "")])
# Read by the test cells in the kernel: which engine grades, with which interpreter. A course
# folder copied away from the repository must not grade every notebook 0 with only INFO lines:
# without the instructor's engine (hidden graders included) nothing runs. SystemExit, because
# traitlets logs and ignores an Exception raised while it loads this file.
ENGINE = Path(os.environ.get("AUTOGRADER_REPO") or ROOT.parent)
if not (ENGINE / "autograder" / "graders" / "hidden").is_dir():
    sys.exit(f"nbgrader_config.py: no instructor grading engine at {ENGINE} (it needs autograder/ with its "
             "hidden graders): set AUTOGRADER_REPO to the instructor repository, or keep this folder inside it")
os.environ["AUTOGRADER_REPO"] = str(ENGINE)
os.environ.setdefault("AUTOGRADER_PYTHON", sys.executable)
# TensorFlow, imported by the kernel and by the engine, stays quiet and deterministic.
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "0")

c = get_config()  # noqa: F821 -- traitlets defines get_config when it loads this file

c.CourseDirectory.root = str(ROOT)
# The course id is the notebook's name in grading.toml, so the next lesson brings its own.
NOTEBOOK = tomllib.loads((ENGINE / "grading.toml").read_text()).get("notebook", {})
c.CourseDirectory.course_id = NOTEBOOK.get("name", "course")
c.ClearSolutions.code_stub = {"python": 'raise NotImplementedError("not implemented yet: see the TODO above")'}
# A test cell waits for the engine, which enforces each exercise's own time limit from grading.toml.
c.Execute.timeout = 900
