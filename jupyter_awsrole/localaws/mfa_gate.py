"""WSGI middleware in front of moto that checks MFA codes and the STS rules moto does not enforce."""

from __future__ import annotations

import io
import json
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs

from . import callers
from .account import MFA_SERIAL
from .controls import Controls
from .mfa_codes import CodeLedger
from .moto_patches import UNSIGNED_STS_ACTIONS
from .responses import Response, access_denied, call_buffered, json_response, sts_error, validation_error
from .sessions import SessionRegistry
from .trust import TrustContext, trust_allows

WsgiApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]

_CREDENTIAL_SCOPE = re.compile(r"Credential=([^/,\s]+)/[^/]+/[^/]+/([^/]+)/")
_INVALID_CODE = "MultiFactorAuthentication failed with invalid MFA one time pass code."
_UNKNOWN_DEVICE = "MultiFactorAuthentication failed, unable to validate MFA code."
_CHAINED_LIMIT = 3600
_MIN_DURATION = 900


@dataclass(frozen=True)
class StsRequest:
    """The parts of an STS request the gate decides on."""

    action: str
    params: dict[str, str]
    access_key_id: str | None
    has_session_token: bool


class MfaGate:
    """Answers STS requests moto would wrongly accept, and passes everything else to moto."""

    def __init__(self, app: WsgiApp, controls: Controls, registry: SessionRegistry, ledger: CodeLedger) -> None:
        self._app = app
        self._controls = controls
        self._registry = registry
        self._ledger = ledger

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        if environ.get("PATH_INFO", "").startswith("/localaws/"):
            return self._control_endpoint(environ).send(start_response)
        request = _sts_request(environ)
        if request is None:
            return self._app(environ, start_response)
        self._controls.count_call(request.action)
        if self._controls.fault == "throttle":
            return sts_error(400, "Throttling", "Rate exceeded").send(start_response)
        if self._controls.fault == "hang":
            self._controls.wait_out_hang()
        if request.action == "AssumeRole":
            return self._assume_role(environ, request).send(start_response)
        if request.action == "GetSessionToken":
            return self._get_session_token(environ, request).send(start_response)
        return self._app(environ, start_response)

    def _assume_role(self, environ: dict[str, Any], request: StsRequest) -> Response:
        caller = callers.identify(request.access_key_id or "", self._registry)
        if caller is None:
            return call_buffered(self._app, environ)  # moto answers unknown keys itself
        mfa_present = caller.mfa_present
        if "SerialNumber" in request.params:
            refusal = self._check_mfa(request.params, caller)
            if refusal is not None:
                return refusal
            mfa_present = True
        role_arn = request.params.get("RoleArn", "")
        role = callers.role_trust_policy(role_arn)
        context = TrustContext(caller.arn, mfa_present, request.params.get("ExternalId"), caller.temporary)
        if role is None or not trust_allows(role[0], context):
            return access_denied(
                f"User: {caller.arn} is not authorized to perform: sts:AssumeRole on resource: {role_arn}"
            )
        refusal = _check_duration(request.params.get("DurationSeconds"), caller.temporary, role[1])
        if refusal is not None:
            return refusal
        response = call_buffered(self._app, environ)
        if response.status == 200:
            self._registry.mark_role(_xml_text(response.body, "AccessKeyId"), mfa=mfa_present, chained=caller.temporary)
        return response

    def _get_session_token(self, environ: dict[str, Any], request: StsRequest) -> Response:
        caller = callers.identify(request.access_key_id or "", self._registry)
        if caller is None:
            return call_buffered(self._app, environ)
        if caller.temporary or request.has_session_token:
            return access_denied("Cannot call GetSessionToken with session credentials")
        mfa_present = False
        if "SerialNumber" in request.params:
            refusal = self._check_mfa(request.params, caller)
            if refusal is not None:
                return refusal
            mfa_present = True
        response = call_buffered(self._app, environ)
        if response.status != 200:
            return response
        # moto answers with fixed example keys; hand out real ones that act as the user.
        issued = self._registry.issue(caller.user_name or "", mfa_present)
        body = response.body.decode()
        for tag, value in (
            ("AccessKeyId", issued.access_key_id),
            ("SecretAccessKey", issued.secret_access_key),
            ("SessionToken", issued.session_token),
        ):
            body = re.sub(f"<{tag}>[^<]*</{tag}>", f"<{tag}>{value}</{tag}>", body, count=1)
        response.body = body.encode()
        return response

    def _check_mfa(self, params: dict[str, str], caller: callers.Caller) -> Response | None:
        device = callers.mfa_seed(params["SerialNumber"])
        if device is None or (caller.user_name is not None and device[1] != caller.user_name):
            self._controls.count_mfa(accepted=False)
            return access_denied(_UNKNOWN_DEVICE)
        accepted = self._ledger.accept(params["SerialNumber"], device[0], params.get("TokenCode", ""))
        self._controls.count_mfa(accepted)
        return None if accepted else access_denied(_INVALID_CODE)

    def _control_endpoint(self, environ: dict[str, Any]) -> Response:
        path, method = environ["PATH_INFO"].rstrip("/"), environ["REQUEST_METHOD"]
        if path == "/localaws/stats" and method == "GET":
            return json_response(self._controls.stats())
        if path == "/localaws/stats/reset" and method == "POST":
            self._controls.reset()
            return json_response(self._controls.stats())
        if path == "/localaws/faults" and method == "GET":
            return json_response({"sts": self._controls.fault})
        if path == "/localaws/faults" and method == "POST":
            try:
                self._controls.set_fault(json.loads(_read_body(environ) or b"{}").get("sts", "ok"))
            except (ValueError, AttributeError) as error:
                return json_response({"error": str(error)}, 400)
            return json_response({"sts": self._controls.fault})
        if path.startswith("/localaws/mfa"):
            return self._mfa_control(path, method, environ)
        return json_response({"error": f"no such control: {method} {path}"}, 404)

    def _mfa_control(self, path: str, method: str, environ: dict[str, Any]) -> Response:
        """Codes for tests and the demo's `mfa-code`, which must not reuse one the gate has seen."""
        try:
            payload = json.loads(_read_body(environ) or b"{}")
            if not isinstance(payload, dict):
                raise ValueError("expected a JSON object")
        except ValueError as error:
            return json_response({"error": str(error)}, 400)
        if path == "/localaws/mfa/code" and method == "POST":
            serial = str(payload.get("serial") or MFA_SERIAL)
            device = callers.mfa_seed(serial)
            if device is None:
                return json_response({"error": f"no MFA device {serial}"}, 404)
            return json_response({"code": self._ledger.hand_out(serial, device[0])})
        if path == "/localaws/mfa" and method == "POST" and "allow_reuse" in payload:
            self._ledger.set_allow_reuse(payload["allow_reuse"] is True)
        if path == "/localaws/mfa" and method in ("GET", "POST"):
            return json_response({"window": self._ledger.window(), "allow_reuse": self._ledger.allow_reuse})
        return json_response({"error": f"no such control: {method} {path}"}, 404)


def _check_duration(raw: str | None, chained: bool, max_session: int) -> Response | None:
    if raw is None:
        return None
    try:
        seconds = int(raw)
    except ValueError:
        return None  # moto reports malformed numbers itself
    if seconds < _MIN_DURATION:
        return validation_error(
            f"1 validation error detected: Value '{seconds}' at 'durationSeconds' failed to satisfy "
            f"constraint: Member must have value greater than or equal to {_MIN_DURATION}"
        )
    if chained and seconds > _CHAINED_LIMIT:
        return validation_error(
            "The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining."
        )
    if seconds > max_session:
        return validation_error("The requested DurationSeconds exceeds the MaxSessionDuration set for this role.")
    return None


def _read_body(environ: dict[str, Any]) -> bytes:
    """The request body, leaving an unread copy in place for the next app."""
    try:
        length = int(environ.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    body = environ["wsgi.input"].read(length) if length > 0 else b""
    environ["wsgi.input"] = io.BytesIO(body)
    environ["CONTENT_LENGTH"] = str(len(body))
    return body


def _sts_request(environ: dict[str, Any]) -> StsRequest | None:
    """The STS request in environ, or None for any other service."""
    form = environ.get("CONTENT_TYPE", "").startswith("application/x-www-form-urlencoded")
    query = parse_qs(environ.get("QUERY_STRING", ""), keep_blank_values=True)
    if "Action" not in query and not form:
        return None
    body = _read_body(environ) if form else b""
    merged = {**query, **parse_qs(body.decode("utf-8", "replace"), keep_blank_values=True)}
    params = {key: values[0] for key, values in merged.items()}
    action = params.get("Action", "")
    scope = _CREDENTIAL_SCOPE.search(environ.get("HTTP_AUTHORIZATION", ""))
    if scope is None and action not in UNSIGNED_STS_ACTIONS:
        return None
    if scope is not None and scope.group(2) != "sts":
        return None
    return StsRequest(
        action=action,
        params=params,
        access_key_id=scope.group(1) if scope else None,
        has_session_token="HTTP_X_AMZ_SECURITY_TOKEN" in environ,
    )


def _xml_text(body: bytes, tag: str) -> str:
    match = re.search(f"<{tag}>([^<]*)</{tag}>".encode(), body)
    return match.group(1).decode() if match else ""
