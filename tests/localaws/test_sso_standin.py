"""The SSO stand-in's wire format as a plain HTTP client sees it: rest-json, errors typed in x-amzn-ErrorType."""

from __future__ import annotations

import json
import urllib.error
import urllib.request

from jupyter_awsrole.loopback import DIRECT


def call(url: str, body: dict | None = None, headers: dict | None = None) -> tuple[int, dict, dict]:
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(url, data=data, headers={"Content-Type": "application/json", **(headers or {})})
    try:
        with DIRECT.open(request, timeout=10) as response:
            return response.status, dict(response.headers), json.loads(response.read())
    except urllib.error.HTTPError as exc:
        return exc.code, dict(exc.headers), json.loads(exc.read())


def test_device_flow_errors_are_typed_in_the_header(local_aws):
    base = local_aws.sso_endpoint
    status, _, client = call(base + "/client/register", {"clientName": "t", "clientType": "public"})
    assert status == 200 and {"clientId", "clientSecret", "clientSecretExpiresAt"} <= set(client)
    secrets = {"clientId": client["clientId"], "clientSecret": client["clientSecret"]}
    status, _, auth = call(base + "/device_authorization", {"startUrl": "https://x.awsapps.com/start", **secrets})
    assert status == 200 and auth["verificationUriComplete"].endswith(auth["userCode"])
    grant = {"grantType": "urn:ietf:params:oauth:grant-type:device_code", "deviceCode": auth["deviceCode"], **secrets}
    status, headers, body = call(base + "/token", grant)
    assert status == 400 and headers["x-amzn-ErrorType"] == "AuthorizationPendingException"
    assert body["error"] == "authorization_pending"
    status, headers, _ = call(base + "/token", {**grant, "clientSecret": "wrong"})
    assert status == 401 and headers["x-amzn-ErrorType"] == "InvalidClientException"


def test_role_credentials_need_a_valid_bearer_token(local_aws):
    url = local_aws.sso_endpoint + "/federation/credentials?role_name=DataScientist&account_id=123456789012"
    status, headers, _ = call(url, headers={"x-amz-sso_bearer_token": "not-a-token"})
    assert status == 401 and headers["x-amzn-ErrorType"] == "UnauthorizedException"
