"""CKV_CFG_11: a CloudFront VPC origin speaks HTTPS only, with TLSv1.2 only.

``origin_protocol_policy = "https-only"`` keeps CloudFront from falling back
to plain HTTP inside the VPC (``match-viewer`` or ``http-only`` would), and
``origin_ssl_protocols`` limited to TLSv1.2 refuses SSLv3, TLSv1 and TLSv1.1.

A value checkov cannot resolve in HCL (a module's local built from its
inputs, a variable without a default) is not judged: with nothing known to
be wrong the check says nothing (UNKNOWN) rather than fail or pass, and the
plan scan, where every value is resolved, decides.
"""

from __future__ import annotations

from typing import Any

from checkov.common.models.enums import CheckCategories, CheckResult
from checkov.terraform.checks.resource.base_resource_check import BaseResourceCheck

# Every value the provider accepts: anything else is an expression checkov left unresolved.
_PROTOCOL_POLICIES = ("http-only", "match-viewer", "https-only")
_SSL_PROTOCOLS = ("SSLv3", "TLSv1", "TLSv1.1", "TLSv1.2")


def _first(value: Any) -> Any:
    while isinstance(value, list) and len(value) == 1:
        value = value[0]
    return value


class VpcOriginHttps(BaseResourceCheck):
    def __init__(self) -> None:
        super().__init__(
            name="CloudFront VPC origin uses https-only with TLSv1.2 only",
            id="CKV_CFG_11",
            categories=[CheckCategories.ENCRYPTION],
            supported_resources=["aws_cloudfront_vpc_origin"],
        )

    def scan_resource_conf(self, conf: dict[str, Any]) -> CheckResult:
        self.evaluated_keys = ["vpc_origin_endpoint_config"]
        endpoint = _first(conf.get("vpc_origin_endpoint_config"))
        if endpoint is None:
            self.details.append("no vpc_origin_endpoint_config")
            return CheckResult.FAILED
        if not isinstance(endpoint, dict):
            return CheckResult.UNKNOWN  # a dynamic block or reference checkov left unresolved
        unresolved = False
        policy = _first(endpoint.get("origin_protocol_policy"))
        if policy not in _PROTOCOL_POLICIES:
            unresolved = True
        elif policy != "https-only":
            self.details.append(f"origin_protocol_policy is {policy!r}, must be 'https-only'")
        protocols = _first(endpoint.get("origin_ssl_protocols"))
        items = protocols.get("items") if isinstance(protocols, dict) else None
        while isinstance(items, list) and len(items) == 1 and isinstance(items[0], list):
            items = items[0]
        if not (isinstance(items, list) and items and all(item in _SSL_PROTOCOLS for item in items)):
            unresolved = True
        elif sorted(items) != ["TLSv1.2"]:
            self.details.append(f"origin_ssl_protocols.items is {items}, must be only TLSv1.2")
        if self.details:
            return CheckResult.FAILED
        return CheckResult.UNKNOWN if unresolved else CheckResult.PASSED


check = VpcOriginHttps()
