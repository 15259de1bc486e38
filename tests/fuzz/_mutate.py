"""Mutations of the example specs, as an attacker or a careless user would make them.

Structural mutations work on the parsed document (delete, duplicate, retype,
nest, swap, add unknown keys, give a field a value its pattern admits); text
mutations work on the YAML (tags, anchors and alias bombs, control bytes,
duplicate and deleted lines, bytes that are not UTF-8). Many results are
invalid, and enough stay valid to render and plan.
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import yaml
from hypothesis import strategies as st
from tests.conftest import EXAMPLES

from cfgen.spec._words import PATTERN_WORDS

SPECS = sorted(EXAMPLES.glob("*/spec.yaml"))
DOCUMENTS = {path: yaml.safe_load(path.read_text(encoding="utf-8")) for path in SPECS}

Node = tuple[str | int, ...]

# Scalars of every kind YAML can give, hostile ones included.
SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=30),
    st.text(st.characters(codec="utf-8"), max_size=30),
    st.sampled_from(["NO", "yes", "on", "off", "~", "", " ", "0x1F", "1e400", "2024-13-45", "${x}", "%{y}", "a\nb"]),
    st.text(max_size=1).map(lambda c: c * 5000),
)
# Values that fit some field's pattern: they keep a spec valid more often than random text does.
PATTERNED = st.sampled_from(sorted(PATTERN_WORDS)).flatmap(lambda regex: st.from_regex(regex, fullmatch=True))
VALUES = st.one_of(
    SCALARS,
    PATTERNED,
    st.lists(SCALARS, max_size=3),
    st.dictionaries(st.text(max_size=8), SCALARS, max_size=3),
    st.integers(min_value=1, max_value=120).map(lambda depth: _nested(depth)),
)
TEXT_INSERTS = [
    "!!float ",
    "!!timestamp ",
    "!!bool ",
    "!!binary ",
    "!!set ",
    "!!python/object:os.system ",
    "!local ",
    "&a ",
    "*a ",
    "*undefined ",
    "<<: *a\n",
    "? ",
    "\x1b",
    "\x0b",
    "\x0c",
    "\x00",
    "\t",
    "\ufeff",
    "\udc80",
    "{",
    "[",
    "]",
    "---\n",
    "...\n",
    "%YAML 1.1\n",
    "# comment\n",
    '"\\udc80"',
    '"\\x1b[2J"',
]
BOMB = "b0: &b0 [x,x,x,x,x,x,x,x,x]\n" + "".join(
    f"b{i}: &b{i} [" + ",".join([f"*b{i - 1}"] * 9) + "]\n" for i in range(1, 9)
)


def _nested(depth: int) -> Any:
    value: Any = "x"
    for level in range(depth):
        value = [value] if level % 2 else {"k": value}
    return value


def _nodes(data: Any, path: Node = ()) -> list[Node]:
    found = [path]
    if isinstance(data, dict):
        for key, value in data.items():
            found += _nodes(value, (*path, key))
    elif isinstance(data, list):
        for index, value in enumerate(data):
            found += _nodes(value, (*path, index))
    return found


def _get(data: Any, path: Node) -> Any:
    for part in path:
        data = data[part]
    return data


@st.composite
def _structural(draw: st.DrawFn, data: Any) -> Any:
    data = copy.deepcopy(data)
    nodes = _nodes(data)
    path = draw(st.sampled_from(nodes))
    action = draw(st.sampled_from(["delete", "replace", "replace", "duplicate", "unknown", "swap"]))
    if not path:
        return draw(VALUES) if action == "replace" else data
    parent, last = _get(data, path[:-1]), path[-1]
    if action == "delete":
        del parent[last]
    elif action == "replace":
        parent[last] = draw(VALUES)
    elif action == "duplicate" and isinstance(parent, list):
        parent.insert(int(last), copy.deepcopy(parent[int(last)]))
    elif action == "unknown" and isinstance(parent, dict):
        parent[draw(st.text(min_size=1, max_size=10))] = draw(SCALARS)
    elif action == "swap":
        other = draw(st.sampled_from(nodes))
        if other and other[: len(path)] != path and path[: len(other)] != other:
            parent[last] = copy.deepcopy(_get(data, other))
    return data


@st.composite
def _textual(draw: st.DrawFn, text: str) -> str:
    lines = text.splitlines(keepends=True) or [""]
    at = draw(st.integers(0, len(lines) - 1))
    action = draw(st.sampled_from(["insert", "insert", "duplicate", "delete", "bomb", "char"]))
    if action == "insert":
        line = lines[at]
        col = draw(st.integers(0, len(line)))
        lines[at] = line[:col] + draw(st.sampled_from(TEXT_INSERTS)) + line[col:]
    elif action == "duplicate":
        lines.insert(at, lines[at])
    elif action == "delete":
        del lines[at]
    elif action == "bomb":
        lines.append(BOMB)
    else:
        line = lines[at]
        col = draw(st.integers(0, max(0, len(line) - 1)))
        lines[at] = line[:col] + draw(st.characters()) + line[col + 1 :]
    return "".join(lines)


@st.composite
def mutated_spec(draw: st.DrawFn) -> tuple[Path, bytes]:
    """An example spec's path (for the files it names) and mutated YAML bytes."""
    path = draw(st.sampled_from(SPECS))
    data = DOCUMENTS[path]
    for _ in range(draw(st.integers(0, 3))):
        data = draw(_structural(data))
    try:
        text = yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=10_000)
    except (yaml.YAMLError, RecursionError):
        text = path.read_text(encoding="utf-8")
    for _ in range(draw(st.sampled_from([0, 0, 0, 1, 1, 2]))):
        text = draw(_textual(text))
    raw = text.encode("utf-8", "surrogateescape") if draw(st.booleans()) else text.encode("utf-8", "replace")
    if draw(st.integers(0, 19)) == 0:  # now and then, bytes that are not UTF-8
        at = draw(st.integers(0, len(raw)))
        raw = raw[:at] + draw(st.binary(min_size=1, max_size=3)) + raw[at:]
    return path, raw
