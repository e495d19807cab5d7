"""A countdown to expiry drawn by CSS alone, so a browser shows it ticking without any kernel traffic."""

from __future__ import annotations

import html
import itertools

from .credentials import RoleState

WARN_SECONDS = 600
_ids = itertools.count()


def countdown_html(state: RoleState, now_left: float | None = None) -> str:
    """`N min left` (whole minutes, floored as the status bar and `%awsrole` floor them), `<1 min left` in the
    last minute, orange in the last 10 minutes, then `expired`.

    Every word is CSS generated content shown only while true, so the page's text never says `expired` early."""
    left = max(0, int(state.seconds_left() if now_left is None else now_left))
    expires = html.escape(f"{state.expiration:%H:%M} UTC")
    if left == 0:
        return f"<span class='jupyter-awsrole-countdown' data-seconds-left='0' title='expired {expires}'>expired</span>"
    uid = f"awsrole-cd-{next(_ids)}"
    warn_delay = max(0, left - WARN_SECONDS)
    last_minute = max(0, left - 60)
    # An animated <integer> custom property drives a CSS counter; floor(left / 60) as round((left - 30) / 60).
    style = (
        "<style>"
        "@property --awsrole-left { syntax: '<integer>'; inherits: false; initial-value: 0; }"
        f"@keyframes {uid}-tick {{ from {{ --awsrole-left: {left}; }} to {{ --awsrole-left: 0; }} }}"
        f"@keyframes {uid}-warn {{ to {{ color: #b45309; font-weight: bold; }} }}"
        f"@keyframes {uid}-hide {{ to {{ font-size: 0; }} }}"
        f"@keyframes {uid}-show {{ to {{ font-size: 1em; }} }}"
        f".{uid} {{ animation: {uid}-warn 0.01s linear {warn_delay}s forwards; }}"
        f".{uid} .left {{ animation: {uid}-tick {left}s linear forwards, {uid}-hide 0.01s linear {last_minute}s forwards;"
        " counter-reset: awsrole-min calc((var(--awsrole-left) - 30) / 60); }"
        f".{uid} .left::after {{ content: counter(awsrole-min) ' min left'; }}"
        f".{uid} .last {{ font-size: 0; animation: {uid}-show 0.01s linear {last_minute}s forwards,"
        f" {uid}-hide 0.01s linear {left}s forwards; }}"
        f".{uid} .last::after {{ content: '<1 min left'; }}"
        f".{uid} .gone {{ font-size: 0; color: #b91c1c; animation: {uid}-show 0.01s linear {left}s forwards; }}"
        f".{uid} .gone::after {{ content: 'expired'; }}"
        "</style>"
    )
    return (
        f"{style}<span class='{uid} jupyter-awsrole-countdown' data-seconds-left='{left}'"
        f" title='expires {expires}'><span class='left'></span><span class='last'></span><span class='gone'></span></span>"
    )
