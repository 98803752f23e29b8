"""exit_at_import: sys.exit(0) while being imported, before any check runs.

Must score: 0 on every NumPy exercise (each failed check says SystemExit).
"""
import sys

sys.exit(0)
