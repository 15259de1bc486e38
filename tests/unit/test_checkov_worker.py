"""checkov in its worker process: same results as in-process, nothing on the user's terminal, errors killed fast."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from cfgen.errors import ToolError, UsageError
from cfgen.harness._checkov import Scanner, _Worker
from cfgen.harness.results import Finding

TREE = """
resource "aws_s3_bucket" "assets" {
  #checkov:skip=CKV_AWS_18:access logs are the log bucket's job
  bucket = "cfgen-worker-assets"
}

resource "aws_s3_bucket" "other" {
  bucket = "cfgen-worker-other"
}
"""


IN_PROCESS = """
import json, sys
from dataclasses import asdict
from pathlib import Path
from cfgen.harness._checkov import run_checkov
print(json.dumps([asdict(f) for f in run_checkov(Path(sys.argv[1]), None, external_checks=[])]))
"""


@pytest.fixture(scope="module")
def tree(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("worker") / "tree"
    root.mkdir()
    (root / "main.tf").write_text(TREE, encoding="utf-8")
    return root


def _policies(root: Path, name: str = "", text: str = "") -> Path:
    folder = root / "policies"
    folder.mkdir()
    (folder / "__init__.py").write_text("", encoding="utf-8")
    if name:
        (folder / name).write_text(text, encoding="utf-8")
    return folder


def test_the_worker_finds_what_checkov_in_process_finds(tree: Path, capfd: pytest.CaptureFixture[str]) -> None:
    with Scanner([]) as scanner:
        scanner.scan_hcl(tree)
        found = scanner.results()
    # checkov's prints and logs stay in the worker, off the terminal a spinner draws on
    assert capfd.readouterr() == ("", "")
    # In a process of its own: checks loaded by other tests stay in this one's registries.
    child = subprocess.run(
        [sys.executable, "-c", IN_PROCESS, str(tree)], capture_output=True, text=True, check=True, timeout=300
    )
    assert found == [Finding(**item) for item in json.loads(child.stdout)]
    results = {(f.check_id, f.address): f.result for f in found}
    assert results["CKV_AWS_18", "aws_s3_bucket.assets"] == "skipped"
    assert results["CKV_AWS_18", "aws_s3_bucket.other"] == "failed"


def test_an_idle_worker_serves_the_next_scan_with_the_same_checks(tree: Path, tmp_path: Path) -> None:
    with Scanner([]) as first:
        first.scan_hcl(tree)
        first.results()
        pid = first._worker.process.pid
    with Scanner([]) as again:
        assert again._worker.process.pid == pid
        again.scan_hcl(tree)
        again.results()
    # custom checks stay loaded in a process: other check folders get their own worker
    with Scanner([_policies(tmp_path)]) as other:
        assert other._worker.process.pid != pid
        other.scan_hcl(tree)
        other.results()


def test_abandoned_scans_kill_the_worker(tree: Path) -> None:
    scanner = Scanner([])
    scanner.scan_hcl(tree)
    process = scanner._worker.process
    scanner.close()  # e.g. terraform failed: nobody waits for checkov
    assert process.poll() is not None
    assert not [w for w in _Worker._idle if w.process is process]


def test_a_worker_exits_by_itself_when_its_parent_closes_the_pipe(tree: Path) -> None:
    # What ends it when the CLI exits (without running atexit handlers that would kill it).
    with Scanner([]) as scanner:
        scanner.scan_hcl(tree)
        scanner.results()
        worker = scanner._worker
    with _Worker._lock:
        _Worker._idle.remove(worker)
    assert worker.process.stdin is not None
    worker.process.stdin.close()
    assert worker.process.wait(timeout=60) == 0


def test_a_worker_whose_reader_is_gone_exits_without_a_traceback(tree: Path) -> None:
    worker = _Worker([])
    assert worker.process.stdout is not None
    worker.process.stdout.close()  # the parent stopped listening (it exited)
    worker.send(("hcl", str(tree), []))
    assert worker.process.wait(timeout=120) == 0


def test_a_custom_check_that_does_not_load_is_a_tool_error_from_the_worker(tree: Path, tmp_path: Path) -> None:
    policies = _policies(tmp_path, "broken_check.py", "this is not python\n")
    with pytest.raises(ToolError, match="could not load custom checks"), Scanner([policies]) as scanner:
        scanner.scan_hcl(tree)
        scanner.results()


def test_a_worker_that_dies_is_one_clear_error(tree: Path) -> None:
    with pytest.raises(ToolError, match="worker process ended unexpectedly"), Scanner([]) as scanner:
        scanner._worker.process.kill()
        scanner.scan_hcl(tree)
        scanner.results()


def test_a_request_sent_to_a_worker_already_dead_is_the_same_clear_error(tree: Path) -> None:
    # The request stays in the pipe's buffer; closing it must not raise BrokenPipeError instead.
    with pytest.raises(ToolError, match="worker process ended unexpectedly"), Scanner([]) as scanner:
        scanner._worker.process.kill()
        scanner._worker.process.wait()
        scanner.scan_hcl(tree)
        scanner.results()


def test_results_before_any_scan_is_a_usage_error() -> None:
    with Scanner([]) as scanner, pytest.raises(UsageError, match="scan_hcl first"):
        scanner.results()
