"""The CSS countdown carries the time left and switches to warning and expired at the right moments."""

import datetime as dt
import re

from jupyter_awsrole.countdown import countdown_html
from jupyter_awsrole.credentials import Credentials, RoleState


def _state(minutes: float) -> RoleState:
    expiry = dt.datetime.now(dt.timezone.utc) + dt.timedelta(minutes=minutes)
    creds = Credentials("ASIAKEY", "SECRET", "TOKEN", expiry)
    return RoleState("p", "arn:aws:iam::1:role/r", "arn:aws:sts::1:assumed-role/r/s", "1", None, expiry, creds)


def test_times_are_in_the_animation():
    text = countdown_html(_state(60), now_left=3600)
    assert "data-seconds-left='3600'" in text
    assert re.search(r"-warn 0.01s linear 3000s forwards", text)  # orange from 10 minutes before expiry
    assert re.search(r"-hide 0.01s linear 3600s forwards", text)  # then 'expired'


def test_short_and_expired_sessions():
    assert "linear 0s forwards" in countdown_html(_state(5), now_left=300).split("-warn")[2]
    assert "data-seconds-left='0'" in countdown_html(_state(-1), now_left=-60)
    assert "SECRET" not in countdown_html(_state(5))
