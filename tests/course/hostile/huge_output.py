"""huge_output: prints 200 MB to stdout and 20 MB to stderr at import.

Must score: full marks (the output is capped, the checks pass).
"""
import sys

_LINE = "hostile-huge-output " * 52428  # about 1 MB
for _ in range(200):
    print(_LINE)
for _ in range(20):
    print(_LINE, file=sys.stderr)
