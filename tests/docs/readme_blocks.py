"""README's generated blocks: what each holds, and `python -m tests.docs.readme_blocks` to rewrite them.

A block sits between ``<!-- BEGIN cfgen NAME -->`` and ``<!-- END cfgen NAME -->``;
its content is made by cfgen itself, so README cannot drift from the code.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

from cfgen.explain import explain, patterns_markdown, render_explanation
from cfgen.patterns._threats import NAMES
from cfgen.spec import load_spec
from cfgen.verify import probes_markdown

REPO = Path(__file__).resolve().parents[2]
README = REPO / "README.md"
COMMAND = "python -m tests.docs.readme_blocks"
_BLOCK = re.compile(r"(<!-- BEGIN cfgen (?P<name>[^>]+?) -->\n)(?P<body>.*?)(<!-- END cfgen (?P=name) -->)", re.S)


def _explained(example: str, fmt: str) -> str:
    text = render_explanation(explain(load_spec(REPO / "examples" / example / "spec.yaml")), fmt)
    return text if fmt == "mermaid" else f"```text\n{text}```\n"


def _path_keys() -> str:
    return "".join(f"- `{key}`: {words}\n" for key, words in NAMES.items())


BLOCKS: dict[str, Callable[[], str]] = {
    "patterns": patterns_markdown,
    "path keys": _path_keys,
    "explain s3-oac-basic text": lambda: _explained("s3-oac-basic", "text"),
    "explain s3-oac-basic mermaid": lambda: _explained("s3-oac-basic", "mermaid"),
    "verify probes": probes_markdown,
}


def blocks(text: str) -> dict[str, str]:
    """The generated blocks README holds now, by name."""
    return {m.group("name"): m.group("body") for m in _BLOCK.finditer(text)}


def regenerated(text: str) -> str:
    """``text`` with every known block rewritten from the code."""
    return _BLOCK.sub(lambda m: m.group(1) + BLOCKS[m.group("name")]() + m.group(4), text)


if __name__ == "__main__":
    README.write_text(regenerated(README.read_text(encoding="utf-8")), encoding="utf-8")
    print(f"rewrote {len(BLOCKS)} generated blocks of {README}")
