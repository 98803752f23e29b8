"""The toy course's second module: plain Python, no NumPy."""


def shout(text):
    """The text in capitals, with an exclamation mark.

    Args:
        text: a str.
    Returns:
        A str: text.upper() + "!".
    """
    # TODO: capitalise text and add "!".
    raise NotImplementedError("shout is not implemented yet")
