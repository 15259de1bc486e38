"""A spec is input a pull request can change: every hostile one ends in located lines, never a crash.

Regression tests of issue 8: YAML reader errors, deep nesting, tags, alias bombs,
oversized and non-regular files, files outside the spec's folder, and messages
that stay one line in the user's words.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from pathlib import Path

import pytest
from tests.conftest import MINIMAL_SPEC
from tests.unit.conftest import EDGE_SPEC
from tests.unit.test_spec import errors_of

from cfgen.spec import MAX_SPEC_BYTES, json_schema, load_spec
from cfgen.spec._words import PATTERN_WORDS
from cfgen.spec._yaml import MAX_DEPTH, MAX_VALUES

# -- reading the spec -------------------------------------------------------


@pytest.mark.parametrize(("byte", "code"), [(b"\x1b", "001B"), (b"\x0b", "000B"), (b"\x0c", "000C"), (b"\x7f", "007F")])
def test_control_bytes_yaml_refuses_are_located(tmp_path: Path, byte: bytes, code: str) -> None:
    spec = tmp_path / "spec.yaml"
    spec.write_bytes(b"version: 1\nproject: a" + byte + b"b\n")
    assert errors_of(spec) == [
        f"2:11: error: the spec holds the control character U+{code}, which YAML does not allow; remove it "
        "(write it as an escape such as \\x1b inside double quotes if you mean it)"
    ]


@pytest.mark.parametrize(
    "text",
    [
        "a: " + "[" * 1000 + "]" * 1000 + "\n",
        "a: " + "{b: " * 1000 + "1" + "}" * 1000 + "\n",
        "".join("  " * i + f"k{i}:\n" for i in range(1000)) + "  " * 1000 + "x: 1\n",
    ],
    ids=["flow-lists", "flow-maps", "block-maps"],
)
def test_deep_nesting_is_refused_not_a_recursion_error(tmp_path: Path, text: str) -> None:
    spec = tmp_path / "spec.yaml"
    spec.write_text(text)
    [line] = errors_of(spec)
    assert f"nested more than {MAX_DEPTH} levels deep" in line


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("!!float true", "'true' cannot be read as !!float; quote it if it is text"),
        ("!!timestamp x", "'x' cannot be read as !!timestamp; quote it if it is text"),
        ("!!bool x", "'x' cannot be read as !!bool; quote it if it is text"),
        ("!!int x", "'x' cannot be read as !!int; quote it if it is text"),
        ("2024-13-45", "'2024-13-45' cannot be read as !!timestamp; quote it if it is text"),
        ("!!binary aGk=", "the YAML tag !!binary is not used in a cfgen spec; remove it"),
        ("!!set {a: null}", "the YAML tag !!set is not used in a cfgen spec; remove it"),
        ("!!python/name:os.system x", "the YAML tag !!python/name:os.system is not used in a cfgen spec; remove it"),
        ("!local x", "the YAML tag !local is not used in a cfgen spec; remove it"),
    ],
)
def test_tags_and_values_they_cannot_hold(write_spec: Callable[[str], Path], value: str, expected: str) -> None:
    lines = errors_of(write_spec(MINIMAL_SPEC.replace("project: shop", f"project: {value}")))
    assert lines == [f"2:10: error: project: {expected}"]


def test_an_alias_bomb_stops_at_the_value_bound(tmp_path: Path) -> None:
    lines = ["a0: &a0 [x,x,x,x,x,x,x,x,x]"]
    lines += [f"a{i}: &a{i} [" + ",".join([f"*a{i - 1}"] * 9) + "]" for i in range(1, 9)]
    spec = tmp_path / "spec.yaml"
    spec.write_text("\n".join(lines) + "\n")
    assert spec.stat().st_size < 400  # 9^9 = 387 million values once expanded
    [line] = errors_of(spec)
    assert f"the spec expands to more than {MAX_VALUES:,} values (aliases counted each time they are used)" in line


def test_aliases_within_the_bound_still_work(write_spec: Callable[[str], Path]) -> None:
    spec = MINIMAL_SPEC.replace("tags", "x").replace(
        "    behaviors:\n      - {path: default, origin: assets}",
        "    behaviors:\n      - &b {path: default, origin: assets}\n      - {<<: *b, path: /a/*}",
    )
    behaviors = load_spec(write_spec(spec)).spec.distributions[0].behaviors
    assert [(b.path, b.origin) for b in behaviors] == [("default", "assets"), ("/a/*", "assets")]


def test_a_spec_over_the_size_bound_is_refused_after_reading_one_byte_more(tmp_path: Path) -> None:
    spec = tmp_path / "spec.yaml"
    spec.write_bytes(b"# " + b"x" * MAX_SPEC_BYTES + b"\n")
    assert errors_of(spec) == ["1:1: error: the spec is larger than 1 MiB; a CloudFront spec is far smaller"]


def test_a_fifo_as_the_spec_is_refused_without_waiting_for_a_writer(tmp_path: Path) -> None:
    fifo = tmp_path / "spec.yaml"
    os.mkfifo(fifo)
    assert errors_of(fifo) == ["1:1: error: the spec is a FIFO; give the spec's YAML file"]


def test_a_device_as_the_spec_is_refused_without_reading_it() -> None:
    assert errors_of(Path("/dev/zero")) == ["1:1: error: the spec is a device; give the spec's YAML file"]


def test_bytes_that_are_not_utf8_are_located(tmp_path: Path) -> None:
    spec = tmp_path / "spec.yaml"
    spec.write_bytes(b"version: 1\nproject: sh\xe9p\n")
    assert errors_of(spec) == ["2:12: error: byte 0xe9 is not UTF-8 text; save the spec as UTF-8"]


def test_a_lone_surrogate_is_refused_and_never_echoed(write_spec: Callable[[str], Path]) -> None:
    lines = errors_of(write_spec(MINIMAL_SPEC.replace("project: shop", 'project: "sh\\udc80p"')))
    assert lines == [
        "2:10: error: project: holds a lone UTF-16 surrogate escape (\\ud800-\\udfff), which is not text; remove it"
    ]


def test_a_key_that_is_a_list_is_located(write_spec: Callable[[str], Path]) -> None:
    lines = errors_of(write_spec(MINIMAL_SPEC + "? [a, b]\n: 1\n"))
    assert lines == ["13:3: error: a key must be a plain name, not a list or a mapping"]


# -- files the spec names -----------------------------------------------------


@pytest.fixture
def outside(tmp_path: Path) -> Path:
    """A file beside the spec's folder (the spec lives in tmp_path/spec)."""
    secret = tmp_path / "secret.js"
    secret.write_text("function handler(event) { return 'outside'; }\n")
    return secret


@pytest.fixture
def function_spec(tmp_path: Path) -> Callable[[str], Path]:
    folder = tmp_path / "spec"
    folder.mkdir()

    def write(code: str) -> Path:
        path = folder / "spec.yaml"
        path.write_text(EDGE_SPEC.replace("code: functions/rewrite.js", f"code: {code}"))
        return path

    return write


def _function_error(path: Path) -> str:
    lines = [line for line in errors_of(path) if "functions.0.code" in line]
    assert len(lines) == 1, lines
    return lines[0].split("distributions.0.functions.0.code: ")[1]


def test_an_absolute_path_is_refused(function_spec: Callable[[str], Path], outside: Path) -> None:
    assert _function_error(function_spec(str(outside))) == (
        f"'{outside}' is an absolute path; give a path relative to the spec's folder, inside it"
    )


def test_a_path_up_and_out_is_refused(function_spec: Callable[[str], Path], outside: Path) -> None:
    message = _function_error(function_spec("../secret.js"))
    assert message.startswith("'../secret.js' resolves outside the spec's folder (")
    assert "cfgen reads only files inside it" in message


def test_a_symlink_out_is_refused(function_spec: Callable[[str], Path], outside: Path) -> None:
    spec = function_spec("link.js")
    (spec.parent / "link.js").symlink_to(outside)
    assert _function_error(spec).startswith("'link.js' resolves outside the spec's folder (")


def test_a_symlink_loop_is_refused(function_spec: Callable[[str], Path]) -> None:
    spec = function_spec("loop.js")
    (spec.parent / "loop.js").symlink_to(spec.parent / "loop.js")
    assert "loop.js" in _function_error(spec)


def test_a_fifo_is_refused_without_blocking(function_spec: Callable[[str], Path]) -> None:
    spec = function_spec("fn.js")
    os.mkfifo(spec.parent / "fn.js")
    assert _function_error(spec) == "'fn.js' is a FIFO; name a regular file"


def test_a_folder_is_refused(function_spec: Callable[[str], Path]) -> None:
    spec = function_spec("fn")
    (spec.parent / "fn").mkdir()
    assert _function_error(spec) == "'fn' is a folder; name a regular file"


@pytest.mark.skipif(os.geteuid() != 0, reason="mknod needs root")
def test_a_device_inside_the_folder_is_refused(function_spec: Callable[[str], Path]) -> None:
    spec = function_spec("zero.js")
    os.mknod(spec.parent / "zero.js", 0o600 | 0o020000, os.makedev(1, 5))  # a character device like /dev/zero
    assert _function_error(spec) == "'zero.js' is a device; name a regular file"


def test_a_nul_byte_in_a_file_name_is_refused(function_spec: Callable[[str], Path]) -> None:
    assert (
        _function_error(function_spec('"fn\\0.js"'))
        == "'fn\\x00.js' holds a NUL character; name a file in the spec's folder"
    )


def test_a_file_in_a_subfolder_is_still_read(function_spec: Callable[[str], Path]) -> None:
    spec = function_spec("lib/fn.js")
    (spec.parent / "lib").mkdir()
    (spec.parent / "lib" / "fn.js").write_text("function handler(event) { return event.request; }\n")
    (spec.parent / "keys").mkdir()
    errors = [e for e in errors_of(spec) if "functions.0.code" in e]
    assert errors == []


# -- messages ------------------------------------------------------------------


def test_every_schema_pattern_has_words() -> None:
    patterns = set(re.findall(r'"pattern": "((?:[^"\\]|\\.)*)"', json_schema()))
    decoded = {p.encode().decode("unicode_escape") for p in patterns}
    assert decoded and decoded <= set(PATTERN_WORDS), decoded - set(PATTERN_WORDS)


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        ("eu-west-1", "mars", "3:9: error: region: 'mars' is not an AWS region such as eu-west-1"),
        (
            "    origins:",
            "    comment: [a]\n    origins:",
            "7:14: error: distributions.0.comment: expected text, got a list",
        ),
        (
            "    origins:",
            "    ipv6: maybe\n    origins:",
            "7:11: error: distributions.0.ipv6: expected true or false, got 'maybe'",
        ),
        (
            "behaviors:\n      - {path: default, origin: assets}",
            "behaviors: 3",
            "11:16: error: distributions.0.behaviors: expected a list (`- item` lines, or `[a, b]`), got 3",
        ),
        (
            "type: s3",
            "type: yes",
            "error: distributions.0.origins.0.type: unknown origin type 'yes'; one of: s3, s3_website, alb, nlb, "
            'ec2, api_gateway, lambda_url, custom; unquoted, YAML reads yes as true: write "yes" if you mean the text',
        ),
        (
            "    origins:",
            "    geo_restriction: {type: whitelist, locations: [DE, NO]}\n    origins:",
            "error: distributions.0.geo_restriction.locations.1: expected text, got false; unquoted, YAML reads NO "
            'as false: write "NO" if you mean the text',
        ),
        (
            "project: shop",
            "project: 2024",
            'error: project: expected text, got 2024; write "2024" in quotes if you mean the text',
        ),
        (
            "region: eu-west-1",
            "region: eu-west-1\ntags: {7: x}",
            'error: tags.7: the key 7 must be text; write "7" in quotes',
        ),
    ],
)
def test_messages_say_what_is_expected(write_spec: Callable[[str], Path], old: str, new: str, expected: str) -> None:
    assert old in MINIMAL_SPEC
    lines = errors_of(write_spec(MINIMAL_SPEC.replace(old, new, 1)))
    assert any(expected in line for line in lines), lines


@pytest.mark.parametrize(
    ("value", "shown"),
    [('"a\\nb"', "a\\nb"), ('"a\\x1b[2Jb"', "a\\x1b[2Jb"), ('"a\\u2028b"', "a\\u2028b"), ('"a\\u202eb"', "a\\u202eb")],
)
def test_echoed_values_stay_on_one_line(write_spec: Callable[[str], Path], value: str, shown: str) -> None:
    lines = errors_of(write_spec(MINIMAL_SPEC.replace("shop-assets-test", value)))
    assert len(lines) == 1 and f"bucket name '{shown}'" in lines[0], lines
    assert lines[0].isprintable()


def test_no_raw_regex_or_library_phrase_reaches_the_user(write_spec: Callable[[str], Path]) -> None:
    bad = MINIMAL_SPEC.replace("eu-west-1", "mars").replace("name: web", "name: Web")
    for line in errors_of(write_spec(bad)):
        assert "^" not in line and "Input should" not in line and "input should" not in line, line


def test_a_long_value_is_cut_in_the_message(write_spec: Callable[[str], Path]) -> None:
    [line] = errors_of(write_spec(MINIMAL_SPEC.replace("eu-west-1", "x" * 5000)))
    assert line.endswith(f"region: {'x' * 60!r}... (5000 characters) is not an AWS region such as eu-west-1")


@pytest.mark.parametrize(
    ("key", "expected"),
    [
        ("!!timestamp version", "1:1: error: version: the key 'version' cannot be read as !!timestamp; quote it"),
        ("!!float version", "1:1: error: version: the key 'version' cannot be read as !!float; quote it"),
        ("!!binary aGk=", "1:1: error: aGk=: the YAML tag !!binary is not used in a cfgen spec; remove it"),
        ('"v\\udc80"', "1:1: error: v\\udc80: holds a lone UTF-16 surrogate escape"),
    ],
)
def test_keys_are_checked_like_values(write_spec: Callable[[str], Path], key: str, expected: str) -> None:
    lines = errors_of(write_spec(f"{key}: 1\n" + MINIMAL_SPEC.replace("version: 1\n", "")))
    assert any(line.startswith(expected) for line in lines), lines
