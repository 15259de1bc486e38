"""Run a shipped function from its deployment zip alone, as the Lambda runtime does."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import zipfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

__all__ = ["ZipRun", "run_zipped"]

_RUNTIME = """\
import importlib, json, sys
handler = importlib.import_module(sys.argv[1]).handler
events = json.load(open(sys.argv[2]))
print(json.dumps([handler(event, None) for event in events]))
"""


@dataclass(frozen=True)
class ZipRun:
    answers: list[Any]  # what the handler returned, one per event
    output: str  # everything the process printed (its log lines), stdout and stderr


def run_zipped(data: bytes, module: str, events: Sequence[Any], env: Mapping[str, str], workdir: Path) -> ZipRun:
    """Call ``<module>.handler(event, None)`` for each event, with nothing but the zip to import from.

    Like the runtime with /var/task: the zip is extracted into an empty
    folder and imported from there by a fresh interpreter that sees no other
    path of this checkout (``-E``, empty ``PYTHONPATH``).
    """
    task = workdir / "task"
    zipfile.ZipFile(io.BytesIO(data)).extractall(task)
    (workdir / "events.json").write_text(json.dumps(list(events)))
    done = subprocess.run(
        [sys.executable, "-E", "-c", _RUNTIME, module, str(workdir / "events.json")],
        cwd=task,
        env={**os.environ, **env, "PYTHONPATH": ""},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    return ZipRun(json.loads(done.stdout.splitlines()[-1]), done.stdout + done.stderr)
