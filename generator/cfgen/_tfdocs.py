"""The requirements, resources, inputs and outputs of a Terraform module, as README tables.

The tables go between terraform-docs' markers (``<!-- BEGIN_TF_DOCS -->`` and
``<!-- END_TF_DOCS -->``) in the module's README.md, in terraform-docs'
markdown-table layout; the hand-written text around them is kept. A README
without markers gets them at its end. Regenerate every module's README with::

    python -m cfgen._tfdocs modules

and check that none is stale with ``--check`` (exit 1, naming the stale files).

The module's ``.tf`` files are read with a small reader of HCL's block
structure, enough for the blocks cfgen's modules are made of (``terraform``,
``variable``, ``output``, ``resource``, ``data``, ``module``): types and
defaults are shown as written, with their whitespace collapsed.
"""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

__all__ = ["BEGIN", "END", "REGENERATE", "module_docs", "readme_with_docs", "stale_readmes"]

BEGIN = "<!-- BEGIN_TF_DOCS -->"
END = "<!-- END_TF_DOCS -->"
REGENERATE = "python -m cfgen._tfdocs modules"

_LABEL = re.compile(r'\s*"((?:[^"\\]|\\.)*)"')
_WORD = re.compile(r"[A-Za-z_][\w-]*")


@dataclass
class _Block:
    """One block: its type, labels, attributes (expression text, by name) and nested blocks."""

    kind: str
    labels: list[str]
    attributes: dict[str, str] = field(default_factory=dict)
    blocks: list[_Block] = field(default_factory=list)


class _Reader:
    """Reads the block structure of one HCL file; expressions stay text."""

    def __init__(self, text: str, name: str) -> None:
        self.text, self.name, self.i = text, name, 0

    def error(self, message: str) -> ValueError:
        line = self.text.count("\n", 0, self.i) + 1
        return ValueError(f"{self.name}:{line}: {message}")

    def body(self, closing: str | None) -> _Block:
        block = _Block("", [])
        while True:
            self.skip_space(newlines=True)
            if self.i >= len(self.text):
                if closing:
                    raise self.error("unexpected end of file, a block is not closed")
                return block
            if closing and self.text[self.i] == closing:
                self.i += 1
                return block
            word = _WORD.match(self.text, self.i)
            if not word:
                raise self.error(f"unexpected {self.text[self.i]!r}")
            self.i = word.end()
            self.skip_space(newlines=False)
            if self.text.startswith("=", self.i) and not self.text.startswith("==", self.i):
                self.i += 1
                block.attributes[word.group()] = self.expression()
                continue
            labels = []
            while (label := _LABEL.match(self.text, self.i)) is not None:
                labels.append(json.loads(f'"{label.group(1)}"'))
                self.i = label.end()
            self.skip_space(newlines=False)
            if not self.text.startswith("{", self.i):
                raise self.error(f"expected '=' or '{{' after {word.group()!r}")
            self.i += 1
            nested = self.body("}")
            nested.kind, nested.labels = word.group(), labels
            block.blocks.append(nested)

    def skip_space(self, *, newlines: bool) -> None:
        while self.i < len(self.text):
            char = self.text[self.i]
            if char in " \t\r" or (newlines and char == "\n"):
                self.i += 1
            elif char == "#" or self.text.startswith("//", self.i):
                end = self.text.find("\n", self.i)
                self.i = len(self.text) if end < 0 else end
            elif self.text.startswith("/*", self.i):
                end = self.text.find("*/", self.i)
                if end < 0:
                    raise self.error("unclosed comment")
                self.i = end + 2
            else:
                return

    def expression(self) -> str:
        """The text of an expression: to the end of its line, brackets and strings included."""
        start, depth, parts = self.i, 0, []
        while self.i < len(self.text):
            char = self.text[self.i]
            if char == '"':
                self.string()
                continue
            if self.text.startswith("<<", self.i):
                self.heredoc()
                continue
            if char == "#" or self.text.startswith("//", self.i) or self.text.startswith("/*", self.i):
                if depth == 0:
                    break
                parts.append(self.text[start : self.i])  # the comment is not part of the value
                self.skip_space(newlines=True)
                parts.append("\n")
                start = self.i
                continue
            if char in "([{":
                depth += 1
            elif char in ")]}":
                if depth == 0:
                    break
                depth -= 1
            elif char == "\n" and depth == 0:
                break
            self.i += 1
        return _one_line("".join(parts) + self.text[start : self.i])

    def string(self) -> None:
        self.i += 1
        while self.i < len(self.text) and self.text[self.i] != '"':
            self.i += 2 if self.text[self.i] == "\\" else 1
        if self.i >= len(self.text):
            raise self.error("unclosed string")
        self.i += 1

    def heredoc(self) -> None:
        found = re.compile(r"<<-?([A-Za-z_]\w*)\n").match(self.text, self.i)
        if not found:
            raise self.error("malformed heredoc")
        end = re.compile(rf"^\s*{found.group(1)}\s*$", re.M).search(self.text, found.end())
        if not end:
            raise self.error(f"heredoc {found.group(1)} is not closed")
        self.i = end.end()


def _one_line(text: str) -> str:
    """A multi-line expression on one line: a line break between two elements becomes ``, ``."""
    lines = [line.strip() for line in text.strip().splitlines() if line.strip()]
    out = lines[0] if lines else ""
    for line in lines[1:]:
        joined = out.endswith(("{", "(", "[", ",")) or line.startswith(("}", ")", "]", "?", ":"))
        out += (" " if joined else ", ") + line
    return out


def _blocks(module: Path) -> Iterator[_Block]:
    for path in sorted(module.glob("*.tf")):
        yield from _Reader(path.read_text(encoding="utf-8"), str(path)).body(None).blocks


def _string(expression: str | None) -> str:
    """The value of a string literal (a description); an expression stays as written."""
    if expression and expression.startswith('"') and expression.endswith('"'):
        try:
            value = json.loads(expression)
        except ValueError:
            return expression
        return str(value)
    return expression or ""


def _cell(text: str) -> str:
    return " ".join(text.split()).replace("|", "\\|")


def _code(text: str) -> str:
    return f"`{_cell(text)}`"


def _table(header: tuple[str, ...], rows: list[tuple[str, ...]], *, centered: tuple[str, ...] = ()) -> list[str]:
    rule = [":" + "-" * len(name) + ":" if name in centered else "-" * (len(name) + 2) for name in header]
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join(rule) + "|"]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return lines


def module_docs(module: Path) -> str:
    """The section between the markers for the module in folder ``module`` (markers included)."""
    blocks = list(_blocks(module))
    requirements: list[tuple[str, ...]] = []
    for terraform in (b for b in blocks if b.kind == "terraform"):
        if "required_version" in terraform.attributes:
            requirements.append(("terraform", _code(_string(terraform.attributes["required_version"]))))
        for providers in (b for b in terraform.blocks if b.kind == "required_providers"):
            for name, spec in providers.attributes.items():
                version = re.search(r'version\s*=\s*("(?:[^"\\]|\\.)*")', spec)
                requirements.append((name, _code(_string(version.group(1))) if version else "n/a"))
    modules: list[tuple[str, ...]] = [
        (b.labels[0], _code(_string(b.attributes.get("source")))) for b in blocks if b.kind == "module" and b.labels
    ]
    resources: list[tuple[str, ...]] = sorted(
        (f"{b.labels[0]}.{b.labels[1]}", "resource" if b.kind == "resource" else "data source")
        for b in blocks
        if b.kind in ("resource", "data") and len(b.labels) == 2
    )
    inputs: list[tuple[str, ...]] = []
    for variable in (b for b in blocks if b.kind == "variable" and b.labels):
        attributes = variable.attributes
        description = _string(attributes.get("description"))
        if attributes.get("sensitive") == "true":
            description += " (sensitive)"
        has_default = "default" in attributes
        inputs.append(
            (
                variable.labels[0],
                _cell(description),
                _code(attributes.get("type", "any")),
                _code(attributes["default"]) if has_default else "n/a",
                "no" if has_default else "yes",
            )
        )
    outputs: list[tuple[str, ...]] = []
    for output in (b for b in blocks if b.kind == "output" and b.labels):
        description = _string(output.attributes.get("description"))
        if output.attributes.get("sensitive") == "true":
            description += " (sensitive)"
        outputs.append((output.labels[0], _cell(description)))

    lines = [BEGIN]
    sections: list[tuple[str, tuple[str, ...], list[tuple[str, ...]]]] = [
        ("Requirements", ("Name", "Version"), requirements),
        ("Modules", ("Name", "Source"), modules),
        ("Resources", ("Name", "Type"), resources),
        ("Inputs", ("Name", "Description", "Type", "Default", "Required"), inputs),
        ("Outputs", ("Name", "Description"), outputs),
    ]
    for title, header, rows in sections:
        if not rows:
            continue
        if len(lines) > 1:
            lines.append("")
        lines += [f"## {title}", ""]
        lines += _table(header, rows, centered=("Required",))
    lines.append(END)
    return "\n".join(lines) + "\n"


def readme_with_docs(readme: str, docs: str) -> str:
    """``readme`` with its marked section replaced by ``docs`` (appended when it has none)."""
    begin, end = readme.find(BEGIN), readme.find(END)
    if begin < 0 and end < 0:
        return readme.rstrip("\n") + "\n\n" + docs
    if begin < 0 or end < begin:
        raise ValueError(f"the README has {END} without a {BEGIN} before it")
    after = readme[end + len(END) :]
    return readme[:begin] + docs + after.lstrip("\n")


def stale_readmes(modules: Path, *, write: bool) -> list[Path]:
    """The README.md of each module under ``modules`` whose tables are not current (rewritten if ``write``)."""
    stale = []
    for module in sorted(p for p in modules.iterdir() if p.is_dir() and any(p.glob("*.tf"))):
        readme = module / "README.md"
        current = readme.read_text(encoding="utf-8") if readme.exists() else f"# {module.name}\n"
        wanted = readme_with_docs(current, module_docs(module))
        if wanted != current:
            stale.append(readme)
            if write:
                partial = readme.with_suffix(".md.partial")
                partial.write_text(wanted, encoding="utf-8")
                partial.replace(readme)
    return stale


def main(argv: list[str] | None = None) -> int:
    """``python -m cfgen._tfdocs [--check] MODULES_DIR``: update (or check) every module's README."""
    args = list(sys.argv[1:] if argv is None else argv)
    check = "--check" in args
    folders = [a for a in args if a != "--check"]
    if len(folders) != 1 or not Path(folders[0]).is_dir():
        print("usage: python -m cfgen._tfdocs [--check] MODULES_DIR", file=sys.stderr)
        return 2
    try:
        stale = stale_readmes(Path(folders[0]), write=not check)
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    for readme in stale:
        print(f"{readme}: {'stale' if check else 'updated'}", file=sys.stderr if check else sys.stdout)
    if check and stale:
        print(f"run: {REGENERATE}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
