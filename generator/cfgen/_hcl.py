"""HCL literals and attribute runs, laid out exactly as ``terraform fmt`` does.

Alignment in ``terraform fmt`` depends on the attribute names of a run of
consecutive single-line attributes (a multi-line value ends the run), and
trailing comments align over consecutive commented lines. Emitting that here
keeps rendering pure: no terraform binary is needed to get clean output.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

__all__ = ["Attr", "Ref", "attributes", "heredoc", "literal", "template"]

INDENT = "  "


class Ref(str):
    """A raw HCL expression (a reference such as ``module.web.arn``), never quoted."""

    __slots__ = ()


@dataclass(frozen=True)
class Attr:
    """One ``name = value`` line, with an optional trailing ``# comment``."""

    name: str
    value: Any
    comment: str = ""


def literal(value: Any, indent: int = 0) -> str:
    """``value`` as HCL: strings are escaped for ``${`` and ``%{`` templates too."""
    if isinstance(value, Ref):
        return str(value)
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return json.dumps(value)
    if isinstance(value, str):
        return _string(value)
    if isinstance(value, Mapping):
        if not value:
            return "{}"
        inner = attributes([Attr(_key(k), v) for k, v in value.items()], indent + 1)
        return "{\n" + inner + "\n" + INDENT * indent + "}"
    if isinstance(value, Sequence):
        items = [literal(v, indent + 1) for v in value]
        if not any("\n" in i for i in items):
            return "[" + ", ".join(items) + "]"
        pad = INDENT * (indent + 1)
        return "[\n" + "".join(f"{pad}{i},\n" for i in items) + INDENT * indent + "]"
    raise TypeError(f"no HCL literal for {type(value).__name__}")


def template(*parts: str) -> Ref:
    """A quoted HCL string template: each :class:`Ref` part interpolated (``${...}``), other text as is."""
    body = "".join(f"${{{part}}}" if isinstance(part, Ref) else _string(part)[1:-1] for part in parts)
    return Ref(f'"{body}"')


def attributes(attrs: Sequence[Attr], indent: int) -> str:
    """Lines of ``attrs`` at ``indent`` levels, aligned as ``terraform fmt`` aligns them."""
    pad = INDENT * indent
    rendered = [(a, literal(a.value, indent)) for a in attrs]
    lines: list[str] = []
    run: list[tuple[Attr, str]] = []

    def flush() -> None:
        width = max((len(a.name) for a, _ in run), default=0)
        bodies = [f"{pad}{a.name.ljust(width)} = {text}" for a, text in run]
        lines.extend(_align_comments(bodies, [a.comment for a, _ in run]))
        run.clear()

    for attr, text in rendered:
        if "\n" in text:
            flush()
            lines.append(f"{pad}{attr.name} = {text}")
        else:
            run.append((attr, text))
    flush()
    return "\n".join(lines)


def _align_comments(bodies: list[str], comments: list[str]) -> list[str]:
    out: list[str] = []
    i = 0
    while i < len(bodies):
        if not comments[i]:
            out.append(bodies[i])
            i += 1
            continue
        j = i
        while j < len(bodies) and comments[j]:
            j += 1
        width = max(len(b) for b in bodies[i:j])
        out.extend(f"{b.ljust(width)} # {c}" for b, c in zip(bodies[i:j], comments[i:j], strict=True))
        i = j
    return out


# What HCL reads bare as an object key: an ASCII identifier that is not a literal keyword.
_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_-]*")
_KEYWORDS = frozenset(("true", "false", "null"))
# The escapes of HCL's quoted strings. JSON's \b and \f are not among them: every other
# character that is not printable becomes \uNNNN (or \UNNNNNNNN), which HCL reads.
_ESCAPES = {'"': '\\"', "\\": "\\\\", "\n": "\\n", "\r": "\\r", "\t": "\\t"}


def heredoc(text: str, indent: int = 0) -> str:
    """``text`` (lines, no trailing spaces) as an indented heredoc (``<<-EOT``) at ``indent`` levels, read back exactly.

    A heredoc is a template: ``${`` and ``%{`` are kept as text. Terraform
    strips the common indentation of ``<<-`` heredocs, which is the one added
    here, so the value is ``text`` with a final newline.
    """
    lines = text.rstrip("\n").split("\n")
    if any(line.strip() == "EOT" for line in lines):
        raise ValueError("a heredoc line may not be EOT alone: it would end the heredoc")
    pad = INDENT * (indent + 1)
    body = "".join(f"{pad}{line}\n" if line else "\n" for line in lines)
    return "<<-EOT\n" + body.replace("${", "$${").replace("%{", "%%{") + INDENT * indent + "EOT"


def _key(key: str) -> str:
    if _IDENTIFIER.fullmatch(key) and key not in _KEYWORDS:
        return key
    # A quoted key is a template too (`${` must stay text). It is ASCII, escapes and all: `terraform fmt`
    # aligns the `=` after keys by grapheme clusters, which a Python length cannot count the same way.
    return _string(key, ascii_only=True)


def _string(value: str, *, ascii_only: bool = False) -> str:
    """A quoted HCL string holding exactly ``value``: escaped, and ``${``/``%{`` kept as text."""
    escaped = "".join(
        _ESCAPES.get(ch) or (ch if ch.isprintable() and (ch.isascii() or not ascii_only) else _code(ch)) for ch in value
    )
    return '"' + escaped.replace("${", "$${").replace("%{", "%%{") + '"'


def _code(ch: str) -> str:
    point = ord(ch)
    return f"\\u{point:04x}" if point <= 0xFFFF else f"\\U{point:08x}"
