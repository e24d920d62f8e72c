"""How a benchmark measures in a fresh process: the parent runs `python -m MODULE --child ...`
and the child prints its figures as one JSON line, so each measurement starts from a clean
interpreter and its memory peak is its own."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
_RESULT = "RESULT "


def env() -> dict[str, str]:
    """The environment a child (or a server) started from a benchmark needs to find Charter
    and the benchmarks."""
    return {**os.environ, "PYTHONPATH": f"{ROOT}{os.pathsep}{ROOT / 'src'}"}


def measure(module: str, *args: str, show_progress: bool = False) -> dict[str, Any]:
    """Run `python -m module --child *args` and return the figures it reported. With
    `show_progress` the child's standard error goes straight to the terminal."""
    done = subprocess.run(
        [sys.executable, "-m", module, "--child", *args],
        stdout=subprocess.PIPE,
        stderr=None if show_progress else subprocess.PIPE,
        text=True,
        cwd=ROOT,
        env=env(),
        check=False,
    )
    for line in reversed(done.stdout.splitlines()):
        if line.startswith(_RESULT):
            result: dict[str, Any] = json.loads(line.removeprefix(_RESULT))
            return result
    said = f"{done.stdout[-2000:]}\n{(done.stderr or '')[-4000:]}"
    raise RuntimeError(f"{module} {args[0] if args else ''} failed:\n{said}")


def report(result: dict[str, Any]) -> None:
    """What a child prints last: its figures, for `measure` to read."""
    print(_RESULT + json.dumps(result, default=str), flush=True)
