"""This course's grading: graders (public/, hidden/) and what they share; the engine is the package above."""
