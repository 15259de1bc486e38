"""What the API Gateway modes render: the module calls, the origin, the edge function, the artifacts, and explain."""

from __future__ import annotations

import io
import json
import re
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest
from tests.conftest import EXAMPLES

from cfgen import artifacts
from cfgen.explain import explain
from cfgen.render import render
from cfgen.spec import load_spec

MODES = ("api-key", "resource-policy", "authorizer", "waf-header", "iam-sigv4")


def rendered(mode: str) -> dict[str, str | bytes]:
    return render(load_spec(EXAMPLES / f"api-gateway-{mode}" / "spec.yaml")).files


def text(files: dict[str, str | bytes], name: str) -> str:
    value = files[name]
    assert isinstance(value, str)
    return value


def test_the_us_east_1_provider_is_declared_only_for_the_edge_signer() -> None:
    for mode in MODES:
        providers = text(rendered(mode), "providers.tf")
        assert ('alias  = "us_east_1"' in providers) == (mode == "iam-sigv4"), mode
    main = text(rendered("iam-sigv4"), "main.tf")
    call = main[main.index('module "api_orders_edge"') :]
    assert "providers = {\n    aws = aws.us_east_1\n  }" in call[: call.index("\n}\n")]


def test_every_behavior_of_a_signed_origin_runs_the_signer_with_the_body(write_spec: Callable[[str], Path]) -> None:
    spec = (EXAMPLES / "api-gateway-iam-sigv4" / "spec.yaml").read_text()
    spec = spec.replace(
        "    behaviors:\n",
        "      - {id: assets, type: s3, bucket: {name: shop-api-assets-example}}\n"
        "    behaviors:\n      - {path: /v2/*, origin: orders, methods: all, origin_request: all_viewer_except_host}\n"
        "      - {path: /static/*, origin: assets}\n",
    )
    main = text(render(load_spec(write_spec(spec))).files, "main.tf")
    association = (
        "lambda_function_associations = [\n"
        "{\n"
        'event_type   = "origin-request"\n'
        "lambda_arn   = module.api_orders_edge.qualified_arn\n"
        "include_body = true\n"
        "},\n"
        "]"
    )
    flat = re.sub(r"\n\s+", "\n", main)
    # The default behavior and /v2/* target the API; /static/* targets the bucket and runs nothing.
    assert flat.count(association) == 2
    static = flat[flat.index('path_pattern               = "/static/*"') :]
    assert "lambda_function_associations" not in static[: static.index("},")]


@pytest.mark.parametrize(
    ("mode", "calls"),
    [
        ("api-key", ["api_orders_api", "api_orders_keys"]),
        ("resource-policy", ["api_orders_referer", "api_orders_api", "api_orders_policy"]),
        (
            "authorizer",
            [
                "api_orders_origin_verify",
                "api_orders_authorizer",
                "api_orders_api",
                "api_search_origin_verify",
                "api_search_authorizer",
                "api_search_api",
            ],
        ),
        ("waf-header", ["api_legacy_origin_verify", "api_legacy_waf"]),
        ("iam-sigv4", ["api_orders_api", "api_orders_edge", "api_orders_policy"]),
    ],
)
def test_one_module_call_per_concern(mode: str, calls: list[str]) -> None:
    main = text(rendered(mode), "main.tf")
    assert re.findall(r'^module "(\w+)"', main, re.M) == ["api", *calls]


def test_an_existing_api_is_reached_by_its_execute_api_host_and_stage() -> None:
    main = text(rendered("waf-header"), "main.tf")
    assert 'domain_name = "a1b2c3d4e5.execute-api.eu-west-1.amazonaws.com"' in main
    assert 'origin_path = "/live"' in main
    assert 'stage = "arn:aws:apigateway:eu-west-1::/restapis/a1b2c3d4e5/stages/live"' in main
    assert "api-gateway-demo" not in "".join(rendered("waf-header"))


def test_an_http_api_default_stage_has_no_origin_path() -> None:
    main = text(rendered("authorizer"), "main.tf")
    search = main[main.index("    search = {") :]
    assert "origin_path" not in search[: search.index("\n    }\n")]


@pytest.mark.parametrize(
    ("mode", "zips"),
    [
        (
            "authorizer",
            {"api_orders/origin_authorizer.zip", "api_search/origin_authorizer.zip", "api_search/demo_api.zip"},
        ),
        ("iam-sigv4", {"api_orders/edge_signer.zip"}),
    ],
)
def test_shipped_functions_are_zipped_the_same_every_render(mode: str, zips: set[str]) -> None:
    first, second = rendered(mode), rendered(mode)
    found = {name.removeprefix("artifacts/") for name in first if name.startswith("artifacts/")}
    assert found == zips
    for name in found:
        assert first[f"artifacts/{name}"] == second[f"artifacts/{name}"]


def test_the_edge_signer_knows_an_existing_apis_host_and_signs_for_the_demo_wherever_sent(
    write_spec: Callable[[str], Path],
) -> None:
    def config(files: dict[str, str | bytes]) -> dict[str, object]:
        data = files["artifacts/api_orders/edge_signer.zip"]
        assert isinstance(data, bytes)
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            loaded: dict[str, object] = json.loads(archive.read(f"edge_signer/{artifacts.EDGE_SIGNER_CONFIG}"))
        return loaded

    assert config(rendered("iam-sigv4")) == {"host": None, "region": "eu-west-1"}
    spec = (EXAMPLES / "api-gateway-iam-sigv4" / "spec.yaml").read_text()
    adopted = spec.replace(
        "api: {create_demo: true, stage: prod}", "api: {rest_api_id: a1b2c3d4e5, stage: prod, current_policy: none}"
    )
    files = render(load_spec(write_spec(adopted))).files
    assert config(files) == {"host": "a1b2c3d4e5.execute-api.eu-west-1.amazonaws.com", "region": "eu-west-1"}


@pytest.mark.parametrize("mode", MODES)
def test_no_secret_value_is_written_and_secrets_come_from_modules(mode: str) -> None:
    main = text(rendered(mode), "main.tf")
    for header in re.findall(r'name  = "(?:x-api-key|Referer|X-Origin-Verify|x-origin-verify)"\n\s+value = (.+)', main):
        assert header.startswith("module."), header


def test_api_key_rotation_sends_the_generation_the_spec_names(write_spec: Callable[[str], Path]) -> None:
    spec = (EXAMPLES / "api-gateway-api-key" / "spec.yaml").read_text()
    rotating = spec.replace("api_keys: {generations: [g1]}", "api_keys: {generations: [g1, g2], send: g2}")
    main = text(render(load_spec(write_spec(rotating))).files, "main.tf")
    assert 'value = module.api_orders_keys.values["g2"]' in main
    assert 'key_names   = ["g1", "g2"]' in main


@pytest.mark.parametrize(
    ("mode", "adopted", "todo"),
    [
        ("api-key", "api: {rest_api_id: a1b2c3d4e5, stage: prod}", "Set api_key_required = true on every method"),
        (
            "resource-policy",
            "api: {rest_api_id: a1b2c3d4e5, stage: prod, current_policy: none}",
            "Redeploy stage prod of API a1b2c3d4e5 after the first apply",
        ),
        ("authorizer", "api: {rest_api_id: a1b2c3d4e5, stage: prod}", "set authorization CUSTOM with the authorizer"),
        (
            "iam-sigv4",
            "api: {rest_api_id: a1b2c3d4e5, stage: prod, current_policy: none}",
            "Set authorization AWS_IAM on every method",
        ),
    ],
)
def test_an_adopted_api_keeps_the_internet_path_residual_and_says_what_to_do(
    write_spec: Callable[[str], Path], mode: str, adopted: str, todo: str
) -> None:
    spec = (EXAMPLES / f"api-gateway-{mode}" / "spec.yaml").read_text()
    spec = spec.replace("api: {create_demo: true, stage: prod}\n        cors: true", adopted)
    spec = spec.replace("api: {create_demo: true, stage: prod}", adopted)
    demo, existing = (
        explain(load_spec(p))[0] for p in (EXAMPLES / f"api-gateway-{mode}" / "spec.yaml", write_spec(spec))
    )
    assert {p.key: p.status for p in demo.paths}["internet"] == "closed"
    assert {p.key: p.status for p in existing.paths}["internet"] == "residual"
    assert any(todo in line for line in existing.todo), existing.todo
    assert not any(todo in line for line in demo.todo)


@pytest.mark.parametrize(
    ("mode", "guard", "judged"),
    [
        ("resource-policy", "referer", "fails CFG_APIGW_REFERER_POLICY"),
        ("iam-sigv4", "principal", "an Allow to any principal but the edge role fails CFG_APIGW_IAM_POLICY"),
    ],
)
def test_explain_lists_the_policy_cfgen_writes_on_an_existing_api_and_that_destroy_keeps_it(
    write_spec: Callable[[str], Path], mode: str, guard: str, judged: str
) -> None:
    spec = (EXAMPLES / f"api-gateway-{mode}" / "spec.yaml").read_text()
    existing = "api: {rest_api_id: a1b2c3d4e5, stage: prod, current_policy: kept.json}"
    spec = spec.replace("api: {create_demo: true, stage: prod}", existing)
    path = write_spec(spec)
    kept = {"Sid": "DenyOutsideOffice", "Effect": "Deny", "Principal": "*", "Action": "execute-api:Invoke"}
    (path.parent / "kept.json").write_text(json.dumps({"Statement": [kept]}), encoding="utf-8")
    (origin,) = explain(load_spec(path))
    (adoption,) = origin.adopted
    assert adoption.resource == "API a1b2c3d4e5"
    assert "the statements of kept.json (current_policy)" in adoption.changes[0] and judged in adoption.changes[0]
    address = f"module.api_orders_policy.aws_api_gateway_rest_api_policy.adopted_{guard}[0]"
    assert adoption.kept == (address,)
    assert adoption.on_destroy.startswith("Kept: `terraform destroy` stops") and f"'{address}'" in adoption.on_destroy
    # The render keeps the file's statements in the policy it writes, and the policy on destroy.
    main = text(render(load_spec(path)).files, "main.tf")
    assert '"Sid": "DenyOutsideOffice"' in main and "existing_api   = true" in main
    assert explain(load_spec(EXAMPLES / f"api-gateway-{mode}" / "spec.yaml"))[0].adopted == ()  # the demo API


@pytest.mark.parametrize(
    ("mode", "adopted", "resource", "adds", "on_destroy"),
    [
        (
            "waf-header",
            None,
            "stage live of API a1b2c3d4e5",
            "A stage has one web ACL, so this REPLACES any it had",
            "leaves the stage with NO web ACL, not the one it had",
        ),
        (
            "api-key",
            "api: {rest_api_id: a1b2c3d4e5, stage: prod}",
            "API a1b2c3d4e5",
            "A usage plan shop-api-orders-keys covering stage prod alone",
            "Removed: destroy deletes only the usage plan and the keys cfgen added",
        ),
        (
            "authorizer",
            "api: {rest_api_id: a1b2c3d4e5, stage: prod}",
            "REST API a1b2c3d4e5",
            "An authorizer shop-api-orders-authorizer (REQUEST, on X-Origin-Verify)",
            "API Gateway refuses to delete an authorizer that a method (authorization CUSTOM) still uses",
        ),
    ],
)
def test_explain_lists_what_cfgen_adds_to_an_existing_api_and_what_destroy_removes(
    write_spec: Callable[[str], Path], mode: str, adopted: str | None, resource: str, adds: str, on_destroy: str
) -> None:
    spec = (EXAMPLES / f"api-gateway-{mode}" / "spec.yaml").read_text()
    if adopted is not None:
        spec = spec.replace("api: {create_demo: true, stage: prod}\n        cors: true", adopted)
        spec = spec.replace("api: {create_demo: true, stage: prod}", adopted)
        assert all(e.adopted == () for e in explain(load_spec(EXAMPLES / f"api-gateway-{mode}" / "spec.yaml")))
    existing = explain(load_spec(write_spec(spec)))
    (adoption,) = [a for e in existing for a in e.adopted]
    assert adoption.resource == resource
    assert adds in adoption.changes[0], adoption.changes
    assert on_destroy in adoption.on_destroy and adoption.kept == ()


def test_waf_header_costs_its_acl_and_rule() -> None:
    (origin,) = explain(load_spec(EXAMPLES / "api-gateway-waf-header" / "spec.yaml"))
    assert origin.monthly_fixed_usd == 6.0
    assert "REPLACES any web ACL" in origin.todo[0]


def test_the_edge_signer_destroy_delay_is_on_the_to_do_list() -> None:
    (origin,) = explain(load_spec(EXAMPLES / "api-gateway-iam-sigv4" / "spec.yaml"))
    assert any(
        "aws lambda delete-function --region us-east-1 --function-name shop-api-orders-edge" in t for t in origin.todo
    )
    assert origin.secrets == ()
    assert "account_distribution" in {p.key for p in origin.paths}
