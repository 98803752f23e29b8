"""An autograder for Python exercises: sandboxed student code, trusted pytest graders. The course it
grades (exercises, points, graders) is declared in grading.toml; the engine names none of it."""

__version__ = "0.1.0"
