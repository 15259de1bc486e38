"""The spec: what a user writes, as pydantic models.

Field names here are the spec's public names (they appear in the JSON Schema
and in every error message). Cross-field rules that need the whole document
(unique ids, behaviors naming origins) live in ``_rules.py``.
"""

from __future__ import annotations

import ipaddress
import re
from typing import Annotated, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    field_validator,
    model_validator,
)

from ._secrets import Secret, SecretsManagerSecret, SsmSecret, VariableSecret
from .countries import country_code_problem
from .managed_policies import CachePolicy, OriginRequestPolicy, ResponseHeadersPolicy
from .vpc_origins import AlbOrigin, ApiGatewayPrivateOrigin, Ec2Origin, NlbOrigin

__all__ = [
    "Behavior",
    "Bucket",
    "CloudFrontFunction",
    "Distribution",
    "KeyGroup",
    "Kms",
    "Origin",
    "OriginGroup",
    "PublicKey",
    "Route53",
    "S3Origin",
    "S3WebsiteOrigin",
    "Secret",
    "SecretsManagerSecret",
    "Spec",
    "SsmSecret",
    "VariableSecret",
    "ViewerCertificate",
]

Name = Annotated[
    str,
    StringConstraints(pattern=r"^[a-z][a-z0-9-]*[a-z0-9]$|^[a-z]$", max_length=24),
    Field(description="Lowercase letters, digits and hyphens; starts with a letter; 24 at most."),
]
Region = Annotated[str, StringConstraints(pattern=r"^[a-z]{2}(-gov)?-[a-z]+-\d$")]
Hostname = Annotated[
    str,
    StringConstraints(pattern=r"^(\*\.)?([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$", max_length=253),
]
ACM_VIEWER_ARN = re.compile(r"^arn:aws:acm:us-east-1:\d{12}:certificate/[0-9a-f-]{36}$")
KMS_KEY_ARN = re.compile(r"^arn:aws:kms:[a-z0-9-]+:\d{12}:key/[0-9a-f-]{36}$")


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Bucket(_Model):
    """The S3 bucket behind an origin: created by cfgen, or adopted by name."""

    name: str = Field(description="Bucket name (AWS naming rules apply).")
    create: bool = Field(True, description="Create the bucket; false adopts an existing one.")
    force_destroy: bool = Field(False, description="Let `destroy` delete a non-empty bucket.")

    @field_validator("name")
    @classmethod
    def _aws_bucket_name(cls, name: str) -> str:
        problem = bucket_name_problem(name)
        if problem:
            raise ValueError(problem)
        return name


class Kms(_Model):
    """SSE-KMS for the bucket: a key cfgen creates, or an existing key by ARN."""

    create: bool = Field(False, description="Create a customer-managed key for this bucket.")
    key_arn: str | None = Field(None, description="ARN of an existing customer-managed key.")

    @model_validator(mode="after")
    def _one_source(self) -> Kms:
        if self.create == (self.key_arn is not None):
            raise ValueError("set exactly one of `create: true` or `key_arn: arn:aws:kms:...`")
        if self.key_arn is not None and not KMS_KEY_ARN.match(self.key_arn):
            raise ValueError(
                f"key_arn '{self.key_arn}' is not a KMS key ARN "
                "(arn:aws:kms:REGION:ACCOUNT:key/UUID; aliases are not accepted in key policies)"
            )
        return self


class S3Origin(_Model):
    """An S3 bucket's REST endpoint, readable only by this distribution."""

    id: Name
    type: Literal["s3"]
    protection: Literal["oac", "oai", "oai_to_oac"] = Field(
        "oac",
        description="oac: Origin Access Control, the bucket policy names this distribution. "
        "oai: legacy Origin Access Identity (use oac). "
        "oai_to_oac: migration step, the bucket policy admits both OAC (this distribution) and the OAI while "
        "the origin still signs with the OAI; apply, then render again with oac.",
    )
    bucket: Bucket
    kms: Kms | None = None
    origin_path: str = Field("", pattern=r"^(/[^/]+)*$", description="Path prefix, e.g. /site.")

    @model_validator(mode="after")
    def _oai_cannot_decrypt(self) -> S3Origin:
        if self.protection in ("oai", "oai_to_oac") and self.kms is not None:
            raise ValueError(
                "an Origin Access Identity cannot read SSE-KMS objects: add kms once the origin is on "
                "`protection: oac`, or drop kms"
            )
        return self


class S3WebsiteOrigin(_Model):
    """An S3 website endpoint (HTTP only), readable only with the secret Referer that this distribution sends."""

    id: Name
    type: Literal["s3_website"]
    protection: Literal["secret_header"] = Field(
        "secret_header",
        description="secret_header: CloudFront sends `Referer: <secret>` and the bucket policy allows GetObject "
        "only with it (current or previous secret). Prefer `type: s3` with OAC unless you need website "
        "features (index documents in folders, redirects).",
    )
    bucket: Bucket
    index_document: str = Field("index.html", pattern=r"^[^/]+$", description="Served for paths ending in /.")
    error_document: str | None = Field(None, pattern=r"^[^/].*$", description="Object served with 4XX errors.")
    secret: Secret = Field(
        default_factory=lambda: VariableSecret(source="variable"),
        description="Where the Referer secret lives: `{source: variable}` (default), "
        "`{source: secrets_manager, secret_id: NAME}` or `{source: ssm, parameter: /NAME}`.",
    )


Origin = Annotated[
    S3Origin | S3WebsiteOrigin | AlbOrigin | NlbOrigin | Ec2Origin | ApiGatewayPrivateOrigin,
    Field(discriminator="type"),
]


class Behavior(_Model):
    """A cache behavior: which origin serves a path, and how."""

    path: str = Field(description="A path pattern like /img/*, or `default`.")
    origin: str = Field(description="The id of an origin or an origin group of this distribution.")
    cache: CachePolicy = CachePolicy.OPTIMIZED
    origin_request: OriginRequestPolicy = OriginRequestPolicy.NONE
    response_headers: ResponseHeadersPolicy = ResponseHeadersPolicy.SECURITY_HEADERS
    viewer_protocol: Literal["redirect-to-https", "https-only"] = "redirect-to-https"
    methods: Literal["read", "read_options", "all"] = Field(
        "read_options", description="read: GET/HEAD; read_options: +OPTIONS; all: every method."
    )
    compress: bool = True
    trusted_key_groups: list[Name] = Field(
        default_factory=list,
        description="Key groups (names under the distribution's key_groups) whose keys sign URLs or cookies "
        "for this path; viewers without a valid signature get 403.",
    )
    viewer_request: Name | None = Field(None, description="A function (under `functions`) run on viewer request.")
    viewer_response: Name | None = Field(None, description="A function (under `functions`) run on viewer response.")

    @field_validator("path")
    @classmethod
    def _path_pattern(cls, path: str) -> str:
        if path == "default":
            return path
        if not re.fullmatch(r"[A-Za-z0-9_\-.*$/~\"'@:+&]{1,255}", path):
            raise ValueError(
                f"'{path}' is not a CloudFront path pattern "
                "(letters, digits, and _-.*$/~\"'@:+& only; 255 at most), or use `default`"
            )
        return path


class ViewerCertificate(_Model):
    """An ACM certificate in us-east-1 that covers every alias."""

    acm_certificate_arn: str
    minimum_protocol_version: Literal["TLSv1.2_2021", "TLSv1.2_2025", "TLSv1.3_2025"] = "TLSv1.2_2021"

    @field_validator("acm_certificate_arn")
    @classmethod
    def _us_east_1(cls, arn: str) -> str:
        if not ACM_VIEWER_ARN.match(arn):
            raise ValueError(
                "CloudFront takes viewer certificates from ACM in us-east-1 only: "
                "arn:aws:acm:us-east-1:ACCOUNT:certificate/UUID"
            )
        return arn


def _country_code(code: str) -> str:
    problem = country_code_problem(code)
    if problem:
        raise ValueError(problem)
    return code


class GeoRestriction(_Model):
    """Allow or deny viewers by country (ISO 3166-1 alpha-2 codes)."""

    type: Literal["whitelist", "blacklist"]
    locations: list[Annotated[str, AfterValidator(_country_code)]] = Field(min_length=1)


class Logging(_Model):
    """CloudFront standard logging to an S3 bucket (ACLs must be enabled on it)."""

    bucket: str = Field(pattern=r"^[a-z0-9.-]+\.s3\.amazonaws\.com$")
    prefix: str = ""
    include_cookies: bool = False


class PublicKey(_Model):
    """An RSA 2048-bit public key in PEM, in a file next to the spec (never the private key)."""

    name: Name
    pem_file: str = Field(description="Path of the PEM public key, relative to the spec's folder.")


class KeyGroup(_Model):
    """Public keys whose private keys may sign URLs and cookies for the behaviors that trust the group."""

    name: Name
    public_keys: list[PublicKey] = Field(default_factory=list, description="1 to 5 keys (a CloudFront quota).")


# The codes CloudFront can fail over on; by default only the origin's own failures.
FailoverStatus = Literal[400, 403, 404, 416, 500, 502, 503, 504]
SERVER_ERRORS: tuple[FailoverStatus, ...] = (500, 502, 503, 504)


class OriginGroup(_Model):
    """Origin failover: CloudFront retries GET/HEAD/OPTIONS on `secondary` when `primary` answers these codes."""

    id: Name
    primary: str = Field(description="Origin id tried first.")
    secondary: str = Field(description="Origin id tried when the primary fails.")
    status_codes: list[FailoverStatus] = Field(default_factory=lambda: list(SERVER_ERRORS), min_length=1)


class CloudFrontFunction(_Model):
    """A CloudFront Function (cloudfront-js-2.0) whose code is a JavaScript file next to the spec."""

    name: Name
    code: str = Field(description="Path of the .js file, relative to the spec's folder; 10 KB at most.")
    comment: str | None = Field(None, max_length=128)


class Route53(_Model):
    """A hosted zone in which cfgen creates alias records (A, and AAAA with ipv6) for every alias."""

    zone_id: str = Field(pattern=r"^Z[A-Z0-9]{1,32}$", description="Route 53 hosted zone id, e.g. Z0123456789ABC.")


class Distribution(_Model):
    """One CloudFront distribution and the origins only it may reach."""

    name: Name
    comment: str | None = Field(None, max_length=128)
    aliases: list[Hostname] = Field(default_factory=list)
    viewer_certificate: ViewerCertificate | None = None
    price_class: Literal["PriceClass_All", "PriceClass_200", "PriceClass_100"] = "PriceClass_All"
    http_version: Literal["http2and3", "http2", "http3", "http1.1"] = "http2and3"
    ipv6: bool = True
    default_root_object: str | None = Field(None, pattern=r"^[^/].*$")
    web_acl_arn: str | None = Field(
        None, pattern=r"^arn:aws:wafv2:us-east-1:\d{12}:global/webacl/[\w-]+/[0-9a-f-]{36}$"
    )
    geo_restriction: GeoRestriction | None = None
    logging: Logging | None = None
    key_groups: list[KeyGroup] = Field(default_factory=list, description="For signed URLs and cookies.")
    functions: list[CloudFrontFunction] = Field(default_factory=list)
    route53: Route53 | None = None
    origins: list[Origin] = Field(min_length=1)
    origin_groups: list[OriginGroup] = Field(default_factory=list, description="Failover pairs; behaviors may target.")
    behaviors: list[Behavior] = Field(min_length=1)

    @model_validator(mode="after")
    def _aliases_need_certificate(self) -> Distribution:
        if self.aliases and self.viewer_certificate is None:
            raise ValueError(
                "aliases need a viewer_certificate: add "
                "`viewer_certificate: {acm_certificate_arn: arn:aws:acm:us-east-1:...}`"
            )
        return self


class Spec(_Model):
    """A cfgen spec: CloudFront distributions and their protected origins."""

    model_config = ConfigDict(
        extra="forbid",
        frozen=True,
        title="cfgen spec",
        json_schema_extra={"$schema": "https://json-schema.org/draft/2020-12/schema"},
    )

    version: Literal[1]
    project: Name = Field(description="Prefix of every resource name.")
    region: Region = Field(description="AWS region of the origins.")
    tags: dict[str, str] = Field(default_factory=dict)
    distributions: list[Distribution] = Field(min_length=1)


def bucket_name_problem(name: str) -> str | None:
    """Why AWS would refuse ``name`` as a general purpose bucket name, or None."""
    if not 3 <= len(name) <= 63:
        return f"bucket name '{name}' has {len(name)} characters; S3 allows 3 to 63"
    if not re.fullmatch(r"[a-z0-9][a-z0-9.-]*[a-z0-9]", name):
        return (
            f"bucket name '{name}' may hold only lowercase letters, digits, dots and hyphens, "
            "and must start and end with a letter or digit"
        )
    if ".." in name:
        return f"bucket name '{name}' has two adjacent dots"
    try:
        ipaddress.IPv4Address(name)
    except ValueError:
        pass
    else:
        return f"bucket name '{name}' is formatted as an IP address"
    for prefix in ("xn--", "sthree-", "amzn-s3-demo-"):
        if name.startswith(prefix):
            return f"bucket name '{name}' starts with the reserved prefix '{prefix}'"
    for suffix in ("-s3alias", "--ol-s3", ".mrap", "--x-s3", "--table-s3"):
        if name.endswith(suffix):
            return f"bucket name '{name}' ends with the reserved suffix '{suffix}'"
    return None
