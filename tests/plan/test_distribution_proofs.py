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
from cfgen.harness.tree import RootModule
from cfgen.patterns.distribution import DistributionBinding

pytestmark = pytest.mark.plan
SIGNED = EXAMPLES / "signed-downloads"


Signed = tuple[Plan, list[DistributionBinding], RootModule]


@pytest.fixture(scope="module")
def signed(tmp_path_factory: pytest.TempPathFactory, planner: Planner) -> Signed:
    folder = tmp_path_factory.mktemp("signed")
    plan, rendered = plan_spec(SIGNED / "spec.yaml", folder, planner)
    return plan, rendered.distributions, RootModule.read(folder / "tree")


def results(plan: Plan, distributions: list[DistributionBinding], root: RootModule) -> dict[str, str]:
    """path -> "" when its signed behavior holds, else the proof's message."""
    findings = _service.prove(plan, [], distributions, root)
    assert findings and all(f.check_id == "CFG_SIGNED_BEHAVIOR" for f in findings)
    assert all(f.passed == (not f.message) for f in findings)
    return {f.title.rsplit("(", 1)[1].rstrip(")"): f.message for f in findings}


def _distribution(plan: Plan) -> dict[str, Any]:
    return next(c for c in plan["resource_changes"] if c["type"] == "aws_cloudfront_distribution")["change"]


def _behavior(change: dict[str, Any], path: str) -> tuple[dict[str, Any], dict[str, Any]]:
    i = next(i for i, b in enumerate(change["after"]["ordered_cache_behavior"]) if b["path_pattern"] == path)
    return change["after"]["ordered_cache_behavior"][i], change["after_unknown"]["ordered_cache_behavior"][i]


def _written(root: RootModule, path: str) -> dict[str, Any]:
    behaviors = root.module_calls["files"]["ordered_cache_behaviors"]
    return next(b for b in behaviors if b["path_pattern"] == path)  # type: ignore[no-any-return]


def test_signed_behavior_proof_holds(signed: Signed) -> None:
    assert results(*signed) == {"/private/*": "", "/partners/*": ""}


# -- breaking fixtures: each edits a copy of the plan, or of the root module's HCL as read ----------


def _no_key_groups(plan: Plan, root: RootModule) -> None:
    """`trusted_key_groups` deleted from the behavior: the path is public."""
    after, unknown = _behavior(_distribution(plan), "/private/*")
    after["trusted_key_groups"] = []
    unknown["trusted_key_groups"] = []
    del _written(root, "/private/*")["trusted_key_groups"]


def _partners_get_readers(plan: Plan, root: RootModule) -> None:
    """The issue's case: /partners/* given the readers group while /private/* still uses it."""
    _written(root, "/partners/*")["trusted_key_groups"] = ["${aws_cloudfront_key_group.files_readers.id}"]


def _both_groups(plan: Plan, root: RootModule) -> None:
    """A second group added to a behavior: the plan counts two where the spec names one."""
    _, unknown = _behavior(_distribution(plan), "/private/*")
    unknown["trusted_key_groups"] = [True, True]
    _written(root, "/private/*")["trusted_key_groups"].append("${aws_cloudfront_key_group.files_partners.id}")


def _through_a_local(plan: Plan, root: RootModule) -> None:
    """The groups moved into a local: nothing written says which path trusts which."""
    _written(root, "/partners/*")["trusted_key_groups"] = "${local.groups}"


def _literal_id(plan: Plan, root: RootModule) -> None:
    """A hard-coded key group ID instead of the reference."""
    after, unknown = _behavior(_distribution(plan), "/private/*")
    after["trusted_key_groups"] = ["a1b2c3d4-0000-1111-2222-333344445555"]
    unknown["trusted_key_groups"] = [False]
    _written(root, "/private/*")["trusted_key_groups"] = ["a1b2c3d4-0000-1111-2222-333344445555"]


def _shadowed(plan: Plan, root: RootModule) -> None:
    """A narrower behavior the spec lacks, matched first, serves part of /private/* without a signature."""
    change = _distribution(plan)
    after, unknown = _behavior(change, "/private/*")
    change["after"]["ordered_cache_behavior"].insert(
        0, {**after, "path_pattern": "/private/free/*", "trusted_key_groups": []}
    )
    change["after_unknown"]["ordered_cache_behavior"].insert(0, {**unknown, "trusted_key_groups": []})


def _key_group_gone(plan: Plan, root: RootModule) -> None:
    plan["resource_changes"] = [
        c for c in plan["resource_changes"] if c["address"] != "aws_cloudfront_key_group.files_readers"
    ]


def _path_renamed(plan: Plan, root: RootModule) -> None:
    after, _ = _behavior(_distribution(plan), "/private/*")
    after["path_pattern"] = "/privat/*"


def _empty_key(plan: Plan, root: RootModule) -> None:
    key = next(c for c in plan["resource_changes"] if c["address"] == "aws_cloudfront_public_key.files_k2026")
    key["change"]["after"]["encoded_key"] = ""


def _module_renamed(plan: Plan, root: RootModule) -> None:
    root.module_calls["web"] = root.module_calls.pop("files")


@pytest.mark.parametrize(
    ("mutate", "path", "expected"),
    [
        pytest.param(_no_key_groups, "/private/*", "trusts no key group: anyone can fetch it", id="dropped"),
        pytest.param(
            _partners_get_readers,
            "/partners/*",
            "trusts aws_cloudfront_key_group.files_readers; the spec names aws_cloudfront_key_group.files_partners",
            id="partners-get-readers",
        ),
        pytest.param(_both_groups, "/private/*", "trusts 2 key groups; the spec names 1", id="two-groups"),
        pytest.param(_through_a_local, "/partners/*", "not a literal list", id="through-a-local"),
        pytest.param(
            _literal_id,
            "/private/*",
            "trusts key group a1b2c3d4-0000-1111-2222-333344445555, which is not one the spec names",
            id="literal-id",
        ),
        pytest.param(_shadowed, "/private/*", "behavior /private/free/* is not in the spec", id="shadowed"),
        pytest.param(_key_group_gone, "/private/*", "files_readers is not in the plan", id="group-gone"),
        pytest.param(
            _path_renamed, "/private/*", "behavior /private/* is not in the planned distribution", id="renamed"
        ),
        pytest.param(
            _empty_key, "/private/*", "aws_cloudfront_public_key.files_k2026 has no PEM public key", id="no-key"
        ),
        pytest.param(_module_renamed, "/private/*", 'cannot find module "files"', id="module-renamed"),
    ],
)
def test_signed_behavior_proof_fails_when_broken(
    signed: Signed, mutate: Callable[[Plan, RootModule], None], path: str, expected: str
) -> None:
    plan, distributions, root = copy.deepcopy(signed)
    mutate(plan, root)
    messages = results(plan, distributions, root)
    assert expected in messages[path], messages


def test_cfgen_test_dir_proves_signed_behaviors_from_the_manifest(tmp_path: Path, shared_plans: Planner) -> None:
    tree = tmp_path / "tree"
    shutil.copytree(SIGNED / "generated", tree)
    findings = _service.test(None, tree, offline=True, binary=None, plugin_mirror=str(shared_plans.mirror))
    signed = [f for f in findings if f.check_id == "CFG_SIGNED_BEHAVIOR"]
    assert [f.passed for f in signed] == [True, True]
    assert not [f for f in findings if not f.passed]

    # The hand edit the issue names, planned for real: /partners/* given the readers' group.
    main = tree / "main.tf"
    text = main.read_text(encoding="utf-8")
    main.write_text(
        text.replace("aws_cloudfront_key_group.files_partners.id]", "aws_cloudfront_key_group.files_readers.id]")
    )
    findings = _service.test(None, tree, offline=True, binary=None, plugin_mirror=str(shared_plans.mirror))
    failed = [f for f in findings if not f.passed]
    assert [(f.check_id, f.title) for f in failed] == [
        (
            "CFG_SIGNED_BEHAVIOR",
            "signed behavior: the path trusts exactly its key groups, whose keys are in the plan (/partners/*)",
        )
    ]


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
