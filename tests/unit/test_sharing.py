"""sharing.py and worker_plugin.py with a fake Dask client and manager: what is pushed when, what errors say,
and what a worker does with a push (in this process, as a worker of another origin would)."""

from __future__ import annotations

import datetime as dt
import json
import os
import pickle
import threading
import urllib.request

import pytest

from jupyter_awsrole import endpoint, sharing, worker_plugin
from jupyter_awsrole.credentials import Credentials, RoleState
from jupyter_awsrole.events import Event
from jupyter_awsrole.loopback import DIRECT

SECRET, TOKEN, KEY = "s3cr3t-value-for-tests", "t0ken-value-for-tests", "AKIAUNITTESTKEY00001"


def state(profile: str = "analyst", key: str = KEY) -> RoleState:
    expires = dt.datetime.now(dt.timezone.utc) + dt.timedelta(hours=1)
    return RoleState(
        profile=profile,
        role_arn=f"arn:aws:iam::123456789012:role/{profile}role",
        session_arn=f"arn:aws:sts::123456789012:assumed-role/{profile}role/s",
        account="123456789012",
        region="eu-west-1",
        expiration=expires,
        credentials=Credentials(key, SECRET, TOKEN, expires),
    )


class FakeManager:
    def __init__(self, active: RoleState | None = None) -> None:
        self.active = active
        self.observers: list = []

    def observe(self, callback, events):
        entry = (callback, events)
        self.observers.append(entry)
        return lambda: self.observers.remove(entry)

    def notify(self, event: Event) -> None:
        for callback, events in list(self.observers):
            if event in events:
                callback(event, self.active)


class FakeClient:
    """Workers that unpickle each push, as a scheduler broadcast would; `fail` makes register_plugin raise."""

    def __init__(self, workers=("tcp://127.0.0.1:1", "tcp://127.0.0.1:2")) -> None:
        self.workers = list(workers)
        self.pushed: list = []
        self.unregistered: list[str] = []
        self.fail: BaseException | None = None
        self.taken: dict[str, object] = {}
        self.status = "running"

    def register_plugin(self, plugin, name=None):
        plugin = pickle.loads(pickle.dumps(plugin))
        self.pushed.append((name, plugin))
        if self.fail is not None:
            raise self.fail
        self.taken = {w: (plugin.serial, plugin.state and plugin.state.profile) for w in self.workers}
        return {w: {"status": "OK"} for w in self.workers}

    def run(self, function, on_error="raise"):
        return dict(self.taken)

    def unregister_worker_plugin(self, name):
        self.unregistered.append(name)


@pytest.fixture(autouse=True)
def no_shares(monkeypatch):
    monkeypatch.setattr(sharing, "_shares", [])


def test_a_share_pushes_the_role_and_follows_switches_renewals_and_unset():
    manager, client = FakeManager(state("analyst")), FakeClient()
    share = sharing.share_with(client, manager=manager)
    assert [p.state.profile for _, p in client.pushed] == ["analyst"]
    assert client.pushed[0][0] == worker_plugin.PLUGIN_NAME
    assert sharing.summary() == {"clusters": 1, "workers": 2}
    assert sharing.share_with(client, manager=manager) is share  # one share per client

    manager.active = state("marketingadmin")
    manager.notify(Event.ASSUMED)
    manager.notify(Event.REMINDER)  # not a change: nothing pushed
    manager.notify(Event.NEEDS_MFA)
    manager.active = state("marketingadmin", key="AKIARENEWEDKEY000002")
    manager.notify(Event.REFRESHED)
    manager.active = None
    manager.notify(Event.UNSET)
    pushed = [(p.state and p.state.credentials.access_key_id) for _, p in client.pushed]
    assert pushed == [KEY, KEY, "AKIARENEWEDKEY000002", None]
    serials = [p.serial for _, p in client.pushed]
    assert serials == sorted(set(serials))


def test_stop_pushes_no_role_unregisters_and_stops_following():
    manager, client = FakeManager(state()), FakeClient()
    share = sharing.share_with(client, manager=manager)
    sharing.share_with(client, False, manager=manager)
    assert client.pushed[-1][1].state is None and client.unregistered == [worker_plugin.PLUGIN_NAME]
    assert sharing.summary() == {"clusters": 0, "workers": 0} and share.workers == 0
    manager.notify(Event.ASSUMED)
    assert len(client.pushed) == 2


def test_reprs_name_the_profile_never_a_secret():
    manager, client = FakeManager(state()), FakeClient()
    share = sharing.share_with(client, manager=manager)
    shown = repr(share) + str(client.pushed[0][1]) + repr(client.pushed[0][1])
    assert "analyst" in shown
    assert not any(secret in shown for secret in (KEY, SECRET, TOKEN))


def test_a_client_without_register_plugin_is_one_line():
    with pytest.raises(sharing.ShareError, match="register_plugin") as caught:
        sharing.share_with(object(), manager=FakeManager(state()))
    assert "\n" not in str(caught.value) and sharing.summary()["clusters"] == 0


@pytest.mark.parametrize(
    ("failure", "words", "forgotten"),
    [
        (OSError("connection refused"), "cannot be reached", []),
        (ModuleNotFoundError("No module named 'jupyter_awsrole'"), "need jupyter-awsrole", [worker_plugin.PLUGIN_NAME]),
        (ValueError("odd"), "refused the role (ValueError)", [worker_plugin.PLUGIN_NAME]),
    ],
)
def test_a_refused_push_is_one_line_and_nothing_is_followed(failure, words, forgotten):
    client = FakeClient()
    client.fail = failure
    client.run = lambda *a, **k: (_ for _ in ()).throw(OSError("down"))  # nobody to ask either
    with pytest.raises(sharing.ShareError) as caught:
        sharing.share_with(client, manager=FakeManager(state()))
    assert words in str(caught.value) and "\n" not in str(caught.value)
    assert sharing.summary() == {"clusters": 0, "workers": 0}
    assert client.unregistered == forgotten  # a scheduler that answered keeps no credentials nobody took


def test_an_error_after_every_worker_took_the_push_is_no_error():
    client = FakeClient()

    def register_then_fail(plugin, name=None):
        FakeClient.register_plugin(client, plugin, name)
        raise OSError("the answer was lost")

    client.register_plugin = register_then_fail
    share = sharing.share_with(client, manager=FakeManager(state()))
    assert share is not None and share.workers == 2 and share.problem is None


def test_a_cluster_that_hangs_costs_the_timeout_not_the_kernel(monkeypatch):
    monkeypatch.setattr(sharing, "PUSH_TIMEOUT", 0.2)
    client, release = FakeClient(), threading.Event()
    client.register_plugin = lambda *a, **k: release.wait(10)
    try:
        with pytest.raises(sharing.ShareError, match="did not answer within"):
            sharing.share_with(client, manager=FakeManager(state()))
    finally:
        release.set()


def test_a_worker_that_died_during_a_push_is_named_and_the_others_have_it(capsys):
    manager, client = FakeManager(state("analyst")), FakeClient(["tcp://a:1", "tcp://b:1", "tcp://c:1"])
    sharing.share_with(client, manager=manager)
    client.workers = ["tcp://a:1", "tcp://b:1"]  # c died: it answers nothing

    def register_then_fail(plugin, name=None):
        FakeClient.register_plugin(client, plugin, name)
        raise OSError("broadcast to tcp://c:1 failed")

    client.register_plugin = register_then_fail
    manager.active = state("marketingadmin")
    manager.notify(Event.ASSUMED)
    told = capsys.readouterr().err
    assert "1 worker(s)" in told and "tcp://c:1" in told and "the other 2 did" in told
    assert told.count("\n") == 1
    assert sharing.summary() == {"clusters": 1, "workers": 2}


def test_a_client_that_lost_its_scheduler_is_told_at_once():
    client = FakeClient()
    client.status = "connecting"
    with pytest.raises(sharing.ShareError, match="cannot be reached"):
        sharing.share_with(client, manager=FakeManager(state()))
    assert client.pushed == []


def test_a_closed_client_is_forgotten_at_the_next_change():
    manager, client = FakeManager(state()), FakeClient()
    sharing.share_with(client, manager=manager)
    client.status = "closed"
    manager.notify(Event.ASSUMED)
    assert len(client.pushed) == 1 and sharing.summary() == {"clusters": 0, "workers": 0}


def test_a_switch_waits_for_this_clients_computations_in_flight(monkeypatch):
    class Pending:
        status = "pending"

    manager, client = FakeManager(state()), FakeClient()
    sharing.share_with(client, manager=manager)
    client.futures = {"x": Pending()}
    threading.Timer(0.3, lambda: setattr(client.futures["x"], "status", "finished")).start()
    manager.notify(Event.ASSUMED)
    assert client.futures["x"].status == "finished"  # the push came after the computation ended


# -- the worker side ---------------------------------------------------------------------------------


@pytest.fixture
def worker_process(monkeypatch):
    """This process as a worker: its own endpoint and variables, all put back after."""
    for name in [n for n in os.environ if n.startswith("AWS_")]:
        monkeypatch.delenv(name)
    monkeypatch.setenv("AWS_PROFILE", "workers-own")
    monkeypatch.setattr(endpoint, "_endpoint", None)
    monkeypatch.setattr(worker_plugin, "_baseline", None)
    monkeypatch.setattr(worker_plugin, "_applied", (0, None))
    monkeypatch.setattr(worker_plugin, "_last_origin", [""])
    yield
    served = endpoint.existing_endpoint()
    if served is not None:
        served.stop()


def fetch(environ) -> dict:
    request = urllib.request.Request(environ[endpoint.ENV_URI], headers={"Authorization": environ[endpoint.ENV_TOKEN]})
    with DIRECT.open(request, timeout=5) as answer:
        return json.loads(answer.read())


def test_a_worker_serves_the_pushed_role_from_its_own_endpoint_and_puts_its_environment_back(worker_process):
    worker_plugin.RolePlugin(state("analyst"), 7, origin="another-process").setup()
    assert "AWS_PROFILE" not in os.environ and "AWS_ACCESS_KEY_ID" not in os.environ
    assert os.environ["AWS_REGION"] == "eu-west-1"
    first = fetch(os.environ)
    assert (first["AccessKeyId"], first["SecretAccessKey"], first["Token"]) == (KEY, SECRET, TOKEN)
    assert worker_plugin.applied() == (7, "analyst")

    worker_plugin.RolePlugin(state("analyst", key="AKIARENEWEDKEY000002"), 8, origin="another-process").setup()
    assert fetch(os.environ)["AccessKeyId"] == "AKIARENEWEDKEY000002"  # a renewal: same path, new keys
    uri = os.environ[endpoint.ENV_URI]

    worker_plugin.RolePlugin(None, 9, origin="another-process").setup()
    assert os.environ.get("AWS_PROFILE") == "workers-own" and endpoint.ENV_URI not in os.environ
    with pytest.raises(urllib.error.HTTPError) as gone:
        fetch({endpoint.ENV_URI: uri, endpoint.ENV_TOKEN: endpoint.existing_endpoint().token})
    assert gone.value.code == 404  # clients made before fail at their next fetch
    assert worker_plugin.applied() == (9, None)


def test_a_late_older_push_from_the_same_kernel_is_ignored_and_another_kernels_is_not(worker_process):
    worker_plugin.RolePlugin(state("analyst"), 5, origin="kernel-a").setup()
    worker_plugin.RolePlugin(state("marketingadmin"), 4, origin="kernel-a").setup()  # timed out, landed late
    assert worker_plugin.applied() == (5, "analyst")
    worker_plugin.RolePlugin(state("marketingadmin"), 1, origin="kernel-b").setup()  # its own count
    assert worker_plugin.applied() == (1, "marketingadmin")


def test_the_plugin_does_nothing_in_the_kernels_own_process(worker_process):
    worker_plugin.RolePlugin(state(), 1).setup()  # a threads-only LocalCluster runs its workers here
    assert os.environ.get("AWS_PROFILE") == "workers-own" and endpoint.existing_endpoint() is None


def in_own_thread(coroutine) -> None:
    """Run a coroutine to its end on a thread of its own: a test before may leave a loop running on this one."""
    import asyncio

    failed: list[BaseException] = []

    def go() -> None:
        try:
            asyncio.run(coroutine)
        except BaseException as exc:  # handed to the test's thread
            failed.append(exc)

    worker = threading.Thread(target=go)
    worker.start()
    worker.join(30)
    if failed:
        raise failed[0]


def test_the_setting_adds_a_client_preload_that_shares_with_each_new_client(monkeypatch):
    import dask

    monkeypatch.setattr(sharing, "get_manager", lambda: FakeManager(state()))
    with dask.config.set({"distributed.client.preload": ["someone.elses"]}):
        sharing.set_auto(True)
        assert dask.config.get("distributed.client.preload") == ["someone.elses", "jupyter_awsrole.sharing"]
        client = FakeClient()
        in_own_thread(sharing.dask_setup(client))
        assert [p.state.profile for _, p in client.pushed] == ["analyst"]
        sharing.set_auto(False)
        assert dask.config.get("distributed.client.preload") == ["someone.elses"]
        other = FakeClient()
        in_own_thread(sharing.dask_setup(other))
        assert other.pushed == []
