"""The MFA clock and used-code ledger with a clock the test moves: windows, drift, reuse, stepping ahead."""

from __future__ import annotations

from jupyter_awsrole.localaws import totp
from jupyter_awsrole.localaws.mfa_codes import CodeLedger

SEED = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
SERIAL = "arn:aws:iam::123456789012:mfa/user1"


class Clock:
    def __init__(self, now: float) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def test_a_code_of_an_accepted_window_works_once() -> None:
    clock = Clock(1_000_000 * 30 + 5)
    ledger = CodeLedger(clock)
    for offset in (-1, 0, 1):
        code = totp.at_window(SEED, 1_000_000 + offset)
        assert ledger.accept(SERIAL, SEED, code)
        assert not ledger.accept(SERIAL, SEED, code)
    assert not ledger.accept(SERIAL, SEED, totp.at_window(SEED, 1_000_002))
    assert not ledger.accept(SERIAL, SEED, totp.at_window(SEED, 999_998))
    assert ledger.accept("arn:aws:iam::123456789012:mfa/other", SEED, totp.at_window(SEED, 1_000_000))


def test_hand_out_skips_used_codes_and_steps_the_clock_instead_of_waiting() -> None:
    clock = Clock(1_000_000 * 30 + 5)
    ledger = CodeLedger(clock)
    assert ledger.accept(SERIAL, SEED, totp.at_window(SEED, 1_000_001))  # someone typed the next window's code
    codes = [ledger.hand_out(SERIAL, SEED) for _ in range(5)]
    assert len(set(codes)) == 5
    assert ledger.window() == 1_000_004  # four steps ahead of real time, no waiting
    assert all(ledger.accept(SERIAL, SEED, code) for code in codes[-2:])
    assert not any(ledger.accept(SERIAL, SEED, code) for code in codes[-2:])
    clock.now += 10 * 30  # real time catches up and the clock follows it again
    assert ledger.window() == 1_000_010


def test_reuse_switch() -> None:
    ledger = CodeLedger(Clock(1_000_000 * 30))
    code = ledger.hand_out(SERIAL, SEED)
    ledger.set_allow_reuse(True)
    assert ledger.accept(SERIAL, SEED, code) and ledger.accept(SERIAL, SEED, code)
    ledger.set_allow_reuse(False)
    assert not ledger.accept(SERIAL, SEED, code)
