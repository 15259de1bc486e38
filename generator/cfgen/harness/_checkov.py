"""Run checkov in-process: every check on the HCL, cfgen's own checks on the plan.

The HCL scan sees the code as written (and the ``#checkov:skip=`` comments in
it); the plan scan sees resolved values, but only cfgen's own checks run there
so that a built-in check is not reported twice. Scan the user's tree, not the
work copy of the plan: the copy's offline override holds mock access keys that
checkov's hard-coded-credentials check would rightly flag.
"""

from __future__ import annotations

import io
import logging
import os
import re
from collections.abc import Iterable, Iterator
from contextlib import contextmanager, redirect_stderr, redirect_stdout
from dataclasses import dataclass, replace
from functools import cache
from pathlib import Path
from typing import Any

from cfgen.errors import ToolError, UsageError
from cfgen.harness.results import Finding

__all__ = ["CUSTOM_CHECK_PATTERNS", "PARSE_ERROR_ID", "run_checkov"]

# checkov matches --check values with fnmatch, so the patterns also hold when
# a policies folder has no check at all (an empty list would mean "every check").
CUSTOM_CHECK_PATTERNS = ("CKV_CFG_*", "CKV2_CFG_*")
PARSE_ERROR_ID = "checkov-parse-error"

_INDEX = re.compile(r"\[[^\]]*\]")
_LOAD_FAILURE = re.compile(
    r"Cannot load external check|Failed to parse check id|Custom policy .* missing required fields"
)


@dataclass(frozen=True)
class _Checkov:
    hcl_runner: Any
    plan_runner: Any
    runner_filter: Any


class _Collector(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@dataclass(frozen=True)
class _Captured:
    output: io.StringIO
    records: list[logging.LogRecord]


@contextmanager
def _quiet() -> Iterator[_Captured]:
    """Keep checkov's logging and prints off the user's terminal, and keep them.

    checkov logs through the root logger (module-level ``logging.debug``,
    which would install a stderr handler via ``basicConfig`` on an
    application that has none); for the duration of a scan the root logger
    only collects warnings, and the application's handlers come back after.
    """
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    collector = _Collector()
    root.handlers = [collector]
    root.setLevel(logging.WARNING)
    output = io.StringIO()
    try:
        with redirect_stdout(output), redirect_stderr(output):
            yield _Captured(output, collector.records)
    finally:
        root.handlers = handlers
        root.setLevel(level)


def _load_failures(records: list[logging.LogRecord]) -> list[str]:
    """Return what checkov said about custom checks it could not load.

    checkov only logs these and goes on without the check, which would let
    a broken policy pass by not running.
    """
    found = []
    for record in records:
        message = record.getMessage()
        if _LOAD_FAILURE.search(message):
            if record.exc_info and record.exc_info[1] is not None:
                error = record.exc_info[1]
                message += f": {type(error).__name__}: {error}"
            found.append(message)
    return found


@cache
def _checkov() -> _Checkov:
    # Read at import time by checkov; without it the import asks PyPI for a
    # newer checkov, a network call on every run.
    os.environ["CKV_SKIP_PACKAGE_UPDATE_CHECK"] = "1"
    with _quiet() as captured:
        try:
            from checkov.runner_filter import RunnerFilter
            from checkov.terraform.plan_runner import Runner as PlanRunner
            from checkov.terraform.runner import Runner
        except Exception as exc:
            raise ToolError(
                f"checkov cannot be imported ({exc}): reinstall cfgen with its dependencies, "
                "e.g. `pip install --force-reinstall cfgen`",
                cmd="import checkov",
                stderr=captured.output.getvalue(),
            ) from exc
    return _Checkov(hcl_runner=Runner, plan_runner=PlanRunner, runner_filter=RunnerFilter)


def run_checkov(tree: Path, plan_json: Path | None, *, external_checks: list[Path]) -> list[Finding]:
    """Scan the root module ``tree`` (and ``plan_json`` if given) with checkov.

    ``external_checks`` are folders of custom checks (python checks need an
    ``__init__.py`` there). Checks suppressed by ``#checkov:skip=ID:reason``
    come back as skipped findings with the reason as message;
    for cfgen's own checks the plan result replaces the HCL one and inherits
    its skip. The first call pays checkov's import (about 1-2 s).
    """
    if not tree.is_dir():
        raise UsageError(f"{tree} is not a folder: pass the folder of a root module")
    for folder in external_checks:
        if not folder.is_dir():
            raise ToolError(
                f"the checkov checks folder {folder} does not exist: reinstall cfgen",
                cmd="checkov",
            )
    api = _checkov()
    folders = [str(folder.resolve()) for folder in external_checks] or None
    root = tree.resolve()
    with _quiet() as captured:
        try:
            hcl_report = _single(
                api.hcl_runner().run(
                    root_folder=str(root),
                    external_checks_dir=folders,
                    runner_filter=api.runner_filter(framework=["terraform"], show_progress_bar=False),
                )
            )
            plan_report = None
            if plan_json is not None:
                plan_report = _single(
                    api.plan_runner().run(
                        root_folder=None,
                        files=[str(plan_json.resolve())],
                        external_checks_dir=folders,
                        runner_filter=api.runner_filter(
                            framework=["terraform_plan"],
                            checks=list(CUSTOM_CHECK_PATTERNS),
                            show_progress_bar=False,
                        ),
                    )
                )
        except Exception as exc:
            raise ToolError(
                f"checkov failed on {tree}: {type(exc).__name__}: {exc}",
                cmd="checkov (in-process)",
                stderr=captured.output.getvalue(),
            ) from exc
    failures = _load_failures(captured.records)
    if failures:
        raise ToolError(
            "checkov could not load custom checks, so they would not run: " + "; ".join(failures),
            cmd="checkov (in-process)",
            stderr=captured.output.getvalue(),
        )

    hcl = [_finding(record, plan=False) for record in _records(hcl_report)]
    hcl += [_parse_error(path, root) for path in hcl_report.parsing_errors]
    if plan_report is None or plan_json is None:
        return _ordered(hcl)
    return _ordered(_merge(hcl, plan_report, plan_json))


def _single(report: Any) -> Any:
    # Runner.run returns a list when it adds a container-image report.
    return report[0] if isinstance(report, list) else report


def _records(report: Any) -> Iterable[Any]:
    yield from report.failed_checks
    yield from report.passed_checks
    yield from report.skipped_checks


def _result(record: Any) -> str:
    result = record.check_result.get("result")
    return str(getattr(result, "value", result))


def _finding(record: Any, *, plan: bool) -> Finding:
    result = _result(record)
    file = str(record.file_path).lstrip("/")
    if result == "SKIPPED":
        message = record.check_result.get("suppress_comment") or "no reason given"
    elif result == "FAILED":
        details = "; ".join(str(d) for d in (record.details or []))
        if details:
            message = details
        elif plan:
            message = "fails on the planned values"
        else:
            message = f"see {file}:{record.file_line_range[0]}"
    else:
        message = ""
    return Finding(
        source="checkov",
        check_id=str(record.check_id),
        title=str(record.check_name),
        passed=result != "FAILED",
        address=str(record.resource),
        message=message,
        file=file,
        skipped=result == "SKIPPED",
    )


def _parse_error(path: str, root: Path) -> Finding:
    try:
        file = str(Path(path).resolve().relative_to(root))
    except ValueError:
        file = str(path)
    return Finding(
        source="checkov",
        check_id=PARSE_ERROR_ID,
        title="checkov could not parse this file",
        passed=False,
        address="",
        message="no checkov check ran on this file; make it parse (checkov's HCL parser is "
        "stricter than terraform's in places)",
        file=file,
    )


def _key(check_id: str, address: str) -> tuple[str, str]:
    # A plan names each instance (aws_s3_bucket.b["x"]), the HCL only the block.
    return check_id, _INDEX.sub("", address)


def _merge(hcl: list[Finding], plan_report: Any, plan_json: Path) -> list[Finding]:
    """Put the plan's results for cfgen's checks in place of the HCL ones.

    A plan JSON has no comments, so a ``#checkov:skip`` of the HCL block is
    carried over to every planned instance of it, matched by exact check id
    (checkov's own plan enrichment matches ids by substring and drops the
    module path).
    """
    skips = {_key(f.check_id, f.address): f.message for f in hcl if f.skipped}
    files = {_INDEX.sub("", f.address): f.file for f in hcl if f.address}
    planned: list[Finding] = []
    for record in _records(plan_report):
        finding = _finding(record, plan=True)
        key = _key(finding.check_id, finding.address)
        changes: dict[str, Any] = {"file": files.get(key[1], plan_json.name)}
        if key in skips:
            changes.update(passed=True, skipped=True, message=skips[key])
        planned.append(replace(finding, **changes))
    replaced = {_key(f.check_id, f.address) for f in planned}
    kept = [f for f in hcl if _key(f.check_id, f.address) not in replaced]
    planned += [_parse_error(path, plan_json.parent) for path in plan_report.parsing_errors]
    return kept + planned


def _ordered(findings: list[Finding]) -> list[Finding]:
    return sorted(findings, key=lambda f: (f.file, f.address, f.check_id, f.passed, f.message))
