"""Origins inside a VPC, reached through CloudFront VPC origins.

``alb`` / ``nlb`` / ``ec2`` with ``protection: vpc_origin``, and the private
API Gateway chain (``api_gateway`` with ``protection: private_vpc_origin``).
Kept apart from ``models.py`` so that the S3 models and these evolve
independently; ``models.Origin`` joins them in one tagged union.

AWS rules the provider only rejects at apply (a certificate missing on an
HTTPS-only load balancer, an ALB in one subnet, an origin domain name the
certificate does not cover, fixed endpoint IPs outside their subnet) are in
``_rules.py``, because they read several fields at once.
"""

from __future__ import annotations

import ipaddress
import re
from typing import Annotated, Final, Literal, get_args

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator, model_validator

from ._secrets import Secret, VariableSecret
from ._verify import VerifyPath, verify_path_field
from ._words import HOSTNAME, NAME, ORIGIN_PATH, SUBNET_ID, pattern
from .api_gateway import current_policy_field, policy_of_existing_api

__all__ = [
    "DEFAULT_TLS_POLICY",
    "TLS_POLICIES",
    "AccessLogs",
    "AdoptedListener",
    "AlbOrigin",
    "ApiGatewayPrivateOrigin",
    "Certificate",
    "Ec2Instance",
    "Ec2Origin",
    "LoadBalancer",
    "Network",
    "NlbOrigin",
    "PrivateApi",
    "StaticIp",
    "Subnet",
    "TargetSync",
    "domain_covered",
]

# Security Hub control ELB.17's list of recommended listener policies (not
# customizable there): TLS 1.2 with restricted ciphers, or TLS 1.3 only, and
# their FIPS and post-quantum variants. TLS13-1-2-2021-06 is not on it.
TlsPolicy = Literal[
    "ELBSecurityPolicy-TLS13-1-2-Res-2021-06",
    "ELBSecurityPolicy-TLS13-1-2-Res-FIPS-2023-04",
    "ELBSecurityPolicy-TLS13-1-2-Res-PQ-2025-09",
    "ELBSecurityPolicy-TLS13-1-2-Res-FIPS-PQ-2025-09",
    "ELBSecurityPolicy-TLS13-1-3-2021-06",
    "ELBSecurityPolicy-TLS13-1-3-FIPS-2023-04",
    "ELBSecurityPolicy-TLS13-1-3-PQ-2025-09",
    "ELBSecurityPolicy-TLS13-1-3-FIPS-PQ-2025-09",
]
TLS_POLICIES: tuple[str, ...] = get_args(TlsPolicy)
DEFAULT_TLS_POLICY: Final = "ELBSecurityPolicy-TLS13-1-2-Res-2021-06"
_TLS_DESCRIPTION = (
    "TLS policy of the listener, one of Security Hub ELB.17's recommended ones. 1-2-Res accepts TLS 1.2 with "
    "restricted ciphers and TLS 1.3; 1-3 accepts TLS 1.3 only, and CloudFront's VPC origin is set to TLSv1.2: "
    "check that your CloudFront connections negotiate TLS 1.3 before choosing it."
)
_BUCKET_NAME = pattern(r"^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$", "an S3 bucket name such as my-alb-logs")


_SECRET_DESCRIPTION = (
    "Where the X-Origin-Verify secret lives: `{source: variable}` (default), "
    "`{source: secrets_manager, secret_id: NAME}` or `{source: ssm, parameter: /NAME}`. CloudFront sends it and "
    "the ALB forwards only requests that carry it; 32-128 letters and digits (`openssl rand -hex 32`)."
)

OriginId = Annotated[str, StringConstraints(pattern=NAME, max_length=24)]
_Hostname = Annotated[
    str,
    StringConstraints(pattern=HOSTNAME, max_length=253),
]
_AcmArn = Annotated[
    str,
    StringConstraints(
        pattern=pattern(
            r"^arn:aws[a-z-]*:acm:[a-z0-9-]+:\d{12}:certificate/[0-9a-f-]{36}$",
            "an ACM certificate ARN such as arn:aws:acm:eu-west-1:111111111111:certificate/UUID",
        )
    ),
]
_CIDR = re.compile(r"\d{1,3}(\.\d{1,3}){3}/\d{1,2}")
SecurityGroupId = Annotated[
    str, StringConstraints(pattern=pattern(r"^sg-[0-9a-f]{8,17}$", "a security group id such as sg-0a1b2c3d4e5f60718"))
]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Subnet(_Model):
    """A private subnet, with its CIDR so that cfgen can check addresses and scope egress."""

    id: str = Field(pattern=SUBNET_ID)
    cidr: str = Field(description="The subnet's IPv4 CIDR, e.g. 10.0.1.0/24.")

    @field_validator("cidr")
    @classmethod
    def _ipv4_network(cls, cidr: str) -> str:
        # ipaddress also reads "10.0.1.7" (as /32) and "10.0.1.0/255.255.255.0"; AWS wants a.b.c.d/nn.
        if not _CIDR.fullmatch(cidr):
            raise ValueError(f"'{cidr}' is not an IPv4 CIDR written as address/prefix length, e.g. 10.0.1.0/24")
        try:
            network = ipaddress.IPv4Network(cidr)
        except ValueError:
            raise ValueError(f"'{cidr}' is not an IPv4 CIDR with its host bits zero, e.g. 10.0.1.0/24") from None
        if not 16 <= network.prefixlen <= 28:
            raise ValueError(f"subnet CIDR {cidr} has a /{network.prefixlen} prefix; AWS subnets are /16 to /28")
        if not network.is_private:
            raise ValueError(f"subnet CIDR {cidr} is not private address space; VPC origins live in private subnets")
        return cidr


class Network(_Model):
    """The VPC of the origin and the private subnets it uses."""

    vpc_id: str = Field(pattern=pattern(r"^vpc-[0-9a-f]{8,17}$", "a VPC id such as vpc-0a1b2c3d4e5f60718"))
    subnets: list[Subnet] = Field(min_length=1)


class Certificate(_Model):
    """A public-CA ACM certificate in the origin's region, and the names it covers as issued."""

    arn: _AcmArn
    domains: list[_Hostname] = Field(
        min_length=1, description="The names on the certificate (wildcards as issued, e.g. *.example.com)."
    )


class AccessLogs(_Model):
    """Access logs of a load balancer cfgen creates, written to an S3 bucket you own."""

    bucket: str = Field(
        pattern=_BUCKET_NAME,
        description="An S3 bucket in the origins' region whose policy lets Elastic Load Balancing write "
        "(see AWS: Enable access logs for your load balancer); cfgen does not manage it.",
    )
    prefix: str = Field(
        "",
        pattern=pattern(
            r"^$|^[A-Za-z0-9!_.*'()-]+(/[A-Za-z0-9!_.*'()-]+)*$",
            "an S3 key prefix of letters, digits and !_.*'()- in /-separated parts, such as alb/web",
        ),
        description="Key prefix.",
    )

    @field_validator("prefix")
    @classmethod
    def _not_aws_logs(cls, prefix: str) -> str:
        if "AWSLogs" in prefix:
            raise ValueError("the prefix may not contain AWSLogs: Elastic Load Balancing adds it after the prefix")
        return prefix


class AdoptedListener(_Model):
    """The HTTPS listener of an existing ALB, where cfgen adds the rule that forwards only CloudFront's requests."""

    arn: str = Field(
        pattern=pattern(
            r"^arn:aws[a-z-]*:elasticloadbalancing:[a-z0-9-]+:\d{12}:listener/app/[\w-]+/[0-9a-f]+/[0-9a-f]+$",
            "an ALB listener ARN such as arn:aws:elasticloadbalancing:REGION:ACCOUNT:listener/app/NAME/ID/ID",
        ),
        description="The listener CloudFront's VPC origin reaches (its port is https_port). Its default action must "
        "answer a fixed 403: the apply checks it.",
    )
    target_group_arn: str = Field(
        pattern=pattern(
            r"^arn:aws[a-z-]*:elasticloadbalancing:[a-z0-9-]+:\d{12}:targetgroup/[\w-]+/[0-9a-f]+$",
            "a target group ARN such as arn:aws:elasticloadbalancing:REGION:ACCOUNT:targetgroup/NAME/ID",
        ),
        description="Where the rule forwards requests that carry the secret.",
    )
    priority: int = Field(1, ge=1, le=50000, description="The rule's priority; it must be free on the listener.")


class LoadBalancer(_Model):
    """The load balancer: created by cfgen (no `arn`), or an existing one by ARN."""

    arn: str | None = Field(
        None,
        pattern=pattern(
            r"^arn:aws[a-z-]*:elasticloadbalancing:[a-z0-9-]+:\d{12}:loadbalancer/(app|net)/[\w-]+/[0-9a-f]+$",
            "a load balancer ARN such as arn:aws:elasticloadbalancing:REGION:ACCOUNT:loadbalancer/app/NAME/ID",
        ),
        description="An existing internal load balancer; omit to let cfgen create one.",
    )
    security_group_id: SecurityGroupId | None = Field(
        None, description="With `arn`: the load balancer's security group, where cfgen adds the CloudFront rule."
    )
    listener: AdoptedListener | None = Field(
        None,
        description="With `arn` (an ALB): its HTTPS listener, where cfgen adds the only rule that forwards: on "
        "X-Origin-Verify = the secret CloudFront sends.",
    )
    ssl_policy: TlsPolicy = Field(DEFAULT_TLS_POLICY, description=_TLS_DESCRIPTION + " For a created one.")
    access_logs: AccessLogs | None = Field(
        None, description="Access logs of a created load balancer; off when omitted (checkov's CKV_AWS_91 says so)."
    )
    target_port: int = Field(443, ge=1, le=65535, description="Port of the targets of a created load balancer.")
    target_protocol: Literal["HTTPS", "HTTP", "TLS", "TCP"] | None = Field(
        None, description="Protocol to the targets; HTTPS for an ALB and TLS for an NLB by default."
    )

    @model_validator(mode="after")
    def _adopted_needs_group(self) -> LoadBalancer:
        if self.arn is not None and self.security_group_id is None:
            raise ValueError(
                "an existing load balancer needs `security_group_id: sg-...` (its security group, which "
                "gets the only ingress rule, from CloudFront)"
            )
        if self.arn is None and self.security_group_id is not None:
            raise ValueError("security_group_id is for an existing load balancer (`arn`); remove it")
        return self


class _VpcOriginBase(_Model):
    id: OriginId
    protection: Literal["vpc_origin"] = Field(
        "vpc_origin", description="vpc_origin: CloudFront VPC origin; ingress only from CloudFront."
    )
    network: Network
    origin_domain: _Hostname = Field(
        description="Name CloudFront connects to (TLS SNI and Host); the origin's certificate must cover it."
    )
    https_port: int = Field(443, ge=1, le=65535)
    origin_path: str = Field("", pattern=ORIGIN_PATH, max_length=255, description="Path prefix, e.g. /app.")
    verify_path: VerifyPath | None = verify_path_field()


class AlbOrigin(_VpcOriginBase):
    """An internal Application Load Balancer behind a CloudFront VPC origin (HTTPS, TLSv1.2)."""

    type: Literal["alb"]
    load_balancer: LoadBalancer = Field(default_factory=lambda: LoadBalancer.model_validate({}))
    certificate: Certificate | None = Field(None, description="Certificate of the HTTPS listener.")
    secret: Secret = Field(default_factory=lambda: VariableSecret(source="variable"), description=_SECRET_DESCRIPTION)


class NlbOrigin(_VpcOriginBase):
    """An internal Network Load Balancer behind a CloudFront VPC origin (TLS listener, TLSv1.2)."""

    type: Literal["nlb"]
    load_balancer: LoadBalancer = Field(default_factory=lambda: LoadBalancer.model_validate({}))
    certificate: Certificate | None = Field(None, description="Certificate of the TLS listener.")


class Ec2Instance(_Model):
    """An existing instance in a private subnet, serving HTTPS itself."""

    arn: str = Field(
        pattern=pattern(
            r"^arn:aws[a-z-]*:ec2:[a-z0-9-]+:\d{12}:instance/i-[0-9a-f]{8,17}$",
            "an instance ARN such as arn:aws:ec2:REGION:ACCOUNT:instance/i-0a1b2c3d4e5f60718",
        )
    )
    network_interface_id: str = Field(
        pattern=pattern(r"^eni-[0-9a-f]{8,17}$", "a network interface id such as eni-0a1b2c3d4e5f60718"),
        description="Its primary network interface: cfgen attaches the CloudFront-only security group there.",
    )
    keep_security_groups: list[SecurityGroupId] = Field(
        default_factory=list,
        description="Security groups of that interface besides cfgen's that it keeps (for egress, say): check that "
        "none admits ingress. The apply stops if the interface carries any group not listed here or cfgen's.",
    )

    @field_validator("keep_security_groups")
    @classmethod
    def _listed_once(cls, groups: list[str]) -> list[str]:
        twice = sorted({g for g in groups if groups.count(g) > 1})
        if twice:
            raise ValueError(f"{', '.join(twice)} listed twice; list each group once")
        return groups


class Ec2Origin(_VpcOriginBase):
    """An existing EC2 instance without a public IP, behind a CloudFront VPC origin."""

    type: Literal["ec2"]
    instance: Ec2Instance
    certificate: Certificate | None = Field(
        None, description="Optional: the instance's certificate, so that cfgen can check it covers origin_domain."
    )


class PrivateApi(_Model):
    """The PRIVATE REST API: an existing one by id, or a small demo API cfgen creates."""

    create_demo: bool = Field(False, description="Create a demo PRIVATE REST API (GET / answers from a mock).")
    rest_api_id: str | None = Field(
        None, pattern=pattern(r"^[a-z0-9]{10}$", "a REST API id of 10 lowercase letters and digits such as a1b2c3d4e5")
    )
    stage: str = Field(
        "prod", pattern=pattern(r"^[A-Za-z0-9_-]{1,128}$", "a stage name of letters, digits, _ and - such as prod")
    )
    access_log_group_arn: str | None = Field(
        None,
        pattern=pattern(
            r"^arn:aws[a-z-]*:logs:[a-z0-9-]+:\d{12}:log-group:[A-Za-z0-9_/.#-]+$",
            "a CloudWatch Logs group ARN such as arn:aws:logs:eu-west-1:111111111111:log-group:/api/access",
        ),
        max_length=600,
        description="With create_demo: a CloudWatch Logs group (its ARN without :*) for the demo stage's access "
        "logs; API Gateway needs the account's CloudWatch role set (aws_api_gateway_account). Off when omitted.",
    )

    current_policy: str | None = current_policy_field()

    @model_validator(mode="after")
    def _one_source(self) -> PrivateApi:
        if self.create_demo == (self.rest_api_id is not None):
            raise ValueError("set exactly one of `create_demo: true` or `rest_api_id: <10-character id>`")
        if self.access_log_group_arn is not None and not self.create_demo:
            raise ValueError(
                "access_log_group_arn sets the demo stage's access logs; an existing API's stage is yours: remove it"
            )
        return self

    @model_validator(mode="after")
    def _policy_of_existing_apis(self) -> PrivateApi:
        policy_of_existing_api(self.rest_api_id, self.current_policy)
        return self


class StaticIp(_Model):
    """A fixed IP of the execute-api endpoint in one subnet."""

    subnet: str = Field(pattern=SUBNET_ID)
    ip: str

    @field_validator("ip")
    @classmethod
    def _ipv4(cls, ip: str) -> str:
        try:
            ipaddress.IPv4Address(ip)
        except ValueError:
            raise ValueError(f"'{ip}' is not an IPv4 address") from None
        return ip


class SyncSchedule(_Model):
    """The sync function's schedule and patience."""

    schedule_expression: str = Field(
        "rate(1 minute)",
        pattern=pattern(r"^(rate|cron)\(.+\)$", "a schedule such as rate(5 minutes) or cron(0 * * * ? *)"),
    )
    missing_runs_before_deregister: int = Field(3, ge=1, le=60)


TargetSync = Literal["static_ips", "apply_time", "lambda"]


class ApiGatewayPrivateOrigin(_Model):
    """A PRIVATE REST API behind a VPC origin, an internal ALB and the execute-api endpoint's IPs."""

    id: OriginId
    type: Literal["api_gateway"]
    protection: Literal["private_vpc_origin"] = Field(
        description="private_vpc_origin: VPC origin -> internal ALB -> execute-api endpoint -> PRIVATE API."
    )
    api: PrivateApi
    network: Network
    origin_domain: _Hostname = Field(description="Name CloudFront connects to; the ALB certificate must cover it.")
    alb_certificate: Certificate
    alb_ssl_policy: TlsPolicy = Field(DEFAULT_TLS_POLICY, description=_TLS_DESCRIPTION)
    alb_access_logs: AccessLogs | None = Field(
        None, description="Access logs of the chain's ALB; off when omitted (checkov's CKV_AWS_91 says so)."
    )
    target_sync: TargetSync = Field(
        "apply_time",
        description="static_ips: fixed endpoint IPs; apply_time: ENI lookup at apply; lambda: a sync function.",
    )
    static_ips: list[StaticIp] = Field(default_factory=list, description="With static_ips: one per subnet.")
    sync: SyncSchedule = Field(
        default_factory=lambda: SyncSchedule.model_validate({}), description="With lambda: the schedule."
    )
    secret: Secret = Field(default_factory=lambda: VariableSecret(source="variable"), description=_SECRET_DESCRIPTION)
    verify_path: VerifyPath | None = verify_path_field()

    @model_validator(mode="after")
    def _static_ips_only_for_static(self) -> ApiGatewayPrivateOrigin:
        if self.target_sync != "static_ips" and self.static_ips:
            raise ValueError("static_ips are used only with `target_sync: static_ips`; remove them or set it")
        return self


def domain_covered(domain: str, names: list[str]) -> bool:
    """Whether a certificate issued for ``names`` is valid for ``domain`` (one-label wildcards)."""
    for name in names:
        if name == domain:
            return True
        if name.startswith("*.") and "." in domain and domain.split(".", 1)[1] == name[2:]:
            return True
    return False
