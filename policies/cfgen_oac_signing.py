"""CKV_CFG_3: an origin access control signs every request with SigV4.

``signing_behavior = "always"`` makes CloudFront sign each origin request
(``no-override`` keeps a viewer's own Authorization header, ``never`` turns
signing off) and ``signing_protocol = "sigv4"`` is the one protocol AWS
offers. Without signing, a bucket policy scoped to the distribution denies
CloudFront too, or, worse, someone opens the bucket to make it work.
"""

from __future__ import annotations

from typing import Any

from checkov.common.models.enums import CheckCategories, CheckResult
from checkov.terraform.checks.resource.base_resource_check import BaseResourceCheck

_EXPECTED = {"signing_behavior": "always", "signing_protocol": "sigv4"}


def _scalar(conf: dict[str, Any], key: str) -> Any:
    value = conf.get(key)
    while isinstance(value, list) and len(value) == 1:
        value = value[0]
    return value


class OriginAccessControlSigning(BaseResourceCheck):
    def __init__(self) -> None:
        super().__init__(
            name="CloudFront origin access control signs always with sigv4",
            id="CKV_CFG_3",
            categories=[CheckCategories.IAM],
            supported_resources=["aws_cloudfront_origin_access_control"],
        )

    def scan_resource_conf(self, conf: dict[str, Any]) -> CheckResult:
        self.evaluated_keys = list(_EXPECTED)
        for key, expected in _EXPECTED.items():
            actual = _scalar(conf, key)
            if actual != expected:
                self.details.append(f"{key} is {actual!r}, must be {expected!r}")
        return CheckResult.FAILED if self.details else CheckResult.PASSED


check = OriginAccessControlSigning()
