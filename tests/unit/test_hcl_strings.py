"""Every string the schema admits renders as HCL that Terraform reads back as the same string.

JSON's escapes are not HCL's (\\b and \\f are not HCL escapes), and a quoted
HCL string or object key is a template (``${`` interpolates). One terraform
``console`` call reads a batch of fixed and generated strings and keys back.
"""

from __future__ import annotations

import base64
import json
import os
import subprocess
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from tests.conftest import MINIMAL_SPEC

from cfgen._hcl import Attr, attributes, heredoc, literal
from cfgen.harness import _terraform
from cfgen.render import render
from cfgen.spec import load_spec

FIXED = [
    "plain",
    'quote " and backslash \\',
    "JSON-only escapes \b \f",
    "every C0 control " + "".join(chr(c) for c in range(32)),
    "DEL \x7f, C1 \x85, separators \u2028\u2029, bidi \u202e, BOM \ufeff",
    "${template} %{directive} $${escaped} $$${more} %%{escaped} $ % { }",
    "end$",
    "end%",
    "non-BMP 😀 \U000e0001",
]
KEYS = ["team", "${x}", "%{y}", "a b", "true", "null", "false", "²", "_", "a-b", "1a", "aws-cdk:x", "\b"]
# Every character a YAML spec can carry in a string (no lone surrogates: the loader refuses them).
TEXT = st.text(st.characters(exclude_categories=("Cs",)), max_size=40)


def _read_back(tmp_path: Path, values: list[str], keys: list[str]) -> tuple[list[str], list[str]]:
    """What terraform reads from the rendered literals, in one init and one console call."""
    try:
        binary = _terraform.find_binary(None)
    except Exception as exc:  # no terraform or tofu on PATH
        pytest.skip(str(exc))
    (tmp_path / "main.tf").write_text(
        "locals {\n" + attributes([Attr("values", values), Attr("keys", dict.fromkeys(keys, "v"))], 1) + "\n}\n",
        encoding="utf-8",
    )
    env = {**os.environ, "TF_CLI_CONFIG_FILE": os.devnull, "CHECKPOINT_DISABLE": "1"}
    fmt = subprocess.run([binary, "fmt", "-check", "-diff", str(tmp_path)], capture_output=True, text=True, env=env)
    assert fmt.returncode == 0, fmt.stdout + fmt.stderr
    init = subprocess.run([binary, f"-chdir={tmp_path}", "init", "-backend=false"], capture_output=True, env=env)
    assert init.returncode == 0, init.stderr
    console = subprocess.run(
        [binary, f"-chdir={tmp_path}", "console"],
        input="base64encode(jsonencode([local.values, keys(local.keys)]))\n",
        capture_output=True,
        text=True,
        env=env,
    )
    assert console.returncode == 0, console.stderr
    got_values, got_keys = json.loads(base64.b64decode(json.loads(console.stdout.strip())))
    return got_values, got_keys


@pytest.mark.plan
def test_terraform_reads_back_every_string_and_key(tmp_path: Path) -> None:
    generated: list[str] = []

    @settings(max_examples=300, database=None, derandomize=True, suppress_health_check=list(HealthCheck))
    @given(TEXT)
    def collect(text: str) -> None:
        generated.append(text)

    collect()
    values = FIXED + generated
    keys = sorted(set(KEYS + [g for g in generated if g]))
    got_values, got_keys = _read_back(tmp_path, values, keys)
    assert got_values == values
    assert sorted(got_keys) == sorted(keys)


@pytest.mark.parametrize(
    ("value", "hcl"),
    [
        ("a\bb\fc", '"a\\u0008b\\u000cc"'),
        ("${x}", '"$${x}"'),
        ("%{x}", '"%%{x}"'),
        ("\x7f\u2028", '"\\u007f\\u2028"'),
        ("\U000e0001", '"\\U000e0001"'),
    ],
)
def test_strings_use_only_hcl_escapes(value: str, hcl: str) -> None:
    assert literal(value) == hcl


@pytest.mark.parametrize(
    ("key", "hcl"), [("team", "team"), ("${x}", '"$${x}"'), ("true", '"true"'), ("é²", '"\\u00e9\\u00b2"')]
)
def test_map_keys_are_bare_only_when_hcl_reads_them_as_text(key: str, hcl: str) -> None:
    assert literal({key: "v"}) == "{\n  " + hcl + ' = "v"\n}'


def test_a_spec_file_name_cannot_end_the_header_comment(tmp_path: Path) -> None:
    spec = tmp_path / 'x.yaml\nresource "null_resource" "evil" {}\n#'
    spec.write_text(MINIMAL_SPEC)
    for text in render(load_spec(spec)).files.values():
        if isinstance(text, str):
            assert '\nresource "null_resource"' not in text


@pytest.mark.plan
def test_terraform_reads_back_a_kept_policy_heredoc(tmp_path: Path) -> None:
    """The heredoc a kept policy is written as: the JSON comes back exactly, and `terraform fmt` leaves it."""
    document = {
        "Statement": [
            {"Resource": "arn:aws:s3:::b/${aws:username}/*", "Condition": {"x": ["%{if}", "$${kept}", "é 😀 \u2028"]}}
        ]
    }
    text = json.dumps(document, indent=2, ensure_ascii=False) + "\n"
    try:
        binary = _terraform.find_binary(None)
    except Exception as exc:  # no terraform or tofu on PATH
        pytest.skip(str(exc))
    (tmp_path / "main.tf").write_text(f"locals {{\n  doc = {heredoc(text, 1)}\n}}\n", encoding="utf-8")
    env = {**os.environ, "TF_CLI_CONFIG_FILE": os.devnull, "CHECKPOINT_DISABLE": "1"}
    fmt = subprocess.run([binary, "fmt", "-check", "-diff", str(tmp_path)], capture_output=True, text=True, env=env)
    assert fmt.returncode == 0, fmt.stdout + fmt.stderr
    subprocess.run([binary, f"-chdir={tmp_path}", "init", "-backend=false"], capture_output=True, env=env, check=True)
    console = subprocess.run(
        [binary, f"-chdir={tmp_path}", "console"],
        input="base64encode(local.doc)\n",
        capture_output=True,
        text=True,
        env=env,
    )
    assert console.returncode == 0, console.stderr
    assert base64.b64decode(json.loads(console.stdout.strip())).decode() == text


def test_a_heredoc_refuses_a_line_that_would_end_it() -> None:
    with pytest.raises(ValueError, match="EOT"):
        heredoc("{\n  EOT\n}\n")
