"""Asking the kernel's credential endpoint directly, as a process with or without the token would."""

from __future__ import annotations

import urllib.error
import urllib.request

from jupyter_awsrole.loopback import DIRECT


def get(url: str, token: str | None) -> tuple[int, bytes]:
    """The status and body of one GET, with `token` as the Authorization header (None: no header)."""
    request = urllib.request.Request(url)
    if token is not None:
        request.add_header("Authorization", token)
    try:
        with DIRECT.open(request, timeout=10) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()
