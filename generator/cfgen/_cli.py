"""The command line: parse, call the service, print, map errors to exit codes.

Nothing here decides anything about CloudFront; every command forwards to
``_service`` (or ``sign``) and prints what comes back.
"""

from __future__ import annotations

import contextlib
import os
import sys
from contextlib import AbstractContextManager, ExitStack, nullcontext
from datetime import UTC, datetime
from enum import StrEnum
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from . import _service
from .errors import CfgenError, SpecError, UsageError, one_line

if TYPE_CHECKING:
    from rich.console import Console
    from rich.status import Status

app = typer.Typer(
    name="cfgen",
    help="Render Terraform/OpenTofu that puts CloudFront in front of origins only it can reach, and prove it.",
    no_args_is_help=True,
    add_completion=True,
    pretty_exceptions_enable=False,
)


@cache
def _console(*, stderr: bool) -> Console:
    # Imported when first printed to: `cfgen test` has terraform started by then.
    from rich.console import Console

    return Console(stderr=stderr, highlight=False, soft_wrap=True)


def err() -> Console:
    return _console(stderr=True)


def out() -> Console:
    return _console(stderr=False)


def _on_terminal() -> bool:
    return sys.stderr.isatty() and err().is_terminal


def _spinner(text: str) -> AbstractContextManager[Any]:
    """A spinner on a terminal's stderr; nothing elsewhere (a pipe, CI)."""
    return err().status(text, spinner="dots") if _on_terminal() else nullcontext()


def _say(console: Console, text: str) -> None:
    """Print one line as is: no markup, and nothing in an echoed path or value can break the line."""
    console.print(one_line(text), markup=False)


def _check_report(report_file: Path | None) -> None:
    if report_file is not None and not report_file.parent.is_dir():
        raise UsageError(f"--report {report_file}: folder {report_file.parent} does not exist; create it first")


def _write_report(report_file: Path | None, text: str) -> None:
    if report_file is not None:
        try:
            report_file.write_text(text, encoding="utf-8")
        except OSError as exc:
            raise UsageError(f"--report {report_file}: cannot write it ({exc.strerror or exc})") from None


SpecArg = Annotated[Path, typer.Argument(help="The spec file (YAML).", show_default=False)]


class ExplainFormat(StrEnum):
    text = "text"
    mermaid = "mermaid"
    json = "json"


class ReportFormat(StrEnum):
    table = "table"
    json = "json"
    junit = "junit"
    sarif = "sarif"


@app.command()
def validate(spec: SpecArg) -> None:
    """Check a spec: schema, cross-field rules, and what AWS would refuse at apply."""
    loaded = _service.validate(spec)
    for warning in loaded.warnings:
        _say(err(), str(warning))
    _say(out(), f"{spec}: valid")


@app.command()
def render(
    spec: SpecArg,
    output: Annotated[Path, typer.Option("--output", "-o", help="Folder of the root module.")],
    check: Annotated[bool, typer.Option("--check", help="Write nothing; exit 1 if files would change.")] = False,
    diff: Annotated[bool, typer.Option("--diff", help="Write nothing; show the changes, exit 1 if any.")] = False,
    force: Annotated[bool, typer.Option("--force", help="Overwrite files changed by hand.")] = False,
) -> None:
    """Render the root module and the modules it uses into a folder."""
    outcome = _service.render_spec(spec, output, check=check, show_diff=diff, force=force)
    for warning in outcome.loaded.warnings:
        _say(err(), str(warning))
    if outcome.drift is not None:
        if outcome.diff:
            sys.stdout.write(outcome.diff)
        if outcome.drift:
            for item in outcome.drift:
                _say(err(), f"{output / item.path}: {item.kind}")
            command = f"cfgen render {spec} -o {output}"
            by_hand = sum(item.by_hand for item in outcome.drift)
            if by_hand:
                # A plain render would refuse these: say the two ways that work.
                _say(
                    err(),
                    f"{len(outcome.drift)} file(s) differ, {by_hand} of them by hand: move the change into the spec "
                    f"(or the file out of {output}) and run `{command}`, or overwrite it with `{command} --force`",
                )
            else:
                _say(err(), f"{len(outcome.drift)} file(s) differ; run `{command}`")
            raise typer.Exit(1)
        _say(out(), f"{output}: up to date")
        return
    written = outcome.written
    assert written is not None
    _say(
        out(),
        f"{output}: {len(written.written)} written, {len(written.unchanged)} unchanged, {len(written.removed)} removed",
    )


@app.command()
def test(
    spec: Annotated[Path | None, typer.Argument(help="Spec to render and test.", show_default=False)] = None,
    directory: Annotated[Path | None, typer.Option("--dir", help="Test this rendered tree instead.")] = None,
    offline: Annotated[bool, typer.Option("--offline", help="Mock credentials and skip AWS calls.")] = False,
    binary: Annotated[str | None, typer.Option(help="terraform or tofu \\[env: CFGEN_TF_BINARY].")] = None,
    plugin_mirror: Annotated[
        str | None,
        typer.Option("--plugin-mirror", help="Provider mirror folder \\[env: CFGEN_PLUGIN_MIRROR]."),
    ] = None,
    report_format: Annotated[ReportFormat, typer.Option("--format", help="Report format.")] = ReportFormat.table,
    report_file: Annotated[Path | None, typer.Option("--report", help="Also write the report here.")] = None,
) -> None:
    """Plan the rendered tree, run the proofs and checkov; exit 1 if any fails."""
    _check_report(report_file)  # before the plan, which costs seconds, not after it

    with ExitStack() as stack:
        spinner: Status | None = None

        def progress(step: str) -> None:
            # Started at the first step, not before: rich loads while terraform runs.
            nonlocal spinner
            if spinner is None and _on_terminal():
                spinner = stack.enter_context(err().status("planning", spinner="dots"))
            if spinner is not None:
                spinner.update(f"{step}...")

        findings = _service.test(
            spec,
            directory,
            offline=offline,
            binary=binary,
            plugin_mirror=plugin_mirror,
            progress=progress,
        )
    from .harness.report import render_report, summary

    text = render_report(findings, report_format.value)
    sys.stdout.write(text if text.endswith("\n") else text + "\n")
    _write_report(report_file, text)
    if summary(findings).failed:
        raise typer.Exit(1)


@app.command()
def explain(
    spec: Annotated[Path | None, typer.Argument(help="Spec to explain.", show_default=False)] = None,
    directory: Annotated[Path | None, typer.Option("--dir", help="Explain this rendered tree instead.")] = None,
    explain_format: Annotated[ExplainFormat, typer.Option("--format", help="Output format.")] = ExplainFormat.text,
) -> None:
    """Every path to every origin: what is allowed, what closes the rest, what stays open."""
    from .explain import render_explanation

    explanations = _service.explain_spec(spec, directory)
    sys.stdout.write(render_explanation(explanations, explain_format.value))


class VerifyFormat(StrEnum):
    table = "table"
    json = "json"
    junit = "junit"


@app.command()
def verify(
    directory: Annotated[
        Path, typer.Option("--dir", help="The rendered tree, applied (its manifest names the origins).")
    ],
    outputs: Annotated[
        Path | None,
        typer.Option("--outputs", help="JSON saved from `output -json` instead of running it in --dir."),
    ] = None,
    binary: Annotated[str | None, typer.Option(help="terraform or tofu \\[env: CFGEN_TF_BINARY].")] = None,
    report_format: Annotated[VerifyFormat, typer.Option("--format", help="Report format.")] = VerifyFormat.table,
    report_file: Annotated[Path | None, typer.Option("--report", help="Also write the report here.")] = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="List every request; send none.")] = False,
    connect_to: Annotated[
        list[str] | None,
        typer.Option("--connect-to", help="HOST:PORT:ADDR:PORT, as curl's: connect there instead (repeatable)."),
    ] = None,
    ca_bundle: Annotated[
        Path | None,
        typer.Option("--ca-bundle", help="Trust these CAs (PEM) instead of the system's \\[env: SSL_CERT_FILE]."),
    ] = None,
    timeout: Annotated[float, typer.Option(help="Seconds each request may take, per step.")] = 10.0,
    max_time: Annotated[float, typer.Option("--max-time", help="Seconds the whole run may take.")] = 120.0,
) -> None:
    """After apply: each origin must answer through its distribution and refuse every direct request."""
    from .verify import counts, render_results

    _check_report(report_file)
    status = _spinner("probing") if not dry_run else nullcontext()
    with status as spinner:

        def progress(done: int, total: int) -> None:
            if spinner is not None:
                spinner.update(f"probing {done}/{total}")

        results = _service.verify(
            directory,
            outputs_file=outputs,
            binary=binary,
            dry_run=dry_run,
            connect_to=connect_to or [],
            ca_bundle=ca_bundle,
            timeout=timeout,
            max_time=max_time,
            progress=progress,
        )
    text = render_results(results, report_format.value)
    sys.stdout.write(text)
    _write_report(report_file, text)
    found = counts(results)
    if found["fails"]:
        raise typer.Exit(1)
    if found["unknown"]:
        raise typer.Exit(2)


@app.command()
def schema() -> None:
    """Print the spec's JSON Schema (for yaml-language-server and other editors)."""
    from .spec import json_schema

    sys.stdout.write(json_schema())


class PatternsFormat(StrEnum):
    text = "text"
    markdown = "markdown"


@app.command()
def patterns(
    patterns_format: Annotated[
        PatternsFormat, typer.Option("--format", help="text: one line each; markdown: every path (README's table).")
    ] = PatternsFormat.text,
) -> None:
    """List the origin types and protection modes, one line each."""
    from .patterns import PATTERNS

    if patterns_format is PatternsFormat.markdown:
        from .explain import patterns_markdown

        sys.stdout.write(patterns_markdown())
        return
    width = max(len(k) for k in PATTERNS)
    for key, pattern in PATTERNS.items():
        out().print(f"{key.ljust(width)}  {pattern.summary}", markup=False)


@app.command()
def sign(
    url: Annotated[str, typer.Argument(help="The URL to sign (or the base URL for --cookies).")],
    key_pair_id: Annotated[str, typer.Option("--key-pair-id", help="ID of the CloudFront public key.")],
    private_key: Annotated[Path, typer.Option("--private-key", help="PEM file of the RSA private key.")],
    expires: Annotated[str, typer.Option(help="When access ends: ISO 8601, epoch seconds, or +1h/+30m/+7d.")],
    starts: Annotated[str | None, typer.Option(help="When access starts (custom policy).")] = None,
    ip_range: Annotated[str | None, typer.Option("--ip-range", help="Viewer CIDR (custom policy).")] = None,
    resource: Annotated[
        str | None,
        typer.Option(help="Resource the policy covers, may hold * (custom policy); default: URL."),
    ] = None,
    cookies: Annotated[bool, typer.Option("--cookies", help="Print the three signed cookies instead.")] = False,
) -> None:
    """Sign a CloudFront URL, or make signed cookies, with a key of a key group."""
    from . import sign as signing

    now = datetime.now(UTC)
    key = signing.load_private_key(private_key)
    policy = signing.Policy(
        resource=resource or url,
        expires=signing.parse_when(expires, now),
        starts=signing.parse_when(starts, now) if starts else None,
        ip_range=ip_range,
    )
    if cookies:
        for name, value in signing.signed_cookies(
            key_pair_id=key_pair_id, private_key=key, policy=policy, now=now
        ).items():
            out().print(f"{name}={value}", markup=False)
        return
    out().print(
        signing.sign_url(url, key_pair_id=key_pair_id, private_key=key, policy=policy, now=now),
        markup=False,
    )


def main() -> None:
    """Console script: run the app and turn every error into one line and an exit code.

    Click handles its own usage errors (exit 2); everything cfgen raises is a
    CfgenError with its own exit code; anything else is a bug, reported in
    one line unless CFGEN_DEBUG asks for the traceback.
    """
    try:
        app()
        code = 0
    except SystemExit as exc:
        code = _exit_status(exc)
    except CfgenError as exc:
        for line in str(exc).split("\n") if str(exc) else [type(exc).__name__]:
            _say(err(), line if isinstance(exc, SpecError) else f"error: {line}")
        code = exc.exit_code
    except Exception as exc:
        if os.environ.get("CFGEN_DEBUG"):
            raise
        _say(err(), f"internal error: {type(exc).__name__}: {exc} (set CFGEN_DEBUG=1 for the traceback and report it)")
        code = 3
    _exit(code)


def _exit_status(exc: SystemExit) -> int:
    if exc.code is None or isinstance(exc.code, int):
        return exc.code or 0
    print(exc.code, file=sys.stderr)  # what Python prints for sys.exit("text")
    return 1


def _exit(code: int) -> None:
    """Exit without tearing the interpreter down, as mypy does.

    Freeing every object of pydantic, jinja2 and the patterns takes about
    0.2 s, a twentieth of a whole `cfgen test`. Nothing is left to clean up:
    what cfgen writes is closed, its temporary folders are gone, and
    checkov's worker exits when its pipe closes.
    """
    try:
        sys.stdout.flush()
    except BrokenPipeError:  # `cfgen explain | head`: the reader has what it wanted
        pass
    except OSError as exc:  # a full disk: the output is incomplete, which the exit code must say
        with contextlib.suppress(OSError):
            sys.stderr.write(f"error: cannot write the output: {exc.strerror or exc}\n")
        code = code or 120
    with contextlib.suppress(OSError):
        sys.stderr.flush()
    os._exit(code)
