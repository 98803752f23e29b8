"""The two errors the CLI turns into exit statuses (besides config.ConfigError): kept apart from
grade.py so that what runs before pytest and NumPy are imported (cli, intake) can raise them."""


class UsageError(ValueError):
    """Bad input from the person running the grader (exit status 2)."""


class EngineError(RuntimeError):
    """The grader itself failed (a broken grader file, pytest internal error)."""
