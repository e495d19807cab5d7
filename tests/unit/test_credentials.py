"""Credential values never show their secrets, and refuse fields of the wrong shape."""

import datetime as dt

import pytest

from jupyter_awsrole.credentials import Credentials, MalformedCredentials, RoleState, parse_expiration
from jupyter_awsrole.errors import AwsRoleError

SECRETS = ("ASIAEXAMPLEKEY123456", "secret/value", "token-value")


def _leaks(texts: dict[str, str]) -> list[str]:
    """The names of the texts that hold a secret: a failure report must not print the secret itself."""
    return [name for name, text in texts.items() if any(secret in text for secret in SECRETS)]


def _sts(**changes):
    data = {
        "AccessKeyId": SECRETS[0],
        "SecretAccessKey": SECRETS[1],
        "SessionToken": SECRETS[2],
        "Expiration": dt.datetime.now(dt.timezone.utc) + dt.timedelta(hours=1),
    }
    data.update(changes)
    return data


def test_repr_hides_everything_secret():
    creds = Credentials(*SECRETS, parse_expiration("2030-01-01T00:00:00Z"))
    state = RoleState(
        "p", "arn:aws:iam::1:role/r", "arn:aws:sts::1:assumed-role/r/s", "1", None, creds.expiration, creds
    )
    texts = {
        "repr(creds)": repr(creds),
        "str(creds)": str(creds),
        "repr(state)": repr(state),
        "str(state)": str(state),
        "public()": str(state.public()),
        "format": f"{state!s} {creds}",
    }
    assert _leaks(texts) == []


def test_expiration_parsing():
    assert parse_expiration("2030-01-01T00:00:00Z") == dt.datetime(2030, 1, 1, tzinfo=dt.timezone.utc)
    assert parse_expiration("2030-01-01T01:00:00+01:00").hour == 0
    assert parse_expiration("2030-01-01T00:00:00UTC").year == 2030  # what the AWS CLI writes
    assert parse_expiration(1893456000) == dt.datetime(2030, 1, 1, tzinfo=dt.timezone.utc)


@pytest.mark.parametrize(
    "value",
    [
        1e20,
        -1e20,
        float("nan"),
        float("inf"),
        10**30,
        "12345678901234567890",
        "1e+20",
        "+275760-09-13",
        "0001-01-01T00:00:00+01:00",
        "",
        "x" * 100,
        True,
        None,
        [2030],
        {"y": 2030},
    ],
)
def test_odd_expirations_are_value_errors(value):
    with pytest.raises(ValueError):
        parse_expiration(value)


def test_from_sts_reads_an_sts_answer():
    creds = Credentials.from_sts(_sts())
    assert creds.session_token == SECRETS[2] and 3500 < creds.seconds_left() <= 3600


BAD_FIELDS = {
    "null secret": {"SecretAccessKey": None},
    "int token": {"SessionToken": 7},
    "empty key": {"AccessKeyId": ""},
    "empty token": {"SessionToken": ""},
    "NUL in secret": {"SecretAccessKey": "se\0cret"},
    "space in key": {"AccessKeyId": "ASIA KEY"},
    "huge token": {"SessionToken": "t" * 100000},
    "expiration 1e20": {"Expiration": 1e20},
    "expiration 20 digits": {"Expiration": "12345678901234567890"},
    "expiration in year 9999": {"Expiration": "9999-12-31T23:59:59Z"},
    "expiration in three days": {"Expiration": dt.datetime.now(dt.timezone.utc) + dt.timedelta(days=3)},
    "expiration a dict": {"Expiration": {}},
}


@pytest.mark.parametrize("changes", BAD_FIELDS.values(), ids=BAD_FIELDS.keys())
def test_from_sts_refuses_odd_fields_in_one_line_without_a_value(changes):
    with pytest.raises(MalformedCredentials) as caught:
        Credentials.from_sts(_sts(**changes))
    message = str(caught.value)
    assert isinstance(caught.value, AwsRoleError) and "\n" not in message
    assert _leaks({"message": message}) == [] and "se\0cret" not in message


@pytest.mark.parametrize("data", [None, "text", ["AccessKeyId"], 7])
def test_from_sts_refuses_what_is_not_an_object(data):
    with pytest.raises(MalformedCredentials):
        Credentials.from_sts(data)
