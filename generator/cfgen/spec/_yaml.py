"""YAML loading that remembers where every value came from, within bounds.

The spec is parsed once into plain Python data plus a table from each dotted
path (``distributions.0.origins.1.bucket``) to its line and column, so that
every later error, from pydantic or from a cross-field rule, can point at the
exact spot in the user's file.

A spec is input a pull request can change, so reading it is bounded: the
nesting depth, the number of values the document holds once its aliases are
expanded (a few hundred bytes of nested aliases otherwise expand to billions
of values), and the tags it may use. Each limit ends in one located line.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import yaml

from ..errors import SpecProblem

__all__ = ["MAX_DEPTH", "MAX_VALUES", "Located", "YamlProblems", "dotted", "load_located"]

Path = tuple[str | int, ...]

# Far beyond any spec (the deepest path of the schema is 7 levels), far below Python's recursion limit.
MAX_DEPTH = 64
# Values of the document with every alias expanded; a spec of 100 distributions x 100 origins holds
# about 30,000. Pydantic and the rules see the expanded document, so this bounds their time too.
MAX_VALUES = 100_000

_CORE = "tag:yaml.org,2002:"
# Tags a spec may use: the ones plain YAML resolves to. `!!binary`, `!!set`, `!!omap`, `!!python/...`
# and local tags (`!x`) build values no spec field takes.
_TAGS = {f"{_CORE}{t}" for t in ("str", "int", "float", "bool", "null", "timestamp", "map", "seq", "merge", "value")}
# Keys the constructor itself resolves while it flattens a mapping (`<<: *defaults`, `=`).
_MERGE_TAGS = {f"{_CORE}merge", f"{_CORE}value"}
# What YAML 1.1 reads as true or false when unquoted, although a person meant text (NO is Norway).
YAML11_BOOLEANS = frozenset(
    w for word in ("yes", "no", "on", "off", "y", "n", "true", "false") for w in (word, word.title(), word.upper())
)


@dataclass
class Located:
    """Plain data of a YAML document and the position of every node in it."""

    file: str
    data: Any
    values: dict[Path, tuple[int, int]] = field(default_factory=dict)
    keys: dict[Path, tuple[int, int]] = field(default_factory=dict)
    # Unquoted scalars that YAML read as something other than text, as written: for "quote it" hints.
    plain: dict[Path, str] = field(default_factory=dict)

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


class YamlProblems(ValueError):
    def __init__(self, problems: list[SpecProblem]) -> None:
        self.problems = problems
        super().__init__("\n".join(map(str, problems)))


class _Loader(yaml.SafeLoader):
    """The safe loader, with a bound on nesting checked while composing (the composer recurses)."""

    def __init__(self, text: str, file: str) -> None:
        super().__init__(text)
        self.file = file
        self.depth = 0
        self.composed = 0

    def compose_node(self, parent: yaml.Node | None, index: int) -> yaml.Node | None:
        self.depth += 1
        self.composed += 1
        try:
            if self.depth > MAX_DEPTH:
                raise self._stop(
                    f"nested more than {MAX_DEPTH} levels deep; a spec is a few levels deep: check the brackets"
                )
            if self.composed > MAX_VALUES:  # counted while composing, so that a long flat list stops early too
                raise self._stop(f"the spec holds more than {MAX_VALUES:,} values; a CloudFront spec is far smaller")
            return super().compose_node(parent, index)
        finally:
            self.depth -= 1

    def _stop(self, message: str) -> YamlProblems:
        mark = self.peek_event().start_mark  # type: ignore[no-untyped-call]
        return _problem(self.file, mark.line + 1, mark.column + 1, "", message)


def load_located(text: str, file: str) -> Located:
    """Parse ``text``; raise :class:`YamlProblems` (located) and nothing else on bad input."""
    loader: _Loader | None = None
    try:
        loader = _Loader(text, file)
        node = loader.get_single_node()
        if node is None:
            raise _problem(file, 1, 1, "", "the spec is empty; start with `version: 1`")
        located = Located(file=file, data=None)
        walk = _Walk(loader, located)
        walk.node(node, ())
        if walk.problems:
            raise YamlProblems(walk.problems)
        located.data = loader.construct_document(node)
        return located
    except yaml.reader.ReaderError as exc:
        line, col = _position(text, exc.position)
        raise _problem(file, line, col, "", _unreadable(exc.character)) from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        reason = exc.problem or exc.context or "cannot parse"
        raise _problem(file, line, col, "", f"malformed YAML: {reason}") from None
    except yaml.YAMLError as exc:
        raise _problem(file, 1, 1, "", f"malformed YAML: {exc}") from None
    finally:
        if loader is not None:
            loader.dispose()


def _problem(file: str, line: int, col: int, path: str, message: str) -> YamlProblems:
    return YamlProblems([SpecProblem(file, line, col, path, message)])


def _position(text: str, offset: int) -> tuple[int, int]:
    before = text[:offset]
    return before.count("\n") + 1, offset - (before.rfind("\n") + 1) + 1


def _unreadable(character: object) -> str:
    code = character if isinstance(character, int) else ord(str(character)[:1] or "\0")
    return (
        f"the spec holds the control character U+{code:04X}, which YAML does not allow; "
        "remove it (write it as an escape such as \\x1b inside double quotes if you mean it)"
    )


class _Walk:
    """Records positions, checks tags and scalars, and counts values with aliases expanded."""

    def __init__(self, loader: _Loader, out: Located) -> None:
        self.loader = loader
        self.out = out
        self.problems: list[SpecProblem] = []
        self.visited = 0

    def node(self, node: yaml.Node, path: Path) -> None:
        self.visited += 1
        if self.visited > MAX_VALUES:
            line, col = self.out.values.get(path[:1], (1, 1))
            raise _problem(
                self.out.file,
                line,
                col,
                dotted(path[:1]),
                f"the spec expands to more than {MAX_VALUES:,} values (aliases counted each time they are used); "
                "a CloudFront spec is far smaller: check the anchors (&) and aliases (*)",
            )
        where = (node.start_mark.line + 1, node.start_mark.column + 1)
        self.out.values.setdefault(path, where)
        if node.tag not in _TAGS:
            self._add(where, path, f"the YAML tag {_tag(node.tag)} is not used in a cfgen spec; remove it")
        elif isinstance(node, yaml.MappingNode):
            self._mapping(node, path)
        elif isinstance(node, yaml.SequenceNode):
            for index, item in enumerate(node.value):
                self.node(item, (*path, index))
        elif isinstance(node, yaml.ScalarNode):
            self._scalar(node, path, where)

    def _mapping(self, node: yaml.MappingNode, path: Path) -> None:
        seen: dict[str, int] = {}
        for key_node, value_node in node.value:
            key_at = (key_node.start_mark.line + 1, key_node.start_mark.column + 1)
            if not isinstance(key_node, yaml.ScalarNode):
                self._add(key_at, path, "a key must be a plain name, not a list or a mapping")
                continue
            key = str(key_node.value)
            child = (*path, key)
            if key_node.tag not in _TAGS:
                self._add(key_at, child, f"the YAML tag {_tag(key_node.tag)} is not used in a cfgen spec; remove it")
                continue
            if key_node.tag not in _MERGE_TAGS and not self._scalar(key_node, child, key_at, key=True):
                continue
            if key in seen:
                self._add(key_at, child, f"duplicate key '{key}' (first on line {seen[key]}); remove one of them")
                continue
            seen[key] = key_at[0]
            self.out.keys.setdefault(child, key_at)
            self.node(value_node, child)

    def _scalar(self, node: yaml.ScalarNode, path: Path, where: tuple[int, int], *, key: bool = False) -> bool:
        """Whether the scalar (a value, or a ``key``) can be read; if not, its problem is recorded."""
        try:
            # Constructed once here (the loader caches it for construct_document), so that a value
            # its tag cannot hold (`!!float true`, a 13th month) is a located problem, not a crash.
            value = self.loader.construct_object(node, deep=True)
        except (ValueError, TypeError, KeyError, AttributeError, OverflowError, yaml.YAMLError):
            what = "the key " if key else ""
            self._add(where, path, f"{what}{node.value!r} cannot be read as {_tag(node.tag)}; quote it if it is text")
            return False
        if isinstance(value, str) and _has_surrogate(value):
            self._add(
                where, path, "holds a lone UTF-16 surrogate escape (\\ud800-\\udfff), which is not text; remove it"
            )
            return False
        if node.style is None and not isinstance(value, str) and not key:
            self.out.plain[path] = str(node.value)
        return True

    def _add(self, where: tuple[int, int], path: Path, message: str) -> None:
        self.problems.append(SpecProblem(self.out.file, where[0], where[1], dotted(path), message))


def _tag(tag: str) -> str:
    return f"!!{tag[len(_CORE) :]}" if tag.startswith(_CORE) else tag


def _has_surrogate(value: str) -> bool:
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def dotted(path: Path) -> str:
    """``("distributions", 0, "name")`` -> ``"distributions.0.name"``."""
    return ".".join(str(p) for p in path)
