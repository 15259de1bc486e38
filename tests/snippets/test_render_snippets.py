"""server_snippets without servers: the files, determinism, where each argument lands, refused arguments."""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

import pytest
from tests.conftest import REPO
from tests.snippets._secrets_file import CURRENT_PLACEHOLDER, PREVIOUS_PLACEHOLDER, documented_secret_lines

from cfgen.errors import RenderError
from cfgen.snippets import SnippetSecrets, TlsFiles, server_snippets

BASE: dict[str, Any] = {"server_name": "origin.example.com", "upstream": "http://127.0.0.1:8080"}


def _files(**overrides: Any) -> dict[str, str]:
    return server_snippets(**{**BASE, **overrides})


def test_one_file_per_server_under_the_folder_same_bytes_every_time() -> None:
    first = _files(directory="snippets/site_app")
    assert list(first) == [
        "snippets/site_app/nginx.conf",
        "snippets/site_app/apache2.conf",
        "snippets/site_app/Caddyfile",
    ]
    assert first == _files(directory="snippets/site_app")
    assert all(text.endswith("\n") and not text.endswith("\n\n") for text in first.values())


@pytest.mark.parametrize("name", ["nginx.conf", "apache2.conf", "Caddyfile"])
def test_each_file_opens_with_rotation_and_documents_its_secret_lines(name: str) -> None:
    text = _files()[f"origin-snippets/{name}"]
    lines = text.splitlines()
    rotation = lines.index("# ROTATION (no request is denied at any step)")
    assert rotation < 10 and all(line.startswith("#") for line in lines[: rotation + 1])
    current, previous = documented_secret_lines(text)
    assert "ORIGIN_VERIFY_CURRENT".lower() in current.lower() and CURRENT_PLACEHOLDER in current
    assert "ORIGIN_VERIFY_PREVIOUS".lower() in previous.lower() and PREVIOUS_PLACEHOLDER in previous


@pytest.mark.parametrize(
    ("overrides", "expected"),
    [
        pytest.param(
            {},
            {
                "nginx.conf": [
                    "    listen 443 ssl;\n    listen [::]:443 ssl;\n",
                    "ssl_certificate     /etc/letsencrypt/live/origin.example.com/fullchain.pem;",
                    "if ($http_x_origin_verify = $origin_verify_current) {",
                    "include /etc/nginx/origin-verify.conf;",
                    'proxy_set_header X-Origin-Verify "";',
                    "proxy_pass http://127.0.0.1:8080;",
                ],
                "apache2.conf": [
                    "# Debian's ports.conf already listens on 443",
                    "<VirtualHost *:443>",
                    "Include /etc/apache2/origin-verify.conf",
                    "'${ORIGIN_VERIFY_CURRENT}', '${ORIGIN_VERIFY_PREVIOUS}'",
                    "RequestHeader unset X-Origin-Verify\n",
                    'ProxyPass        "/" "http://127.0.0.1:8080/"',
                ],
                "Caddyfile": [
                    "\norigin.example.com {\n",
                    "# Caddy gets and renews a certificate for origin.example.com itself",
                    "{env.ORIGIN_VERIFY_CURRENT}",
                    "EnvironmentFile=/etc/caddy/origin-verify.env",
                    "request_header -X-Origin-Verify\n",
                    "request>headers>X-Origin-Verify delete",
                    "reverse_proxy http://127.0.0.1:8080\n",
                ],
            },
            id="defaults",
        ),
        pytest.param(
            {
                "header": "x-origin-token",
                "port": 8443,
                "address": "::1",
                "tls": TlsFiles("/srv/tls/origin.pem", "/srv/tls/origin.key"),
                "secrets": SnippetSecrets("SHOP_CURRENT", "SHOP_PREVIOUS", "/srv/a.conf", "/srv/b.conf", "/srv/c.env"),
            },
            {
                "nginx.conf": [
                    "    listen [::1]:8443 ssl;\n    server_name",
                    "ssl_certificate_key /srv/tls/origin.key;",
                    "if ($http_x_origin_token = $shop_current) {",
                    'set $shop_previous "PREVIOUS_SECRET";',
                    "include /srv/a.conf;",
                    'proxy_set_header x-origin-token "";',
                ],
                "apache2.conf": [
                    "Listen [::1]:8443 https",
                    "<VirtualHost [::1]:8443>",
                    "Define SHOP_CURRENT (unset)",
                    "Include /srv/b.conf",
                    "req_novary('x-origin-token')",
                ],
                "Caddyfile": [
                    "\nhttps://origin.example.com:8443 {\n\tbind ::1\n\ttls /srv/tls/origin.pem /srv/tls/origin.key\n",
                    "{http.request.header.X-Origin-Token} == {env.SHOP_PREVIOUS}",
                    "EnvironmentFile=/srv/c.env",
                    "request_header -X-Origin-Token\n",
                    "request>headers>X-Origin-Token delete",
                ],
            },
            id="every-argument",
        ),
    ],
)
def test_arguments_land_where_each_server_reads_them(overrides: dict[str, Any], expected: dict[str, list[str]]) -> None:
    files = _files(directory="out", **overrides)
    for name, fragments in expected.items():
        missing = [fragment for fragment in fragments if fragment not in files[f"out/{name}"]]
        assert not missing, f"{name} lacks {missing}"


def test_caddy_leaves_out_the_automatic_certificate_note_when_given_files() -> None:
    caddy = _files(tls=TlsFiles("/srv/c.pem", "/srv/k.pem"))["origin-snippets/Caddyfile"]
    assert "gets and renews a certificate" not in caddy


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"server_name": "Origin.Example.com"}, "lower-case DNS name"),
        ({"server_name": "localhost"}, "with a dot"),
        ({"server_name": "origin.example.com;"}, "DNS name"),
        ({"header": "X_Origin_Verify"}, "no underscore"),
        ({"header": "X-Origin-Verify\r\nEvil: 1"}, "letters, digits and inner dashes"),
        ({"header": "-X"}, "inner dashes"),
        ({"header": "X" * 257}, "at most 256"),
        ({"upstream": "https://127.0.0.1:8443"}, "http://HOST"),
        ({"upstream": "http://127.0.0.1:8080/app"}, "without a path"),
        ({"upstream": "http://127.0.0.1:99999"}, "http://HOST:PORT"),
        ({"upstream": "http://app;evil"}, "http://HOST"),
        ({"secrets": SnippetSecrets(current="lower")}, "upper-case letters"),
        ({"secrets": SnippetSecrets(previous="ORIGIN_VERIFY_CURRENT")}, "two names"),
        ({"secrets": SnippetSecrets(nginx_file="relative/path.conf")}, "must be absolute"),
        ({"secrets": SnippetSecrets(apache_file="/etc/apache2/../../root/x")}, "without . or .. parts"),
        ({"secrets": SnippetSecrets(caddy_env_file="/etc/caddy/a b.env")}, "letters, digits and . _ + -"),
        ({"tls": TlsFiles("/etc/ssl/c.pem", "/etc/ssl/k.pem;")}, "path '/etc/ssl/k.pem;'"),
        ({"port": 0}, "TCP port"),
        ({"port": 65536}, "TCP port"),
        ({"port": True}, "TCP port"),
        ({"address": "example.com"}, "IP address"),
        ({"directory": "/abs"}, "relative path"),
        ({"directory": "a/../b"}, "relative path"),
        ({"directory": ""}, "relative path"),
    ],
)
def test_refuses_an_argument_that_would_not_make_a_safe_configuration(overrides: dict[str, Any], message: str) -> None:
    with pytest.raises(RenderError, match=message.replace("(", r"\(").replace(".", r"\.").replace("+", r"\+")):
        _files(**overrides)


@pytest.mark.parametrize("previous", ["b2", ""], ids=["previous-set", "previous-empty"])
def test_readme_deploy_example_writes_what_the_nginx_snippet_documents(previous: str, tmp_path: Path) -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    command = next(line for line in readme.splitlines() if line.startswith("printf 'set $origin_verify_current"))
    target = tmp_path / "origin-verify.conf"
    script = command.rstrip("\\").strip() + f' > "{target}"'
    subprocess.run(["sh", "-c", script], env={"CURRENT": "a1", "PREVIOUS": previous}, check=True)
    current_line, previous_line = documented_secret_lines(_files()["origin-snippets/nginx.conf"])
    expected = (
        f"{current_line.replace(CURRENT_PLACEHOLDER, 'a1')}\n{previous_line.replace(PREVIOUS_PLACEHOLDER, previous)}\n"
    )
    assert target.read_text(encoding="utf-8") == expected
