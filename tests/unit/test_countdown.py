"""The CSS countdown carries the time left and switches to warning and expired at the right moments."""

import datetime as dt
import re

from jupyter_awsrole.countdown import countdown_html
from jupyter_awsrole.credentials import Credentials, RoleState


def _state(minutes: float) -> RoleState:
    expiry = dt.datetime.now(dt.timezone.utc) + dt.timedelta(minutes=minutes)
    creds = Credentials("ASIAKEY", "SECRET", "TOKEN", expiry)
    return RoleState("p", "arn:aws:iam::1:role/r", "arn:aws:sts::1:assumed-role/r/s", "1", None, expiry, creds)


def _text(markup: str) -> str:
    """What the page says as text (generated content aside): the markup without its style and tags."""
    return re.sub(r"<[^>]+>", "", re.sub(r"<style>.*?</style>", "", markup))


def test_times_are_in_the_animation():
    text = countdown_html(_state(60), now_left=3600)
    assert "data-seconds-left='3600'" in text
    assert re.search(r"-warn 0.01s linear 3000s forwards", text)  # orange from 10 minutes before expiry
    assert re.search(r"\.left \{[^}]*-hide 0.01s linear 3540s forwards", text)  # '<1 min left' in the last minute
    assert re.search(r"\.gone \{[^}]*-show 0.01s linear 3600s forwards", text)  # then 'expired'


def test_minutes_are_floored_like_the_status_bar():
    text = countdown_html(_state(60), now_left=3599)
    assert "calc((var(--awsrole-left) - 30) / 60)" in text  # round((s - 30) / 60) == floor(s / 60) for CSS counters
    assert all(round((s - 30) / 60 + 1e-9) == s // 60 for s in range(30, 4000))


def test_only_what_is_true_is_in_the_text():
    assert _text(countdown_html(_state(30), now_left=1800)) == ""  # words are generated content, shown when true
    assert "expired" not in _text(countdown_html(_state(30), now_left=1800))
    assert _text(countdown_html(_state(-1), now_left=-60)) == "expired"


def test_short_and_expired_sessions():
    assert "linear 0s forwards" in countdown_html(_state(5), now_left=300).split("-warn")[2]
    assert "data-seconds-left='0'" in countdown_html(_state(-1), now_left=-60)
    assert "SECRET" not in countdown_html(_state(5))
