"""Where an origin's secret comes from, as the spec names it (never its value).

Shared by the S3 website origin (``models``) and the VPC origins
(``vpc_origins``), which ``models`` imports: so it lives apart from both.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from ._words import pattern

__all__ = ["Secret", "SecretsManagerSecret", "SsmSecret", "VariableSecret"]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


# Keys someone might use to put a secret's value in the spec; each gets an
# error that says where the value goes instead.
_SECRET_VALUE_KEYS = ("value", "current", "previous", "secret", "secret_string", "password")


class _SecretSource(_Model):
    @model_validator(mode="before")
    @classmethod
    def _no_value_here(cls, data: object) -> object:
        if isinstance(data, dict):
            given = [k for k in _SECRET_VALUE_KEYS if k in data]
            if given:
                raise ValueError(
                    f"`{given[0]}` would put the secret in the spec: secrets never go in the spec or in generated "
                    "files; use `source: variable` (set TF_VAR_...) or keep it in Secrets Manager or SSM"
                )
        return data


class VariableSecret(_SecretSource):
    """The secret comes from sensitive root variables (current, and previous during a rotation)."""

    source: Literal["variable"]


class SecretsManagerSecret(_SecretSource):
    """The secret is a plain-string Secrets Manager secret; AWSPREVIOUS is accepted too while it exists."""

    source: Literal["secrets_manager"]
    secret_id: str = Field(
        pattern=pattern(
            r"^(arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:\d{12}:secret:)?[A-Za-z0-9/_+=.@-]{1,512}$",
            "a Secrets Manager secret name such as shop/site/referer, or its ARN",
        ),
        description="Name or ARN of the secret.",
    )


class SsmSecret(_SecretSource):
    """The secret is an SSM SecureString parameter; its previous version is accepted too."""

    source: Literal["ssm"]
    parameter: str = Field(
        pattern=pattern(r"^/?[A-Za-z0-9_.-]+(/[A-Za-z0-9_.-]+)*$", "an SSM parameter name such as /shop/site/referer"),
        max_length=1011,
        description="Parameter name, e.g. /shop/site/referer (not an ARN, no :version).",
    )


Secret = Annotated[VariableSecret | SecretsManagerSecret | SsmSecret, Field(discriminator="source")]
