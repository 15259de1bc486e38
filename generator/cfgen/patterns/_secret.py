"""Where an origin's secret comes from: one call of the ``origin-secret`` module.

The value never passes through cfgen. The spec names a source; the rendered
root reads it at plan time from sensitive root variables, Secrets Manager
(AWSCURRENT, and AWSPREVIOUS while it exists) or SSM (the latest version and
the one before). The module's ``values`` output holds the current secret and,
during a rotation, the previous one: what an origin must accept.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from .._hcl import Attr, Ref
from ..spec.models import SecretsManagerSecret, SsmSecret, VariableSecret
from ._base import RootVariable
from ._threats import SecretUse

if TYPE_CHECKING:
    from ..spec.models import Secret

__all__ = ["MODULE", "SecretCall", "secret_call", "secret_use"]

MODULE = "origin-secret"


@dataclass(frozen=True)
class SecretCall:
    """One ``module "<name>" { source = "./modules/origin-secret" ... }`` of the root."""

    module: str
    purpose: str  # what the secret is for, in the comment above the call
    inputs: tuple[Attr, ...]
    variables: tuple[RootVariable, ...] = ()

    @property
    def values(self) -> Ref:
        """Every value the origin must accept (current first)."""
        return Ref(f"module.{self.module}.values")

    @property
    def current(self) -> Ref:
        return Ref(f"module.{self.module}.current")


def secret_call(
    module: str, secret: Secret, purpose: str, *, requirement: str = "at least 32 random characters"
) -> SecretCall:
    """The call named ``module`` that reads ``secret``; ``purpose`` says what it protects.

    ``requirement`` is what a value must be, in the root variable's description.
    """
    if isinstance(secret, VariableSecret):
        current, previous = f"{module}_secret", f"{module}_secret_previous"
        return SecretCall(
            module=module,
            purpose=purpose,
            inputs=(
                Attr("from", "variable"),
                Attr("current", Ref(f"var.{current}")),
                Attr("previous", Ref(f"var.{previous}")),
            ),
            variables=(
                RootVariable(
                    name=current,
                    description=f"{purpose}: {requirement} (TF_VAR_{current}).",
                    sensitive=True,
                ),
                RootVariable(
                    name=previous,
                    description=f"{purpose}, before the last rotation: still accepted while set "
                    f"(TF_VAR_{previous}); unset it once the distribution sends the new one.",
                    sensitive=True,
                    default=None,
                    has_default=True,
                ),
            ),
        )
    if isinstance(secret, SecretsManagerSecret):
        return SecretCall(
            module=module,
            purpose=purpose,
            inputs=(Attr("from", "secrets_manager"), Attr("secret_id", secret.secret_id)),
        )
    if isinstance(secret, SsmSecret):
        return SecretCall(
            module=module,
            purpose=purpose,
            inputs=(Attr("from", "ssm"), Attr("parameter_name", secret.parameter)),
        )
    raise AssertionError(f"unknown secret source {secret!r}")


def secret_use(name: str, secret: Secret, *, also_in: tuple[str, ...] = ()) -> SecretUse:
    """Where the value of ``secret`` lives once cfgen's render is applied (never in the spec or the render).

    ``also_in`` names the places the origin's own check keeps it (a bucket
    policy, a WAF rule), readable by whoever may read that configuration.
    """
    if isinstance(secret, VariableSecret):
        source = "sensitive Terraform variables (TF_VAR_...), set by your pipeline"
    elif isinstance(secret, SecretsManagerSecret):
        source = f"Secrets Manager secret {secret.secret_id} (AWSCURRENT, AWSPREVIOUS)"
    elif isinstance(secret, SsmSecret):
        source = f"SSM parameter {secret.parameter} (latest and previous version)"
    else:
        raise AssertionError(f"unknown secret source {secret!r}")
    lives_in = (
        "Terraform state and saved plan files (marked sensitive, stored in clear)",
        "CloudFront's origin configuration (custom header; cloudfront:GetDistributionConfig)",
        *also_in,
    )
    return SecretUse(name=name, source=source, lives_in=lives_in)
