"""CKV_CFG_5: every S3 origin of a CloudFront distribution signs its requests.

An origin is an S3 origin when its ``domain_name`` is an S3 REST endpoint
(``<bucket>.s3[.<region>].amazonaws.com``, ``.s3-<region>``, dualstack; not
``s3-website``), when it is a reference to a ``bucket_regional_domain_name`` /
``bucket_domain_name`` (of an ``aws_s3_bucket`` or a module output of that name),
or when it has neither ``custom_origin_config`` nor ``vpc_origin_config``
(CloudFront then treats it as an S3 origin). Such an origin must carry an
``origin_access_control_id`` or, for the legacy pattern,
``s3_origin_config.origin_access_identity``; without one CloudFront fetches
anonymously, which works only if the bucket is public. An S3 REST endpoint
behind ``custom_origin_config`` fails for the same reason.

A distribution with no S3 origin is not judged (the result is UNKNOWN).

In plan JSON an attribute that is unknown until apply is left out of the
planned values, while an unset one is ``""`` or ``null``: so an absent
``origin_access_control_id`` there means "set to a value known after apply".
"""

from __future__ import annotations

import re
from typing import Any

from checkov.common.models.enums import CheckCategories, CheckResult
from checkov.terraform.checks.resource.base_resource_check import BaseResourceCheck

_S3_REST = re.compile(r"\.s3(\.dualstack)?([.-][a-z0-9-]+)?\.amazonaws\.com(\.cn)?$", re.IGNORECASE)
_S3_REFERENCE = re.compile(r"\.bucket_(regional_)?domain_name\b")
_PLAN_MARKER = "__change_actions__"  # set by checkov on every resource read from plan JSON


def _flat(value: Any) -> list[Any]:
    if isinstance(value, list):
        return [leaf for item in value for leaf in _flat(item)]
    return [value]


def _scalar(conf: dict[str, Any], key: str) -> Any:
    value = conf.get(key)
    while isinstance(value, list) and len(value) == 1:
        value = value[0]
    return value


def _blocks(conf: dict[str, Any], key: str) -> list[dict[str, Any]]:
    return [block for block in _flat(conf.get(key)) if isinstance(block, dict)]


def _is_s3_rest(domain: Any) -> bool:
    if not isinstance(domain, str) or "s3-website" in domain.lower():
        return False
    return bool(_S3_REST.search(domain) or _S3_REFERENCE.search(domain))


def _is_set(conf: dict[str, Any], key: str, from_plan: bool) -> bool:
    if key not in conf:
        return from_plan  # plan JSON leaves out values that are unknown until apply
    value = _scalar(conf, key)
    return value not in (None, "", [])


class DistributionS3OriginAccess(BaseResourceCheck):
    def __init__(self) -> None:
        super().__init__(
            name=("CloudFront S3 origin has an origin access control (or a legacy origin access identity)"),
            id="CKV_CFG_5",
            categories=[CheckCategories.IAM],
            supported_resources=["aws_cloudfront_distribution"],
        )

    def scan_resource_conf(self, conf: dict[str, Any]) -> CheckResult:
        self.evaluated_keys = [
            "origin/[*]/domain_name",
            "origin/[*]/origin_access_control_id",
            "origin/[*]/s3_origin_config/[0]/origin_access_identity",
        ]
        from_plan = _PLAN_MARKER in conf
        judged = 0
        for origin in _blocks(conf, "origin"):
            domain = _scalar(origin, "domain_name")
            custom = bool(_blocks(origin, "custom_origin_config"))
            s3_type = not custom and not _blocks(origin, "vpc_origin_config")
            if not (s3_type or _is_s3_rest(domain)):
                continue
            judged += 1
            name = _scalar(origin, "origin_id")
            if custom:
                self.details.append(
                    f"origin {name!r} reaches S3 endpoint {domain!r} as a custom origin, "
                    "which only works on a public bucket"
                )
                continue
            oai = any(_is_set(c, "origin_access_identity", from_plan) for c in _blocks(origin, "s3_origin_config"))
            # Plan JSON leaves out a block whose content is unknown until apply
            # (an OAI created in the same apply); a known absence is `[]`.
            oai = oai or (from_plan and "s3_origin_config" not in origin)
            if not (_is_set(origin, "origin_access_control_id", from_plan) or oai):
                self.details.append(
                    f"origin {name!r} ({domain!r}) has no origin_access_control_id and no origin access identity"
                )
        if not judged:
            return CheckResult.UNKNOWN
        return CheckResult.FAILED if self.details else CheckResult.PASSED


check = DistributionS3OriginAccess()
