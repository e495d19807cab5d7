"""The SSO sign-in as a cell shows it: a clickable link with the code in it, the code, the time left."""

import datetime

from jupyter_awsrole.display import LoginText
from jupyter_awsrole.sso_login import LoginPrompt


def prompt(minutes: float = 10) -> LoginPrompt:
    expires = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(minutes=minutes, seconds=1)
    return LoginPrompt(
        "ds", "https://x.awsapps.com/start", "http://h/device", "http://h/device?user_code=AB'CD", "AB'CD", expires
    )


def test_the_link_and_code_are_shown_escaped_with_the_time_left():
    shown = LoginText(prompt())
    page = shown._repr_html_()
    assert "<a href='http://h/device?user_code=AB&#x27;CD' target='_blank'" in page
    assert "AB&#x27;CD</code>" in page and "10:00 left" in page
    assert "open http://h/device?user_code=AB'CD" in repr(shown) and "10:00 left" in repr(shown)


def test_an_outcome_replaces_the_link():
    shown = LoginText(prompt(), "Signed in to https://x.awsapps.com/start.")
    assert repr(shown) == "Signed in to https://x.awsapps.com/start."
    assert "href" not in shown._repr_html_()


def test_an_expired_prompt_shows_no_negative_time():
    assert "0:00 left" in repr(LoginText(prompt(minutes=-5)))
