"""Pooled STS clients: no call waits for another, attempts are counted as calls, our calls stay out of logs."""

from __future__ import annotations

import logging
import threading

import pytest

from jupyter_awsrole.credentials import Credentials
from jupyter_awsrole.sts import Timeouts, quiet_botocore, sts_client

CREDS = Credentials("AKIDEXAMPLE", "example-secret", None)
NOWHERE = "http://127.0.0.1:9"


def test_a_call_in_flight_does_not_hold_up_another():
    with sts_client(CREDS, "us-east-1", NOWHERE) as first:
        got: list = []
        other = threading.Thread(target=lambda: got.append(_borrow_once()))
        other.start()
        other.join(5)
        assert got and got[0] is not first, "the second call waited for the first one"


def _borrow_once():
    with sts_client(CREDS, "us-east-1", NOWHERE) as client:
        return client


@pytest.mark.parametrize("attempts", [1, 3])
def test_sts_max_attempts_counts_calls_not_retries(attempts):
    with sts_client(CREDS, "us-east-1", NOWHERE, Timeouts(attempts=attempts)) as client:
        retries = client.meta.config.retries
    assert retries == {"total_max_attempts": attempts, "mode": "standard"}


class Records(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


@pytest.fixture
def endpoint_log():
    import botocore.endpoint  # noqa: F401  (the logger botocore logs request bodies with)

    logger = logging.getLogger("botocore.endpoint")
    records, level = Records(), logger.level
    logger.addHandler(records)
    logger.setLevel(logging.DEBUG)
    yield logger, records
    logger.removeHandler(records)
    logger.setLevel(level)


def test_our_calls_are_not_logged_and_other_threads_are(endpoint_log):
    logger, records = endpoint_log
    with quiet_botocore():
        logger.debug("ours")
        other = threading.Thread(target=lambda: logger.debug("a user's client on another thread"))
        other.start()
        other.join()
    logger.debug("a user's client after ours")
    assert records.messages == ["a user's client on another thread", "a user's client after ours"]
