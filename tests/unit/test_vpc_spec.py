"""`cfgen validate` on VPC origins: what AWS would refuse late is refused at once, located, with the fix."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
import yaml
from tests.conftest import EXAMPLES

from cfgen.errors import SpecError
from cfgen.spec import load_spec
from cfgen.spec.vpc_origins import domain_covered

ALB = (EXAMPLES / "alb-vpc-origin" / "spec.yaml").read_text()
EC2 = (EXAMPLES / "ec2-vpc-origin" / "spec.yaml").read_text()
API = (EXAMPLES / "private-api-vpc-origin" / "spec.yaml").read_text()
CERT = "arn:aws:acm:eu-west-1:111111111111:certificate/0f1e2d3c-4b5a-6978-8a9b-0c1d2e3f4a5b"


def errors_of(path: Path) -> list[str]:
    with pytest.raises(SpecError) as caught:
        load_spec(path)
    lines = str(caught.value).splitlines()
    assert all(line.startswith(f"{path}:") and ": error: " in line for line in lines), lines
    return lines


def _edit(text: str, old: str, new: str) -> str:
    assert old in text, old
    return text.replace(old, new, 1)


@pytest.mark.parametrize("text", [ALB, EC2, API], ids=["alb", "ec2", "private-api"])
def test_examples_are_valid(write_spec: Callable[[str], Path], text: str) -> None:
    load_spec(write_spec(text))


@pytest.mark.parametrize(
    ("text", "old", "new", "expected"),
    [
        pytest.param(
            ALB,
            "        certificate:\n          arn: " + CERT + '\n          domains: ["*.example.com"]\n',
            "",
            "origins.0.type: the alb cfgen creates has an HTTPS-only VPC origin and a HTTPS listener, which needs a "
            "certificate: add `certificate:",
            id="alb-without-certificate",
        ),
        pytest.param(
            ALB,
            "            - {id: subnet-0a1b2c3d4e5f60722, cidr: 10.20.2.0/24}\n",
            "",
            "origins.0.network.subnets: an Application Load Balancer needs subnets in at least two Availability Zones",
            id="alb-one-subnet",
        ),
        pytest.param(
            ALB,
            "origin_domain: app-origin.example.com",
            "origin_domain: app.origin.example.com",
            "origins.0.origin_domain: app.origin.example.com is not covered by the certificate (*.example.com)",
            id="domain-not-covered-by-wildcard",
        ),
        pytest.param(
            ALB,
            "load_balancer: {target_port: 8443}",
            "load_balancer: {arn: arn:aws:elasticloadbalancing:eu-west-1:111111111111:loadbalancer/app/x/0123abcd}",
            "an existing load balancer needs `security_group_id: sg-...`",
            id="adopted-alb-without-group",
        ),
        pytest.param(
            ALB,
            "load_balancer: {target_port: 8443}",
            "load_balancer: {arn: arn:aws:elasticloadbalancing:eu-west-1:111111111111:loadbalancer/net/x/0123abcd, "
            "security_group_id: sg-0123456789abcdef0}",
            "origins.0.load_balancer.arn: type alb needs a loadbalancer/app/ ARN",
            id="adopted-nlb-as-alb",
        ),
        pytest.param(
            ALB,
            "cidr: 10.20.2.0/24",
            "cidr: 10.20.1.128/25",
            "10.20.1.128/25 overlaps subnet 0 (10.20.1.0/24)",
            id="overlapping-subnets",
        ),
        pytest.param(
            ALB,
            "cidr: 10.20.2.0/24",
            "cidr: 8.8.8.0/24",
            "subnet CIDR 8.8.8.0/24 is not private address space",
            id="public-cidr",
        ),
        pytest.param(
            EC2,
            "instance/i-0a1b2c3d4e5f60799",
            "instance/i-0a1b2c3d4e5f60799\n          network_interface_id_typo: x",
            "unknown key 'network_interface_id_typo'",
            id="ec2-unknown-key",
        ),
        pytest.param(
            EC2,
            "arn:aws:ec2:eu-west-1:",
            "arn:aws:ec2:us-east-1:",
            "origins.0.instance.arn: us-east-1 is not the spec's region eu-west-1",
            id="ec2-other-region",
        ),
        pytest.param(
            API,
            "{subnet: subnet-0a1b2c3d4e5f60722, ip: 10.20.2.10}",
            "{subnet: subnet-0a1b2c3d4e5f60722, ip: 10.20.3.10}",
            "origins.0.static_ips.1.ip: 10.20.3.10 is outside subnet-0a1b2c3d4e5f60722 (10.20.2.0/24)",
            id="static-ip-outside-subnet",
        ),
        pytest.param(
            API,
            "ip: 10.20.1.10}",
            "ip: 10.20.1.2}",
            "10.20.1.2 is reserved by AWS in 10.20.1.0/24",
            id="static-ip-reserved",
        ),
        pytest.param(
            API,
            "          - {subnet: subnet-0a1b2c3d4e5f60722, ip: 10.20.2.10}\n",
            "",
            "needs one `{subnet, ip}` per subnet; missing: subnet-0a1b2c3d4e5f60722",
            id="static-ip-missing",
        ),
        pytest.param(
            API,
            "{subnet: subnet-0a1b2c3d4e5f60722, ip: 10.20.2.10}",
            "{subnet: subnet-0a1b2c3d4e5f60733, ip: 10.20.2.10}",
            "subnet-0a1b2c3d4e5f60733 is not in network.subnets",
            id="static-ip-unknown-subnet",
        ),
        pytest.param(
            API,
            "domains: [api-origin.example.com]",
            "domains: [api.example.com]",
            "origins.0.origin_domain: api-origin.example.com is not covered by the alb_certificate (api.example.com)",
            id="api-domain-not-covered",
        ),
        pytest.param(
            API,
            "origin_request: all_viewer_except_host",
            "origin_request: all_viewer",
            "behaviors.0.origin_request: all_viewer forwards the viewer's Host",
            id="api-forwards-host",
        ),
        pytest.param(
            API,
            "api: {create_demo: true, stage: prod,",
            "api: {create_demo: true, rest_api_id: a1b2c3d4e5,",
            "set exactly one of `create_demo: true` or `rest_api_id",
            id="api-two-sources",
        ),
        pytest.param(
            API,
            "        target_sync: static_ips",
            "        target_sync: apply_time",
            "static_ips are used only with `target_sync: static_ips`",
            id="static-ips-without-mode",
        ),
        pytest.param(
            API,
            "protection: private_vpc_origin",
            "protection: public",
            "unknown protection mode 'public'; one of: private_vpc_origin",
            id="api-unknown-protection",
        ),
    ],
)
def test_vpc_rules(write_spec: Callable[[str], Path], text: str, old: str, new: str, expected: str) -> None:
    lines = errors_of(write_spec(_edit(text, old, new)))
    assert any(expected in line for line in lines), lines


def test_alb_subnet_rule_is_located_on_the_subnets(write_spec: Callable[[str], Path]) -> None:
    path = write_spec(_edit(ALB, "            - {id: subnet-0a1b2c3d4e5f60722, cidr: 10.20.2.0/24}\n", ""))
    [line] = errors_of(path)
    row = ALB.splitlines().index("          subnets:") + 1
    assert line.startswith(f"{path}:{row + 1}:"), line


def test_nlb_needs_certificate_but_not_two_subnets(write_spec: Callable[[str], Path]) -> None:
    data = yaml.safe_load(ALB)
    origin = data["distributions"][0]["origins"][0]
    origin["type"] = "nlb"
    origin["network"]["subnets"] = origin["network"]["subnets"][:1]
    origin["load_balancer"] = {"target_protocol": "HTTPS"}
    lines = errors_of(write_spec(yaml.safe_dump(data)))
    assert len(lines) == 1 and "HTTPS is not a target protocol of an nlb; use TLS or TCP" in lines[0], lines
    origin["load_balancer"] = {}
    load_spec(write_spec(yaml.safe_dump(data)))


@pytest.mark.parametrize(
    ("domain", "names", "covered"),
    [
        ("a.example.com", ["*.example.com"], True),
        ("a.b.example.com", ["*.example.com"], False),
        ("example.com", ["*.example.com"], False),
        ("api.example.com", ["api.example.com"], True),
    ],
)
def test_wildcards_cover_one_label(domain: str, names: list[str], covered: bool) -> None:
    assert domain_covered(domain, names) is covered


@pytest.mark.parametrize(
    ("text", "edit", "what"),
    [
        (EC2, ("", ""), "an instance"),
        (ALB, ("        type: alb\n", "        type: nlb\n"), "an NLB"),
    ],
    ids=["ec2", "nlb"],
)
def test_origins_that_cannot_check_a_header_get_a_located_warning(
    write_spec: Callable[[str], Path], text: str, edit: tuple[str, str], what: str
) -> None:
    path = write_spec(_edit(text, *edit) if edit[0] else text)
    [warning] = [str(w) for w in load_spec(path).warnings if "cannot check" in str(w)]
    row = text.splitlines().index("        type: " + ("ec2" if text is EC2 else "alb")) + 1
    assert warning.startswith(f"{path}:{row}:15: warning: distributions.0.origins.0.type: {what} cannot check"), warning
    assert "cloudfront:CreateVpcOrigin" in warning


def test_an_instance_left_with_cfgens_group_alone_warns_that_destroy_cannot_detach_it(
    write_spec: Callable[[str], Path],
) -> None:
    path = write_spec(EC2)
    [warning] = [str(w) for w in load_spec(path).warnings if "terraform destroy" in str(w)]
    row = EC2.splitlines().index("        instance:") + 2  # the mapping, on the line after its key
    assert warning.startswith(
        f"{path}:{row}:11: warning: distributions.0.origins.0.instance: cfgen's security group"
    ), warning
    assert "attach a group of yours to the interface" in warning
    kept = "          network_interface_id: eni-0a1b2c3d4e5f60788\n"
    keeping = load_spec(write_spec(_edit(EC2, kept, kept + "          keep_security_groups: [sg-0a1b2c3d4e5f60701]\n")))
    assert not [w for w in keeping.warnings if "terraform destroy" in str(w)]


@pytest.mark.parametrize("text", [ALB, API], ids=["alb", "private-api"])
def test_alb_origins_take_a_secret_source_but_never_a_value(write_spec: Callable[[str], Path], text: str) -> None:
    assert not load_spec(write_spec(text)).warnings
    anchor = "        origin_domain: "
    with_value = _edit(text, anchor, "        secret: {source: variable, value: hunter2hunter2}\n" + anchor)
    lines = errors_of(write_spec(with_value))
    assert any("`value` would put the secret in the spec" in line for line in lines), lines
    from_ssm = _edit(text, anchor, "        secret: {source: ssm, parameter: /shop/origin-verify}\n" + anchor)
    load_spec(write_spec(from_ssm))


LB_ARN = "arn:aws:elasticloadbalancing:eu-west-1:111111111111:loadbalancer/app/shop-web/0a1b2c3d4e5f6071"
LISTENER = LB_ARN.replace(":loadbalancer/", ":listener/") + "/1a2b3c4d5e6f7081"
TARGETS = "arn:aws:elasticloadbalancing:eu-west-1:111111111111:targetgroup/shop-web/1b2c3d4e5f607182"


def _adopted(kind: str = "alb", listener: str | None = LISTENER, targets: str = TARGETS, arn: str = LB_ARN) -> str:
    lines = f"        load_balancer:\n          arn: {arn}\n          security_group_id: sg-0a1b2c3d4e5f60702\n"
    if listener is not None:
        lines += f"          listener: {{arn: {listener}, target_group_arn: {targets}}}\n"
    text = _edit(ALB, "        load_balancer: {target_port: 8443}\n", lines)
    return _edit(text, "        type: alb\n", f"        type: {kind}\n")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param(_adopted(listener=None), "an existing ALB needs `listener:", id="alb-without-listener"),
        pytest.param(
            _adopted("nlb", arn=LB_ARN.replace("/app/", "/net/"), listener=LISTENER.replace("/app/", "/net/")),
            "is not an ALB listener ARN such as",
            id="nlb-listener-not-app",
        ),
        pytest.param(
            _adopted(listener=LISTENER.replace("0a1b2c3d4e5f6071", "0f0f0f0f0f0f0f0f")),
            "this listener belongs to arn:aws:elasticloadbalancing:eu-west-1:111111111111:loadbalancer/app/shop-web/"
            "0f0f0f0f0f0f0f0f, not to load_balancer.arn",
            id="listener-of-another-alb",
        ),
        pytest.param(
            _adopted(targets=TARGETS.replace("111111111111", "222222222222")),
            "listener.target_group_arn: not in the load balancer's region and account",
            id="target-group-elsewhere",
        ),
        pytest.param(
            _edit(
                ALB,
                "        load_balancer: {target_port: 8443}\n",
                f"        load_balancer:\n          listener: {{arn: {LISTENER}, target_group_arn: {TARGETS}}}\n",
            ),
            "cfgen creates this one's: remove it",
            id="listener-on-a-created-alb",
        ),
    ],
)
def test_adopted_listener_rules(write_spec: Callable[[str], Path], text: str, expected: str) -> None:
    lines = errors_of(write_spec(text))
    assert any(expected in line for line in lines), lines


def test_an_nlb_takes_no_listener(write_spec: Callable[[str], Path]) -> None:
    data = yaml.safe_load(_adopted("nlb", arn=LB_ARN.replace("/app/", "/net/")))
    lines = errors_of(write_spec(yaml.safe_dump(data)))
    assert any("an NLB cannot check a header, so cfgen adds no rule to it" in line for line in lines), lines


def test_an_adopted_alb_with_its_listener_is_valid(write_spec: Callable[[str], Path]) -> None:
    assert not load_spec(write_spec(_adopted())).warnings


@pytest.mark.parametrize(
    ("text", "old", "new", "expected"),
    [
        pytest.param(
            ALB,
            "load_balancer: {target_port: 8443}",
            "load_balancer: {target_port: 8443, ssl_policy: ELBSecurityPolicy-TLS13-1-2-2021-06}",
            "ssl_policy: 'ELBSecurityPolicy-TLS13-1-2-2021-06' is not allowed; expected 'ELBSecurityPolicy-TLS13",
            id="alb-policy-off-elb17",
        ),
        pytest.param(
            API,
            "        alb_certificate:\n",
            "        alb_ssl_policy: ELBSecurityPolicy-2016-08\n        alb_certificate:\n",
            "alb_ssl_policy: 'ELBSecurityPolicy-2016-08' is not allowed",
            id="chain-policy-off-elb17",
        ),
        pytest.param(
            ALB,
            "load_balancer: {target_port: 8443}",
            "load_balancer: {access_logs: {bucket: shop-logs, prefix: AWSLogs/x}}",
            "the prefix may not contain AWSLogs",
            id="prefix-with-awslogs",
        ),
        pytest.param(
            API,
            "log-group:/shop/api-orders/access",
            "log-group:/shop/api-orders/access:*",
            "access_log_group_arn: ",
            id="log-group-arn-with-star",
        ),
        pytest.param(
            API,
            "arn:aws:logs:eu-west-1:",
            "arn:aws:logs:us-east-1:",
            "api.access_log_group_arn: us-east-1 is not the spec's region eu-west-1",
            id="log-group-elsewhere",
        ),
        pytest.param(
            API,
            "api: {create_demo: true, stage: prod,",
            "api: {rest_api_id: a1b2c3d4e5, stage: prod,",
            "access_log_group_arn sets the demo stage's access logs",
            id="stage-logs-of-an-existing-api",
        ),
    ],
)
def test_tls_policies_and_access_logs(
    write_spec: Callable[[str], Path], text: str, old: str, new: str, expected: str
) -> None:
    lines = errors_of(write_spec(_edit(text, old, new)))
    assert any(expected in line for line in lines), lines


@pytest.mark.parametrize("field", ["ssl_policy: ELBSecurityPolicy-TLS13-1-3-2021-06", "access_logs: {bucket: b-logs}"])
def test_an_adopted_load_balancer_takes_no_listener_settings(write_spec: Callable[[str], Path], field: str) -> None:
    text = _adopted().replace("          listener:", f"          {field}\n          listener:")
    lines = errors_of(write_spec(text))
    assert any("configures a load balancer cfgen creates; set it on the existing one yourself" in x for x in lines)


def test_logs_and_policies_reach_the_module_calls_and_skips_follow_the_spec(write_spec: Callable[[str], Path]) -> None:
    from cfgen.render import render

    alb = str(render(load_spec(write_spec(ALB))).files["main.tf"])
    assert "#checkov:skip=CKV_AWS_91:No load_balancer.access_logs in the spec" in alb and "ssl_policy" not in alb
    logged = _edit(
        ALB,
        "load_balancer: {target_port: 8443}",
        "load_balancer: {target_port: 8443, ssl_policy: ELBSecurityPolicy-TLS13-1-3-2021-06, "
        "access_logs: {bucket: shop-alb-logs, prefix: web}}",
    )
    main = " ".join(str(render(load_spec(write_spec(logged))).files["main.tf"]).split())
    assert "CKV_AWS_91" not in main and 'ssl_policy = "ELBSecurityPolicy-TLS13-1-3-2021-06"' in main
    assert 'access_logs = { bucket = "shop-alb-logs" prefix = "web" }' in main, main
    api = str(render(load_spec(write_spec(API))).files["main.tf"])
    assert "CKV_AWS_91" not in api and "CKV_AWS_76" not in api
    quiet = _edit(
        API, ', access_log_group_arn: "arn:aws:logs:eu-west-1:111111111111:log-group:/shop/api-orders/access"', ""
    )
    quiet = _edit(quiet, "        alb_access_logs: {bucket: shop-alb-logs-example, prefix: api-orders}", "")
    api = str(render(load_spec(write_spec(quiet))).files["main.tf"])
    assert "#checkov:skip=CKV_AWS_91:No alb_access_logs in the spec" in api
    assert "#checkov:skip=CKV_AWS_76:No api.access_log_group_arn in the spec" in api
