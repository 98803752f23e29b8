"""The course's set-up steps, as grading.toml's [setup] table declares them.

    python -m autograder.prepare             run each [setup] module, in order (`make data`)
    python -m autograder.prepare --packages  print the Debian packages those modules need, one line
    python -m autograder.prepare --packages --missing   only those not here (no such command on PATH,
                                                        and dpkg does not list it as installed)

The course builds what its graders need once per machine (a dataset, say) with modules of its
own; the engine names none. `make data`, Gradescope's setup.sh (its packages baked in by
`make gradescope`), the Kubernetes image and the GitHub class workflow all call this. Each
module runs as `python -m <module>` with this interpreter, from the folder of grading.toml.
Standard library only (and config.py): it runs before anything else is installed.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
from pathlib import Path

from .config import ConfigError, load

REPO = Path(__file__).resolve().parent.parent


def run(config_path: Path, *, quiet: bool = False) -> int:
    """Run the set-up modules; 0 when every one succeeded, else the first failure's exit status."""
    config = load(config_path)
    if not config.setup_modules and not quiet:
        print("nothing to set up: grading.toml has no [setup] modules")
    for module in config.setup_modules:
        if not quiet:
            print(f"set-up: python -m {module}", flush=True)
        status = subprocess.run([sys.executable, "-m", module], cwd=Path(config_path).resolve().parent).returncode
        if status != 0:
            print(f"error: set-up step `python -m {module}` failed (exit {status}); its output above says why",
                  file=sys.stderr)
            return status
    return 0


def missing(packages: tuple[str, ...]) -> list[str]:
    """The packages this machine lacks: a command of that name on PATH (npm, however installed)
    or dpkg's word that it is installed counts as present."""
    def installed(package: str) -> bool:
        if shutil.which(package):
            return True
        if shutil.which("dpkg-query") is None:
            return False
        done = subprocess.run(["dpkg-query", "-W", "-f=${Status}", package], capture_output=True, text=True)
        return done.returncode == 0 and done.stdout.endswith(" installed")

    return [package for package in packages if not installed(package)]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m autograder.prepare", description=__doc__.splitlines()[0])
    parser.add_argument("--config", type=Path, default=REPO / "grading.toml", help="grading.toml to use")
    parser.add_argument("--packages", action="store_true", help="print the Debian packages [setup] needs and stop")
    parser.add_argument("--missing", action="store_true", help="with --packages: only those this machine lacks")
    args = parser.parse_args(argv)
    try:
        if args.packages:
            packages = load(args.config).system_packages
            print(" ".join(missing(packages) if args.missing else packages))
            return 0
        return run(args.config)
    except ConfigError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    raise SystemExit(main())
