"""The spec of origins that face the internet: `custom`, and what validate refuses in one located line."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from tests.conftest import EXAMPLES
from tests.unit.test_spec import errors_of

from cfgen.explain import explain
from cfgen.spec import load_spec
from cfgen.spec.public_origins import CustomOrigin

CUSTOM = (EXAMPLES / "custom-origin-secret-header" / "spec.yaml").read_text(encoding="utf-8")
LAMBDA = (EXAMPLES / "lambda-url-oac" / "spec.yaml").read_text(encoding="utf-8")
ALB = (EXAMPLES / "alb-listener-header" / "spec.yaml").read_text(encoding="utf-8")
LB_ARN = "arn:aws:elasticloadbalancing:eu-west-1:111111111111:loadbalancer/app/shop-web/0a1b2c3d4e5f6071"
LISTENER = f"{LB_ARN.replace(':loadbalancer/', ':listener/')}/1a2b3c4d5e6f7081"
TARGET_GROUP = "arn:aws:elasticloadbalancing:eu-west-1:111111111111:targetgroup/shop-web/1b2c3d4e5f607182"
ADOPTED = f"""load_balancer:
          arn: {LB_ARN}
          security_group_id: sg-0a1b2c3d4e5f60702
          listener: {{arn: {LISTENER}, target_group_arn: {TARGET_GROUP}}}
"""
NETWORK = """        network:
          vpc_id: vpc-0a1b2c3d4e5f60718
          subnets: [subnet-0a1b2c3d4e5f60711, subnet-0a1b2c3d4e5f60722]   # public subnets, two zones
"""
# The example on an existing ALB: no network, no target_port (both are a created ALB's).
ALB_ADOPTED = ALB.replace(NETWORK, "").replace("load_balancer: {target_port: 8443}\n", ADOPTED)
WAF = (EXAMPLES / "alb-waf-header" / "spec.yaml").read_text(encoding="utf-8")
# The waf_header example on an existing ALB: its group, no listener, its web ACL replaced knowingly.
WAF_ADOPTED = WAF.replace(NETWORK, "").replace(
    "load_balancer: {target_port: 8443}\n",
    f"load_balancer: {{arn: {LB_ARN}, security_group_id: sg-0a1b2c3d4e5f60702}}\n        replace_web_acl: true\n",
)


def _edit(text: str, old: str, new: str) -> str:
    assert old in text, old
    return text.replace(old, new, 1)


def test_the_custom_example_is_valid_and_defaults_to_a_variable_secret() -> None:
    [origin] = load_spec(EXAMPLES / "custom-origin-secret-header" / "spec.yaml").spec.distributions[0].origins
    assert isinstance(origin, CustomOrigin)
    assert (origin.protection, origin.secret.source, origin.https_port) == ("secret_header", "variable", 443)


@pytest.mark.parametrize(
    ("text", "old", "new", "expected"),
    [
        pytest.param(
            CUSTOM,
            "domain_name: origin.shop.example.com",
            "domain_name: 192.0.2.10",
            "origins.0.domain_name: '192.0.2.10' is not a lowercase DNS name such as origin.example.com",
            id="custom-ip-address",
        ),
        pytest.param(
            CUSTOM,
            "domain_name: origin.shop.example.com",
            "domain_name: '*.shop.example.com'",
            "(no wildcard, no IP address)",
            id="custom-wildcard",
        ),
        pytest.param(
            CUSTOM,
            "upstream: http://127.0.0.1:8080",
            "upstream: http://127.0.0.1:8080/app",
            "server.upstream: 'http://127.0.0.1:8080/app' is not an application address",
            id="custom-upstream-path",
        ),
        pytest.param(
            CUSTOM,
            "upstream: http://127.0.0.1:8080",
            "upstream: http://127.0.0.1:99999",
            "server.upstream: port 99999 of 'http://127.0.0.1:99999' is not a TCP port",
            id="custom-upstream-port",
        ),
        pytest.param(
            CUSTOM,
            "upstream: http://127.0.0.1:8080",
            "upstream: http://127.0.0.1:8080\n          listen_address: origin.local",
            "server.listen_address: 'origin.local' is not an IP address",
            id="custom-listen-address",
        ),
        pytest.param(
            CUSTOM,
            "upstream: http://127.0.0.1:8080",
            "upstream: http://127.0.0.1:8080\n          tls: {certificate_file: cert.pem, key_file: /etc/ssl/k.pem}",
            "server.tls.certificate_file: 'cert.pem' is not an absolute path on the server",
            id="custom-relative-certificate",
        ),
        pytest.param(
            CUSTOM,
            "secret: {source: variable}",
            "secret: {source: variable, value: abc}",
            "`value` would put the secret in the spec",
            id="custom-secret-in-spec",
        ),
        pytest.param(
            ALB,
            NETWORK,
            "",
            "origins.0.type: the ALB cfgen creates needs `network: {vpc_id: vpc-...",
            id="alb-no-network",
        ),
        pytest.param(
            ALB,
            "subnets: [subnet-0a1b2c3d4e5f60711, subnet-0a1b2c3d4e5f60722]",
            "subnets: [subnet-0a1b2c3d4e5f60711]",
            "network.subnets: an Application Load Balancer needs subnets in at least two Availability Zones",
            id="alb-one-subnet",
        ),
        pytest.param(
            ALB,
            "domains: [alb-origin.shop.example.com]",
            "domains: [www.shop.example.com]",
            "origins.0.origin_domain: alb-origin.shop.example.com is not covered by the certificate",
            id="alb-domain-not-covered",
        ),
        pytest.param(
            ALB,
            "certificate:\n          arn: arn:aws:acm:eu-west-1:",
            "certificate:\n          arn: arn:aws:acm:us-east-1:",
            "origins.0.certificate.arn: us-east-1 is not the spec's region eu-west-1",
            id="alb-certificate-region",
        ),
        pytest.param(
            ALB,
            "load_balancer: {target_port: 8443}",
            "load_balancer: {security_group_id: sg-0a1b2c3d4e5f60702}",
            "load_balancer.security_group_id: security_group_id is for an existing ALB",
            id="alb-group-without-arn",
        ),
        pytest.param(
            ALB,
            "origin_request: all_viewer_except_host",
            "origin_request: all_viewer",
            "behaviors.0.origin_request: all_viewer forwards the viewer's Host",
            id="alb-forwards-host",
        ),
        pytest.param(
            ALB_ADOPTED,
            f"          listener: {{arn: {LISTENER}, target_group_arn: {TARGET_GROUP}}}\n",
            "",
            "load_balancer: an existing ALB needs `listener: {arn: <its HTTPS listener>",
            id="alb-adopted-no-listener",
        ),
        pytest.param(
            ALB_ADOPTED,
            "          security_group_id: sg-0a1b2c3d4e5f60702\n",
            "",
            "load_balancer: an existing ALB needs `security_group_id: sg-...`",
            id="alb-adopted-no-group",
        ),
        pytest.param(
            ALB_ADOPTED,
            f"listener: {{arn: {LISTENER},",
            f"listener: {{arn: {LISTENER.replace('shop-web/0a1b2c3d4e5f6071', 'other/0a1b2c3d4e5f6072')},",
            "load_balancer.listener.arn: this listener belongs to",
            id="alb-adopted-foreign-listener",
        ),
        pytest.param(
            ALB_ADOPTED,
            "          security_group_id: sg-0a1b2c3d4e5f60702\n",
            "          security_group_id: sg-0a1b2c3d4e5f60702\n          target_port: 8443\n",
            "load_balancer.target_port: target_port configures an ALB cfgen creates",
            id="alb-adopted-created-setting",
        ),
        pytest.param(
            ALB_ADOPTED,
            "        secret: {source: variable}",
            NETWORK + "        secret: {source: variable}",
            "origins.0.network: network is for an ALB cfgen creates",
            id="alb-adopted-network",
        ),
        pytest.param(
            WAF_ADOPTED,
            "        replace_web_acl: true\n",
            "",
            "origins.0.load_balancer.arn: an ALB takes one web ACL, so cfgen's replaces any web ACL this ALB has now",
            id="alb-waf-adopted-web-acl-not-acknowledged",
        ),
        pytest.param(
            WAF_ADOPTED,
            "security_group_id: sg-0a1b2c3d4e5f60702}",
            "security_group_id: sg-0a1b2c3d4e5f60702, "
            f"listener: {{arn: {LISTENER}, target_group_arn: {TARGET_GROUP}}}}}",
            "origins.0.load_balancer.listener: waf_header changes no listener of an existing ALB",
            id="alb-waf-adopted-listener",
        ),
        pytest.param(
            WAF,
            "        waf_logging:",
            "        replace_web_acl: true\n        waf_logging:",
            "origins.0.replace_web_acl: replace_web_acl is for an existing ALB",
            id="alb-waf-created-replace",
        ),
        pytest.param(
            WAF,
            "origin_request: all_viewer_except_host",
            "origin_request: all_viewer",
            "behaviors.0.origin_request: all_viewer forwards the viewer's Host",
            id="alb-waf-forwards-host",
        ),
        pytest.param(
            WAF,
            "destination_arn: arn:aws:logs:eu-west-1:111111111111:log-group:aws-waf-logs-shop",
            "destination_arn: arn:aws:logs:eu-west-1:111111111111:log-group:shop",
            "waf_logging.destination_arn: 'arn:aws:logs:eu-west-1:111111111111:log-group:shop' is not a CloudWatch",
            id="alb-waf-log-destination",
        ),
        pytest.param(
            LAMBDA,
            "function: {create_demo: true}",
            "function: {create_demo: true, name: shop-api}",
            "origins.0.function: set exactly one of `create_demo: true` or `name: <an existing function>`",
            id="lambda-two-sources",
        ),
        pytest.param(
            LAMBDA,
            "function: {create_demo: true}",
            "function: {create_demo: true, url: existing}",
            "qualifier and `url: existing` are for an existing function",
            id="lambda-demo-existing-url",
        ),
        pytest.param(
            LAMBDA,
            "function: {create_demo: true}",
            "function: {name: shop-api, qualifier: '7'}",
            "origins.0.function.qualifier: '7' is not an alias name such as live",
            id="lambda-version-qualifier",
        ),
        pytest.param(
            LAMBDA,
            "origin_request: all_viewer_except_host",
            "origin_request: all_viewer",
            "behaviors.0.origin_request: all_viewer forwards the viewer's Host",
            id="lambda-forwards-host",
        ),
        pytest.param(
            LAMBDA,
            "origin_request: all_viewer_except_host",
            "origin_request: cors_custom",
            "with `methods: all`, POST and PUT reach a function URL behind OAC only with x-amz-content-sha256",
            id="lambda-post-without-hash",
        ),
        pytest.param(
            LAMBDA,
            "function: {create_demo: true}\n",
            "function: {name: shop-api}\n      - {id: api2, type: lambda_url, function: {name: shop-api}}\n",
            "origins.1.function.url: the URL of shop-api is already created by origin 'web/api'",
            id="lambda-two-urls",
        ),
    ],
)
def test_public_origin_rules(write_spec: Callable[[str], Path], text: str, old: str, new: str, expected: str) -> None:
    lines = errors_of(write_spec(_edit(text, old, new)))
    assert len(lines) == 1 and expected in lines[0], lines


@pytest.mark.parametrize("text", [ALB_ADOPTED, WAF_ADOPTED], ids=["listener_header", "waf_header"])
def test_the_adopted_alb_variants_are_valid(write_spec: Callable[[str], Path], text: str) -> None:
    load_spec(write_spec(text))


def test_a_region_without_a_known_prefix_list_needs_its_id(write_spec: Callable[[str], Path]) -> None:
    text = ALB.replace("eu-west-1", "ca-central-1")
    lines = errors_of(write_spec(text))
    assert lines == [
        f"{ALB.splitlines().index('        type: alb') + 1}:15: error: distributions.0.origins.0.type: cfgen knows no "
        "id of com.amazonaws.global.cloudfront.origin-facing in ca-central-1: add `cloudfront_prefix_list_id: pl-...` "
        "(aws ec2 describe-managed-prefix-lists --region ca-central-1 "
        "--filters Name=prefix-list-name,Values=com.amazonaws.global.cloudfront.origin-facing)"
    ]
    load_spec(
        write_spec(text.replace("        secret:", "        cloudfront_prefix_list_id: pl-38a64351\n        secret:"))
    )


def test_explain_lists_what_cfgen_adds_to_an_adopted_alb_and_what_destroy_removes(
    write_spec: Callable[[str], Path],
) -> None:
    assert explain(load_spec(EXAMPLES / "alb-listener-header" / "spec.yaml"))[0].adopted == ()  # created
    (origin,) = explain(load_spec(write_spec(ALB_ADOPTED)))
    (adoption,) = origin.adopted
    assert adoption.resource == "load balancer shop-web"
    assert (
        "an ingress rule, port 443 from CloudFront's origin-facing prefix list; its other rules stay"
        in (adoption.changes[0])
    )
    assert adoption.changes[1].startswith(f"Listener {LISTENER}: a rule at priority")
    assert f"forwards to {TARGET_GROUP} only with X-Origin-Verify" in adoption.changes[1]
    assert adoption.on_destroy.startswith("Removed: destroy deletes only what cfgen added")
    assert "CloudFront's servers are admitted no more" in adoption.on_destroy and adoption.kept == ()


@pytest.mark.parametrize(
    ("function", "url", "destroy"),
    [
        ("{name: shop-api}", "Function URL: created by cfgen (auth type AWS_IAM)", "and the URL cfgen created"),
        (
            "{name: shop-api, qualifier: live, url: existing}",
            "Function URL (alias live): yours, read at apply",
            "the two statements; your URL stays as it is",
        ),
    ],
    ids=["url-created", "url-existing"],
)
def test_explain_lists_what_cfgen_adds_to_an_existing_function_and_what_destroy_removes(
    write_spec: Callable[[str], Path], function: str, url: str, destroy: str
) -> None:
    assert explain(load_spec(EXAMPLES / "lambda-url-oac" / "spec.yaml"))[0].adopted == ()  # the demo
    (origin,) = explain(load_spec(write_spec(LAMBDA.replace("function: {create_demo: true}", f"function: {function}"))))
    (adoption,) = origin.adopted
    assert adoption.resource == "function shop-api"
    assert (
        "two statements, shop-web-api-invoke-url (lambda:InvokeFunctionUrl) and shop-web-api-invoke"
        in (adoption.changes[0])
    )
    assert adoption.changes[1].startswith(url), adoption.changes
    assert destroy in adoption.on_destroy and adoption.kept == ()
