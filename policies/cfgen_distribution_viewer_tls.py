"""CKV_CFG_4: viewers reach a CloudFront distribution over HTTPS only.

Every cache behavior (the default one and each ordered one) must have
``viewer_protocol_policy`` ``redirect-to-https`` or ``https-only``; a value
that cannot be read (a variable checkov could not resolve) fails too.

With a custom certificate (``acm_certificate_arn`` or ``iam_certificate_id``,
i.e. any viewer certificate but ``cloudfront_default_certificate = true``),
``minimum_protocol_version`` must be ``TLSv1.2_2021`` or newer:
``TLSv1.2_<year>`` with year >= 2021 (``TLSv1.2_2021``, ``TLSv1.2_2025``) or any
``TLSv1.3_<year>``. With the default ``*.cloudfront.net`` certificate
CloudFront ignores the setting and fixes the floor itself, so it is not judged.
"""

from __future__ import annotations

import re
from typing import Any

from checkov.common.models.enums import CheckCategories, CheckResult
from checkov.terraform.checks.resource.base_resource_check import BaseResourceCheck

_HTTPS_POLICIES = {"redirect-to-https", "https-only"}
_VIEWER_POLICIES = {*_HTTPS_POLICIES, "allow-all"}
_TLS_VERSION = re.compile(r"^TLSv1\.(?P<minor>\d)_(?P<year>\d{4})$")
# Every value CloudFront knows; anything else in an HCL scan is an expression
# (a module variable) that only the plan scan can resolve.
_ANY_TLS_VERSION = re.compile(r"^(SSLv3|TLSv1(\.\d)?(_\d{4})?)$")


def _scalar(conf: dict[str, Any], key: str) -> Any:
    value = conf.get(key)
    while isinstance(value, list) and len(value) == 1:
        value = value[0]
    return value


def _blocks(conf: dict[str, Any], key: str) -> list[dict[str, Any]]:
    def flat(value: Any) -> list[Any]:
        if isinstance(value, list):
            return [leaf for item in value for leaf in flat(item)]
        return [value]

    return [block for block in flat(conf.get(key)) if isinstance(block, dict)]


def _tls_ok(version: Any) -> bool:
    match = _TLS_VERSION.match(version) if isinstance(version, str) else None
    if not match:
        return False
    minor, year = int(match["minor"]), int(match["year"])
    return minor >= 3 or (minor == 2 and year >= 2021)


class DistributionViewerTls(BaseResourceCheck):
    def __init__(self) -> None:
        super().__init__(
            name=(
                "CloudFront distribution: no allow-all viewer protocol policy, "
                "TLSv1.2_2021 or newer with a custom certificate"
            ),
            id="CKV_CFG_4",
            categories=[CheckCategories.ENCRYPTION],
            supported_resources=["aws_cloudfront_distribution"],
        )

    def scan_resource_conf(self, conf: dict[str, Any]) -> CheckResult:
        self.evaluated_keys = [
            "default_cache_behavior/[0]/viewer_protocol_policy",
            "ordered_cache_behavior/[*]/viewer_protocol_policy",
            "viewer_certificate/[0]/minimum_protocol_version",
        ]
        behaviors = [("default_cache_behavior", b) for b in _blocks(conf, "default_cache_behavior")]
        behaviors += [
            (f"ordered_cache_behavior {_scalar(b, 'path_pattern')!r}", b)
            for b in _blocks(conf, "ordered_cache_behavior")
        ]
        if not behaviors:
            self.details.append("no cache behavior could be read")
        unresolved = False
        for where, behavior in behaviors:
            policy = _scalar(behavior, "viewer_protocol_policy")
            if policy not in _VIEWER_POLICIES:
                unresolved = True
            elif policy not in _HTTPS_POLICIES:
                self.details.append(f"{where}: viewer_protocol_policy is {policy!r}")

        certificates = _blocks(conf, "viewer_certificate")
        if not certificates:
            self.details.append("no viewer_certificate could be read")
        for certificate in certificates:
            if _scalar(certificate, "cloudfront_default_certificate") in (True, "true"):
                continue
            version = _scalar(certificate, "minimum_protocol_version")
            if version is None:
                version = "TLSv1"  # the provider's default when the attribute is left out
            if not (isinstance(version, str) and _ANY_TLS_VERSION.match(version)):
                unresolved = True
            elif not _tls_ok(version):
                self.details.append(
                    f"minimum_protocol_version is {version!r} with a custom certificate, must be TLSv1.2_2021 or newer"
                )
        if self.details:
            return CheckResult.FAILED
        # An HCL scan of a module call sees `var.x.viewer_protocol_policy`, not a
        # value: say nothing rather than fail or pass; the plan scan judges it.
        return CheckResult.UNKNOWN if unresolved else CheckResult.PASSED


check = DistributionViewerTls()
