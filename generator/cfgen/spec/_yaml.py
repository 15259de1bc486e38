"""YAML loading that remembers where every value came from.

The spec is parsed once into plain Python data plus a table from each dotted
path (``distributions.0.origins.1.bucket``) to its line and column, so that
every later error, from pydantic or from a cross-field rule, can point at the
exact spot in the user's file.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import yaml

from ..errors import SpecProblem

Path = tuple[str | int, ...]


@dataclass
class Located:
    """Plain data of a YAML document and the position of every node in it."""

    file: str
    data: Any
    values: dict[Path, tuple[int, int]] = field(default_factory=dict)
    keys: dict[Path, tuple[int, int]] = field(default_factory=dict)

    def where(self, path: Path, *, key: bool = False) -> tuple[int, int]:
        """Line and column of ``path``; of its key when ``key`` and it has one.

        A path that does not exist (a missing field) falls back to its nearest
        existing parent, which is where the user has to add it.
        """
        p = tuple(path)
        while p:
            table = self.keys if key else self.values
            if p in table:
                return table[p]
            if p in self.values:
                return self.values[p]
            p = p[:-1]
        return self.values.get((), (1, 1))


class _Loader(yaml.SafeLoader):
    pass


def load_located(text: str, file: str) -> Located:
    """Parse ``text``; raise nothing but :class:`SpecProblem` lists via ``ValueError``."""
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            raise _problem(file, 1, 1, "", "the spec is empty; start with `version: 1`")
        located = Located(file=file, data=None)
        problems: list[SpecProblem] = []
        _walk(node, (), located, problems)
        if problems:
            raise YamlProblems(problems)
        located.data = loader.construct_document(node)
        return located
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        reason = exc.problem or exc.context or "cannot parse"
        raise _problem(file, line, col, "", f"malformed YAML: {reason}") from None
    except yaml.YAMLError as exc:
        raise _problem(file, 1, 1, "", f"malformed YAML: {exc}") from None
    finally:
        loader.dispose()


class YamlProblems(ValueError):
    def __init__(self, problems: list[SpecProblem]) -> None:
        self.problems = problems
        super().__init__("\n".join(map(str, problems)))


def _problem(file: str, line: int, col: int, path: str, message: str) -> YamlProblems:
    return YamlProblems([SpecProblem(file, line, col, path, message)])


def _walk(node: yaml.Node, path: Path, out: Located, problems: list[SpecProblem]) -> None:
    out.values[path] = (node.start_mark.line + 1, node.start_mark.column + 1)
    if isinstance(node, yaml.MappingNode):
        seen: dict[str, int] = {}
        for key_node, value_node in node.value:
            key = str(key_node.value)
            child = (*path, key)
            if key in seen:
                problems.append(
                    SpecProblem(
                        out.file,
                        key_node.start_mark.line + 1,
                        key_node.start_mark.column + 1,
                        dotted(child),
                        f"duplicate key '{key}' (first on line {seen[key]}); remove one of them",
                    )
                )
                continue
            seen[key] = key_node.start_mark.line + 1
            out.keys[child] = (key_node.start_mark.line + 1, key_node.start_mark.column + 1)
            _walk(value_node, child, out, problems)
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            _walk(item, (*path, index), out, problems)


def dotted(path: Path) -> str:
    """``("distributions", 0, "name")`` -> ``"distributions.0.name"``."""
    return ".".join(str(p) for p in path)
