"""The s3_website + secret_header pattern before any plan: spec, render, offline secrets."""

from __future__ import annotations

import textwrap
from collections.abc import Callable
from pathlib import Path

import pytest
from tests.conftest import EXAMPLES
from tests.unit.test_spec import errors_of

from cfgen.harness import _terraform as tf
from cfgen.render import render
from cfgen.spec import load_spec

WEBSITE_SPEC = """\
version: 1
project: docs
region: eu-west-1
distributions:
  - name: docs
    origins:
      - id: site
        type: s3_website
        bucket: {name: docs-site-test}
    behaviors:
      - {path: default, origin: site}
"""


def test_a_website_origin_defaults_to_variables(write_spec: Callable[[str], Path]) -> None:
    origin = load_spec(write_spec(WEBSITE_SPEC)).spec.distributions[0].origins[0]
    assert (origin.type, origin.protection, origin.secret.source) == ("s3_website", "secret_header", "variable")
    assert origin.index_document == "index.html" and origin.error_document is None


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        pytest.param(
            "bucket: {name: docs-site-test}",
            "bucket: {name: docs-site-test}\n        secret: {source: variable, value: hunter2-hunter2}",
            "10:17: error: distributions.0.origins.0.secret: `value` would put the secret in the spec",
            id="secret-value-in-spec",
        ),
        pytest.param(
            "bucket: {name: docs-site-test}",
            "bucket: {name: docs-site-test}\n        secret: {source: ssm, parameter: 'arn:aws:ssm:x'}",
            "distributions.0.origins.0.secret.parameter: 'arn:aws:ssm:x' is not an SSM parameter name",
            id="ssm-arn",
        ),
        pytest.param(
            "bucket: {name: docs-site-test}",
            "bucket: {name: docs-site-test}\n        secret: {source: vault}",
            "10:26: error: distributions.0.origins.0.secret.source: unknown secret source 'vault'; one of: "
            "variable, secrets_manager, ssm",
            id="unknown-source",
        ),
        pytest.param(
            "bucket: {name: docs-site-test}",
            "bucket: {name: docs-site-test}\n        secret: {secret_id: x}",
            "10:17: error: distributions.0.origins.0.secret: secret has no `source`; add `source: variable`",
            id="no-source",
        ),
        pytest.param(
            "bucket: {name: docs-site-test}",
            "bucket: {name: docs-site-test}\n        protection: oac",
            "10:21: error: distributions.0.origins.0.protection: 'oac' is not allowed; expected 'secret_header'",
            id="website-has-no-oac",
        ),
        pytest.param(
            "- {path: default, origin: site}",
            "- {path: default, origin: site, origin_request: all_viewer}",
            "11:55: error: distributions.0.behaviors.0.origin_request: 'all_viewer' forwards the viewer's Host header",
            id="host-forwarded",
        ),
        pytest.param(
            "        bucket: {name: docs-site-test}\n",
            "        bucket: {name: docs-site-test}\n      - id: assets\n        type: s3\n"
            "        bucket: {name: docs-site-test}\n",
            "bucket 'docs-site-test' is already the origin 'docs/site'",
            id="bucket-shared-with-an-s3-origin",
        ),
    ],
)
def test_bad_website_spec_gives_located_line(
    write_spec: Callable[[str], Path], old: str, new: str, expected: str
) -> None:
    assert old in WEBSITE_SPEC
    lines = errors_of(write_spec(WEBSITE_SPEC.replace(old, new, 1)))
    assert any(expected in line for line in lines), lines


def test_the_secret_value_is_not_echoed(write_spec: Callable[[str], Path]) -> None:
    spec = WEBSITE_SPEC.replace(
        "bucket: {name: docs-site-test}",
        "bucket: {name: docs-site-test}\n        secret: {source: secrets_manager, secret_id: x, value: s3cr3t-value}",
    )
    lines = errors_of(write_spec(spec))
    assert lines and not any("s3cr3t-value" in line for line in lines)


@pytest.mark.parametrize(
    ("secret", "inputs", "variables"),
    [
        (
            "{source: variable}",
            ['from     = "variable"', "current  = var.docs_site_referer_secret"],
            ["docs_site_referer_secret", "docs_site_referer_secret_previous"],
        ),
        (
            "{source: secrets_manager, secret_id: docs/referer}",
            ['from      = "secrets_manager"', 'secret_id = "docs/referer"'],
            [],
        ),
        (
            "{source: ssm, parameter: /docs/referer}",
            ['from           = "ssm"', 'parameter_name = "/docs/referer"'],
            [],
        ),
    ],
)
def test_each_source_renders_one_secret_call(
    write_spec: Callable[[str], Path], secret: str, inputs: list[str], variables: list[str]
) -> None:
    bucket = "bucket: {name: docs-site-test}"
    spec = WEBSITE_SPEC.replace(bucket, f"{bucket}\n        secret: {secret}")
    files = render(load_spec(write_spec(spec))).files
    main, declared = str(files["main.tf"]), str(files["variables.tf"])
    assert main.count('source = "./modules/origin-secret"') == 1
    assert all(line in main for line in inputs)
    assert "referer_secrets = module.docs_site_referer.values" in main
    assert [v for v in ("docs_site_referer_secret", "docs_site_referer_secret_previous") if f'"{v}"' in declared] == (
        variables
    )
    assert "modules/origin-secret/main.tf" in files and "modules/s3-website-origin/main.tf" in files
    assert "modules/s3-origin/main.tf" not in files


def test_the_rendered_secret_variables_are_sensitive_and_only_the_previous_is_optional() -> None:
    variables = (EXAMPLES / "s3-website" / "generated" / "variables.tf").read_text(encoding="utf-8")
    current = variables.split('variable "docs_site_referer_secret" {')[1].split("}")[0]
    previous = variables.split('variable "docs_site_referer_secret_previous" {')[1].split("}")[0]
    assert "sensitive   = true" in current and "default" not in current
    assert "sensitive   = true" in previous and "default     = null" in previous


# -- offline stand-ins for secrets ------------------------------------------------------


def _tree(tmp_path: Path, main: str) -> Path:
    (tmp_path / "main.tf").write_text(textwrap.dedent(main), encoding="utf-8")
    return tmp_path


ROOT = """\
variable "site_secret" {
  type      = string
  sensitive = true
}
variable "site_secret_previous" {
  type      = string
  sensitive = true
  default   = null
}
variable "plain" {
  type = string
}
variable "given" {
  sensitive = true
}
module "from_variables" {
  source  = "./modules/origin-secret"
  from    = "variable"
  current = var.site_secret
}
module "from_sm" {
  source    = "./modules/origin-secret"
  from      = "secrets_manager"
  secret_id = "x"
}
module "from_ssm" {
  source         = "./modules/origin-secret/"
  from           = "ssm" # reads AWS
  parameter_name = "/x"
}
# module "commented_out" { source = "./modules/origin-secret" from = "ssm" }
module "other" {
  source = "./modules/s3-origin"
  from   = "ssm"
}
locals {
  text = "module \\"in_a_string\\" { source = \\"./modules/origin-secret\\" }"
}
"""


def test_offline_secrets_find_aws_sources_and_unset_secret_variables(tmp_path: Path) -> None:
    secrets = tf.OfflineSecrets.of(_tree(tmp_path, ROOT), {"TF_VAR_given": "set by the user"})
    assert secrets.modules == ("from_sm", "from_ssm")
    assert secrets.variables == ("site_secret",)
    assert set(secrets.tf_vars()) == {"site_secret", *tf.OFFLINE_SECRET_VARIABLES}
    assert all(len(v) >= 32 for v in secrets.tf_vars().values())

    override = tf.offline_override_text([], secrets)
    assert override.count('from     = "variable"') == 2
    assert 'module "from_sm" {' in override and 'module "from_ssm" {' in override
    assert "current  = var.cfgen_offline_secret_current" in override
    declared = secrets.variables_text()
    assert declared.count("sensitive = true") == 2
    # The stand-ins are variables, so no secret value is ever a literal of the configuration.
    assert "placeholder" not in override + declared


def test_a_tree_without_secrets_gets_no_stand_ins(tmp_path: Path) -> None:
    secrets = tf.OfflineSecrets.of(_tree(tmp_path, 'module "a" {\n  source = "./modules/s3-origin"\n}\n'), {})
    assert secrets == tf.OfflineSecrets()
    assert secrets.tf_vars() == {} and secrets.variables_text() == "" and secrets.override_text() == ""
