"""Credential values never show their secrets."""

import datetime as dt

from jupyter_awsrole.credentials import Credentials, RoleState, parse_expiration


def test_repr_hides_everything_secret():
    creds = Credentials("ASIAEXAMPLEKEY123456", "secret/value", "token-value", parse_expiration("2030-01-01T00:00:00Z"))
    state = RoleState("p", "arn:aws:iam::1:role/r", "arn:aws:sts::1:assumed-role/r/s", "1", None,
                      creds.expiration, creds)
    for text in (repr(creds), str(creds), repr(state), str(state.public())):
        for secret in ("ASIAEXAMPLEKEY123456", "secret/value", "token-value"):
            assert secret not in text


def test_expiration_parsing():
    assert parse_expiration("2030-01-01T00:00:00Z") == dt.datetime(2030, 1, 1, tzinfo=dt.timezone.utc)
    assert parse_expiration("2030-01-01T01:00:00+01:00").hour == 0
