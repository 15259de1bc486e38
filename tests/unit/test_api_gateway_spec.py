"""`cfgen validate` on the public API Gateway modes: what would fail at apply, or open a path, is refused located."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
import yaml
from tests.conftest import EXAMPLES

from cfgen.errors import SpecError
from cfgen.spec import load_spec
from cfgen.spec.api_gateway import ApiGatewayAuthorizerOrigin

MODES = ("api-key", "resource-policy", "authorizer", "waf-header", "iam-sigv4")
SPECS = {mode: (EXAMPLES / f"api-gateway-{mode}" / "spec.yaml").read_text() for mode in MODES}


def errors_of(path: Path) -> list[str]:
    with pytest.raises(SpecError) as caught:
        load_spec(path)
    lines = str(caught.value).splitlines()
    assert all(line.startswith(f"{path}:") and ": error: " in line for line in lines), lines
    return lines


def _edit(text: str, old: str, new: str) -> str:
    assert old in text, old
    return text.replace(old, new, 1)


@pytest.mark.parametrize("mode", MODES)
def test_examples_are_valid(write_spec: Callable[[str], Path], mode: str) -> None:
    load_spec(write_spec(SPECS[mode]))


@pytest.mark.parametrize(
    ("mode", "old", "new", "expected"),
    [
        pytest.param(
            "api-key",
            "api_keys: {generations: [g1]}",
            "api_keys: {generations: [g1, g2]}",
            "origins.0.api_keys: with two generations, say which one CloudFront sends: `send: g1`",
            id="two-keys-none-sent",
        ),
        pytest.param(
            "api-key",
            "api_keys: {generations: [g1]}",
            "api_keys: {generations: [g1], send: g2}",
            "origins.0.api_keys: send: 'g2' is not one of generations (g1)",
            id="sent-key-not-a-generation",
        ),
        pytest.param(
            "api-key",
            "api_keys: {generations: [g1]}",
            "api_keys: {generations: [g1, g1], send: g1}",
            "generations are listed twice",
            id="same-generation-twice",
        ),
        pytest.param(
            "api-key",
            "api_keys: {generations: [g1]}",
            "api_keys: {generations: [g1, g2, g3], send: g3}",
            "origins.0.api_keys.generations: has 3 items; at most 2 are allowed",
            id="three-generations",
        ),
        pytest.param(
            "api-key",
            "api: {create_demo: true, stage: prod}",
            "api: {rest_api_id: a1b2c3d4e5, stage: prod}",
            "origins.0: cors adds a keyless OPTIONS preflight to the demo API; an existing API's methods are yours",
            id="cors-on-an-existing-api",
        ),
        pytest.param(
            "resource-policy",
            "api: {create_demo: true, stage: prod}",
            "api: {create_demo: true, rest_api_id: a1b2c3d4e5}",
            "origins.0.api: set exactly one of `create_demo: true` or `rest_api_id: <10-character id>`",
            id="demo-and-existing",
        ),
        pytest.param(
            "resource-policy",
            "api: {create_demo: true, stage: prod}",
            "api: {rest_api_id: a1b2c3d4e5, access_log_group_arn: "
            '"arn:aws:logs:eu-west-1:111111111111:log-group:/api/access"}',
            "access_log_group_arn sets the demo stage's access logs; an existing API's stage is yours",
            id="access-logs-of-an-existing-stage",
        ),
        pytest.param(
            "resource-policy",
            "api: {create_demo: true, stage: prod}",
            'api: {create_demo: true, access_log_group_arn: "arn:aws:logs:us-east-1:111111111111:log-group:/api/a"}',
            "origins.0.api.access_log_group_arn: us-east-1 is not the spec's region eu-west-1",
            id="access-logs-in-another-region",
        ),
        pytest.param(
            "resource-policy",
            "secret: {source: variable}",
            "secret: {source: variable, value: hunter2hunter2}",
            "`value` would put the secret in the spec",
            id="secret-value-in-the-spec",
        ),
        pytest.param(
            "resource-policy",
            "origin_request: all_viewer_except_host",
            "origin_request: all_viewer",
            "behaviors.0.origin_request: 'all_viewer' forwards the viewer's Host header, and API Gateway answers only "
            "for the API's own execute-api name",
            id="host-forwarded",
        ),
        pytest.param(
            "authorizer",
            "secret: {source: variable}\n        authorizer: {result_ttl_seconds: 60}",
            "secret: {source: variable}\n        authorizer: {secret_from: store}",
            "origins.1: authorizer.secret_from store reads Secrets Manager or SSM, and this secret is a Terraform "
            "variable",
            id="store-without-a-store",
        ),
        pytest.param(
            "authorizer",
            "api: {kind: http, create_demo: true}",
            "api: {kind: http, rest_api_id: a1b2c3d4e5}",
            "origins.1.api: kind http takes `http_api_id`, not `rest_api_id`",
            id="http-kind-with-a-rest-id",
        ),
        pytest.param(
            "authorizer",
            "api: {create_demo: true, stage: prod}",
            "api: {rest_api_id: a1b2c3d4e5, stage: $default}",
            "origins.0.api: $default is an HTTP API stage",
            id="rest-default-stage",
        ),
        pytest.param(
            "authorizer",
            "api: {kind: http, create_demo: true}",
            "api: {kind: http, create_demo: true, stage: prod}",
            "origins.1.api: the demo HTTP API has the $default stage only",
            id="http-demo-named-stage",
        ),
        pytest.param(
            "authorizer",
            "authorizer: {result_ttl_seconds: 60}",
            "authorizer: {result_ttl_seconds: 7200}",
            "origins.1.authorizer.result_ttl_seconds: expected a number of at most 3600, got 7200",
            id="ttl-over-an-hour",
        ),
        pytest.param(
            "waf-header",
            '"arn:aws:logs:eu-west-1:111111111111:log-group:aws-waf-logs-shop-api"',
            '"arn:aws:logs:eu-west-1:111111111111:log-group:shop-api"',
            "origins.0.waf_logging.destination_arn: 'arn:aws:logs:eu-west-1:111111111111:log-group:shop-api' is not a "
            "CloudWatch Logs group, S3 bucket or Firehose stream ARN whose name starts with aws-waf-logs-",
            id="waf-log-group-without-the-prefix",
        ),
        pytest.param(
            "waf-header",
            '"arn:aws:logs:eu-west-1:111111111111:log-group:aws-waf-logs-shop-api"',
            '"arn:aws:logs:eu-central-1:111111111111:log-group:aws-waf-logs-shop-api"',
            "origins.0.waf_logging.destination_arn: eu-central-1 is not the spec's region eu-west-1",
            id="waf-logs-in-another-region",
        ),
        pytest.param(
            "waf-header",
            "api: {rest_api_id: a1b2c3d4e5, stage: live}",
            "api: {rest_api_id: A1B2C3D4E5, stage: live}",
            "'A1B2C3D4E5' is not a REST API id of 10 lowercase letters and digits such as a1b2c3d4e5",
            id="api-id-in-capitals",
        ),
    ],
)
def test_refused_located_with_the_fix(
    write_spec: Callable[[str], Path], mode: str, old: str, new: str, expected: str
) -> None:
    errors = errors_of(write_spec(_edit(SPECS[mode], old, new)))
    assert any(expected in line for line in errors), errors


@pytest.mark.parametrize("second", ["resource_policy", "iam_sigv4", "api_key", "authorizer"])
def test_one_existing_api_guarded_by_two_origins_is_refused(write_spec: Callable[[str], Path], second: str) -> None:
    # The modes that write the API's policy name the one it has (current_policy).
    policy = ", current_policy: none" if second in ("resource_policy", "iam_sigv4") else ""
    text = SPECS["waf-header"].replace(
        "    behaviors:\n",
        f"      - {{id: again, type: api_gateway, protection: {second}, api: {{rest_api_id: a1b2c3d4e5{policy}}}}}\n"
        "    behaviors:\n",
    )
    errors = errors_of(write_spec(text))
    assert any(
        "origins.1.api.rest_api_id: API a1b2c3d4e5 is already the origin 'api/legacy'" in line for line in errors
    ), errors


def test_a_signed_origin_in_an_origin_group_is_refused(write_spec: Callable[[str], Path]) -> None:
    text = _edit(
        SPECS["iam-sigv4"],
        "    behaviors:\n",
        "      - {id: failover, type: s3, bucket: {name: shop-orders-failover}}\n"
        "    origin_groups: [{id: both, primary: orders, secondary: failover}]\n"
        "    behaviors:\n      - {path: /b/*, origin: both}\n",
    )
    errors = errors_of(write_spec(text))
    assert any(
        "origin_groups.0.primary: 'orders' is signed by a Lambda@Edge function on the behaviors that target it" in line
        for line in errors
    ), errors


def test_a_name_over_the_lambda_limit_is_refused_at_the_origin_id(write_spec: Callable[[str], Path]) -> None:
    text = _edit(SPECS["iam-sigv4"], "project: shop", "project: shop-platform-frontend-e")
    text = _edit(text, "  - name: api\n", "  - name: api-public-edge-xy\n")
    text = _edit(text, "      - id: orders\n", "      - id: orders-service-v2\n")
    text = text.replace("origin: orders,", "origin: orders-service-v2,")
    errors = errors_of(write_spec(text))
    assert any(
        "origins.0.id: the Lambda@Edge function and IAM role name 'shop-platform-frontend-e-api-public-edge-xy-"
        "orders-service-v2-edge'"
        in line
        and "AWS allows 64" in line
        for line in errors
    ), errors


def test_an_api_key_origin_on_an_existing_api_is_warned_about(write_spec: Callable[[str], Path]) -> None:
    text = _edit(
        SPECS["api-key"], "api: {create_demo: true, stage: prod}\n        cors: true", "api: {rest_api_id: a1b2c3d4e5}"
    )
    loaded = load_spec(write_spec(text))
    (warning,) = loaded.warnings
    assert warning.path == "distributions.0.origins.0.api.rest_api_id"
    assert "`protection: waf_header` guards every method of the stage without a redeploy" in warning.message


def test_a_web_acl_on_an_existing_stage_is_refused_until_the_spec_says_it_replaces_the_stages_own(
    write_spec: Callable[[str], Path],
) -> None:
    # The example acknowledges it; without `replace_web_acl: true` the stage's own web ACL would go silently.
    acknowledged = "        replace_web_acl: true\n"
    assert acknowledged in SPECS["waf-header"]
    assert load_spec(write_spec(SPECS["waf-header"])).warnings == []
    path = write_spec(SPECS["waf-header"].replace(acknowledged, ""))
    (line,) = errors_of(path)
    assert line.startswith(f"{path}:25:28: error: distributions.0.origins.0.api.rest_api_id: ")
    assert "replaces any web ACL stage live has now" in line
    assert "leaves the stage with none" in line
    assert (
        "get-web-acl-for-resource --resource-arn arn:aws:apigateway:eu-west-1::/restapis/a1b2c3d4e5/stages/live" in line
    )
    assert line.endswith("then set `replace_web_acl: true` to say so")
    china = SPECS["waf-header"].replace(acknowledged, "").replace("eu-west-1", "cn-north-1")
    assert any("arn:aws-cn:apigateway:cn-north-1::/restapis/" in e for e in errors_of(write_spec(china)))
    # cfgen's own demo stage has no other web ACL: nothing to acknowledge, and saying so is refused.
    demo = SPECS["waf-header"].replace("api: {rest_api_id: a1b2c3d4e5, stage: live}", "api: {create_demo: true}")
    (line,) = errors_of(write_spec(demo))
    assert "origins.0.replace_web_acl: replace_web_acl is for an existing API" in line
    assert load_spec(write_spec(demo.replace(acknowledged, ""))).warnings == []


@pytest.mark.parametrize(
    ("secret", "from_", "in_environment"),
    [
        ("{source: variable}", None, True),
        ("{source: variable}", "environment", True),
        ("{source: secrets_manager, secret_id: x/y}", None, False),
        ("{source: ssm, parameter: /x/y}", None, False),
        ("{source: ssm, parameter: /x/y}", "environment", True),
    ],
)
def test_where_the_authorizer_reads_the_secret(secret: str, from_: str | None, in_environment: bool) -> None:
    origin = ApiGatewayAuthorizerOrigin.model_validate(
        {
            "id": "o",
            "type": "api_gateway",
            "protection": "authorizer",
            "api": {"create_demo": True},
            "secret": yaml.safe_load(secret),
            "authorizer": {} if from_ is None else {"secret_from": from_},
        }
    )
    assert origin.secret_in_environment is in_environment
