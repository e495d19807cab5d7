"""Removing an MFA code typed on a magic line from IPython's input history, in memory and on disk."""

from __future__ import annotations

from typing import Any

MASK = "******"


def scrub(shell: Any, secret: str) -> None:
    """Replace `secret` in every history place IPython filled for the current cell."""
    if not secret or shell is None:
        return
    hm = getattr(shell, "history_manager", None)
    if hm is None:
        return
    for hist in (hm.input_hist_parsed, hm.input_hist_raw):
        for i in range(max(0, len(hist) - 2), len(hist)):
            if secret in hist[i]:
                hist[i] = hist[i].replace(secret, MASK)
    ns = getattr(shell, "user_ns", {})
    count = shell.execution_count
    for name in ("_i", "_ii", "_iii", "_i00", f"_i{count}", f"_i{count - 1}"):
        value = ns.get(name)
        if isinstance(value, str) and secret in value:
            ns[name] = value.replace(secret, MASK)
        value = getattr(hm, name, None)  # the manager's own copies (traitlets) feed the next cell's _i
        if isinstance(value, str) and secret in value:
            setattr(hm, name, value.replace(secret, MASK))
    with hm.db_input_cache_lock:
        hm.db_input_cache[:] = [
            tuple(x.replace(secret, MASK) if isinstance(x, str) else x for x in entry) for entry in hm.db_input_cache
        ]
    try:
        with hm.db_input_cache_lock:
            with hm.db:
                hm.db.execute(
                    "UPDATE history SET source = replace(source, ?, ?), source_raw = replace(source_raw, ?, ?)"
                    " WHERE session = ? AND line >= ?",
                    (secret, MASK, secret, MASK, hm.session_number, count - 1),
                )
    except Exception:
        pass  # history disabled (":memory:" or a DummyDB): nothing was written
