"""Public checks for shout(text), in words.py: the toy course's second module."""

from autograder.checks import check


def test_shout_capitalises_and_exclaims(student):
    """shout("hello") is "HELLO!" """
    for text, want in (("hello", "HELLO!"), ("Toy course", "TOY COURSE!")):
        got = student.call("shout", text)
        check(got == want, "shout(text) should be text.upper() + '!'", f"shout({text!r}) returned {got!r}")
