"""The cfgen spec: load a YAML file into validated models, or explain why not.

This package imports nothing else of cfgen but its errors and the leaf
helper that opens regular files without blocking, so that the
schema, the editor support and ``cfgen validate`` stay independent of how
anything is rendered.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field, replace
from difflib import get_close_matches
from pathlib import Path
from types import UnionType
from typing import Annotated, Any, Union, get_args, get_origin

from pydantic import BaseModel, ValidationError

from .._regular import NotRegular, read_limited
from ..errors import SpecError, SpecProblem
from . import _files, _policies, _rules, _warnings
from ._routes import VerifyTarget, verify_target
from ._words import PATTERN_WORDS
from ._yaml import YAML11_BOOLEANS, Located, YamlProblems, dotted, load_located
from .managed_policies import (
    CACHE_POLICY_IDS,
    ORIGIN_REQUEST_POLICY_IDS,
    RESPONSE_HEADERS_POLICY_IDS,
)
from .models import Behavior, Distribution, Origin, S3Origin, S3WebsiteOrigin, Spec, origin_models, protection_modes

__all__ = [
    "CACHE_POLICY_IDS",
    "ORIGIN_REQUEST_POLICY_IDS",
    "RESPONSE_HEADERS_POLICY_IDS",
    "Behavior",
    "Distribution",
    "LoadedSpec",
    "Origin",
    "S3Origin",
    "S3WebsiteOrigin",
    "Spec",
    "VerifyTarget",
    "json_schema",
    "load_spec",
    "verify_target",
]


@dataclass(frozen=True)
class LoadedSpec:
    """A valid spec, the folder its relative paths start from, and its warnings."""

    spec: Spec
    path: Path
    warnings: list[SpecProblem] = field(default_factory=list)

    @property
    def base_dir(self) -> Path:
        return self.path.parent


# A spec of 100 distributions with 20 origins each is about 600 KB; reading stops one byte past this.
MAX_SPEC_BYTES = 1024 * 1024


def load_spec(path: Path) -> LoadedSpec:
    """Load and validate the spec at ``path``; raise :class:`SpecError` with every problem."""
    shown = str(path)
    text = _read_spec(path, shown)
    try:
        located = load_located(text, shown)
    except YamlProblems as exc:
        raise SpecError(exc.problems) from None
    try:
        spec = Spec.model_validate(located.data)
    except ValidationError as exc:
        raise SpecError(_from_pydantic(exc, located)) from None
    problems = [_at(located, path_, message) for path_, message in _rules.check(spec)]
    problems += [_at(located, path_, message) for path_, message in _files.check(spec, path.parent)]
    problems += [_at(located, path_, message) for path_, message in _policies.check(spec, path.parent)]
    if problems:
        raise SpecError(problems)
    warnings = [replace(_at(located, path_, message), severity="warning") for path_, message in _warnings.check(spec)]
    return LoadedSpec(spec=spec, path=path, warnings=warnings)


def _read_spec(path: Path, shown: str) -> str:
    def fail(message: str, line: int = 1, col: int = 1) -> SpecError:
        return SpecError([SpecProblem(shown, line, col, "", message)])

    try:
        data = read_limited(path, MAX_SPEC_BYTES)
    except FileNotFoundError:
        raise fail("no such file; check the path") from None
    except NotRegular as exc:
        raise fail(f"the spec is {exc.kind}; give the spec's YAML file") from None
    except OSError as exc:
        raise fail(f"cannot read the spec ({exc.strerror or exc})") from None
    except ValueError:  # a NUL byte in the path
        raise fail("the path holds a NUL character; check the path") from None
    if len(data) > MAX_SPEC_BYTES:
        raise fail(f"the spec is larger than {MAX_SPEC_BYTES // 1024 // 1024} MiB; a CloudFront spec is far smaller")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        before = data[: exc.start]
        line, col = before.count(b"\n") + 1, exc.start - (before.rfind(b"\n") + 1) + 1
        raise fail(f"byte 0x{data[exc.start]:02x} is not UTF-8 text; save the spec as UTF-8", line, col) from None


def json_schema() -> str:
    """The spec's JSON Schema, as the stable text that is committed and served to editors."""
    return json.dumps(Spec.model_json_schema(), indent=2, sort_keys=True) + "\n"


def _at(located: Located, path: tuple[str | int, ...], message: str, *, key: bool = False) -> SpecProblem:
    line, col = located.where(path, key=key)
    return SpecProblem(located.file, line, col, dotted(path), message)


def _from_pydantic(exc: ValidationError, located: Located) -> list[SpecProblem]:
    problems: list[SpecProblem] = []
    seen: set[tuple[str, str]] = set()
    for error in exc.errors(include_url=False):
        path = _data_path(error["loc"], located.data)
        if error["type"] == "union_tag_invalid":
            path = (*path, _discriminator(error))  # point at the tag the user wrote, not at the whole origin
        if path and path[-1] == "[key]":  # a mapping key of the wrong type (a number where a tag key goes)
            path = path[:-1]
            message, on_key = f'the key {_show(error["input"])} must be text; write "{path[-1]}" in quotes', True
        else:
            message, on_key = _explain(error, path, located)
        problem = _at(located, path, message, key=on_key)
        if (problem.path, problem.message) not in seen:
            seen.add((problem.path, problem.message))
            problems.append(problem)
    problems.sort(key=lambda p: (p.line, p.col))
    return problems


# Protection modes people ask for that protect nothing, and why: refused with the modes that work.
REFUSED_MODES = {
    "ip_allowlist": (
        "ip_allowlist is refused: an IP allowlist admits CloudFront's origin-facing addresses, and every "
        "CloudFront distribution, anyone's, in any account, comes from those same addresses, so anyone can put "
        "a distribution of their own in front of the origin and reach it around yours"
    ),
}
# The tagged unions of the spec: discriminator key -> (what it names, an example fix).
_TAGGED = {
    "type": ("origin type", "type: s3"),
    "protection": ("protection mode", "protection: <mode>"),
    "source": ("secret source", "source: variable"),
}
# Member tags of the unions told apart by `protection` (a model's class name): pydantic puts them in
# an error's location, where they name no place in the YAML.
_MEMBER_TAGS = frozenset(model.__name__ for model in origin_models())


def _discriminator(error: Any) -> str:
    name = str(error.get("ctx", {}).get("discriminator", "'type'")).strip("'").removesuffix("()")
    return name if name in _TAGGED else "type"


def _modes(path: tuple[str | int, ...], located: Located) -> str:
    """The protection modes of the origin at ``path`` (whose last part is `protection`)."""
    node = located.data
    for part in path[:-1]:
        node = _child_node(node, part)
    origin_type = node.get("type") if isinstance(node, dict) else None
    return ", ".join(protection_modes(origin_type)) if isinstance(origin_type, str) else ""


def _refused_mode(path: tuple[str | int, ...], located: Located) -> str:
    """Why the protection mode at ``path`` is refused, with the modes of its origin type ("" if it is not)."""
    if not path or path[-1] != "protection":
        return ""
    node = located.data
    for part in path:
        node = _child_node(node, part)
    if not isinstance(node, str) or node not in REFUSED_MODES:
        return ""
    return f"{REFUSED_MODES[node]}; use one of: {_modes(path, located)}"


def _data_path(loc: tuple[int | str, ...], data: Any) -> tuple[str | int, ...]:
    """Drop pydantic's union tags from ``loc`` so it names a place in the YAML."""
    path: list[str | int] = []
    node = data
    for part in loc:
        if (
            isinstance(node, dict)
            and part not in node
            and (part in _MEMBER_TAGS or any(node.get(d) == part for d in _TAGGED))
        ):
            continue  # the tag of a tagged union's member, not a key
        # Positions are recorded by the key's text: YAML may have read `1:` or `yes:` as a number or boolean.
        path.append(str(part) if isinstance(node, dict) and part in node else part)
        if isinstance(node, dict) and part in node:
            node = node.get(part)
        elif isinstance(node, list) and isinstance(part, int) and part < len(node):
            node = node[part]
        else:
            node = None
    return tuple(path)


def _explain(error: Any, path: tuple[str | int, ...], located: Located) -> tuple[str, bool]:
    """One pydantic error in the user's words: what is expected, with an example; and whether it is on the key."""
    kind, ctx, value = error["type"], error.get("ctx", {}), error.get("input")
    refused = _refused_mode(path, located)
    if refused:
        return refused, False
    if kind == "extra_forbidden":
        allowed = _allowed_keys(path[:-1], located.data)
        hint = get_close_matches(str(path[-1]), allowed, n=1)
        fix = f"did you mean '{hint[0]}'?" if hint else f"allowed keys: {', '.join(allowed)}"
        return f"unknown key '{path[-1]}'; {fix}", True
    if kind == "missing":
        return f"required key '{path[-1]}' is missing; add it", False
    if kind == "union_tag_invalid":
        expected = ctx["expected_tags"].replace("'", "")
        if _discriminator(error) == "protection":
            expected = _modes(path, located)
        what = _TAGGED[_discriminator(error)][0]
        tag = located.plain.get(path, ctx["tag"])  # as written: `yes`, not pydantic's 'True'
        return f"unknown {what} {tag!r}; one of: {expected}{_quote_hint(path, located)}", False
    if kind == "union_tag_not_found":
        what, fix = _TAGGED[_discriminator(error)]
        if _discriminator(error) == "protection":
            path = (*path, "protection")
            return f"origin has no `protection`; add one of: {_modes(path, located)}", False
        return f"{what.split()[0]} has no `{_discriminator(error)}`; add `{fix}`", False
    if kind in ("literal_error", "enum"):
        return f"{_show(value)} is not allowed; expected {ctx['expected']}{_quote_hint(path, located)}", False
    if kind == "string_pattern_mismatch":
        words = PATTERN_WORDS.get(ctx["pattern"], "in the form the JSON Schema gives (`cfgen schema`)")
        return f"{_show(value)} is not {words}", False
    if kind == "value_error":
        return str(ctx["error"]), False
    expected = _EXPECTED.get(kind)
    if expected is not None:
        # A number out of bounds was meant as a number: no hint to quote it.
        quote = "" if kind in _BOUNDS else _quote_hint(path, located)
        return f"expected {expected.format(**ctx)}, got {_show(value)}{quote}", False
    if kind in ("string_too_long", "too_long"):
        unit = "characters" if kind == "string_too_long" else "items"
        return f"has {_size(value)} {unit}; at most {ctx['max_length']} are allowed", False
    if kind in ("string_too_short", "too_short"):
        if ctx["min_length"] == 1:
            return "is empty; give at least one " + ("character" if kind == "string_too_short" else "item"), False
        unit = "characters" if kind == "string_too_short" else "items"
        return f"has {_size(value)} {unit}; at least {ctx['min_length']} are needed", False
    # A kind not listed above: pydantic's own sentence, lower-cased, rather than nothing.
    return f"{error['msg'][0].lower()}{error['msg'][1:]} (got {_show(value)})", False


# Type errors: what the field expects, in the words of a YAML user.
_EXPECTED = {
    "string_type": "text",
    "model_type": "a mapping of `key: value` lines",
    "model_attributes_type": "a mapping of `key: value` lines",
    "dict_type": "a mapping of `key: value` lines",
    "list_type": "a list (`- item` lines, or `[a, b]`)",
    "int_type": "a whole number",
    "int_parsing": "a whole number",
    "int_from_float": "a whole number",
    "bool_type": "true or false",
    "bool_parsing": "true or false",
    "greater_than_equal": "a number of at least {ge}",
    "less_than_equal": "a number of at most {le}",
    "greater_than": "a number above {gt}",
    "less_than": "a number below {lt}",
}


_BOUNDS = frozenset({"greater_than_equal", "less_than_equal", "greater_than", "less_than"})


def _quote_hint(path: tuple[str | int, ...], located: Located) -> str:
    """For an unquoted word that YAML read as a boolean, number or date: how to make it text."""
    raw = located.plain.get(path)
    if raw is None:
        return ""
    if raw in YAML11_BOOLEANS:
        meaning = "true" if raw.lower() in ("yes", "on", "y", "true") else "false"
        return f'; unquoted, YAML reads {raw} as {meaning}: write "{raw}" if you mean the text'
    return f'; write "{raw}" in quotes if you mean the text'


def _size(value: Any) -> int | str:
    return len(value) if isinstance(value, str | list | dict) else "too many"


def _allowed_keys(path: tuple[str | int, ...], data: Any) -> list[str]:
    """The keys the model at ``path`` accepts, for "did you mean" hints."""
    annotation: Any = Spec
    node = data
    for part in path:
        # A union is resolved by the node it describes (an origin by its type and protection), before descending.
        annotation = _unwrap(annotation, node)
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            field_ = annotation.model_fields.get(str(part))
            annotation = field_.annotation if field_ else None
        elif get_origin(annotation) is list:
            annotation = get_args(annotation)[0]
        node = _child_node(node, part)
    model = _unwrap(annotation, node)
    if isinstance(model, type) and issubclass(model, BaseModel):
        return sorted(model.model_fields)
    return []


def _child_node(node: Any, part: str | int) -> Any:
    if isinstance(node, dict):
        return node.get(part)
    if isinstance(node, list) and isinstance(part, int) and part < len(node):
        return node[part]
    return None


def _unwrap(annotation: Any, node: Any) -> Any:
    """Strip Annotated/Optional; pick a tagged union's member by the node's `type`, `protection`, `source`."""
    while get_origin(annotation) is Annotated:
        annotation = get_args(annotation)[0]
    if get_origin(annotation) in (Union, UnionType):
        members = _members(annotation)
        matching = [m for m in members if isinstance(node, dict) and _tags_match(m, node)]
        annotation = matching[0] if matching else (members[0] if len(members) == 1 else None)
    return annotation


def _members(annotation: Any) -> list[Any]:
    """The leaves of a union of unions, Annotated and None looked through."""
    while get_origin(annotation) is Annotated:
        annotation = get_args(annotation)[0]
    if get_origin(annotation) in (Union, UnionType):
        return [leaf for arg in get_args(annotation) if arg is not type(None) for leaf in _members(arg)]
    return [annotation]


def _tags_match(model: Any, node: dict[Any, Any]) -> bool:
    """Whether every tag field of ``model`` accepts what ``node`` says (or its default, when silent)."""
    fields = getattr(model, "model_fields", {})
    tags = [key for key in _TAGGED if key in fields]
    for key in tags:
        given = node.get(key, fields[key].default)
        if given not in get_args(fields[key].annotation):
            return False
    return bool(tags)


def _show(value: Any) -> str:
    """A value as the user wrote it in YAML, quoted when it is text (a long one cut, so the line stays readable)."""
    if isinstance(value, str):
        return repr(value) if len(value) <= 80 else f"{value[:60]!r}... ({len(value)} characters)"
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "an empty value"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, int | float):
        return str(value)
    return f"the {type(value).__name__} {value}"
