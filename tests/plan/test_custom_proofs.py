"""The custom-origin proofs hold on the example's plan, and each fails when its guarantee is broken.

One offline plan of ``examples/custom-origin-secret-header``; each failing
case edits a copy of its JSON the way a hand edit of the HCL would change it,
and one real hand edit of the rendered module goes through `cfgen test --dir`.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from tests.conftest import EXAMPLES
from tests.plan._plans import (
    Plan,
    Planned,
    Planner,
    assert_fails,
    broken,
    change,
    hand_edited_failures,
    plan_with_secrets,
    planned_spec,
    proof_results,
)

from cfgen.errors import ToolError
from cfgen.harness import _terraform

pytestmark = pytest.mark.plan
SPEC = EXAMPLES / "custom-origin-secret-header" / "spec.yaml"
DISTRIBUTION = "module.web.aws_cloudfront_distribution.this"


@pytest.fixture(scope="module")
def custom(tmp_path_factory: pytest.TempPathFactory, planner: Planner) -> Planned:
    return planned_spec(SPEC, tmp_path_factory.mktemp("custom"), planner)


def _origin(plan: Plan) -> dict[str, Any]:
    found: dict[str, Any] = change(plan, DISTRIBUTION)["after"]["origin"][0]
    return found


def test_custom_proofs_hold_on_the_example(custom: Planned) -> None:
    plan = custom[0]
    assert proof_results(*custom[:2]) == {"CFG_CUSTOM_HTTPS": "", "CFG_CUSTOM_SECRET": ""}
    origin = _origin(plan)
    assert origin["domain_name"] == "origin.shop.example.com"
    secret = _terraform.placeholder("web_app_origin_verify_secret")
    assert origin["custom_header"] == [{"name": "X-Origin-Verify", "value": secret}]
    [config] = origin["custom_origin_config"]
    assert (config["origin_protocol_policy"], config["origin_ssl_protocols"]) == ("https-only", ["TLSv1.2"])


def test_the_render_carries_the_server_configuration(custom: Planned) -> None:
    files = custom[2]
    for name in ("nginx.conf", "apache2.conf", "Caddyfile"):
        text = files[f"origin-snippets/web_app/{name}"]
        assert isinstance(text, str) and "origin.shop.example.com" in text and "http://127.0.0.1:8080" in text


def _config(plan: Plan) -> dict[str, Any]:
    found: dict[str, Any] = _origin(plan)["custom_origin_config"][0]
    return found


def _match_viewer(plan: Plan) -> None:
    _config(plan)["origin_protocol_policy"] = "match-viewer"


def _old_tls(plan: Plan) -> None:
    _config(plan)["origin_ssl_protocols"] = ["TLSv1.1", "TLSv1.2"]


def _through_a_vpc_origin(plan: Plan) -> None:
    _origin(plan)["custom_origin_config"] = []
    _origin(plan)["vpc_origin_config"] = [{"vpc_origin_id": "vo_x"}]


def _origin_gone(plan: Plan) -> None:
    change(plan, DISTRIBUTION)["after"]["origin"] = []
    change(plan, DISTRIBUTION)["after_unknown"]["origin"] = []


def _origin_unknown(plan: Plan) -> None:
    change(plan, DISTRIBUTION)["after"]["origin"] = []
    change(plan, DISTRIBUTION)["after_unknown"]["origin"] = True


def _header_unmarked(plan: Plan) -> None:
    change(plan, DISTRIBUTION)["after_sensitive"]["origin"] = [{"custom_header": [{}]}]


def _header_written(plan: Plan) -> None:
    value = _origin(plan)["custom_header"][0]["value"]
    plan["configuration"]["root_module"]["variables"]["written"] = {"default": value}


def _no_header(plan: Plan) -> None:
    _origin(plan)["custom_header"] = []
    change(plan, DISTRIBUTION)["after_sensitive"]["origin"] = [{"custom_header": []}]


def _header_with_a_wildcard(plan: Plan) -> None:
    _origin(plan)["custom_header"][0]["value"] = "*" + _origin(plan)["custom_header"][0]["value"][1:]


def _secret_not_from_the_secret_module(plan: Plan) -> None:
    call = plan["configuration"]["root_module"]["module_calls"]["web_app"]
    call["expressions"]["origin_secrets"] = {"references": ["var.my_secrets"]}


def _second_distribution(plan: Plan) -> None:
    """A copy of the distribution in the root, sending the same X-Origin-Verify value: it reaches the origin too."""
    second = copy.deepcopy(next(c for c in plan["resource_changes"] if c["address"] == DISTRIBUTION))
    second.update(address="aws_cloudfront_distribution.copy", name="copy", module_address=None)
    del second["module_address"]
    plan["resource_changes"].append(second)


@pytest.mark.parametrize(
    ("break_it", "check_id", "message", "also"),
    [
        (_match_viewer, "CFG_CUSTOM_HTTPS", "origin_protocol_policy 'match-viewer', not 'https-only'", set()),
        (_old_tls, "CFG_CUSTOM_HTTPS", "allows ['TLSv1.1', 'TLSv1.2'], not only TLSv1.2", set()),
        (_through_a_vpc_origin, "CFG_CUSTOM_HTTPS", "origin 'app' is not a custom origin", set()),
        (_origin_gone, "CFG_CUSTOM_HTTPS", "has no origin 'app'", {"CFG_CUSTOM_SECRET"}),
        (_origin_unknown, "CFG_CUSTOM_HTTPS", "origin 'app' is unknown at plan time", {"CFG_CUSTOM_SECRET"}),
        (_header_unmarked, "CFG_CUSTOM_SECRET", "is not sensitive in the plan", set()),
        (_header_written, "CFG_CUSTOM_SECRET", "origin header is written in the configuration", set()),
        (_no_header, "CFG_CUSTOM_SECRET", "sends 0 X-Origin-Verify headers, not one", set()),
        (_header_with_a_wildcard, "CFG_CUSTOM_SECRET", "is not 32-128 letters and digits", set()),
        (_secret_not_from_the_secret_module, "CFG_CUSTOM_SECRET", "is not the `values` of an origin-secret", set()),
        (_second_distribution, "CFG_CUSTOM_SECRET", "copy sends this origin's X-Origin-Verify secret", set()),
    ],
    ids=lambda v: v.__name__.strip("_") if callable(v) else None,
)
def test_each_custom_proof_fails_when_broken(
    custom: Planned, break_it: Callable[[Plan], None], check_id: str, message: str, also: set[str]
) -> None:
    got = broken(custom, break_it)
    assert_fails(got, check_id, message, also)
    secret = _terraform.placeholder("web_app_origin_verify_secret")
    assert all(secret not in text for text in got.values()), "a failure message never shows the secret"


def test_an_origin_that_falls_back_to_http_fails_cfgen_test(tmp_path: Path, plugin_mirror: Path) -> None:
    """The hand edit this proof exists for: CloudFront would send the secret in clear HTTP."""
    failed = hand_edited_failures(
        SPEC,
        tmp_path,
        plugin_mirror,
        {
            "modules/custom-origin/outputs.tf": (
                'origin_protocol_policy = "https-only"',
                'origin_protocol_policy = "match-viewer"',
            )
        },
    )
    assert {check for check, _ in failed} == {"CFG_CUSTOM_HTTPS"}, failed


def test_a_secret_the_server_configuration_would_refuse_stops_the_plan(tmp_path: Path, plugin_mirror: Path) -> None:
    secret = "has-hyphens-0123456789abcdef0123456789"
    with pytest.raises(ToolError) as caught:
        plan_with_secrets(SPEC, tmp_path, plugin_mirror, {"web_app_origin_verify_secret": secret})
    message = str(caught.value)
    assert secret not in message, message
    [line] = [line for line in message.splitlines() if "origin_secrets must hold" in line]
    assert line.strip().startswith("modules/custom-origin/outputs.tf:"), message
