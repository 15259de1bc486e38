"""The report of ``cfgen test`` in the formats a person or a CI system reads.

Every format is a pure function of the findings: same findings, same text,
byte for byte, so reports can be diffed and golden-tested.
"""

from __future__ import annotations

import io
import json
import re
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict
from importlib.metadata import PackageNotFoundError, version
from pathlib import PurePosixPath, PureWindowsPath
from typing import Any, NamedTuple
from urllib.parse import quote

from rich.console import Console
from rich.table import Table
from rich.text import Text

from cfgen.errors import UsageError
from cfgen.harness.results import Finding

__all__ = [
    "FORMATS",
    "Counts",
    "render_report",
    "summary",
    "table_text",
]

FORMATS = ("table", "json", "junit", "sarif")

_SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
# XML 1.0 forbids these code points even as character references; terraform
# and checkov messages can carry them (escape sequences, stray bytes).
_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


class Counts(NamedTuple):
    """How many findings passed, failed and were skipped; each finding is in exactly one."""

    passed: int
    failed: int
    skipped: int


def summary(findings: Iterable[Finding]) -> Counts:
    """Count ``findings`` by result: a skipped check is neither passed nor failed."""
    results = [finding.result for finding in findings]
    return Counts(results.count("passed"), results.count("failed"), results.count("skipped"))


def render_report(findings: list[Finding], fmt: str, *, width: int = 120) -> str:
    """Render ``findings`` as ``table``, ``json``, ``junit`` or ``sarif`` text.

    ``width`` only applies to the table (the terminal's width, usually).
    """
    renderers: dict[str, Callable[[list[Finding]], str]] = {
        "table": lambda f: _table(f, width),
        "json": _json,
        "junit": _junit,
        "sarif": _sarif,
    }
    try:
        renderer = renderers[fmt]
    except KeyError:
        raise UsageError(f"unknown report format {fmt!r}: choose one of {', '.join(FORMATS)}") from None
    return renderer(list(findings))


# --------------------------------------------------------------------------


def _sort_key(finding: Finding) -> tuple[str, ...]:
    return (
        finding.source,
        finding.check_id,
        finding.address,
        finding.origin or "",
        finding.file,
        finding.title,
        finding.message,
        finding.result,
    )


def _sorted(findings: Iterable[Finding]) -> list[Finding]:
    return sorted(findings, key=_sort_key)


def _counts(findings: list[Finding]) -> dict[str, int]:
    return summary(findings)._asdict()


def _summary_line(findings: list[Finding]) -> str:
    counts = summary(findings)
    return f"{counts.passed} passed, {counts.failed} failed, {counts.skipped} skipped"


def _table(findings: list[Finding], width: int) -> str:
    """Every proof, and checkov only where it failed: the rest is counted below.

    A reviewer reads this on a terminal; the other formats carry everything.
    """
    order = {"failed": 0, "skipped": 1, "passed": 2}
    shown = [f for f in findings if f.source == "proof" or f.result == "failed"]
    rows = []
    for finding in sorted(_sorted(shown), key=lambda f: order[f.result]):
        status = finding.result
        what = finding.title
        if status == "failed" and finding.message:
            what += f"\n-> {finding.message}"
        origin = finding.origin or ""
        if finding.paths:  # the paths to the origin this proof closes (its pattern's threat model)
            origin += "\ncloses: " + ", ".join(finding.paths)
        rows.append((status.upper(), finding.check_id, origin, what, finding.address))
    hidden = [f for f in findings if f not in shown]
    skipped = sum(1 for f in hidden if f.skipped)
    notes = []
    if hidden:
        notes.append(f"checkov: {len(hidden) - skipped} more passed, {skipped} skipped with a reason in the HCL")
    notes.append(_summary_line(findings))
    return table_text(("Result", "Check", "Origin", "What", "Where"), rows, notes, width)


def table_text(columns: Sequence[str], rows: Iterable[Sequence[str]], notes: Sequence[str], width: int) -> str:
    """A plain-text table (no colour, no markup) ``width`` columns wide, then one line per note."""
    table = Table(show_lines=False, expand=False)
    for column in columns:
        table.add_column(column, overflow="fold")
    for row in rows:
        # Text, not str: an address like aws_s3_bucket.b["x"] would be read
        # as rich markup and lose its brackets.
        table.add_row(*(Text(cell) for cell in row))
    buffer = io.StringIO()
    console = Console(
        file=buffer,
        width=width,
        color_system=None,
        force_terminal=False,
        highlight=False,
        emoji=False,
        soft_wrap=False,
    )
    console.print(table)
    for note in notes:
        console.print(Text(note))
    return buffer.getvalue()


def _json(findings: list[Finding]) -> str:
    document = {
        "summary": _counts(findings),
        "findings": [{**asdict(f), "result": f.result} for f in _sorted(findings)],
    }
    return json.dumps(document, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def _xml_text(value: str) -> str:
    return _XML_ILLEGAL.sub("\ufffd", value)


def _junit(findings: list[Finding]) -> str:
    counts = _counts(findings)
    root = ET.Element(
        "testsuites",
        {
            "name": "cfgen",
            "tests": str(len(findings)),
            "failures": str(counts["failed"]),
            "skipped": str(counts["skipped"]),
            "errors": "0",
        },
    )
    sources = sorted({f.source for f in findings})
    for source in sources:
        members = _sorted(f for f in findings if f.source == source)
        member_counts = _counts(members)
        suite = ET.SubElement(
            root,
            "testsuite",
            {
                "name": source,
                "tests": str(len(members)),
                "failures": str(member_counts["failed"]),
                "skipped": str(member_counts["skipped"]),
                "errors": "0",
            },
        )
        for finding in members:
            name = f"{finding.title} [{finding.address}]" if finding.address else finding.title
            attributes = {"classname": f"{source}.{finding.check_id}", "name": _xml_text(name)}
            if finding.file:
                attributes["file"] = _xml_text(finding.file)
            case = ET.SubElement(suite, "testcase", attributes)
            if not finding.passed:
                failure = ET.SubElement(
                    case,
                    "failure",
                    {
                        "message": _xml_text(finding.message or finding.title),
                        "type": finding.check_id,
                    },
                )
                details = [
                    f"check: {finding.check_id} {finding.title}",
                    f"origin: {finding.origin or '-'}",
                    f"address: {finding.address or '-'}",
                ]
                if finding.file:
                    details.append(f"file: {finding.file}")
                if finding.message:
                    details.append(finding.message)
                failure.text = _xml_text("\n".join(details))
            elif finding.skipped:
                ET.SubElement(case, "skipped", {"message": _xml_text(finding.message)})
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


def _cfgen_version() -> str:
    try:
        return version("cfgen")
    except PackageNotFoundError:
        return "0+unknown"


def _artifact_uri(file: str) -> str:
    """Return ``file`` as the uri-reference SARIF requires (relative stays relative)."""
    if PureWindowsPath(file).drive:
        return PureWindowsPath(file).as_uri()
    posix = file.replace("\\", "/")
    if posix.startswith("/"):
        return PurePosixPath(posix).as_uri()
    return quote(posix)


def _sarif(findings: list[Finding]) -> str:
    ordered = _sorted(findings)
    rules: list[dict[str, Any]] = []
    rule_index: dict[str, int] = {}
    for finding in ordered:
        if finding.check_id not in rule_index:
            rule_index[finding.check_id] = len(rules)
            rules.append(
                {
                    "id": finding.check_id,
                    "shortDescription": {"text": finding.title or finding.check_id},
                    "properties": {"source": finding.source},
                }
            )
    # Failures are results; skipped checks are results suppressed in the
    # source with the reason as justification (SARIF's own third state, which
    # code scanning shows as closed); passes are only counted.
    results: list[dict[str, Any]] = []
    for finding in ordered:
        if finding.result == "passed":
            continue
        location: dict[str, Any] = {}
        if finding.file:
            location["physicalLocation"] = {"artifactLocation": {"uri": _artifact_uri(finding.file)}}
        if finding.address:
            location["logicalLocations"] = [{"fullyQualifiedName": finding.address, "kind": "resource"}]
        result: dict[str, Any] = {
            "ruleId": finding.check_id,
            "ruleIndex": rule_index[finding.check_id],
            "level": "error",
            "message": {"text": finding.message or finding.title or finding.check_id},
        }
        if finding.skipped:
            result["level"] = "note"
            result["message"] = {"text": finding.title or finding.check_id}
            result["suppressions"] = [{"kind": "inSource", "justification": finding.message}]
        if location:
            result["locations"] = [location]
        if finding.origin:
            result["properties"] = {"origin": finding.origin, "paths": list(finding.paths)}
        results.append(result)
    document = {
        "$schema": _SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "cfgen",
                        "version": _cfgen_version(),
                        "rules": rules,
                    }
                },
                "results": results,
                "properties": {"summary": _counts(findings)},
            }
        ],
    }
    return json.dumps(document, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
