"""Distribution-wide features on a real offline plan, and the signed-behavior proof with its breaking fixtures.

One plan of examples/signed-downloads is taken per module; each failing case
edits a copy of its JSON the way a hand edit of the HCL would change it.
A second plan covers what the examples do not: a CloudFront Function, an
origin failover group, the strict headers policy and Route 53 records.
"""

from __future__ import annotations

import copy
import shutil
import textwrap
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from tests.conftest import EXAMPLES
from tests.plan._plans import Plan, Planner, plan_spec

from cfgen import _service
from cfgen.patterns.distribution import DistributionBinding

pytestmark = pytest.mark.plan
SIGNED = EXAMPLES / "signed-downloads"


@pytest.fixture(scope="module")
def signed(tmp_path_factory: pytest.TempPathFactory, planner: Planner) -> tuple[Plan, list[DistributionBinding]]:
    plan, rendered = plan_spec(SIGNED / "spec.yaml", tmp_path_factory.mktemp("signed"), planner)
    return plan, rendered.distributions


def results(plan: Plan, distributions: list[DistributionBinding]) -> list[str]:
    findings = _service.prove(plan, [], distributions)
    assert findings and all(f.check_id == "CFG_SIGNED_BEHAVIOR" for f in findings)
    assert all(f.passed == (not f.message) for f in findings)
    return [f.message for f in findings]


def _distribution(plan: Plan) -> dict[str, Any]:
    return next(c for c in plan["resource_changes"] if c["type"] == "aws_cloudfront_distribution")["change"]


def _private(change: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    i = next(i for i, b in enumerate(change["after"]["ordered_cache_behavior"]) if b["path_pattern"] == "/private/*")
    return change["after"]["ordered_cache_behavior"][i], change["after_unknown"]["ordered_cache_behavior"][i]


def _call(plan: Plan) -> dict[str, Any]:
    return plan["configuration"]["root_module"]["module_calls"]["files"]  # type: ignore[no-any-return]


def test_signed_behavior_proof_holds(signed: tuple[Plan, list[DistributionBinding]]) -> None:
    assert results(*signed) == [""]


def _no_key_groups(plan: Plan) -> None:
    """`trusted_key_groups` deleted from the behavior: the path is public."""
    after, unknown = _private(_distribution(plan))
    after["trusted_key_groups"] = []
    unknown["trusted_key_groups"] = []
    expression = _call(plan)["expressions"]["ordered_cache_behaviors"]
    expression["references"] = [r for r in expression["references"] if "key_group" not in r]


def _other_key_group(plan: Plan) -> None:
    """The behavior trusts a key group that is not the spec's (say, another team's)."""
    expression = _call(plan)["expressions"]["ordered_cache_behaviors"]
    expression["references"] = [
        r.replace("files_readers", "files_partners") if "key_group" in r else r for r in expression["references"]
    ]


def _literal_id(plan: Plan) -> None:
    """A hard-coded key group ID instead of the reference."""
    after, unknown = _private(_distribution(plan))
    after["trusted_key_groups"] = ["a1b2c3d4-0000-1111-2222-333344445555"]
    unknown["trusted_key_groups"] = [False]
    _other_key_group(plan)


def _key_group_gone(plan: Plan) -> None:
    plan["resource_changes"] = [c for c in plan["resource_changes"] if c["type"] != "aws_cloudfront_key_group"]


def _path_renamed(plan: Plan) -> None:
    after, _ = _private(_distribution(plan))
    after["path_pattern"] = "/privat/*"


def _empty_key(plan: Plan) -> None:
    key = next(c for c in plan["resource_changes"] if c["type"] == "aws_cloudfront_public_key")
    key["change"]["after"]["encoded_key"] = ""


@pytest.mark.parametrize(
    ("mutate", "expected"),
    [
        pytest.param(_no_key_groups, "behavior /private/* trusts no key group: anyone can fetch it", id="dropped"),
        pytest.param(
            _other_key_group,
            "behavior /private/* does not reference aws_cloudfront_key_group.files_readers",
            id="other-group",
        ),
        pytest.param(
            _literal_id,
            "trusts key group a1b2c3d4-0000-1111-2222-333344445555, which is not one the spec names",
            id="literal-id",
        ),
        pytest.param(_key_group_gone, "aws_cloudfront_key_group.files_readers is not in the plan", id="group-gone"),
        pytest.param(_path_renamed, "behavior /private/* is not in the planned distribution", id="path-renamed"),
        pytest.param(_empty_key, "aws_cloudfront_public_key.files_k2026 has no PEM public key", id="empty-key"),
    ],
)
def test_signed_behavior_proof_fails_when_broken(
    signed: tuple[Plan, list[DistributionBinding]], mutate: Callable[[Plan], None], expected: str
) -> None:
    plan = copy.deepcopy(signed[0])
    mutate(plan)
    messages = results(plan, signed[1])
    assert any(expected in m for m in messages), messages


def test_cfgen_test_dir_proves_signed_behaviors_from_the_manifest(tmp_path: Path, shared_plans: Planner) -> None:
    tree = tmp_path / "tree"
    shutil.copytree(SIGNED / "generated", tree)
    findings = _service.test(None, tree, offline=True, binary=None, plugin_mirror=str(shared_plans.mirror))
    signed = [f for f in findings if f.check_id == "CFG_SIGNED_BEHAVIOR"]
    assert [f.passed for f in signed] == [True]
    assert not [f for f in findings if not f.passed]


EDGE = """\
version: 1
project: shop
region: eu-west-1
distributions:
  - name: web
    aliases: [www.example.com, example.com]
    viewer_certificate:
      acm_certificate_arn: arn:aws:acm:us-east-1:111111111111:certificate/0b1c2d3e-4f50-6172-8394-a5b6c7d8e9f0
    default_root_object: index.html
    geo_restriction: {type: blacklist, locations: [KP]}
    route53: {zone_id: Z0123456789ABCDEFGHIJ}
    functions:
      - {name: rewrite, code: functions/rewrite.js}
    origins:
      - id: blue
        type: s3
        bucket: {name: shop-web-blue-test}
      - id: green
        type: s3
        bucket: {name: shop-web-green-test}
    origin_groups:
      - {id: site, primary: blue, secondary: green}
    behaviors:
      - {path: /upload/*, origin: blue, methods: all, response_headers: strict}
      - {path: default, origin: site, viewer_request: rewrite, response_headers: strict}
"""
REWRITE = """\
function handler(event) {
  var request = event.request;
  if (request.uri.endsWith("/")) {
    request.uri += "index.html";
  }
  return request;
}
"""


def test_functions_failover_strict_headers_and_route53_pass_cfgen_test(tmp_path: Path, shared_plans: Planner) -> None:
    (tmp_path / "functions").mkdir()
    (tmp_path / "functions" / "rewrite.js").write_text(REWRITE)
    spec = tmp_path / "spec.yaml"
    spec.write_text(textwrap.dedent(EDGE))
    findings = _service.test(spec, None, offline=True, binary=None, plugin_mirror=str(shared_plans.mirror))
    failed = [f"{f.check_id} {f.address}: {f.message}" for f in findings if not f.passed]
    assert not failed
    # The plan succeeding is what proves the function, the group and the records valid to the
    # provider; checkov reports on the headers policy (HSTS) and on the failover group (CKV_AWS_310).
    passed = {(f.check_id, f.address) for f in findings if f.passed}
    assert ("CKV_AWS_259", "aws_cloudfront_response_headers_policy.web_strict") in passed
    assert ("CKV_AWS_310", "module.web.aws_cloudfront_distribution.this") in passed
