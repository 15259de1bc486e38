"""The renderer: deterministic, fmt-clean by construction, and literal-safe."""

from __future__ import annotations

import re
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest
from tests.conftest import EXAMPLES, MINIMAL_SPEC

from cfgen._hcl import Attr, Ref, attributes, literal
from cfgen._resources import modules_dir
from cfgen.render import render
from cfgen.spec import load_spec
from cfgen.spec.models import Bucket


def test_same_spec_same_bytes(write_spec: Callable[[str], Path]) -> None:
    loaded = load_spec(write_spec(MINIMAL_SPEC))
    assert render(loaded).files == render(loaded).files


def test_renders_root_module_and_vendors_used_modules(write_spec: Callable[[str], Path]) -> None:
    files = render(load_spec(write_spec(MINIMAL_SPEC))).files
    for name in ("versions.tf", "providers.tf", "main.tf", "variables.tf", "outputs.tf"):
        assert name in files
    assert "modules/s3-origin/main.tf" in files
    assert "modules/cloudfront-distribution/main.tf" in files
    assert 'module "web_assets"' in files["main.tf"]
    assert "distribution_arn           = module.web.arn" in files["main.tf"]


def test_checkov_skips_follow_the_spec(write_spec: Callable[[str], Path]) -> None:
    bare = render(load_spec(write_spec(MINIMAL_SPEC))).files["main.tf"]
    assert "#checkov:skip=CKV_AWS_68:" in bare
    with_waf = MINIMAL_SPEC.replace(
        "    origins:",
        "    web_acl_arn: arn:aws:wafv2:us-east-1:111111111111:global/webacl/web/"
        "12345678-1234-1234-1234-123456789012\n    origins:",
    )
    guarded = render(load_spec(write_spec(with_waf, "waf.yaml"))).files["main.tf"]
    assert "CKV_AWS_68" not in guarded
    assert "web_acl_id" in guarded


@pytest.mark.parametrize(
    ("example", "skipped", "not_skipped"),
    [
        ("s3-oac-basic", {"CKV_AWS_145": "No kms in the spec"}, ()),
        ("s3-oac-kms", {}, ("CKV_AWS_145",)),
        ("s3-oai-legacy", {"CKV_AWS_145": "Origin Access Identity cannot read SSE-KMS"}, ()),
        ("s3-website", {"CKV_AWS_70": "only with the secret Referer"}, ()),
        ("ec2-vpc-origin", {"CKV2_AWS_5": "aws_network_interface_sg_attachment"}, ()),
        ("alb-vpc-origin", {}, ("CKV2_AWS_5",)),
    ],
)
def test_origin_checkov_skips_follow_the_spec(
    example: str, skipped: dict[str, str], not_skipped: tuple[str, ...]
) -> None:
    """A built-in check is skipped on an origin's module call only when its spec makes the reason true."""
    main = render(load_spec(EXAMPLES / example / "spec.yaml")).files["main.tf"]
    for check_id, reason in skipped.items():
        (line,) = [line for line in main.splitlines() if f"#checkov:skip={check_id}:" in line]
        assert reason in line
    for check_id in not_skipped:
        assert f"#checkov:skip={check_id}:" not in main


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("plain", '"plain"'),
        ("${var.x}", '"$${var.x}"'),
        ("%{if}", '"%%{if}"'),
        ('quote " and \\', '"quote \\" and \\\\"'),
        (None, "null"),
        (True, "true"),
        (3, "3"),
        (["a", "b"], '["a", "b"]'),
        ({}, "{}"),
        (Ref("module.web.arn"), "module.web.arn"),
    ],
)
def test_literal(value: object, expected: str) -> None:
    assert literal(value) == expected


def test_attributes_match_terraform_fmt(tmp_path: Path) -> None:
    """The aligner against the real formatter, on the shapes the templates emit."""
    terraform = shutil.which("terraform") or shutil.which("tofu")
    if terraform is None:
        pytest.skip("needs terraform or tofu on PATH to compare with `fmt`")
    cases = [
        [
            Attr("a", 1),
            Attr("longer_name", "x"),
            Attr("m", {"k": "v", "key-2": "w"}),
            Attr("z", True),
        ],
        [
            Attr("a", "1", "one"),
            Attr("bbb", "12345", "two"),
            Attr("c", None),
            Attr("d", "x", "three"),
        ],
        [
            Attr("list", [{"a": 1}, {"bb": 2}]),
            Attr("after", "x"),
            Attr("tags", {"with space": "v"}),
        ],
        [Attr("only", [])],
    ]
    text = "".join(f"locals {{\n{attributes(c, 1)}\n}}\n\n" for c in cases).rstrip() + "\n"
    (tmp_path / "x.tf").write_text(text)
    result = subprocess.run(
        [terraform, "fmt", "-no-color", "-"], input=text, capture_output=True, text=True, check=True
    )
    assert result.stdout == text


def test_vendors_modules_when_cfgen_lives_under_a_dot_folder(
    tmp_path: Path, write_spec: Callable[[str], Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A wheel installed in `.venv/` must vendor its modules like a checkout does."""
    from cfgen import _resources

    data = tmp_path / ".venv" / "site-packages" / "cfgen" / "_data"
    shutil.copytree(_resources.data_root() / "templates", data / "templates")
    shutil.copytree(_resources.data_root() / "modules", data / "modules")
    monkeypatch.setattr(_resources, "data_root", lambda: data)
    files = render(load_spec(write_spec(MINIMAL_SPEC))).files
    assert "modules/s3-origin/main.tf" in files
    assert "modules/cloudfront-distribution/variables.tf" in files


@pytest.mark.parametrize("origin_type", ["s3", "s3_website"])
def test_direct_readers_and_lifecycle_days_reach_the_module_only_when_the_spec_sets_them(
    write_spec: Callable[[str], Path], origin_type: str
) -> None:
    base = MINIMAL_SPEC.replace("type: s3\n", f"type: {origin_type}\n")
    bare = render(load_spec(write_spec(base))).files["main.tf"]
    assert "direct_reader_arns" not in bare and "noncurrent_version_expiration_days" not in bare
    spec = base.replace(
        "{name: shop-assets-test}\n",
        "{name: shop-assets-test, noncurrent_version_expiration_days: 30}\n"
        "        direct_readers: [arn:aws:iam::111111111111:role/backup]\n",
    )
    main = render(load_spec(write_spec(spec, "set.yaml"))).files["main.tf"]
    assert 'direct_reader_arns                 = ["arn:aws:iam::111111111111:role/backup"]' in main
    assert "noncurrent_version_expiration_days = 30" in main


@pytest.mark.parametrize("module", ["s3-origin", "s3-website-origin"])
def test_the_modules_lifecycle_default_is_the_specs(module: str) -> None:
    """The render leaves the days out when the spec does, so both defaults must say the same."""
    variables = (modules_dir() / module / "variables.tf").read_text(encoding="utf-8")
    block = variables.split('variable "noncurrent_version_expiration_days" {', 1)[1].split("\n}\n", 1)[0]
    default = Bucket.model_fields["noncurrent_version_expiration_days"].default
    assert f"  default     = {default}\n" in block


@pytest.mark.parametrize(
    ("example", "module", "passes_region"),
    [
        ("s3-oac-kms", "web_media", True),  # an adopted bucket: its regional endpoint needs the region
        ("s3-oac-kms", "web_assets", False),
        ("private-api-vpc-origin", "api_orders", True),  # the execute-api endpoint service is regional
    ],
)
def test_modules_get_the_region_as_an_input(example: str, module: str, passes_region: bool) -> None:
    main = render(load_spec(EXAMPLES / example / "spec.yaml")).files["main.tf"]
    call = main[main.index(f'module "{module}" {{') :]
    call = call[: call.index("\n}\n")]
    assert ("region" in re.findall(r"^  (\w+) += var\.region$", call, re.M)) == passes_region
