"""Canvas and Moodle exports, read back the way each LMS's importer reads them.

canvas_import() follows Canvas's GradebookImporter (app/models/gradebook_importer.rb in
instructure/canvas-lms): the header's first columns must be Student, ID, then SIS User ID and
SIS Login ID, and the last identity column must be Section; "Title (id)" names an existing
assignment; a row whose first cell matches /Points Possible/ gives each assignment's points;
every other row is a student, matched by ID (column 2), then SIS User ID, SIS Login ID, name.
moodle_import() follows Moodle's gradeimport_csv_load_data: a header row, one row per student,
one column mapped to a user field (email, username, ID number), grades numeric.
"""

import csv
import io
import re

import pytest
from class_out import EXERCISES, SIGN_HINT, student, write_out
from support import TOY_CONFIG, run_cli

from autograder import exports
from autograder.grade import UsageError

ROSTER = ("folder,name,canvas_id,sis_user_id,sis_login_id,section,email\n"
          "alice,\"Liddell, Alice\",101,S1,alice01,Section A,alice@example.edu\n"
          "bob,\"Builder, Bob\",102,S2,bob02,Section B,bob@example.edu\n"
          "carol,\"=Evil, Carol\",103,S3,carol03,Section A,carol@example.edu\n"
          "dave,\"No Show, Dave\",104,S4,dave04,Section B,dave@example.edu\n")


def canvas_import(text: str) -> dict:
    rows = list(csv.reader(io.StringIO(text)))
    header = rows[0]
    assert len(header) > 3 and re.search("Student", header[0]) and re.search("ID", header[1])
    assert re.search(r"SIS\s+User\s+ID", header[2]) and re.search(r"SIS\s+Login\s+ID", header[3])
    student_columns = 5
    assert re.search("Section", header[student_columns - 1]), "the last identity column must be Section"
    assignments = header[student_columns:]
    points, students = None, {}
    for row in rows[1:]:
        if re.search("Points Possible", row[0]):
            points = dict(zip(assignments, row[student_columns:]))
            continue
        assert len(row) == len(header), row
        key = row[1] or row[2] or row[3] or row[0]
        students[key] = dict(zip(assignments, row[student_columns:])) | {"name": row[0], "section": row[4]}
    assert points is not None, "no Points Possible row"
    return {"assignments": assignments, "points": points, "students": students}


def moodle_import(text: str, identifier: str) -> dict:
    rows = list(csv.reader(io.StringIO(text)))
    header = [name.strip() for name in rows[0]]
    assert identifier in header
    found = {}
    for row in rows[1:]:
        assert len(row) == len(header)
        found[row[header.index(identifier)]] = dict(zip(header, row))
    return found


@pytest.fixture
def out(tmp_path):
    return write_out(tmp_path / "out", {
        "alice": student("alice"),
        "bob": student("bob", {"test_scale_random_values": SIGN_HINT}),
        "carol": None,  # refused: no results.json, no total
        "eve": student("eve"),  # graded but not in the roster
    }, {"carol": ("refused", "toy.py is a symbolic link")})


@pytest.fixture
def roster(tmp_path):
    path = tmp_path / "roster.csv"
    path.write_text(ROSTER)
    return path


def test_canvas_export_has_the_documented_columns_and_points_possible(out, roster, toy_config, tmp_path):
    text, notes = exports.canvas(out, exports.read_roster(roster), toy_config, assignment="Day 2 MLP (4242)")
    assert text.splitlines()[0] == "Student,ID,SIS User ID,SIS Login ID,Section,Day 2 MLP (4242)"
    read = canvas_import(text)
    possible = sum(toy_config.exercises[e].max_score for e in EXERCISES)
    assert read["points"] == {"Day 2 MLP (4242)": f"{possible:g}"}
    by_id = read["students"]
    assert by_id["101"] == {"Day 2 MLP (4242)": "10", "name": "Liddell, Alice", "section": "Section A"}
    assert by_id["102"]["Day 2 MLP (4242)"] == "7"
    assert by_id["103"]["Day 2 MLP (4242)"] == "", "a refused submission is left blank, not given 0"
    assert by_id["103"]["name"] == "'=Evil, Carol", "a cell that starts like a formula is quoted"
    assert by_id["104"]["Day 2 MLP (4242)"] == ""
    assert set(by_id) == {"101", "102", "103", "104"}, "eve is not in the roster, so not exported"
    assert "left blank: carol: refused: toy.py is a symbolic link" in notes
    assert "left blank: dave: not in this grade-all output" in notes
    assert "not in the roster, not exported: eve" in notes


def test_canvas_per_exercise_columns(out, roster, toy_config):
    text, _ = exports.canvas(out, exports.read_roster(roster), toy_config, assignment="Day 2", per_exercise=True)
    read = canvas_import(text)
    assert read["assignments"] == [f"Day 2: {e}" for e in EXERCISES]
    assert read["points"] == {f"Day 2: {e}": f"{toy_config.exercises[e].max_score:g}" for e in EXERCISES}
    assert read["students"]["102"]["Day 2: scale"] == "2" and read["students"]["102"]["Day 2: predict"] == "5"


def test_points_possible_count_only_the_exercises_graded(roster, toy_config, tmp_path):
    out = write_out(tmp_path / "only", {"alice": student("alice")}, only=["scale"])
    read = canvas_import(exports.canvas(out, exports.read_roster(roster), toy_config, assignment="Day 2")[0])
    assert read["points"] == {"Day 2": f"{toy_config.exercises['scale'].max_score:g}"}


def test_a_canvas_export_is_a_roster(out, roster, toy_config, tmp_path):
    # Canvas's own export (its headers, its Points Possible row) with a folder column added.
    exported = tmp_path / "canvas-export.csv"
    exported.write_text("Student,ID,SIS User ID,SIS Login ID,Section,folder,Quiz 1 (7)\n"
                        "    Points Possible,,,,,,5\n"
                        "\"Liddell, Alice\",101,S1,alice01,Section A,alice,4\n")
    rows = exports.read_roster(exported)
    assert rows == [{"name": "Liddell, Alice", "canvas_id": "101", "sis_user_id": "S1", "sis_login_id": "alice01",
                     "section": "Section A", "folder": "alice"}]
    read = canvas_import(exports.canvas(out, rows, toy_config, assignment="Day 2")[0])
    assert read["students"]["101"]["Day 2"] == "10"


def test_moodle_export_maps_an_identifier_column(out, roster, toy_config):
    text, notes = exports.moodle(out, exports.read_roster(roster), toy_config, assignment="Day 2 MLP")
    read = moodle_import(text, "Email address")
    assert read["alice@example.edu"]["Day 2 MLP"] == "10"
    assert read["bob@example.edu"]["Day 2 MLP"] == "7"
    assert read["carol@example.edu"]["Day 2 MLP"] == ""
    assert read["bob@example.edu"]["Feedback: Day 2 MLP"] == (
        f"scale 2/{toy_config.exercises['scale'].max_score:g}; predict 5/{toy_config.exercises['predict'].max_score:g}")
    for row in read.values():
        assert row["Day 2 MLP"] == "" or 0 <= float(row["Day 2 MLP"]) <= 30


def test_rosters_that_cannot_work_are_refused(out, toy_config, tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text("name,email\nAlice,a@x\n")
    with pytest.raises(UsageError, match="'folder' column"):
        exports.read_roster(path)
    path.write_text("folder,email\nalice,a@x\nalice,b@x\n")
    with pytest.raises(UsageError, match="listed twice"):
        exports.read_roster(path)
    path.write_text("folder,email\nalice,a@x\n")
    with pytest.raises(UsageError, match="ID, SIS User ID or SIS Login ID"):
        exports.canvas(out, exports.read_roster(path), toy_config, assignment="x")
    with pytest.raises(UsageError, match="no username"):
        exports.moodle(out, exports.read_roster(path), toy_config, assignment="x", identifier="username")


def test_export_command_writes_the_file(out, roster, tmp_path):
    done = run_cli("--config", str(TOY_CONFIG), "export", str(out), "--roster", str(roster), "--lms", "canvas",
                   "--assignment", "Day 2")
    assert done.returncode == 0, done.stderr
    assert canvas_import((out / "canvas.csv").read_text())["students"]["101"]["Day 2"] == "10"
    assert "not in the roster, not exported: eve" in done.stderr
    done = run_cli("--config", str(TOY_CONFIG), "export", str(tmp_path / "nowhere"), "--roster", str(roster),
                   "--lms", "moodle", "--assignment", "Day 2")
    assert done.returncode == 2 and "run grade-all" in done.stderr
