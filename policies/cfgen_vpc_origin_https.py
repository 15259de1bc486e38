"""CKV_CFG_11: a CloudFront VPC origin speaks HTTPS only, with TLSv1.2 only.

``origin_protocol_policy = "https-only"`` keeps CloudFront from falling back
to plain HTTP inside the VPC (``match-viewer`` or ``http-only`` would), and
``origin_ssl_protocols`` limited to TLSv1.2 refuses SSLv3, TLSv1 and TLSv1.1.
"""

from __future__ import annotations

from typing import Any

from checkov.common.models.enums import CheckCategories, CheckResult
from checkov.terraform.checks.resource.base_resource_check import BaseResourceCheck


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
        if not isinstance(endpoint, dict):
            self.details.append("no vpc_origin_endpoint_config")
            return CheckResult.FAILED
        policy = _first(endpoint.get("origin_protocol_policy"))
        if policy != "https-only":
            self.details.append(f"origin_protocol_policy is {policy!r}, must be 'https-only'")
        protocols = _first(endpoint.get("origin_ssl_protocols"))
        items = protocols.get("items") if isinstance(protocols, dict) else None
        while isinstance(items, list) and len(items) == 1 and isinstance(items[0], list):
            items = items[0]
        if isinstance(items, list) and sorted(items) != ["TLSv1.2"]:
            self.details.append(f"origin_ssl_protocols.items is {items}, must be only TLSv1.2")
        elif not isinstance(items, list) and not (isinstance(items, str) and items.startswith("local.")):
            self.details.append(f'origin_ssl_protocols.items is {items!r}, must be ["TLSv1.2"]')
        return CheckResult.FAILED if self.details else CheckResult.PASSED


check = VpcOriginHttps()
