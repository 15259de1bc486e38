"""The demo function behind a Lambda URL: its answers on the documented event shape, its log, its zip."""

from __future__ import annotations

import base64
import copy
import hashlib
import json
import sys
from pathlib import Path
from typing import Any

import pytest
from tests.lambdas._runtime import run_zipped

from cfgen._resources import lambdas_dir
from cfgen.artifacts import lambda_zip

sys.path.insert(0, str(lambdas_dir()))
from url_demo import _core, handler

EVENT = json.loads((Path(__file__).parent / "events" / "lambda-function-url-v2.json").read_text(encoding="utf-8"))
BODY = b"Hello from client!"


def event(method: str = "POST", body: bytes | None = BODY, headers: dict[str, str] | None = None) -> dict[str, Any]:
    """The documented event with ``method``, ``body`` (as text) and ``headers`` (lowercased, as Lambda gives them)."""
    made: dict[str, Any] = copy.deepcopy(EVENT)
    made["requestContext"]["http"]["method"] = method
    made["body"] = None if body is None else body.decode("utf-8")
    made["headers"] = {**made["headers"], **(headers or {})}
    return made


def report(response: dict[str, Any]) -> dict[str, Any]:
    assert response["headers"] == {"content-type": "application/json", "cache-control": "no-store"}
    found: dict[str, Any] = json.loads(response["body"])
    return found


def test_a_get_says_what_was_asked() -> None:
    response = _core.answer(event("GET", None))
    assert response["statusCode"] == 200
    got = report(response)
    assert (got["method"], got["path"], got["query"]) == ("GET", "/my/path", ["parameter1", "parameter2"])
    assert got["via_cloudfront"] is False and "body" not in got


@pytest.mark.parametrize(
    ("claimed", "expected"),
    [(hashlib.sha256(BODY).hexdigest(), "matches"), ("0" * 64, "differs"), (None, "missing")],
)
def test_a_post_reports_the_body_hash_against_the_clients_header(claimed: str | None, expected: str) -> None:
    headers = {"x-amz-cf-id": "cf-request-id"} | ({} if claimed is None else {"x-amz-content-sha256": claimed})
    got = report(_core.answer(event("POST", BODY, headers)))
    assert got["body"] == {
        "bytes": len(BODY),
        "sha256": hashlib.sha256(BODY).hexdigest(),
        "x_amz_content_sha256": expected,
    }
    assert got["via_cloudfront"] is True


def test_a_base64_body_is_hashed_as_bytes_and_a_bad_one_is_refused() -> None:
    data = bytes(range(256))
    made = event("PUT", None) | {"body": base64.b64encode(data).decode(), "isBase64Encoded": True}
    assert report(_core.answer(made))["body"]["sha256"] == hashlib.sha256(data).hexdigest()
    bad = made | {"body": "not base64!"}
    response = _core.answer(bad)
    assert response["statusCode"] == 400 and "base64" in report(response)["error"]


def test_the_answer_and_the_log_hold_no_header_value_nor_the_body(capsys: pytest.CaptureFixture[str]) -> None:
    secret = "a-session-cookie-value-0123456789"
    made = event("POST", BODY, {"cookie": secret, "authorization": secret})
    made["cookies"] = [secret]
    response = handler.handler(made)
    log = capsys.readouterr().out
    assert json.loads(log) == {"method": "POST", "path": "/my/path", "status": 200}
    for text in (response["body"], log):
        assert secret not in text and BODY.decode() not in text and "value1" not in text


def test_the_zip_runs_on_its_own(tmp_path: Path) -> None:
    run = run_zipped(lambda_zip("url_demo"), "url_demo.handler", [event("GET", None)], {}, tmp_path)
    assert run.answers == [_core.answer(event("GET", None))]
