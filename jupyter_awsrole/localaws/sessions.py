"""Credentials issued by GetSessionToken, which act as the calling IAM user (moto ties them to no one)."""

from __future__ import annotations

import base64
import os
import secrets
import string
import threading
from dataclasses import dataclass


@dataclass(frozen=True)
class SessionCredentials:
    """A GetSessionToken result and who it speaks for."""

    access_key_id: str
    secret_access_key: str
    session_token: str
    user_name: str
    mfa_present: bool


class SessionRegistry:
    """Issued session credentials, and role sessions that were obtained with MFA."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._sessions: dict[str, SessionCredentials] = {}
        self._mfa_role_keys: set[str] = set()
        self._chained_role_keys: set[str] = set()  # role sessions assumed with temporary credentials

    def issue(self, user_name: str, mfa_present: bool) -> SessionCredentials:
        """Make and remember new session credentials for an IAM user."""
        alphabet = string.ascii_uppercase + string.digits
        credentials = SessionCredentials(
            access_key_id="ASIA" + "".join(secrets.choice(alphabet) for _ in range(16)),
            secret_access_key=base64.b64encode(os.urandom(30)).decode(),
            session_token=base64.b64encode(os.urandom(180)).decode(),
            user_name=user_name,
            mfa_present=mfa_present,
        )
        with self._lock:
            self._sessions[credentials.access_key_id] = credentials
        return credentials

    def session(self, access_key_id: str) -> SessionCredentials | None:
        """The session credentials with this access key id, if we issued them."""
        with self._lock:
            return self._sessions.get(access_key_id)

    def mark_role(self, access_key_id: str, *, mfa: bool, chained: bool) -> None:
        """Remember whether a role session was assumed with MFA (chained calls keep that context) and whether
        with temporary credentials (a role chain, whose console session AWS keeps to an hour)."""
        with self._lock:
            for marked, keys in ((mfa, self._mfa_role_keys), (chained, self._chained_role_keys)):
                if marked:
                    keys.add(access_key_id)

    def role_has_mfa(self, access_key_id: str) -> bool:
        """Whether a role session was assumed with MFA."""
        with self._lock:
            return access_key_id in self._mfa_role_keys

    def role_is_chained(self, access_key_id: str) -> bool:
        """Whether a role session was assumed with temporary credentials."""
        with self._lock:
            return access_key_id in self._chained_role_keys
