"""What every root module cfgen renders requires of Terraform/OpenTofu and of its providers.

The one place for ``templates/root/versions.tf.j2`` and for ``cfgen test``,
which installs these providers while it renders the tree
(:meth:`cfgen.harness._terraform.PlanRun.start_init`). The modules under
``modules/`` pin the same in their own ``versions.tf`` (a test holds them to it).
"""

from __future__ import annotations

__all__ = ["AWS_PROVIDER", "AWS_PROVIDER_SOURCE", "TERRAFORM"]

# OpenTofu 1.6 is the first OpenTofu; Terraform 1.11 is what the tests run.
TERRAFORM = ">= 1.6"
AWS_PROVIDER_SOURCE = "hashicorp/aws"
# 5.100.0 is tested; nothing the modules use is removed or deprecated in 6.x.
AWS_PROVIDER = ">= 5.100.0, < 7.0.0"
