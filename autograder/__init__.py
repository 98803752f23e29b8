"""Autograder for the Day 2 exercises: sandboxed student code, trusted pytest graders."""

__version__ = "0.1.0"
