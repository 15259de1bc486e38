"""Run checkov: every check on the HCL and on the plan, one result each.

:func:`run_checkov` scans in this process; :class:`Scanner` runs the same
scans in a worker process, so that ``cfgen test`` can start them before
terraform plans.

The HCL scan sees the code as written (and the ``#checkov:skip=`` comments in
it); the plan scan sees resolved values and the resources a count or for_each
really creates. Every check runs on both; for a (check, block) pair the plan's
results replace the HCL's and take the block's skips, so no check is reported
twice. Scan the user's tree, not the work copy of the plan: the copy's offline
override holds mock access keys that checkov's hard-coded-credentials check
would rightly flag.
"""

from __future__ import annotations

import atexit
import io
import json
import logging
import os
import pickle
import re
import signal
import subprocess
import sys
import tempfile
import threading
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager, redirect_stderr, redirect_stdout, suppress
from dataclasses import dataclass, field, replace
from functools import cache
from pathlib import Path
from typing import Any, ClassVar

from cfgen.errors import ToolError, UsageError
from cfgen.harness.results import Finding

__all__ = ["PARSE_ERROR_ID", "Scanner", "run_checkov"]

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
    (on the block, or on a module call for every block of that module) come
    back as skipped findings with the reason as message. With a plan, every
    check runs on it too, and a check's plan results (one per planned
    instance) replace its HCL result for that block and inherit the block's
    skips. The first call pays checkov's import (about 1-2 s).
    """
    _check_tree(tree)
    folders = _check_folders(external_checks)
    hcl = _scan_hcl(tree, folders)
    if plan_json is None:
        return _ordered(hcl.findings)
    return _merge(hcl, _scan_plan(plan_json, folders), plan_json)


def _check_tree(tree: Path) -> None:
    if not tree.is_dir():
        raise UsageError(f"{tree} is not a folder: pass the folder of a root module")


def _check_folders(external_checks: list[Path]) -> list[str]:
    for folder in external_checks:
        if not folder.is_dir():
            raise ToolError(
                f"the checkov checks folder {folder} does not exist: reinstall cfgen",
                cmd="checkov",
            )
    return [str(folder.resolve()) for folder in external_checks]


@dataclass(frozen=True)
class _Block:
    """A resource or data block of the HCL: its file and the checks skipped on it."""

    file: str
    skips: Mapping[str, str]  # check id -> reason


@dataclass(frozen=True)
class _HclScan:
    """What the HCL scan gives the merge: its findings and each block's file and skips."""

    findings: list[Finding]
    blocks: Mapping[str, _Block] = field(default_factory=dict)  # by block address (see _block_address)


@dataclass(frozen=True)
class _PlanScan:
    """The plan scan's findings, before the HCL's files and skips are applied.

    ``blocks`` are the addresses of the blocks with at least one instance in
    the plan (see _block_address).
    """

    findings: list[Finding]
    blocks: frozenset[str] = frozenset()


def _scan(label: str, run: Callable[[Any], Any]) -> Any:
    """Run one checkov scan quietly; a crash or a custom check that did not load is a ToolError."""
    api = _checkov()
    with _quiet() as captured:
        try:
            report = run(api)
        except Exception as exc:
            raise ToolError(
                f"checkov failed on {label}: {type(exc).__name__}: {exc}",
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
    return report


def _scan_hcl(tree: Path, folders: list[str]) -> _HclScan:
    root = tree.resolve()
    runner: Any = None

    def run(api: Any) -> Any:
        nonlocal runner
        runner = api.hcl_runner()
        return runner.run(
            root_folder=str(root),
            external_checks_dir=folders or None,
            runner_filter=api.runner_filter(framework=["terraform"], show_progress_bar=False),
        )

    report = _single(_scan(str(tree), run))
    findings = [_finding(record, plan=False) for record in _records(report)]
    findings += [_parse_error(path, root) for path in report.parsing_errors]
    return _HclScan(findings=findings, blocks=_blocks(getattr(runner, "context", None) or {}, root))


def _scan_plan(plan_json: Path, folders: list[str]) -> _PlanScan:
    def run(api: Any) -> Any:
        return api.plan_runner().run(
            root_folder=None,
            files=[str(plan_json.resolve())],
            external_checks_dir=folders or None,
            runner_filter=api.runner_filter(framework=["terraform_plan"], show_progress_bar=False),
        )

    report = _single(_scan(str(plan_json), run))
    findings = [_finding(record, plan=True) for record in _records(report)]
    findings += [_parse_error(path, plan_json.parent) for path in report.parsing_errors]
    try:
        planned = _planned_blocks(json.loads(plan_json.read_text(encoding="utf-8")))
    except (OSError, ValueError, AttributeError, TypeError):
        planned = frozenset()  # checkov reported it as a parse error already
    return _PlanScan(findings=findings, blocks=planned)


def _planned_blocks(plan: Mapping[str, Any]) -> frozenset[str]:
    """Blocks with an instance in the plan: changed, planned, or read into the prior state."""
    addresses = {str(change.get("address", "")) for change in plan.get("resource_changes") or []}
    modules = [(plan.get("planned_values") or {}).get("root_module") or {}]
    modules.append(((plan.get("prior_state") or {}).get("values") or {}).get("root_module") or {})
    while modules:
        module = modules.pop()
        addresses.update(str(resource.get("address", "")) for resource in module.get("resources") or [])
        modules += module.get("child_modules") or []
    return frozenset(_block_address(address) for address in addresses if address)


def _blocks(context: Mapping[Any, Any], root: Path) -> dict[str, _Block]:
    """Each resource and data block of the HCL scan, by address, with its file and skips.

    checkov's context holds the skip comments of every block, those of a
    module call already pushed down to the blocks of that module. A plan
    JSON has no comments, so this is where its results find their skips.
    """
    blocks: dict[str, _Block] = {}
    for key, entities in context.items():
        prefix = "".join(f"module.{name}." for name in _module_path(getattr(key, "tf_source_modules", None)))
        file = _relative(str(getattr(key, "file_path", key)), root)
        for kind in ("resource", "data"):
            for block_type, named in (entities.get(kind) or {}).items():
                for name, config in named.items():
                    # checkov names a block with a count it could resolve by instance (this[0]).
                    address = _block_address(f"{prefix}{block_type}.{name}")
                    skips = dict(blocks[address].skips) if address in blocks else {}
                    for skipped in config.get("skipped_checks") or []:
                        skips[str(skipped["id"])] = str(skipped.get("suppress_comment") or "no reason given")
                    blocks[address] = _Block(file=file, skips=skips)
    return blocks


def _module_path(module: Any) -> list[str]:
    """Module call names from the root down to ``module`` (checkov links each to its caller)."""
    names: list[str] = []
    while module is not None:
        names.append(str(module.name))
        module = module.nested_tf_module
    return names[::-1]


def _relative(path: str, root: Path) -> str:
    try:
        return Path(path).resolve().relative_to(root).as_posix()
    except ValueError:
        return path


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
    return Finding(
        source="checkov",
        check_id=PARSE_ERROR_ID,
        title="checkov could not parse this file",
        passed=False,
        address="",
        message="no checkov check ran on this file; make it parse (checkov's HCL parser is "
        "stricter than terraform's in places)",
        file=_relative(path, root),
    )


def _block_address(address: str) -> str:
    """The block an address names: without instance keys and without the ``data.`` marker.

    A plan names each instance (``module.o.data.aws_iam_policy_document.p[0]``),
    checkov's HCL records name the block (``module.o.aws_iam_policy_document.p``).
    A resource and a data source of one type and name in one module would share
    an address; checkov's check ids are either resource or data checks, so a
    (check, block) pair stays unambiguous.
    """
    parts = _INDEX.sub("", address).split(".")
    out: list[str] = []
    i = 0
    while i < len(parts):
        if parts[i] == "module" and i + 1 < len(parts):
            out += parts[i : i + 2]
            i += 2
        elif parts[i] == "data" and i + 2 < len(parts):
            i += 1
        else:
            out.append(parts[i])
            i += 1
    return ".".join(out)


def _key(finding: Finding) -> tuple[str, str]:
    return finding.check_id, _block_address(finding.address)


def _merge(hcl: _HclScan, plan: _PlanScan, plan_json: Path) -> list[Finding]:
    """One result per check and resource: the plan's where it has one, else the HCL's.

    The plan sees resolved values (and checks the HCL cannot evaluate, such
    as a bucket's default encryption set by another resource); each plan
    result takes the file and the skip of its HCL block, matched by exact
    check id (checkov's own plan enrichment matches ids by substring and
    drops the module path).
    """
    planned: list[Finding] = []
    for finding in plan.findings:
        if finding.check_id == PARSE_ERROR_ID:
            planned.append(finding)
            continue
        if _block_address(finding.address) not in plan.blocks:
            # The provider blocks of the plan are those of its work copy (with
            # the offline override's mock settings): the HCL's are the tree's.
            continue
        block = hcl.blocks.get(_block_address(finding.address))
        changes: dict[str, Any] = {"file": block.file if block else plan_json.name}
        if block and finding.check_id in block.skips:
            changes.update(passed=True, skipped=True, message=block.skips[finding.check_id])
        planned.append(replace(finding, **changes))
    replaced = {_key(f) for f in planned}
    kept = [
        f
        for f in hcl.findings
        if f.check_id == PARSE_ERROR_ID
        or (_key(f) not in replaced and not _unplanned(_block_address(f.address), hcl, plan))
    ]
    return _ordered(kept + planned)


def _unplanned(block: str, hcl: _HclScan, plan: _PlanScan) -> bool:
    """Whether ``block`` is a resource or data block the plan creates no instance of (count = 0)."""
    return block in hcl.blocks and block not in plan.blocks


def _ordered(findings: list[Finding]) -> list[Finding]:
    return sorted(findings, key=lambda f: (f.file, f.address, f.check_id, f.passed, f.message))


# --------------------------------------------------------------------------
# checkov in a worker process, while terraform plans
# --------------------------------------------------------------------------

# The smallest plan JSON checkov accepts: scanning it once loads the plan
# runner's checks, so the real plan scan (the one step after `show` that the
# user waits for) does not pay for that.
_WARM_PLAN = {
    "format_version": "1.2",
    "terraform_version": "1.6.0",
    "planned_values": {"root_module": {"resources": []}},
    "resource_changes": [],
    "configuration": {"root_module": {}},
}


class Scanner:
    """checkov's scans of one tree and its plan, run by a worker process in the background.

    Start it before the plan: the worker imports checkov (seconds) and scans
    the HCL while terraform runs, on the core terraform leaves idle; give it
    the plan JSON as soon as ``show`` wrote it, then collect the results.
    The worker is a process, not a thread, because checkov prints and logs
    process-wide: :func:`_quiet` swaps ``sys.stdout``/``sys.stderr`` and the
    root logger, which a CLI spinner in another thread writes through.

    The results are those of :func:`run_checkov`. A worker left idle serves
    the next Scanner of this process (a test session runs many); one that
    failed, or whose scans were abandoned, is killed, so an error never
    waits for checkov.
    """

    def __init__(self, external_checks: list[Path]) -> None:
        self._folders = _check_folders(external_checks)
        self._worker = _Worker.acquire(self._folders)
        self._replies: list[str] = []
        self._plan_json: Path | None = None
        self._closed = False
        self._request("warm")

    def __enter__(self) -> Scanner:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def scan_hcl(self, tree: Path) -> None:
        """Start the scan of the root module ``tree`` (read until :meth:`results` returns)."""
        _check_tree(tree)
        self._request("hcl", str(tree.resolve()))

    def scan_plan(self, plan_json: Path) -> None:
        """Start the scan of ``plan_json`` (``terraform show -json``) after the HCL's."""
        self._plan_json = plan_json
        self._request("plan", str(plan_json.resolve()))

    def results(self) -> list[Finding]:
        """Wait for the scans and merge them: one result per check and resource."""
        if "hcl" not in self._replies:
            raise UsageError("Scanner.results: call scan_hcl first")
        scans = {kind: self._worker.receive() for kind in list(self._replies)}
        self._replies.clear()
        hcl: _HclScan = scans["hcl"]
        if self._plan_json is None:
            return _ordered(hcl.findings)
        plan: _PlanScan = scans["plan"]
        return _merge(hcl, plan, self._plan_json)

    def close(self) -> None:
        """Give the worker back for the next scan, or kill it if scans are still running."""
        if not self._closed:
            self._closed = True
            self._worker.release(idle=not self._replies)

    def _request(self, kind: str, *args: str) -> None:
        self._worker.send((kind, *args, self._folders))
        self._replies.append(kind)


class _Worker:
    """``python -c 'from cfgen.harness._checkov import _serve; _serve()'``, spoken to in pickles.

    A plain subprocess rather than multiprocessing: its start method would
    import the parent's ``__main__`` (the ``cfgen`` script, a pytest runner)
    again in the child, and fork is unsafe next to the CLI's threads.
    """

    _idle: ClassVar[list[_Worker]] = []
    _lock: ClassVar[threading.Lock] = threading.Lock()

    def __init__(self, folders: list[str]) -> None:
        # checkov registers loaded custom checks process-wide, for good: a
        # worker serves only scans with the check folders it was started for.
        self.folders = list(folders)
        debug = bool(os.environ.get("CFGEN_DEBUG"))
        self.process = subprocess.Popen(
            [sys.executable, "-c", "from cfgen.harness._checkov import _serve; _serve()"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=None if debug else subprocess.DEVNULL,
            # Read by checkov at import: without it, a network call to PyPI.
            env={**os.environ, "CKV_SKIP_PACKAGE_UPDATE_CHECK": "1"},
        )

    @classmethod
    def acquire(cls, folders: list[str]) -> _Worker:
        with cls._lock:
            for worker in list(cls._idle):
                if worker.folders == folders:
                    cls._idle.remove(worker)
                    if worker.process.poll() is None:
                        return worker
        return cls(folders)

    def release(self, *, idle: bool) -> None:
        if idle and self.process.poll() is None:
            with self._lock:
                self._idle.append(self)
        else:
            self.stop()

    def send(self, request: tuple[Any, ...]) -> None:
        assert self.process.stdin is not None
        try:
            pickle.dump(request, self.process.stdin)
            self.process.stdin.flush()
        except (BrokenPipeError, OSError):
            pass  # the worker died: receive() says how

    def receive(self) -> Any:
        assert self.process.stdout is not None
        try:
            status, payload = pickle.load(self.process.stdout)
        except (EOFError, pickle.UnpicklingError, OSError):
            self.stop()
            raise ToolError(
                f"checkov's worker process ended unexpectedly (exit code {self.process.returncode}); "
                "set CFGEN_DEBUG=1 to see its output",
                cmd="checkov (worker)",
            ) from None
        if status == "error":
            message, cmd, stderr = payload
            raise ToolError(message, cmd=cmd, stderr=stderr)
        return payload

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait()
        for stream in (self.process.stdin, self.process.stdout):
            if stream is not None:
                # A request the dead worker never read is still buffered: flushing it on close fails.
                with suppress(OSError):
                    stream.close()

    @classmethod
    def _close_idle(cls) -> None:
        """At exit: kill the idle workers (they hold nothing) rather than wait for their teardown."""
        with cls._lock:
            idle, cls._idle = cls._idle, []
        for worker in idle:
            worker.stop()


atexit.register(_Worker._close_idle)


def _serve() -> None:
    """The worker's loop: one reply per request, until the parent closes its end."""
    # Ctrl-C is the parent's to handle: it kills the worker.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    # terraform is what the user waits for: the scans take the cycles it leaves.
    # Not SCHED_IDLE: on a busy machine that starves the scans for minutes,
    # and an unprivileged process cannot take it back once terraform is done.
    with suppress(OSError, AttributeError):
        os.nice(10)
    requests = sys.stdin.buffer
    replies = os.fdopen(os.dup(1), "wb")
    # Nothing but replies may reach the pipe: checkov's stray prints go nowhere.
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 1)
    os.close(devnull)
    while True:
        try:
            request = pickle.load(requests)
        except EOFError:
            break
        try:
            reply: tuple[str, Any] = ("ok", _handle(*request))
        except ToolError as exc:
            reply = ("error", (str(exc), exc.cmd, exc.stderr))
        except Exception as exc:
            reply = ("error", (f"checkov failed: {type(exc).__name__}: {exc}", "checkov (worker)", ""))
        try:
            pickle.dump(reply, replies)
            replies.flush()
        except BrokenPipeError:
            break
    # The parent is gone or done. Tearing down checkov's objects would take
    # a few tenths of a second of CPU after cfgen has exited, for nothing:
    # the worker holds no file to flush.
    os._exit(0)


def _handle(kind: str, *args: Any) -> Any:
    *paths, folders = args
    if kind == "warm":
        _checkov()
        with tempfile.TemporaryDirectory(prefix="cfgen-checkov-") as scratch:
            warm = Path(scratch) / "plan.json"
            warm.write_text(json.dumps(_WARM_PLAN), encoding="utf-8")
            _scan_plan(warm, folders)
        return None
    if kind == "hcl":
        return _scan_hcl(Path(paths[0]), folders)
    if kind == "plan":
        return _scan_plan(Path(paths[0]), folders)
    raise ValueError(f"unknown request {kind!r}")
