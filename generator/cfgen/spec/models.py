"""The spec: what a user writes, as pydantic models.

Field names here are the spec's public names (they appear in the JSON Schema
and in every error message). Cross-field rules that need the whole document
(unique ids, behaviors naming origins) live in ``_rules.py``.
"""

from __future__ import annotations

import ipaddress
import re
import unicodedata
from typing import TYPE_CHECKING, Annotated, Any, Literal, Union, get_args

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Discriminator,
    Field,
    StringConstraints,
    Tag,
    field_validator,
    model_validator,
)

from ._secrets import Secret, SecretsManagerSecret, SsmSecret, VariableSecret
from ._verify import VerifyPath, verify_path_field
from ._words import HOSTNAME, NAME, ORIGIN_PATH, pattern
from .api_gateway import (
    ApiGatewayApiKeyOrigin,
    ApiGatewayAuthorizerOrigin,
    ApiGatewayIamOrigin,
    ApiGatewayResourcePolicyOrigin,
    ApiGatewayWafHeaderOrigin,
)
from .countries import country_code_problem
from .managed_policies import CachePolicy, OriginRequestPolicy, ResponseHeadersPolicy
from .public_origins import AlbListenerHeaderOrigin, AlbWafHeaderOrigin, CustomOrigin, LambdaUrlOrigin
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
    StringConstraints(pattern=NAME, max_length=24),
    Field(description="Lowercase letters, digits and hyphens; starts with a letter; 24 at most."),
]
Region = Annotated[
    str, StringConstraints(pattern=pattern(r"^[a-z]{2}(-gov)?-[a-z]+-\d$", "an AWS region such as eu-west-1"))
]
Hostname = Annotated[
    str,
    StringConstraints(pattern=HOSTNAME, max_length=253),
]
OBJECT_KEY = pattern(
    r"^[^/\x00-\x1f\x7f][^\x00-\x1f\x7f]*$",
    "an object key such as errors/404.html (not starting with /, no control characters)",
)
# What CloudFront accepts as a default root object (its API reference lists these characters).
ROOT_OBJECT = pattern(
    r"^[A-Za-z0-9_.*$~\"'@:+&-][A-Za-z0-9_.*$/~\"'@:+&-]*$",
    "an object name such as index.html: letters, digits and _-.*$/~\"'@:+& only, not starting with /",
)
# The provider version of the rendered `required_providers` floor, and the CloudFront viewer policies it
# does not know (checked by an offline plan: "expected minimum_protocol_version to be one of ... TLSv1.2_2021").
PROVIDER_FLOOR = "5.100.0"
NEWER_TLS_POLICIES = ("TLSv1.2_2025", "TLSv1.3_2025")
ACM_VIEWER_ARN = re.compile(r"^arn:aws:acm:us-east-1:\d{12}:certificate/[0-9a-f-]{36}$")
KMS_KEY_ARN = re.compile(r"^arn:aws:kms:[a-z0-9-]+:\d{12}:key/[0-9a-f-]{36}$")


def _printable(text: str) -> str:
    bad = next((ch for ch in text if unicodedata.category(ch) == "Cc"), None)
    if bad is not None:
        raise ValueError(f"holds the control character U+{ord(bad):04X}; AWS takes printable text here: remove it")
    return text


# Free text that reaches an AWS API (comments, prefixes): its XML cannot carry control characters.
Text = Annotated[str, AfterValidator(_printable)]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Bucket(_Model):
    """The S3 bucket behind an origin: created by cfgen, or adopted by name."""

    name: str = Field(description="Bucket name (AWS naming rules apply).")
    create: bool = Field(True, description="Create the bucket; false adopts an existing one.")
    force_destroy: bool = Field(False, description="Let `destroy` delete a non-empty bucket.")
    noncurrent_version_expiration_days: int = Field(
        90,
        ge=1,
        le=36500,
        description="Days S3 keeps an overwritten or deleted version of an object before it expires it "
        "(a created bucket's lifecycle rule, which also aborts multipart uploads left incomplete for 7 days). "
        "An adopted bucket keeps its own lifecycle.",
    )

    current_policy: str | None = Field(
        None,
        min_length=1,
        max_length=1024,
        description="An adopted bucket's policy as it is before cfgen (create: false only, and then required): "
        "a JSON file relative to the spec's folder, saved with `aws s3api get-bucket-policy --bucket NAME "
        "--query Policy --output text > FILE`, whose statements cfgen keeps in the policy it writes; or `none` "
        "when the bucket has no policy.",
    )

    @field_validator("name")
    @classmethod
    def _aws_bucket_name(cls, name: str) -> str:
        problem = bucket_name_problem(name)
        if problem:
            raise ValueError(problem)
        return name

    @model_validator(mode="after")
    def _lifecycle_of_created_buckets(self) -> Bucket:
        if not self.create and "noncurrent_version_expiration_days" in self.model_fields_set:
            raise ValueError(
                "noncurrent_version_expiration_days applies to a bucket cfgen creates: an adopted bucket "
                "(create: false) keeps its own lifecycle; drop the field or manage the lifecycle yourself"
            )
        return self

    @model_validator(mode="after")
    def _policy_of_adopted_buckets(self) -> Bucket:
        if self.create and self.current_policy is not None:
            raise ValueError(
                "current_policy is the policy of a bucket cfgen adopts (create: false); a bucket cfgen creates has "
                "none yet: remove current_policy"
            )
        if not self.create and self.current_policy is None:
            raise ValueError(
                "an adopted bucket's policy is replaced by the one cfgen writes, so cfgen must know the "
                f"statements to keep: save them with `aws s3api get-bucket-policy --bucket {self.name} --query "
                f"Policy --output text > {self.name}-policy.json` and add `current_policy: {self.name}-policy.json`, "
                "or add `current_policy: none` if that command answers NoSuchBucketPolicy"
            )
        return self


# aws:PrincipalArn of an IAM role (its ARN, whatever the session) or user; no wildcard.
DIRECT_READER_ARN = re.compile(r"^arn:aws(-cn|-us-gov)?:iam::\d{12}:(role|user)(/[\w+=,.@-]+)+$")


def _direct_reader(arn: str) -> str:
    if re.match(r"^arn:aws[a-z-]*:sts::\d{12}:assumed-role/", arn):
        raise ValueError(
            f"'{arn}' is a role session; the bucket policy compares aws:PrincipalArn, which is the role's ARN "
            "(arn:aws:iam::ACCOUNT:role/NAME) whatever the session: give that"
        )
    if "*" in arn or "?" in arn:
        raise ValueError(f"'{arn}' has a wildcard; name each role or user that may read directly")
    if not DIRECT_READER_ARN.match(arn):
        raise ValueError(
            f"'{arn}' is not the ARN of an IAM role or user (arn:aws:iam::ACCOUNT:role/NAME or "
            "arn:aws:iam::ACCOUNT:user/NAME)"
        )
    return arn


DirectReaders = Annotated[
    list[Annotated[str, AfterValidator(_direct_reader)]],
    Field(
        description="IAM roles or users (by ARN) that may still read the bucket's objects directly: a backup, "
        "replication or Macie role, a deploy tool that reads objects back. The bucket policy denies object "
        "reads to every other principal of the account unless they come through this distribution.",
    ),
]


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
    origin_path: str = Field("", pattern=ORIGIN_PATH, max_length=255, description="Path prefix, e.g. /site.")
    direct_readers: DirectReaders = Field(default_factory=list)
    verify_path: VerifyPath | None = verify_path_field()

    @model_validator(mode="after")
    def _oai_cannot_decrypt(self) -> S3Origin:
        if self.protection in ("oai", "oai_to_oac") and self.kms is not None:
            raise ValueError(
                "an Origin Access Identity cannot read SSE-KMS objects: add kms once the origin is on "
                "`protection: oac`, or drop kms"
            )
        return self

    @model_validator(mode="after")
    def _adopted_bucket_keeps_its_key(self) -> S3Origin:
        if not self.bucket.create and self.kms is not None and self.kms.create:
            raise ValueError(
                "kms: {create: true} makes cfgen's key the adopted bucket's default: objects written meanwhile stay "
                "encrypted with it, and destroying this render would schedule the key's deletion (and their loss). "
                "Create the key outside this render and give `kms: {key_arn: arn:aws:kms:...}`"
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
    index_document: str = Field(
        "index.html",
        pattern=pattern(r"^[^/\x00-\x1f\x7f]+$", "an object name without / or control characters, such as index.html"),
        max_length=1024,
        description="Served for paths ending in /.",
    )
    error_document: str | None = Field(
        None, pattern=OBJECT_KEY, max_length=1024, description="Object served with 4XX errors."
    )
    secret: Secret = Field(
        default_factory=lambda: VariableSecret(source="variable"),
        description="Where the Referer secret lives: `{source: variable}` (default), "
        "`{source: secrets_manager, secret_id: NAME}` or `{source: ssm, parameter: /NAME}`.",
    )
    direct_readers: DirectReaders = Field(default_factory=list)
    verify_path: VerifyPath | None = verify_path_field()


def by_protection(*members: type[BaseModel], default: str | None = None) -> Any:
    """One origin type's models as a union told apart by ``protection`` (``default`` when the spec leaves it out).

    An origin type whose protection modes need different fields (an ALB in a
    VPC, or one facing the internet) has one model per mode; the outer union
    picks the type, this one the mode. Each member is tagged with its class
    name, so a member may cover several modes (S3's oac, oai, oai_to_oac).
    """
    tags = {mode: member.__name__ for member in members for mode in modes_of(member)}

    def protection(value: Any) -> str | None:
        given = value.get("protection", default) if isinstance(value, dict) else getattr(value, "protection", None)
        return tags.get(given, given) if isinstance(given, str) else None

    tagged = tuple(Annotated[member, Tag(member.__name__)] for member in members)
    return Annotated[Union[tagged], Discriminator(protection)]  # noqa: UP007 (a tuple of members needs Union[...])


def modes_of(model: type[BaseModel]) -> tuple[str, ...]:
    """The protection modes one origin model accepts."""
    return tuple(get_args(model.model_fields["protection"].annotation))


def origin_models(annotation: Any = None) -> list[type[BaseModel]]:
    """Every origin model of the spec, unions and annotations looked through."""
    annotation = Origin if annotation is None else annotation
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [annotation]
    return [model for arg in get_args(annotation) for model in origin_models(arg)]


def protection_modes(origin_type: str) -> list[str]:
    """The protection modes of ``origin_type``, in the order the models declare them."""
    models = [m for m in origin_models() if origin_type in get_args(m.model_fields["type"].annotation)]
    return [mode for model in models for mode in modes_of(model)]


if TYPE_CHECKING:  # what the code reads: one of the models
    Origin = (
        S3Origin
        | S3WebsiteOrigin
        | AlbOrigin
        | AlbListenerHeaderOrigin
        | AlbWafHeaderOrigin
        | NlbOrigin
        | Ec2Origin
        | ApiGatewayPrivateOrigin
        | ApiGatewayApiKeyOrigin
        | ApiGatewayResourcePolicyOrigin
        | ApiGatewayAuthorizerOrigin
        | ApiGatewayWafHeaderOrigin
        | ApiGatewayIamOrigin
        | LambdaUrlOrigin
        | CustomOrigin
    )
else:  # what pydantic reads: the type first, then the mode for types with a model per mode
    Origin = Annotated[
        S3Origin
        | S3WebsiteOrigin
        | by_protection(AlbOrigin, AlbListenerHeaderOrigin, AlbWafHeaderOrigin, default="vpc_origin")
        | NlbOrigin
        | Ec2Origin
        | by_protection(
            ApiGatewayPrivateOrigin,
            ApiGatewayApiKeyOrigin,
            ApiGatewayResourcePolicyOrigin,
            ApiGatewayAuthorizerOrigin,
            ApiGatewayWafHeaderOrigin,
            ApiGatewayIamOrigin,
        )
        | LambdaUrlOrigin
        | CustomOrigin,
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
    minimum_protocol_version: Literal["TLSv1.2_2021"] = Field(
        "TLSv1.2_2021",
        description="TLSv1.2_2021. TLSv1.2_2025 and TLSv1.3_2025 need a newer hashicorp/aws than 5.100.0, "
        "the provider cfgen renders for and tests with.",
    )

    @field_validator("minimum_protocol_version", mode="before")
    @classmethod
    def _known_to_the_provider(cls, version: object) -> object:
        if version in NEWER_TLS_POLICIES:
            raise ValueError(
                f"{version} is a CloudFront policy that hashicorp/aws {PROVIDER_FLOOR} (the provider version cfgen "
                "renders for and tests with) refuses at plan; it needs a provider release that lists it. "
                "Use TLSv1.2_2021"
            )
        return version

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

    bucket: str = Field(
        pattern=pattern(r"^[a-z0-9.-]+\.s3\.amazonaws\.com$", "a bucket's domain name such as my-logs.s3.amazonaws.com")
    )
    prefix: Text = ""
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
    comment: Text | None = Field(None, max_length=128)


class Route53(_Model):
    """A hosted zone in which cfgen creates alias records (A, and AAAA with ipv6) for every alias."""

    zone_id: str = Field(
        pattern=pattern(r"^Z[A-Z0-9]{1,32}$", "a Route 53 hosted zone id such as Z0123456789ABC"),
        description="Route 53 hosted zone id, e.g. Z0123456789ABC.",
    )


class Distribution(_Model):
    """One CloudFront distribution and the origins only it may reach."""

    name: Name
    comment: Text | None = Field(None, max_length=128)
    aliases: list[Hostname] = Field(default_factory=list)
    viewer_certificate: ViewerCertificate | None = None
    price_class: Literal["PriceClass_All", "PriceClass_200", "PriceClass_100"] = "PriceClass_All"
    http_version: Literal["http2and3", "http2", "http3", "http1.1"] = "http2and3"
    ipv6: bool = True
    default_root_object: str | None = Field(None, pattern=ROOT_OBJECT, max_length=255)
    web_acl_arn: str | None = Field(
        None,
        pattern=pattern(
            r"^arn:aws:wafv2:us-east-1:\d{12}:global/webacl/[\w-]+/[0-9a-f-]{36}$",
            "a global WAF web ACL ARN: arn:aws:wafv2:us-east-1:ACCOUNT:global/webacl/NAME/ID",
        ),
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
