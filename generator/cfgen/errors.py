"""The one error hierarchy of cfgen.

Every error a user can meet is a :class:`CfgenError`: its ``str()`` is the
one line (or lines, one per problem) the command prints, and ``exit_code``
is what the process returns. Only ``_cli`` turns these into exits.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

__all__ = [
    "CfgenError",
    "RenderError",
    "SpecError",
    "SpecProblem",
    "ToolError",
    "UsageError",
    "WriteError",
    "one_line",
]


def one_line(text: str) -> str:
    """``text`` with every character that would break or hide a terminal line escaped.

    Control and format characters (newlines included), line and paragraph separators, and
    lone surrogates (which cannot even be printed as UTF-8) become ``\\n``,
    ``\\x1b``, ``\\u2028``, ``\\udc80``: each problem stays one line, and an
    echoed value cannot forge another line or move the cursor.
    """
    if text.isprintable():
        return text
    # Format characters (category Cf) are escaped too: bidirectional overrides can reorder what a reader sees.
    return "".join(ch if ch.isprintable() else _escape(ch) for ch in text)


def _escape(ch: str) -> str:
    escaped = ch.encode("unicode_escape", "backslashreplace").decode("ascii")
    return escaped if escaped != ch else f"\\u{ord(ch):04x}"


class CfgenError(Exception):
    """Base of every error meant for the user; the message names the fix."""

    exit_code: int = 2


class UsageError(CfgenError):
    """A command was called with arguments that cannot work together."""


@dataclass(frozen=True)
class SpecProblem:
    """One problem in a spec file, located at ``file:line:col`` and a dotted path."""

    file: str
    line: int
    col: int
    path: str
    message: str
    severity: str = "error"

    def __str__(self) -> str:
        where = f"{self.path}: " if self.path else ""
        return one_line(f"{self.file}:{self.line}:{self.col}: {self.severity}: {where}{self.message}")


class SpecError(CfgenError):
    """The spec is invalid; carries every problem found, not only the first."""

    def __init__(self, problems: Sequence[SpecProblem]) -> None:
        self.problems = list(problems)
        super().__init__("\n".join(str(p) for p in self.problems))


class RenderError(CfgenError):
    """A valid spec could not be rendered (a template or an input file failed)."""


class WriteError(CfgenError):
    """The output folder cannot be written without losing something the user had."""


class ToolError(CfgenError):
    """An external tool (terraform, tofu, checkov) is missing or failed."""

    def __init__(self, message: str, *, cmd: str = "", rc: int | None = None, stderr: str = ""):
        self.cmd = cmd
        self.rc = rc
        self.stderr = stderr
        super().__init__(message)
