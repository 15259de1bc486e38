"""Real nginx, Apache httpd and Caddy on loopback with cfgen's snippet, and the checks run against them.

Each server runs from a temporary folder of its own (configuration, logs,
pid, state) on free high ports, as the user running the tests, and is
stopped by the test that started it. The main configuration around the
snippet is the test's (what a distribution's defaults would hold: a pid
file, log paths, the modules); the snippet itself is used as rendered, and
the secrets reach the server the way the snippet documents.
"""

from __future__ import annotations

import datetime
import grp
import http.client
import http.server
import os
import pwd
import signal
import socket
import ssl
import subprocess
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from tests.snippets._secrets_file import SecretValues, systemd_environment_file

from cfgen.snippets import SnippetSecrets, TlsFiles, server_snippets

SERVER_NAME = "origin.cfgen.test"
UPSTREAM_BODY = b"upstream-ok"
_START_TIMEOUT = 15.0
_STOP_TIMEOUT = 10.0
_REQUEST_TIMEOUT = 10.0


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


# ---------------------------------------------------------------------------
# TLS: a throwaway CA and a certificate for SERVER_NAME
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Pki:
    ca: Path
    certificate: Path
    key: Path


def make_pki(folder: Path, names: tuple[str, ...] = (SERVER_NAME,)) -> Pki:
    """A CA and a leaf certificate for ``names`` (DNS names, wildcards too) signed by it, as PEM files in ``folder``."""
    now = datetime.datetime.now(datetime.UTC)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "cfgen snippet tests CA")])
    ca_cert = (
        x509.CertificateBuilder()
        .subject_name(ca_name)
        .issuer_name(ca_name)
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=False,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=True,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    key = ec.generate_private_key(ec.SECP256R1())
    cert = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, names[0])]))
        .issuer_name(ca_name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName(n) for n in names]), critical=False)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.ExtendedKeyUsage([x509.oid.ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()),
            critical=False,
        )
        .sign(ca_key, hashes.SHA256())
    )
    folder.mkdir(parents=True, exist_ok=True)
    pki = Pki(ca=folder / "ca.pem", certificate=folder / "origin.pem", key=folder / "origin.key")
    pki.ca.write_bytes(ca_cert.public_bytes(serialization.Encoding.PEM))
    pki.certificate.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    pki.key.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    # Readable by the unprivileged workers some servers switch to.
    for path in (pki.ca, pki.certificate, pki.key):
        path.chmod(0o644)
    return pki


# ---------------------------------------------------------------------------
# The upstream: records what reaches the application
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Received:
    method: str
    path: str
    headers: tuple[tuple[str, str], ...]  # as sent on the wire, in order

    def header(self, name: str) -> str | None:
        """The first value of header ``name`` (any case), or None."""
        return next((v for k, v in self.headers if k.lower() == name.lower()), None)


class Upstream:
    """An HTTP server on loopback that answers every request alike and records it.

    By default 200 with UPSTREAM_BODY over plain HTTP; ``tls`` serves HTTPS with that context.
    """

    def __init__(
        self,
        status: int = 200,
        headers: tuple[tuple[str, str], ...] = (("Content-Type", "text/plain"),),
        body: bytes = UPSTREAM_BODY,
        tls: ssl.SSLContext | None = None,
    ) -> None:
        self.received: list[Received] = []
        lock = threading.Lock()
        received = self.received

        class _Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def _answer(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                if length:
                    self.rfile.read(length)
                with lock:
                    received.append(Received(self.command, self.path, tuple(self.headers.items())))
                self.send_response(status)
                for name, value in headers:
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(body)))
                # No connection outlives its request: once stop() has closed
                # the listener, the upstream is down for every proxy.
                self.send_header("Connection", "close")
                self.close_connection = True
                self.end_headers()
                self.wfile.write(body)

            do_GET = do_POST = do_HEAD = do_PUT = do_DELETE = do_OPTIONS = _answer

            def log_message(self, format: str, *args: object) -> None:
                pass

        self._server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        self._server.daemon_threads = True
        if tls is not None:
            self._server.socket = tls.wrap_socket(self._server.socket, server_side=True)
        self.port = int(self._server.server_address[1])
        self._thread = threading.Thread(target=self._server.serve_forever, name="upstream", daemon=True)
        self._thread.start()
        self._running = True

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def stop(self) -> None:
        if self._running:
            self._running = False
            self._server.shutdown()
            self._server.server_close()
            self._thread.join(timeout=_STOP_TIMEOUT)


# ---------------------------------------------------------------------------
# Requests, as CloudFront makes them: TLS with SNI and Host = the origin's name
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Response:
    status: int
    headers: tuple[tuple[str, str], ...]
    body: bytes


class _LoopbackHTTPS(http.client.HTTPSConnection):
    """HTTPS to 127.0.0.1 that presents ``host`` as SNI and Host, and verifies the certificate for it."""

    def __init__(self, host: str, port: int, tls: ssl.SSLContext) -> None:
        super().__init__(host, port, timeout=_REQUEST_TIMEOUT, context=tls)
        self._tls = tls

    def connect(self) -> None:
        raw = socket.create_connection(("127.0.0.1", self.port), self.timeout)
        self.sock = self._tls.wrap_socket(raw, server_hostname=self.host)


def client_context(ca: Path) -> ssl.SSLContext:
    context = ssl.create_default_context(cafile=str(ca))
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    return context


def send(port: int, tls: ssl.SSLContext, headers: list[tuple[str, str]], path: str = "/probe") -> Response:
    """One GET on a new connection, with ``headers`` sent exactly as given (names and values)."""
    conn = _LoopbackHTTPS(SERVER_NAME, port, tls)
    try:
        conn.putrequest("GET", path)
        for name, value in headers:
            conn.putheader(name, value)
        conn.putheader("Connection", "close")
        conn.endheaders()
        answer = conn.getresponse()
        body = answer.read()
        return Response(answer.status, tuple(answer.getheaders()), body)
    finally:
        conn.close()


# ---------------------------------------------------------------------------
# The servers
# ---------------------------------------------------------------------------


@dataclass
class Server:
    """One server process around a rendered snippet; subclasses know how each is run."""

    name: str  # file name of the snippet in the render
    binary: Path
    root: Path
    header: str
    upstream: str
    port: int = field(default_factory=free_port)
    snippet: str = ""
    process: subprocess.Popen[bytes] | None = None
    mutate: Callable[[str], str] | None = None  # a change to the rendered snippet (tests that must fail)
    options: dict[str, Any] = field(default_factory=dict)  # other arguments of server_snippets
    secret_names: tuple[str, str] = ("ORIGIN_VERIFY_CURRENT", "ORIGIN_VERIFY_PREVIOUS")

    @property
    def secrets_path(self) -> Path:
        return self.root / "etc" / "origin-verify.secrets"

    @property
    def output(self) -> Path:
        return self.root / "process-output.log"

    def render(self) -> str:
        secrets = SnippetSecrets(
            current=self.secret_names[0],
            previous=self.secret_names[1],
            nginx_file=str(self.secrets_path),
            apache_file=str(self.secrets_path),
            caddy_env_file=str(self.secrets_path),
        )
        arguments: dict[str, Any] = {
            "server_name": SERVER_NAME,
            "upstream": self.upstream,
            "header": self.header,
            "secrets": secrets,
            "port": self.port,
            "address": "127.0.0.1",
            "tls": TlsFiles(
                certificate=str(self.root / "tls" / "origin.pem"), key=str(self.root / "tls" / "origin.key")
            ),
            "directory": "snippets",
            **self.options,
        }
        files = server_snippets(**arguments)
        return files[f"snippets/{self.name}"]

    def prepare(self, pki: Pki) -> None:
        (self.root / "etc").mkdir(parents=True, exist_ok=True)
        (self.root / "tls").mkdir(exist_ok=True)
        for source, target in ((pki.certificate, "origin.pem"), (pki.key, "origin.key")):
            (self.root / "tls" / target).write_bytes(source.read_bytes())
            (self.root / "tls" / target).chmod(0o644)
        self.snippet = self.render()
        if self.mutate is not None:
            self.snippet = self.mutate(self.snippet)
        self.write_main_config()

    def write_secrets(self, values: SecretValues) -> None:
        self.secrets_path.write_text(values.file_text(self.snippet), encoding="utf-8")
        self.secrets_path.chmod(0o600)

    # -- what subclasses provide -------------------------------------------

    def write_main_config(self) -> None:
        raise NotImplementedError

    def command(self) -> list[str]:
        raise NotImplementedError

    def environment(self) -> dict[str, str]:
        return {"PATH": os.environ.get("PATH", "/usr/sbin:/usr/bin:/sbin:/bin")}

    def apply_secrets(self) -> None:
        """Make a running server take the secrets file the way the snippet says (reload or restart)."""
        raise NotImplementedError

    def check_syntax(self) -> None:
        """The server's own configuration test on the snippet, without starting it."""
        raise NotImplementedError

    def handled_requests(self) -> int:
        """How many requests the access log holds (the log checks mean nothing if it is empty)."""
        raise NotImplementedError

    # -- process handling ---------------------------------------------------

    def start(self) -> None:
        with self.output.open("ab") as out:
            self.process = subprocess.Popen(
                self.command(),
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=subprocess.STDOUT,
                env=self.environment(),
                cwd=self.root,
                start_new_session=True,  # a process group of its own, with its workers
            )
        deadline = time.monotonic() + _START_TIMEOUT
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"{self.name} exited with {self.process.returncode}:\n{self.read_output()}")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.5):
                    return
            except OSError:
                time.sleep(0.05)
        self.stop()
        raise RuntimeError(f"{self.name} did not listen on {self.port} within {_START_TIMEOUT}s:\n{self.read_output()}")

    def stop(self) -> None:
        process, self.process = self.process, None
        if process is None or process.poll() is not None:
            return
        process.send_signal(signal.SIGTERM)  # each server's fast (nginx, Apache) or graceful (Caddy) stop
        try:
            process.wait(timeout=_STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            # Still alive, so the group is still this server's: its workers go too.
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=_STOP_TIMEOUT)

    def read_output(self) -> str:
        return self.output.read_text(encoding="utf-8", errors="replace") if self.output.exists() else ""

    def written_files(self) -> Iterator[Path]:
        """Every file under the server's folder except the secrets file and the TLS key material."""
        for path in sorted(self.root.rglob("*")):
            if path.is_file() and path != self.secrets_path and path.parent != self.root / "tls":
                yield path


def _run(command: list[str], env: dict[str, str], cwd: Path) -> None:
    result = subprocess.run(command, env=env, cwd=cwd, capture_output=True, timeout=_STOP_TIMEOUT, check=False)
    if result.returncode != 0:
        raise RuntimeError(
            f"{' '.join(command)} failed ({result.returncode}): {result.stderr.decode(errors='replace')}"
        )


class Nginx(Server):
    def _flags(self) -> list[str]:
        return [str(self.binary), "-p", f"{self.root}/", "-e", str(self.root / "error.log"), "-c", str(self.conf)]

    @property
    def conf(self) -> Path:
        return self.root / "nginx.conf"

    def write_main_config(self) -> None:
        (self.root / "site.conf").write_text(self.snippet, encoding="utf-8")
        temp = self.root / "temp"
        temp.mkdir(exist_ok=True)
        temp_paths = "\n".join(
            f"    {kind}_temp_path {temp / kind};" for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
        )
        self.conf.write_text(
            f"""worker_processes 1;
pid {self.root / "nginx.pid"};
error_log {self.root / "error.log"};
events {{
    worker_connections 64;
}}
http {{
    access_log {self.root / "access.log"};
{temp_paths}
    include {self.root / "site.conf"};
}}
""",
            encoding="utf-8",
        )

    def command(self) -> list[str]:
        return [*self._flags(), "-g", "daemon off;"]

    def apply_secrets(self) -> None:
        self.check_syntax()  # nginx -t && systemctl reload nginx, as documented
        _run([*self._flags(), "-s", "reload"], self.environment(), self.root)

    def check_syntax(self) -> None:
        _run([*self._flags(), "-t"], self.environment(), self.root)

    def handled_requests(self) -> int:
        log = self.root / "access.log"
        return len(log.read_text(encoding="utf-8").splitlines()) if log.exists() else 0


_APACHE_MODULES = ("mpm_event", "authz_core", "headers", "proxy", "proxy_http", "ssl")


class Apache(Server):
    @property
    def conf(self) -> Path:
        return self.root / "httpd.conf"

    def write_main_config(self) -> None:
        (self.root / "site.conf").write_text(self.snippet, encoding="utf-8")
        (self.root / "run").mkdir(exist_ok=True)
        modules = self.binary.parent.parent / "lib" / "apache2" / "modules"
        if not modules.is_dir():
            modules = Path("/usr/lib/apache2/modules")
        loads = "\n".join(f"LoadModule {name}_module {modules / f'mod_{name}.so'}" for name in _APACHE_MODULES)
        # Run as root, Apache's children need an unprivileged user (Debian's
        # envvars would give www-data); nobody has no rights on this folder,
        # which the children do not need: the parent opens the logs.
        user = ""
        if os.geteuid() == 0:
            nobody = pwd.getpwnam("nobody")
            user = f"User {nobody.pw_name}\nGroup {grp.getgrgid(nobody.pw_gid).gr_name}\n"
        self.conf.write_text(
            f"""ServerRoot {self.root}
ServerName localhost
DefaultRuntimeDir {self.root / "run"}
PidFile {self.root / "httpd.pid"}
ErrorLog {self.root / "error.log"}
{user}{loads}
LogFormat "%h %l %u %t \\"%r\\" %>s %O \\"%{{Referer}}i\\" \\"%{{User-Agent}}i\\"" combined
CustomLog {self.root / "access.log"} combined
Include {self.root / "site.conf"}
""",
            encoding="utf-8",
        )

    def command(self) -> list[str]:
        return [str(self.binary), "-f", str(self.conf), "-DFOREGROUND"]

    def apply_secrets(self) -> None:
        self.check_syntax()  # apache2ctl configtest && apache2ctl graceful, on this configuration
        _run([str(self.binary), "-f", str(self.conf), "-k", "graceful"], self.environment(), self.root)

    def check_syntax(self) -> None:
        _run([str(self.binary), "-f", str(self.conf), "-t"], self.environment(), self.root)

    def handled_requests(self) -> int:
        log = self.root / "access.log"
        return len(log.read_text(encoding="utf-8").splitlines()) if log.exists() else 0


class Caddy(Server):
    http_port: int = 0

    @property
    def conf(self) -> Path:
        return self.root / "Caddyfile"

    def write_main_config(self) -> None:
        (self.root / "site.Caddyfile").write_text(self.snippet, encoding="utf-8")
        self.http_port = free_port()
        # The global options a host's Caddyfile would hold: no admin
        # endpoint (its port would collide between parallel tests) and the
        # HTTP redirect listener on a free port instead of 80.
        self.conf.write_text(
            f"""{{
	admin off
	http_port {self.http_port}
}}

import {self.root / "site.Caddyfile"}
""",
            encoding="utf-8",
        )

    def command(self) -> list[str]:
        # The drop-in's ExecStart (without Debian's --environ).
        return [str(self.binary), "run", "--config", str(self.conf), "--adapter", "caddyfile"]

    def environment(self) -> dict[str, str]:
        env = {
            **super().environment(),
            "HOME": str(self.root / "home"),
            "XDG_DATA_HOME": str(self.root / "data"),
            "XDG_CONFIG_HOME": str(self.root / "config"),
        }
        if self.secrets_path.exists():
            env.update(systemd_environment_file(self.secrets_path.read_text(encoding="utf-8")))
        return env

    def apply_secrets(self) -> None:
        self.stop()  # systemctl restart caddy: the environment is read at start only
        self.start()

    def check_syntax(self) -> None:
        env = self.environment()
        _run([str(self.binary), "validate", "--config", str(self.conf), "--adapter", "caddyfile"], env, self.root)
        # caddy fmt prints the file as Caddy formats it: the snippet must already be so.
        formatted = subprocess.run(
            [str(self.binary), "fmt", str(self.root / "site.Caddyfile")],
            env=env,
            capture_output=True,
            timeout=_STOP_TIMEOUT,
            check=True,
        ).stdout.decode()
        if formatted != self.snippet:
            raise RuntimeError(f"the Caddyfile is not as `caddy fmt` writes it:\n{formatted}")

    def handled_requests(self) -> int:
        return self.read_output().count('"msg":"handled request"')


SERVERS: dict[str, type[Server]] = {"nginx.conf": Nginx, "apache2.conf": Apache, "Caddyfile": Caddy}
BINARIES = {"nginx.conf": "nginx", "apache2.conf": "apache2", "Caddyfile": "caddy"}


@contextmanager
def running(server: Server, pki: Pki, values: SecretValues) -> Iterator[Server]:
    """``server`` started with ``values`` written as documented; stopped on the way out, whatever happens."""
    server.prepare(pki)
    server.write_secrets(values)
    try:
        server.start()
        yield server
    finally:
        server.stop()
