"""The modules refuse bad inputs at `terraform validate`, with their own message, and mark what they must.

One root module calls `cloudfront-distribution`, `vpc-origin` and
`ip-target-sync` with good values (validate passes), then with one bad value at
a time (validate fails on that variable's rule, whose message is asserted).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest
from tests.plan._plans import Planner
from tests.plan._sensitive import unmarked

from cfgen.harness import _terraform

pytestmark = pytest.mark.plan

Validate = Callable[[tuple[str, str, str] | None], subprocess.CompletedProcess[str]]

MODULES = Path(__file__).resolve().parents[2] / "modules"

GOOD: dict[str, dict[str, str]] = {
    "cloudfront-distribution": {
        "name": '"demo"',
        "price_class": '"PriceClass_100"',
        "http_version": '"http2"',
        "web_acl_id": '"arn:aws:wafv2:us-east-1:111111111111:global/webacl/edge/0f1e2d3c-4b5a-6978-8a9b-0c1d2e3f4a5b"',
        "origins": '{ o = { domain_name = "b.s3.us-east-1.amazonaws.com" } }',
        "default_cache_behavior": (
            '{ target_origin_id = "o", cache_policy_id = "658327ea-f89d-4fab-a63d-7e88639e58f6" }'
        ),
    },
    "vpc-origin": {
        "name": '"demo"',
        "origin_type": '"alb"',
        "origin_domain": '"origin.example.com"',
        "vpc_id": '"vpc-0123456789abcdef0"',
        "load_balancer_name_prefix": '"web-"',
        "vpc_origin_http_port": "8080",
    },
    "ip-target-sync": {
        "name": '"demo-sync"',
        "zip_path": '"${path.module}/target_sync.zip"',
        "target_group_arn": '"arn:aws:elasticloadbalancing:eu-west-1:111111111111:targetgroup/api/0123456789abcdef"',
        "vpc_endpoint_id": '"vpce-0123456789abcdef0"',
        "role_name": '"demo-sync-role"',
        "memory_size": "256",
        "timeout": "30",
    },
}

BAD = [
    ("cloudfront-distribution", "price_class", '"PriceClass_300"', "price_class must be PriceClass_All"),
    ("cloudfront-distribution", "http_version", '"HTTP2"', "http_version must be http1.1, http2"),
    (
        "cloudfront-distribution",
        "web_acl_id",
        '"arn:aws:wafv2:eu-west-1:111111111111:regional/webacl/edge/0f1e2d3c-4b5a-6978-8a9b-0c1d2e3f4a5b"',
        "web_acl_id must be the ARN of a WAFv2 web ACL with CLOUDFRONT scope",
    ),
    ("cloudfront-distribution", "web_acl_id", '"0f1e2d3c-4b5a-6978-8a9b-0c1d2e3f4a5b"', "web_acl_id must be the ARN"),
    ("vpc-origin", "load_balancer_name_prefix", '"toolong-"', "load_balancer_name_prefix must be 1-6"),
    ("vpc-origin", "vpc_origin_http_port", "70000", "vpc_origin_http_port must be a port number"),
    ("ip-target-sync", "role_name", '"has space"', "role_name must be 1-64"),
    ("ip-target-sync", "memory_size", "64", "memory_size must be a whole number of MB"),
    ("ip-target-sync", "timeout", "901", "timeout must be a whole number of seconds"),
]


def _main_tf(root: Path, override: tuple[str, str, str] | None = None) -> None:
    calls = []
    for module, arguments in GOOD.items():
        values = dict(arguments)
        if override and override[0] == module:
            values[override[1]] = override[2]
        body = "".join(f"  {k} = {v}\n" for k, v in values.items())
        calls.append(f'module "{module.replace("-", "_")}" {{\n  source = "./modules/{module}"\n{body}}}\n')
    (root / "main.tf").write_text("\n".join(calls), encoding="utf-8")


@pytest.fixture(scope="module")
def validate(tmp_path_factory: pytest.TempPathFactory, plugin_mirror: Path) -> Validate:
    binary = shutil.which("terraform") or shutil.which("tofu")
    if binary is None:
        pytest.skip("neither terraform nor tofu is on PATH")
    work = tmp_path_factory.mktemp("module-validations")
    root = work / "root"
    # The modules under test, and the ones they call (vpc-origin calls ../lb-listener).
    needed = list(GOOD)
    for module in needed:
        for tf in (MODULES / module).glob("*.tf"):
            needed += [m for m in re.findall(r'source\s*=\s*"\.\./([\w-]+)"', tf.read_text()) if m not in needed]
    for module in needed:
        shutil.copytree(MODULES / module, root / "modules" / module)
    (root / "target_sync.zip").write_bytes(b"PK\x05\x06" + bytes(18))  # an empty zip: validate reads no code
    tfrc = work / "cli.tfrc"
    tfrc.write_text(
        "provider_installation {\n"
        f'  filesystem_mirror {{\n    path    = "{plugin_mirror}"\n'
        '    include = ["registry.terraform.io/hashicorp/aws", "registry.opentofu.org/hashicorp/aws"]\n  }\n'
        "}\n"
    )
    env = {**os.environ, "TF_CLI_CONFIG_FILE": str(tfrc), "TF_IN_AUTOMATION": "1", "TF_INPUT": "0"}
    env.pop("TF_PLUGIN_CACHE_DIR", None)
    _main_tf(root)
    init = subprocess.run(
        [binary, f"-chdir={root}", "init", "-backend=false", "-input=false", "-no-color"],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert init.returncode == 0, init.stderr

    def run(override: tuple[str, str, str] | None) -> subprocess.CompletedProcess[str]:
        _main_tf(root, override)
        return subprocess.run(
            [binary, f"-chdir={root}", "validate", "-no-color"], env=env, capture_output=True, text=True, check=False
        )

    return run


def test_good_values_validate(validate: Validate) -> None:
    done = validate(None)
    assert done.returncode == 0, done.stderr


@pytest.mark.parametrize(("module", "variable", "value", "message"), BAD, ids=[f"{m}.{v}={x}" for m, v, x, _ in BAD])
def test_a_bad_value_is_refused_by_its_rule(
    validate: Validate, module: str, variable: str, value: str, message: str
) -> None:
    done = validate((module, variable, value))
    assert done.returncode == 1
    error = " ".join(done.stderr.split())
    assert f"var.{variable} is" in error, error
    assert message in error, error


CANARY = "cfgenCanaryHeader0123456789abcdefXYZ"

CALLER = """
provider "aws" {
  region = "us-east-1"
}

variable "header" {
  type = string
}

module "distribution" {
  source = "./modules/cloudfront-distribution"
  name   = "demo"
  origins = {
    o = {
      domain_name          = "origin.example.com"
      custom_origin_config = {}
      custom_headers       = [{ name = "X-Origin-Verify", value = var.header }]
    }
  }
  default_cache_behavior = {
    target_origin_id = "o"
    cache_policy_id  = "4135ea2d-6df8-44a3-9df3-4b5a84be39ad"
  }
}
"""


def test_the_distribution_marks_header_values_a_caller_passes_unmarked(
    tmp_path: Path, planner: Planner, plugin_mirror: Path
) -> None:
    # A caller that forgets to mark its secret: the module still keeps it out of
    # plan, state and show.
    tree = tmp_path / "tree"
    shutil.copytree(MODULES / "cloudfront-distribution", tree / "modules" / "cloudfront-distribution")
    (tree / "main.tf").write_text(CALLER, encoding="utf-8")
    plan = planner.plan_tree(
        tree,
        binary=_terraform.find_binary(None),
        plugin_mirror=plugin_mirror,
        offline=True,
        work_dir=tmp_path / "work",
        tf_vars={"header": CANARY},
    )
    # Only the caller's own unmarked variable holds it in clear.
    assert unmarked(plan, [CANARY]) == ["variables.header.value"]
    (distribution,) = (c for c in plan["resource_changes"] if c["type"] == "aws_cloudfront_distribution")
    marks = distribution["change"]["after_sensitive"]
    # Terraform cannot mark one element of a set: the whole `origin` set is
    # sensitive once a header value is, and the distribution's other
    # arguments stay readable.
    assert marks["origin"] is True
    assert distribution["change"]["after"]["price_class"] == "PriceClass_All"
    assert marks.get("price_class") is not True
    assert marks.get("default_cache_behavior") is not True
