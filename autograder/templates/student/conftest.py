"""Plain `pytest` here, or an editor's test discovery, cannot run the public checks: they need the
checker, which runs your code in a separate, restricted process. Tests of your own still run."""

collect_ignore = ["autograder"]


def pytest_terminal_summary(terminalreporter):
    terminalreporter.write_line("The public checks run with `make check` (one exercise: make check EX={{example}}), "
                                "not with plain pytest.")
