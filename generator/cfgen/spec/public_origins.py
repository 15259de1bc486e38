"""Origins that face the internet by design, closed by what only this distribution's requests carry.

``alb`` with ``protection: listener_header`` (an internet-facing ALB whose
listener forwards only with the secret header, behind a security group that
admits only CloudFront's origin-facing prefix list) or ``protection:
waf_header`` (the same ALB behind a regional WAF web ACL that requires the
secret header), ``lambda_url`` with
``protection: oac`` (a function URL with ``AWS_IAM`` auth that CloudFront
signs for), and ``custom`` (any HTTPS server, in AWS or not) with
``protection: secret_header``. Kept apart
from ``models.py`` like the VPC origins; ``models.Origin`` joins them in one
tagged union. Rules that read several fields at once are in
``_public_rules.py``.
"""

from __future__ import annotations

import ipaddress
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator, model_validator

from ._secrets import Secret, VariableSecret
from ._verify import VerifyPath, verify_path_field
from ._words import ORIGIN_PATH, SUBNET_ID, pattern
from .api_gateway import WafLogging
from .vpc_origins import (
    DEFAULT_TLS_POLICY,
    AccessLogs,
    AdoptedListener,
    Certificate,
    OriginId,
    SecurityGroupId,
    TlsPolicy,
)

__all__ = [
    "CLOUDFRONT_PREFIX_LIST",
    "CLOUDFRONT_PREFIX_LISTS",
    "AlbListenerHeaderOrigin",
    "AlbWafHeaderOrigin",
    "CustomOrigin",
    "LambdaFunction",
    "LambdaUrlOrigin",
    "OriginServer",
    "PublicLoadBalancer",
    "PublicNetwork",
    "ServerTls",
    "prefix_list_of",
]

# The AWS-managed prefix list of CloudFront's origin-facing servers (IPv4), and its id per region.
CLOUDFRONT_PREFIX_LIST = "com.amazonaws.global.cloudfront.origin-facing"
# NOT PUBLISHED BY AWS: these ids come from third-party tables (us-east-1's is widely repeated). They are
# defaults only; the apply reads the list by this id AND name and stops when they do not match, so a wrong
# default fails the apply, never opens the ALB. Give `cloudfront_prefix_list_id` for any other region.
CLOUDFRONT_PREFIX_LISTS = {
    "us-east-1": "pl-3b927c52",
    "us-east-2": "pl-b6a144df",
    "us-west-1": "pl-4ea04527",
    "us-west-2": "pl-82a045eb",
    "eu-west-1": "pl-4fa04526",
    "eu-west-2": "pl-93a247fa",
    "eu-central-1": "pl-a3a144ca",
    "ap-southeast-1": "pl-31a34658",
    "ap-southeast-2": "pl-b8a742d1",
    "ap-northeast-1": "pl-58a04531",
}

# A DNS name CloudFront connects to: no wildcard (an origin is one host), no IP address (CloudFront refuses one).
HOST = pattern(
    r"^([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$",
    "a lowercase DNS name such as origin.example.com (no wildcard, no IP address)",
)
_Host = Annotated[str, StringConstraints(pattern=HOST, max_length=253)]
_ServerPath = Annotated[
    str,
    StringConstraints(
        pattern=pattern(
            r"^(/[A-Za-z0-9._+-]+)+$",
            "an absolute path on the server of letters, digits and . _ + - such as /etc/ssl/origin.pem",
        ),
        max_length=1024,
    ),
]

HEADER_SECRET_DESCRIPTION = (
    "Where the X-Origin-Verify secret lives: `{source: variable}` (default), "
    "`{source: secrets_manager, secret_id: NAME}` or `{source: ssm, parameter: /NAME}`. CloudFront sends it and "
    "the origin lets in only requests that carry it; 32-128 letters and digits (`openssl rand -hex 32`)."
)


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class PublicNetwork(_Model):
    """The VPC of an ALB cfgen creates, and the public subnets (two or more zones) it faces the internet from."""

    vpc_id: str = Field(pattern=pattern(r"^vpc-[0-9a-f]{8,17}$", "a VPC id such as vpc-0a1b2c3d4e5f60718"))
    subnets: list[Annotated[str, StringConstraints(pattern=SUBNET_ID)]] = Field(
        min_length=1, description="Subnet ids with a route to an internet gateway, in two or more Availability Zones."
    )


class PublicLoadBalancer(_Model):
    """The internet-facing ALB: created by cfgen (no `arn`), or an existing one with the listener cfgen adds to."""

    arn: str | None = Field(
        None,
        pattern=pattern(
            r"^arn:aws[a-z-]*:elasticloadbalancing:[a-z0-9-]+:\d{12}:loadbalancer/app/[\w-]+/[0-9a-f]+$",
            "an ALB ARN such as arn:aws:elasticloadbalancing:REGION:ACCOUNT:loadbalancer/app/NAME/ID",
        ),
        description="An existing internet-facing ALB; omit to let cfgen create one.",
    )
    security_group_id: SecurityGroupId | None = Field(
        None,
        description="With `arn`: the ALB's security group, where cfgen adds the rule from CloudFront's prefix list "
        "(about 55 of its 60 rules: give a group that holds no other prefix list).",
    )
    listener: AdoptedListener | None = Field(
        None,
        description="With `arn`: its HTTPS listener, where cfgen adds the only rule that forwards, on X-Origin-Verify "
        "= the secret CloudFront sends. Its default action must answer a fixed 403: the apply checks it.",
    )
    ssl_policy: TlsPolicy = Field(
        DEFAULT_TLS_POLICY, description="TLS policy of a created ALB's listener (Security Hub ELB.17's list)."
    )
    access_logs: AccessLogs | None = Field(
        None, description="Access logs of a created ALB; off when omitted (checkov's CKV_AWS_91 says so)."
    )
    target_port: int = Field(443, ge=1, le=65535, description="Port of the targets of a created ALB.")
    target_protocol: Literal["HTTPS", "HTTP"] = Field("HTTPS", description="Protocol to the targets of a created ALB.")


class ServerTls(_Model):
    """The server's certificate chain and private key, as PEM files on the server."""

    certificate_file: _ServerPath
    key_file: _ServerPath


class OriginServer(_Model):
    """What the rendered nginx, Apache and Caddy configuration needs to know of your server."""

    upstream: str = Field(
        "http://127.0.0.1:8080",
        pattern=pattern(
            r"^http://([A-Za-z0-9.-]+|\[[0-9A-Fa-f:.]+\])(:[0-9]{1,5})?$",
            "an application address such as http://127.0.0.1:8080 (http://HOST or http://HOST:PORT, no path)",
        ),
        description="Where the server passes the requests it lets in: your application.",
    )
    listen_address: str | None = Field(
        None, description="The IP address the server listens on for CloudFront; every address when omitted."
    )
    tls: ServerTls | None = Field(
        None,
        description="The certificate files; without them nginx and Apache use certbot's paths for domain_name and "
        "Caddy gets a certificate itself.",
    )

    @field_validator("listen_address")
    @classmethod
    def _ip(cls, address: str | None) -> str | None:
        if address is not None:
            try:
                ipaddress.ip_address(address)
            except ValueError:
                raise ValueError(f"'{address}' is not an IP address; give one, or leave it out for all") from None
        return address

    @field_validator("upstream")
    @classmethod
    def _port(cls, upstream: str) -> str:
        address = upstream.removeprefix("http://")
        port = address.rpartition("]")[2] if address.startswith("[") else address
        number = port.partition(":")[2]
        if number and not 0 < int(number) < 65536:
            raise ValueError(f"port {number} of '{upstream}' is not a TCP port (1-65535)")
        return upstream


class CustomOrigin(_Model):
    """Any HTTPS server, in AWS or not, that lets in only requests carrying this distribution's secret header."""

    id: OriginId
    type: Literal["custom"]
    protection: Literal["secret_header"] = Field(
        "secret_header",
        description="secret_header: CloudFront sends `X-Origin-Verify: <secret>` over HTTPS (TLSv1.2) only; the "
        "server checks it with the nginx, Apache or Caddy configuration cfgen renders (403 otherwise).",
    )
    domain_name: _Host = Field(
        description="The server's DNS name: CloudFront connects to it (TLS SNI and Host), and its certificate, from "
        "a public CA, must cover it."
    )
    https_port: int = Field(443, ge=1, le=65535)
    origin_path: str = Field("", pattern=ORIGIN_PATH, max_length=255, description="Path prefix, e.g. /app.")
    verify_path: VerifyPath | None = verify_path_field()
    secret: Secret = Field(
        default_factory=lambda: VariableSecret(source="variable"), description=HEADER_SECRET_DESCRIPTION
    )
    server: OriginServer = Field(
        default_factory=lambda: OriginServer.model_validate({}),
        description="For the server configuration cfgen renders under origin-snippets/.",
    )


class _InternetAlb(_Model):
    """What both modes of an internet-facing ALB share: the ALB (created or existing), its name, its prefix list."""

    id: OriginId
    type: Literal["alb"]
    protection: str  # each mode narrows it; declared here to keep its place in messages and the schema
    origin_domain: _Host = Field(
        description="A name of yours on the ALB (its *.elb.amazonaws.com name can get no certificate): CloudFront "
        "connects to it over HTTPS, and the listener's certificate covers it."
    )
    certificate: Certificate | None = Field(
        None, description="The listener's ACM certificate (origin region): required when cfgen creates the ALB."
    )
    network: PublicNetwork | None = Field(None, description="Where a created ALB lives; required without `arn`.")
    load_balancer: PublicLoadBalancer = Field(default_factory=lambda: PublicLoadBalancer.model_validate({}))
    https_port: int = Field(443, ge=1, le=65535)
    origin_path: str = Field("", pattern=ORIGIN_PATH, max_length=255, description="Path prefix, e.g. /app.")
    verify_path: VerifyPath | None = verify_path_field()
    cloudfront_prefix_list_id: str | None = Field(
        None,
        pattern=pattern(r"^pl-[0-9a-f]{8,17}$", "a prefix list id such as pl-4fa04526"),
        description="Id of com.amazonaws.global.cloudfront.origin-facing in the spec's region. Omitted: cfgen's table "
        "of known ids (third-party, not published by AWS); the apply stops if the id is not that list.",
    )
    secret: Secret = Field(
        default_factory=lambda: VariableSecret(source="variable"), description=HEADER_SECRET_DESCRIPTION
    )


class AlbListenerHeaderOrigin(_InternetAlb):
    """An internet-facing ALB: ingress only from CloudFront's prefix list, forwarding only with the secret header."""

    protection: Literal["listener_header"] = Field(
        description="listener_header: the listener answers a fixed 403 unless X-Origin-Verify is this distribution's "
        "secret (current or previous); its security group admits only CloudFront's origin-facing prefix list."
    )


class AlbWafHeaderOrigin(_InternetAlb):
    """An internet-facing ALB: ingress only from CloudFront's prefix list, behind a web ACL that needs the secret."""

    protection: Literal["waf_header"] = Field(
        description="waf_header: a regional WAF web ACL on the ALB blocks every request whose X-Origin-Verify is not "
        "this distribution's secret (current or previous), on every listener and rule of the ALB; its security group "
        "admits only CloudFront's origin-facing prefix list."
    )
    waf_logging: WafLogging | None = Field(
        None, description="WAF logs (the header redacted); off when omitted (checkov's CKV2_AWS_31 says so)."
    )
    replace_web_acl: bool = Field(
        False,
        description="With an existing ALB (`load_balancer.arn`): true says you know that an ALB takes one web ACL, so "
        "cfgen's takes the place of any web ACL the ALB has now, with its rules (move them to the distribution's "
        "web_acl_arn first).",
    )


class LambdaFunction(_Model):
    """The function behind the URL: an existing one by name, or a small demo function cfgen creates."""

    name: str | None = Field(
        None,
        pattern=pattern(
            r"^[A-Za-z0-9_-]{1,64}$", "a Lambda function name such as shop-api (letters, digits, - and _; 64 at most)"
        ),
        description="An existing function of the origins' region, by name.",
    )
    create_demo: bool = Field(False, description="Create a small demo function (Python; answers what it was asked).")
    qualifier: str | None = Field(
        None,
        pattern=pattern(
            r"^[0-9]*[A-Za-z_-][A-Za-z0-9_-]*$", "an alias name such as live (letters, digits, - and _; not a version)"
        ),
        max_length=128,
        description="With `name`: the alias the URL is on; both permissions name it too.",
    )
    url: Literal["create", "existing"] = Field(
        "create",
        description="create: cfgen creates the function URL (auth type AWS_IAM) and owns it; AWS refuses to create a "
        "second one, so nothing of yours is replaced. existing: the function (alias) already has a URL; cfgen reads it "
        "at apply, stops unless its auth type is AWS_IAM, and never changes it.",
    )

    @model_validator(mode="after")
    def _one_source(self) -> LambdaFunction:
        if self.create_demo == (self.name is not None):
            raise ValueError("set exactly one of `create_demo: true` or `name: <an existing function>`")
        if self.create_demo and (self.qualifier is not None or self.url != "create"):
            raise ValueError("qualifier and `url: existing` are for an existing function (`name`); remove them")
        return self


class LambdaUrlOrigin(_Model):
    """A Lambda function URL (auth type AWS_IAM) that CloudFront signs for with Origin Access Control."""

    id: OriginId
    type: Literal["lambda_url"]
    protection: Literal["oac"] = Field(
        "oac",
        description="oac: the URL's auth type is AWS_IAM and CloudFront signs every request (OAC of type lambda); "
        "the function's policy lets cloudfront.amazonaws.com call it only for this distribution.",
    )
    function: LambdaFunction
    origin_path: str = Field("", pattern=ORIGIN_PATH, max_length=255, description="Path prefix, e.g. /api.")
    verify_path: VerifyPath | None = verify_path_field()


def prefix_list_of(origin: AlbListenerHeaderOrigin | AlbWafHeaderOrigin, region: str) -> str | None:
    """The CloudFront prefix list id the render uses: the spec's, else the table's for ``region`` (None if neither)."""
    return origin.cloudfront_prefix_list_id or CLOUDFRONT_PREFIX_LISTS.get(region)
