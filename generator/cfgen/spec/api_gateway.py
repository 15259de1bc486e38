"""Public (REGIONAL) API Gateway APIs that answer only through CloudFront: ``type: api_gateway``.

One model per protection mode, joined with the private chain
(``vpc_origins.ApiGatewayPrivateOrigin``) in ``models.Origin`` by
``by_protection``:

- ``api_key``: CloudFront sends an API key (``x-api-key``) of a usage plan
  that covers this API's stage only; every method requires a key.
- ``resource_policy``: CloudFront sends ``Referer: <secret>``; the API's
  resource policy denies ``execute-api:Invoke`` without it.
- ``authorizer``: CloudFront sends ``X-Origin-Verify: <secret>``; a Lambda
  REQUEST authorizer that cfgen ships checks it (REST and HTTP APIs).
- ``waf_header``: CloudFront sends ``x-origin-verify: <secret>``; a regional
  WAF web ACL on the stage blocks every request without it.
- ``iam_sigv4``: every method requires ``AWS_IAM``; a Lambda@Edge function
  signs CloudFront's requests as a role that the resource policy alone admits.

Each works with a small demo API that cfgen creates (``create_demo``) or an
existing API by id and stage, whose methods, deployments and stages stay the
user's (see README: what cfgen owns on an existing API).
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

from ._secrets import Secret, VariableSecret
from ._verify import VerifyPath, verify_path_field
from ._words import NAME, pattern

__all__ = [
    "API_GATEWAY_ORIGINS",
    "ApiGatewayApiKeyOrigin",
    "ApiGatewayAuthorizerOrigin",
    "ApiGatewayIamOrigin",
    "ApiGatewayResourcePolicyOrigin",
    "ApiGatewayWafHeaderOrigin",
    "ApiKeys",
    "AuthorizerApi",
    "AuthorizerSettings",
    "PolicyRestApi",
    "PublicApiOrigin",
    "Quota",
    "RestApi",
    "Throttle",
    "WafLogging",
    "current_policy_field",
    "policy_of_existing_api",
]

_Id = Annotated[str, StringConstraints(pattern=NAME, max_length=24)]
_REST_API_ID = pattern(r"^[a-z0-9]{10}$", "a REST API id of 10 lowercase letters and digits such as a1b2c3d4e5")
# The same shape as a REST API's id; written apart so that an error names the kind of API.
_HTTP_API_ID = pattern(r"^[0-9a-z]{10}$", "an HTTP API id of 10 lowercase letters and digits such as a1b2c3d4e5")
_STAGE = pattern(r"^[A-Za-z0-9_-]{1,128}$", "a stage name of letters, digits, _ and - such as prod")
_ANY_STAGE = pattern(
    r"^(\$default|[A-Za-z0-9_-]{1,128})$", "$default, or a stage name of letters, digits, _ and - such as prod"
)
_LOG_GROUP_ARN = pattern(
    r"^arn:aws[a-z-]*:logs:[a-z0-9-]+:\d{12}:log-group:[A-Za-z0-9_/.#-]+$",
    "a CloudWatch Logs group ARN such as arn:aws:logs:eu-west-1:111111111111:log-group:/api/access",
)
_KEY_NAME = pattern(r"^[a-z0-9][a-z0-9-]{0,31}$", "a key generation name of lowercase letters, digits and - such as g2")
_WAF_LOG_DESTINATION = pattern(
    r"^arn:aws[a-z-]*:(logs:[a-z0-9-]+:\d{12}:log-group:aws-waf-logs-[A-Za-z0-9_/.#-]+"
    r"|s3:::aws-waf-logs-[a-z0-9.-]+"
    r"|firehose:[a-z0-9-]+:\d{12}:deliverystream/aws-waf-logs-[A-Za-z0-9_.-]+)$",
    "a CloudWatch Logs group, S3 bucket or Firehose stream ARN whose name starts with aws-waf-logs-, such as "
    "arn:aws:logs:eu-west-1:111111111111:log-group:aws-waf-logs-shop",
)

_SECRET_DESCRIPTION = (
    "Where the {header} secret lives: `{{source: variable}}` (default), `{{source: secrets_manager, secret_id: NAME}}` "
    "or `{{source: ssm, parameter: /NAME}}`. CloudFront sends the current value; the API accepts the current or the "
    "previous one. At least 32 random characters (`openssl rand -hex 32`)."
)
_ACCESS_LOGS = (
    "With create_demo: a CloudWatch Logs group (its ARN without :*) for the demo stage's access logs (no request "
    "headers); API Gateway needs the account's CloudWatch role set (aws_api_gateway_account). Off when omitted."
)


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def _demo_or_existing(create_demo: bool, api_id: str | None, field: str, access_logs: str | None) -> None:
    if create_demo == (api_id is not None):
        raise ValueError(f"set exactly one of `create_demo: true` or `{field}: <10-character id>`")
    if access_logs is not None and not create_demo:
        raise ValueError(
            "access_log_group_arn sets the demo stage's access logs; an existing API's stage is yours: remove it"
        )


class RestApi(_Model):
    """A REGIONAL REST API: an existing one by id and stage, or a small demo API cfgen creates."""

    create_demo: bool = Field(False, description="Create a demo REGIONAL REST API (GET / answers from a mock).")
    rest_api_id: str | None = Field(None, pattern=_REST_API_ID, description="Id of an existing REGIONAL REST API.")
    stage: str = Field("prod", pattern=_STAGE, description="The stage CloudFront calls (the origin path).")
    access_log_group_arn: str | None = Field(None, pattern=_LOG_GROUP_ARN, max_length=600, description=_ACCESS_LOGS)

    @model_validator(mode="after")
    def _one_source(self) -> RestApi:
        _demo_or_existing(self.create_demo, self.rest_api_id, "rest_api_id", self.access_log_group_arn)
        return self

    @property
    def api_id(self) -> str | None:
        """The existing API's id, or None for the demo."""
        return self.rest_api_id


def current_policy_field() -> str | None:
    """The ``current_policy`` field of an API whose resource policy cfgen writes."""
    return Field(
        None,
        min_length=1,
        max_length=1024,
        description="With rest_api_id (and then required): the API's resource policy as it is before cfgen, a JSON "
        "file relative to the spec's folder (`aws apigateway get-rest-api --rest-api-id ID --query policy "
        "--output text > FILE`), whose statements cfgen keeps in the policy it writes; or `none` when the API "
        "has no resource policy.",
    )


def policy_of_existing_api(rest_api_id: str | None, current_policy: str | None) -> None:
    """Refuse an existing API without ``current_policy`` (cfgen would replace its policy) and a demo API with one."""
    if rest_api_id is None and current_policy is not None:
        raise ValueError(
            "current_policy is the resource policy of an existing API (rest_api_id); the demo API has none "
            "yet: remove current_policy"
        )
    if rest_api_id is not None and current_policy is None:
        raise ValueError(
            "an existing API's resource policy is replaced by the one cfgen writes, so cfgen must know the "
            f"statements to keep: save them with `aws apigateway get-rest-api --rest-api-id {rest_api_id} "
            f"--query policy --output text > {rest_api_id}-policy.json` and add `current_policy: "
            f"{rest_api_id}-policy.json`, or add `current_policy: none` if that prints None"
        )


class PolicyRestApi(RestApi):
    """A REGIONAL REST API whose resource policy cfgen writes: an existing one names the policy it has."""

    current_policy: str | None = current_policy_field()

    @model_validator(mode="after")
    def _policy_of_existing_apis(self) -> PolicyRestApi:
        policy_of_existing_api(self.rest_api_id, self.current_policy)
        return self


class AuthorizerApi(_Model):
    """A REST or HTTP API for the authorizer: an existing one by id and stage, or a demo cfgen creates."""

    kind: Literal["rest", "http"] = Field(
        "rest", description="rest: a REGIONAL REST API; http: an HTTP API (payload 2.0, simple responses)."
    )
    create_demo: bool = Field(
        False,
        description="Create a demo API: REST, GET / answers from a mock; HTTP, GET / and $default answer from a "
        "small function.",
    )
    rest_api_id: str | None = Field(None, pattern=_REST_API_ID, description="With kind rest: an existing API's id.")
    http_api_id: str | None = Field(None, pattern=_HTTP_API_ID, description="With kind http: an existing API's id.")
    stage: str | None = Field(
        None,
        pattern=_ANY_STAGE,
        description="The stage CloudFront calls: prod by default for a REST API, $default (no path prefix) for an "
        "HTTP API.",
    )
    access_log_group_arn: str | None = Field(None, pattern=_LOG_GROUP_ARN, max_length=600, description=_ACCESS_LOGS)

    @model_validator(mode="after")
    def _one_source(self) -> AuthorizerApi:
        wrong = "http_api_id" if self.kind == "rest" else "rest_api_id"
        if getattr(self, wrong) is not None:
            right = "rest_api_id" if self.kind == "rest" else "http_api_id"
            raise ValueError(f"kind {self.kind} takes `{right}`, not `{wrong}`")
        _demo_or_existing(self.create_demo, self.api_id, f"{self.kind}_api_id", self.access_log_group_arn)
        if self.kind == "rest" and self.stage == "$default":
            raise ValueError("$default is an HTTP API stage; a REST API's stage has a name such as prod")
        if self.kind == "http" and self.create_demo and self.stage not in (None, "$default"):
            raise ValueError("the demo HTTP API has the $default stage only: remove stage")
        if self.kind == "http" and self.access_log_group_arn is not None:
            raise ValueError("access_log_group_arn sets a demo REST stage's access logs; remove it for kind http")
        return self

    @property
    def api_id(self) -> str | None:
        """The existing API's id, or None for the demo."""
        return self.rest_api_id if self.kind == "rest" else self.http_api_id

    @property
    def stage_name(self) -> str:
        """The stage CloudFront calls."""
        return self.stage or ("prod" if self.kind == "rest" else "$default")


class _PublicOrigin(_Model):
    id: _Id
    type: Literal["api_gateway"]
    verify_path: VerifyPath | None = verify_path_field()


# -- api_key -----------------------------------------------------------------------------


class Throttle(_Model):
    """The usage plan's throttle."""

    rate_limit: float = Field(gt=0, le=1_000_000, description="Requests per second.")
    burst_limit: int = Field(gt=0, le=1_000_000, description="Requests in a burst.")


class Quota(_Model):
    """The usage plan's quota."""

    limit: int = Field(gt=0, description="Requests per period.")
    period: Literal["DAY", "WEEK", "MONTH"]


class ApiKeys(_Model):
    """The API keys CloudFront sends: API Gateway generates them; two generations side by side while rotating."""

    generations: list[Annotated[str, StringConstraints(pattern=_KEY_NAME)]] = Field(
        default_factory=lambda: ["g1"],
        min_length=1,
        max_length=2,
        description="One key per name, each valid on this stage: [g1]; to rotate, [g1, g2] (apply), then "
        "`send: g2` (apply), then [g2] (apply).",
    )
    send: str | None = Field(
        None, description="The generation CloudFront sends; needed with two generations (the only one otherwise)."
    )
    throttle: Throttle | None = Field(None, description="Throttle of the usage plan; none when omitted.")
    quota: Quota | None = Field(None, description="Quota of the usage plan; none when omitted.")

    @model_validator(mode="after")
    def _send_one_of_them(self) -> ApiKeys:
        if len(set(self.generations)) != len(self.generations):
            raise ValueError("generations are listed twice; give each key generation its own name")
        if self.send is None and len(self.generations) > 1:
            raise ValueError(
                f"with two generations, say which one CloudFront sends: `send: {self.generations[0]}` until the new "
                f"key is in place, then `send: {self.generations[1]}`"
            )
        if self.send is not None and self.send not in self.generations:
            raise ValueError(f"send: '{self.send}' is not one of generations ({', '.join(self.generations)})")
        return self

    @property
    def sent(self) -> str:
        """The generation CloudFront sends."""
        return self.send or self.generations[0]


class ApiGatewayApiKeyOrigin(_PublicOrigin):
    """A REGIONAL REST API whose every method requires an API key that only CloudFront sends."""

    protection: Literal["api_key"] = Field(
        description="api_key: CloudFront sends x-api-key, a key of a usage plan that covers this stage only; every "
        "method requires a key."
    )
    api: RestApi
    api_keys: ApiKeys = Field(default_factory=lambda: ApiKeys.model_validate({}))
    cors: bool = Field(
        False,
        description="With create_demo: an OPTIONS preflight on / without a key (browsers send preflights without "
        "custom headers). Every other method requires the key.",
    )

    @model_validator(mode="after")
    def _cors_on_the_demo(self) -> ApiGatewayApiKeyOrigin:
        if self.cors and not self.api.create_demo:
            raise ValueError(
                "cors adds a keyless OPTIONS preflight to the demo API; an existing API's methods are yours: remove it"
            )
        return self


# -- resource_policy ---------------------------------------------------------------------


class ApiGatewayResourcePolicyOrigin(_PublicOrigin):
    """A REGIONAL REST API whose resource policy denies every call without the secret Referer CloudFront sends."""

    protection: Literal["resource_policy"] = Field(
        description="resource_policy: CloudFront sends `Referer: <secret>`; the API's resource policy denies "
        "execute-api:Invoke unless aws:Referer is the current or previous secret."
    )
    api: PolicyRestApi
    secret: Secret = Field(
        default_factory=lambda: VariableSecret(source="variable"),
        description=_SECRET_DESCRIPTION.format(header="Referer"),
    )


# -- authorizer --------------------------------------------------------------------------


class AuthorizerSettings(_Model):
    """How the authorizer function reads the secret, and how long API Gateway caches its answers."""

    secret_from: Literal["store", "environment"] | None = Field(
        None,
        description="store: the function reads Secrets Manager or SSM at cold start (and again after its cache "
        "expires); environment: the values are in its environment variables (and so in its configuration and the "
        "state). Default: store for a secret in Secrets Manager or SSM, environment for `source: variable`.",
    )
    result_ttl_seconds: int = Field(
        300,
        ge=0,
        le=3600,
        description="How long API Gateway caches an answer per header value (0: ask the function every time). The "
        "cached answer covers the whole API.",
    )
    secret_cache_seconds: int = Field(
        60, ge=0, le=900, description="How long a warm function keeps the values it read from the store."
    )


class ApiGatewayAuthorizerOrigin(_PublicOrigin):
    """A REST or HTTP API whose every method or route runs a Lambda REQUEST authorizer on CloudFront's secret."""

    protection: Literal["authorizer"] = Field(
        description="authorizer: CloudFront sends X-Origin-Verify: <secret>; a Lambda REQUEST authorizer cfgen "
        "ships admits the current or previous secret, on every method or route."
    )
    api: AuthorizerApi
    secret: Secret = Field(
        default_factory=lambda: VariableSecret(source="variable"),
        description=_SECRET_DESCRIPTION.format(header="X-Origin-Verify"),
    )
    authorizer: AuthorizerSettings = Field(default_factory=lambda: AuthorizerSettings.model_validate({}))

    @model_validator(mode="after")
    def _a_store_to_read(self) -> ApiGatewayAuthorizerOrigin:
        if self.authorizer.secret_from == "store" and isinstance(self.secret, VariableSecret):
            raise ValueError(
                "authorizer.secret_from store reads Secrets Manager or SSM, and this secret is a Terraform variable: "
                "keep it in `secrets_manager` or `ssm`, or use `secret_from: environment`"
            )
        return self

    @property
    def secret_in_environment(self) -> bool:
        """Whether the function reads the values from its environment rather than from a store."""
        chosen = self.authorizer.secret_from
        return chosen == "environment" or (chosen is None and isinstance(self.secret, VariableSecret))


# -- waf_header --------------------------------------------------------------------------


class WafLogging(_Model):
    """Where the web ACL's logs go; the secret header is redacted from them."""

    destination_arn: str = Field(pattern=_WAF_LOG_DESTINATION, max_length=600)


class ApiGatewayWafHeaderOrigin(_PublicOrigin):
    """A REGIONAL REST API stage behind a regional WAF web ACL that blocks every request without the secret header."""

    protection: Literal["waf_header"] = Field(
        description="waf_header: CloudFront sends x-origin-verify: <secret>; a regional WAF web ACL on the stage "
        "blocks by default and allows only the current or previous secret (no redeploy, even for an existing API)."
    )
    api: RestApi
    secret: Secret = Field(
        default_factory=lambda: VariableSecret(source="variable"),
        description=_SECRET_DESCRIPTION.format(header="x-origin-verify") + " 200 characters at most.",
    )
    waf_logging: WafLogging | None = Field(
        None, description="WAF logs (the header redacted); off when omitted (checkov's CKV2_AWS_31 says so)."
    )
    replace_web_acl: bool = Field(
        False,
        description="With an existing API (`api.rest_api_id`): true says you know that a stage takes one web ACL, so "
        "cfgen's takes the place of any web ACL the stage has now, with its rules, and destroy leaves the stage with "
        "none (move its rules to the distribution's web_acl_arn first).",
    )


# -- iam_sigv4 ---------------------------------------------------------------------------


class ApiGatewayIamOrigin(_PublicOrigin):
    """A REGIONAL REST API with AWS_IAM methods, reached through a Lambda@Edge function that signs as its role."""

    protection: Literal["iam_sigv4"] = Field(
        description="iam_sigv4: every method AWS_IAM; a Lambda@Edge origin-request function (us-east-1) signs "
        "CloudFront's requests with SigV4 as its role, the only principal the resource policy admits."
    )
    api: PolicyRestApi
    keep_edge_function_on_destroy: bool = Field(
        True,
        description="On destroy, forget the Lambda@Edge function instead of deleting it: CloudFront removes its "
        "replicas hours after the distribution stops using it, and until then deleting it fails. Delete it later "
        "(aws lambda delete-function --region us-east-1).",
    )


PublicApiOrigin = (
    ApiGatewayApiKeyOrigin
    | ApiGatewayResourcePolicyOrigin
    | ApiGatewayAuthorizerOrigin
    | ApiGatewayWafHeaderOrigin
    | ApiGatewayIamOrigin
)
API_GATEWAY_ORIGINS: tuple[type[BaseModel], ...] = (
    ApiGatewayApiKeyOrigin,
    ApiGatewayResourcePolicyOrigin,
    ApiGatewayAuthorizerOrigin,
    ApiGatewayWafHeaderOrigin,
    ApiGatewayIamOrigin,
)
