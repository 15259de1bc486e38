"""CKV_CFG_12: an HTTPS or TLS load balancer listener uses a policy on Security Hub ELB.17's list.

ELB.17 recommends a fixed list (TLS 1.2 with restricted ciphers, or TLS 1.3
only, and their FIPS and post-quantum variants); checkov's built-in
CKV_AWS_103 accepts any TLS 1.2 policy, including ELBSecurityPolicy-TLS13-1-2-2021-06,
which ELB.17 does not. A policy checkov cannot resolve (a variable without a
value) is reported as unknown, not guessed.
"""

from __future__ import annotations

from typing import Any

from checkov.common.models.enums import CheckCategories, CheckResult
from checkov.terraform.checks.resource.base_resource_check import BaseResourceCheck

# Kept equal to cfgen.spec.vpc_origins.TLS_POLICIES (a test compares them): checks cannot import cfgen.
ELB17_POLICIES = (
    "ELBSecurityPolicy-TLS13-1-2-Res-2021-06",
    "ELBSecurityPolicy-TLS13-1-2-Res-FIPS-2023-04",
    "ELBSecurityPolicy-TLS13-1-2-Res-PQ-2025-09",
    "ELBSecurityPolicy-TLS13-1-2-Res-FIPS-PQ-2025-09",
    "ELBSecurityPolicy-TLS13-1-3-2021-06",
    "ELBSecurityPolicy-TLS13-1-3-FIPS-2023-04",
    "ELBSecurityPolicy-TLS13-1-3-PQ-2025-09",
    "ELBSecurityPolicy-TLS13-1-3-FIPS-PQ-2025-09",
)
_UNRESOLVED = ("var.", "local.", "module.", "${")


def _scalar(conf: dict[str, Any], key: str) -> Any:
    value = conf.get(key)
    while isinstance(value, list) and len(value) == 1:
        value = value[0]
    return value


class ListenerTlsPolicy(BaseResourceCheck):
    def __init__(self) -> None:
        super().__init__(
            name="HTTPS/TLS load balancer listener uses a Security Hub ELB.17 recommended policy",
            id="CKV_CFG_12",
            categories=[CheckCategories.ENCRYPTION],
            supported_resources=["aws_lb_listener", "aws_alb_listener"],
        )

    def scan_resource_conf(self, conf: dict[str, Any]) -> CheckResult:
        self.evaluated_keys = ["protocol", "ssl_policy"]
        protocol = _scalar(conf, "protocol")
        policy = _scalar(conf, "ssl_policy")
        if protocol not in ("HTTPS", "TLS") and not policy:
            return CheckResult.PASSED  # a plain HTTP/TCP listener has no TLS policy (other checks judge it)
        if isinstance(policy, str) and policy.startswith(_UNRESOLVED):
            return CheckResult.UNKNOWN
        if policy not in ELB17_POLICIES:
            self.details.append(
                f"ssl_policy is {policy!r}, not one of Security Hub ELB.17's recommended policies "
                "(e.g. ELBSecurityPolicy-TLS13-1-2-Res-2021-06)"
            )
            return CheckResult.FAILED
        return CheckResult.PASSED


check = ListenerTlsPolicy()
