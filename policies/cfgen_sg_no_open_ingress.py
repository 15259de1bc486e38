"""CKV_CFG_10: no security group ingress from 0.0.0.0/0 or ::/0, on any port.

Every hop of a cfgen origin chain admits only the hop before it (CloudFront's
VPC-origins service group, then the ALB's group). An ingress rule open to
the internet, on any port, is a way around CloudFront. checkov's built-in
checks look at a few ports only (22, 3389, 80); this one looks at all.
"""

from __future__ import annotations

from typing import Any

from checkov.common.models.enums import CheckCategories, CheckResult
from checkov.terraform.checks.resource.base_resource_check import BaseResourceCheck

_OPEN = ("0.0.0.0/0", "::/0")


def _values(conf: dict[str, Any], key: str) -> list[Any]:
    value = conf.get(key)
    out: list[Any] = []
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, list):
            stack.extend(item)
        elif item is not None:
            out.append(item)
    return out


def _scalar(conf: dict[str, Any], key: str) -> Any:
    value = conf.get(key)
    while isinstance(value, list) and len(value) == 1:
        value = value[0]
    return value


class SecurityGroupNoOpenIngress(BaseResourceCheck):
    def __init__(self) -> None:
        super().__init__(
            name="Security group admits no ingress from 0.0.0.0/0 or ::/0 on any port",
            id="CKV_CFG_10",
            categories=[CheckCategories.NETWORKING],
            supported_resources=[
                "aws_security_group",
                "aws_security_group_rule",
                "aws_vpc_security_group_ingress_rule",
            ],
        )

    def scan_resource_conf(self, conf: dict[str, Any]) -> CheckResult:
        rules: list[dict[str, Any]] = []
        if self.entity_type == "aws_security_group":
            rules = [r for r in _values(conf, "ingress") if isinstance(r, dict)]
            keys = ("cidr_blocks", "ipv6_cidr_blocks")
        elif self.entity_type == "aws_security_group_rule":
            rules = [conf] if _scalar(conf, "type") == "ingress" else []
            keys = ("cidr_blocks", "ipv6_cidr_blocks")
        else:
            rules = [conf]
            keys = ("cidr_ipv4", "cidr_ipv6")
        self.evaluated_keys = list(keys)
        for rule in rules:
            for key in keys:
                opened = [v for v in _values(rule, key) if v in _OPEN]
                if opened:
                    self.details.append(f"{key} admits {opened[0]}: admit only the previous hop's security group")
        return CheckResult.FAILED if self.details else CheckResult.PASSED


check = SecurityGroupNoOpenIngress()
