"""The renewal clock: one thread, the last time set wins, cancel silences it."""

from __future__ import annotations

import threading
import time

from jupyter_awsrole.alarm import Alarm


def _alarm() -> tuple[Alarm, list[float], threading.Event]:
    rang: list[float] = []
    done = threading.Event()

    def ring() -> None:
        rang.append(time.time())
        done.set()

    return Alarm(ring, name="test-alarm"), rang, done


def test_it_rings_once_at_the_time_set():
    alarm, rang, done = _alarm()
    due = time.time() + 0.2
    alarm.set(due)
    assert done.wait(5)
    time.sleep(0.2)
    assert len(rang) == 1 and rang[0] >= due


def test_setting_again_replaces_the_time():
    alarm, rang, done = _alarm()
    alarm.set(time.time() + 0.1)
    later = time.time() + 0.6
    alarm.set(later)
    assert done.wait(5)
    assert len(rang) == 1 and rang[0] >= later


def test_cancel_silences_it_until_set_again():
    alarm, rang, done = _alarm()
    alarm.set(time.time() + 0.1)
    alarm.cancel()
    time.sleep(0.4)
    assert rang == []
    alarm.set(time.time() + 0.05)
    assert done.wait(5)


def test_the_callback_may_set_it_again_and_one_thread_serves_every_ring():
    rang: list[str] = []
    two = threading.Event()

    def ring() -> None:
        rang.append(threading.current_thread().name)
        if len(rang) == 1:
            alarm.set(time.time() + 0.05)
        else:
            two.set()

    alarm = Alarm(ring, name="test-alarm-again")
    alarm.set(time.time() + 0.05)
    assert two.wait(5)
    assert rang == ["test-alarm-again", "test-alarm-again"]
