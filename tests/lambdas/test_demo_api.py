"""The demo HTTP API's backend answers a fixed greeting, from its deployment zip alone."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

from tests.lambdas._runtime import run_zipped

from cfgen.artifacts import lambda_zip

EVENTS = Path(__file__).parent / "events"


def test_every_request_gets_the_greeting_as_a_payload_2_0_response(tmp_path: Path) -> None:
    data = lambda_zip("demo_api")
    assert data == lambda_zip("demo_api")
    assert zipfile.ZipFile(io.BytesIO(data)).namelist() == ["demo_api/__init__.py", "demo_api/handler.py"]
    event = json.loads((EVENTS / "apigw-http-request-authorizer-v2.json").read_text())
    run = run_zipped(data, "demo_api.handler", [event, {}], {}, tmp_path)
    for answer in run.answers:
        assert answer["statusCode"] == 200
        assert answer["headers"] == {"content-type": "application/json"}
        assert json.loads(answer["body"]) == {"message": "hello from an HTTP API, through CloudFront"}
    assert run.output.strip() == json.dumps(run.answers), "the function logs nothing"
