"""Code the benchmark runs inside the kernels; every cell prints one `BENCH {json}` line with its timings."""

PRELUDE = r"""
import json as _bj, os as _bos, time as _bt
_bip = get_ipython()
_bpc = _bt.perf_counter
def _bemit(**values):
    print("BENCH " + _bj.dumps(values))
def _bmagic(line):
    t = _bpc()
    _bip.run_line_magic("awsrole", line)
    return _bpc() - t
"""

# 1. cached switch, interleaved with the boto3 + AWS CLI JSONFileCache path in the same kernel.
CACHED_SWITCH = r"""
import boto3, botocore.utils
_cli_cache = _bos.path.expanduser("~/.aws/cli/cache")
def _boto3_path(profile):
    s = boto3.Session(profile_name=profile)
    s._session.get_component("credential_provider").get_provider("assume-role").cache = (
        botocore.utils.JSONFileCache(_cli_cache))
    return s.get_credentials().get_frozen_credentials()
_boto3_path("{profile}")  # warm-up, also proves the cache key is shared
_magic, _boto = [], []
for _ in range({n}):
    _magic.append(_bmagic("{profile}"))
    t = _bpc(); _boto3_path("{profile}"); _boto.append(_bpc() - t)
_bemit(magic=_magic, boto3=_boto)
"""

# 3. first boto3 client after a switch vs the same call on the unchanged (warm) default session.
USER_CODE = r"""
import boto3
_res = {{"sts_first": [], "sts_warm": [], "s3_first": [], "s3_warm": []}}
for _ in range({n}):
    for _svc in ("sts", "s3"):
        _bmagic("{profile}")
        t = _bpc(); boto3.client(_svc); _res[_svc + "_first"].append(_bpc() - t)
        t = _bpc(); boto3.client(_svc); _res[_svc + "_warm"].append(_bpc() - t)
_bemit(**_res)
"""

# First read after switching back to a role used earlier (its filesystem kept), first read as a role never
# used in the kernel (a new session name is a new path, so a new filesystem), and a warm read.
PANDAS = r"""
import pandas as pd, s3fs
_bmagic("{profile}")
pd.read_csv("{url}")  # imports and the first connection are not what is measured
_back, _new, _warm = [], [], []
for _i in range({n}):
    _bmagic("{other}"); _bmagic("{profile}")
    t = _bpc(); pd.read_csv("{url}"); _back.append(_bpc() - t)
    t = _bpc(); pd.read_csv("{url}"); _warm.append(_bpc() - t)
    _bmagic("{profile} --session-name bench-new-%d-%d" % (_bos.getpid(), _i))
    t = _bpc(); pd.read_csv("{url}"); _new.append(_bpc() - t)
_bmagic("{profile}")
_bemit(back=_back, new=_new, warm=_warm)
"""

# 6. scale: a config of many role profiles; "first" means the first call after the files changed.
SCALE = r"""
from jupyter_awsrole.manager import get_manager
from jupyter_awsrole.role_picker import RolePicker
_m = get_manager()
_bos.environ["AWS_CONFIG_FILE"] = "{config}"
_stamp = [_bt.time_ns()]
def _touch():
    _stamp[0] += 1_000_000
    _bos.utime("{config}", ns=(_stamp[0], _stamp[0]))
_res = {{"list_first": [], "list_repeat": [], "picker_first": [], "picker_repeat": [], "keystroke": [],
         "lab_first": [], "lab_repeat": []}}
for _ in range({n_first}):
    _touch(); _res["list_first"].append(_bmagic("--list"))
for _ in range({n_repeat}):
    _res["list_repeat"].append(_bmagic("--list"))
for _ in range({n_first}):
    _touch(); t = _bpc(); _p = RolePicker(_m); _res["picker_first"].append(_bpc() - t); _p.close()
for _ in range({n_repeat}):
    t = _bpc(); _p = RolePicker(_m); _res["picker_repeat"].append(_bpc() - t); _p.close()
_p = RolePicker(_m)
for _ in range({n_repeat}):
    _p.filter.value = ""
    t = _bpc(); _p.filter.value = "team-42"; _res["keystroke"].append(_bpc() - t)
_shown = len(_p.select.options)
import json as _bjson
{lab_page}
def _btime(call):
    t = _bpc(); call(); return _bpc() - t
for _what, _call in (("lab", _blab_comm), ("page", _blab_manager)):
    _res[_what + "_first"], _res[_what + "_repeat"] = [], []
    for _ in range({n_first}):
        _touch(); _res[_what + "_first"].append(_btime(_call))
    for _ in range({n_repeat}):
        _res[_what + "_repeat"].append(_btime(_call))
_p.close()
_count = len(_m.store.profiles())
_blab_answer, _bpage_answer = _blab_comm(), _blab_manager()
_bos.environ["AWS_CONFIG_FILE"] = "{original}"
_bemit(shown=_shown, profiles=_count, lab_paged=_bpaged(_blab_answer), lab_bytes=len(_blab_answer),
       page_bytes=len(_bpage_answer), **_res)
"""

# The lab switcher's first answer: the comm's `list` request with the paging fields (contracts.md, "List paging"),
# serialized as the kernel sends it. A comm that does not page yet answers every row (no `total`): the rows then say
# so. Beside it, the core's part alone: RoleManager.list_page's first page, serialized the same way.
LAB_PAGE = r"""
import jupyter_awsrole.comm as _bcomm
_chan = _bcomm._channel  # the kernel's own channel, installed by %load_ext: a new one would observe every switch
def _blab_comm():
    return _bjson.dumps(_chan.handle({"request": "list", "filter": "", "offset": 0, "limit": 200}))
def _blab_manager():
    _bpage = _chan.manager.list_page("", 0, 200)
    return _bjson.dumps({"ok": True, "profiles": _bpage.public(), "total": _bpage.total})
def _bpaged(answer):
    return "total" in _bjson.loads(answer)
"""

# 6. scale in a fresh kernel: what a restart leaves, the extension loaded, the front ends' modules imported
# (ipywidgets too: the picker imports it on first use, 150 ms of imports that are not the list).
FRESH_SETUP = r"""
_bip.run_line_magic("load_ext", "jupyter_awsrole")
import json as _bjson, ipywidgets
from jupyter_awsrole.manager import get_manager
from jupyter_awsrole.role_picker import RolePicker
import jupyter_awsrole.comm
"""

# The first list of each front end, one per fresh kernel (the key names the row).
FRESH_FIRST = {
    "list": r"""
_bemit(first=_bmagic("--list"))
""",
    "picker": r"""
t = _bpc(); _p = RolePicker(get_manager()); _bfirst = _bpc() - t; _p.close()
_bemit(first=_bfirst)
""",
    "lab": LAB_PAGE
    + r"""
t = _bpc(); _banswer = _blab_comm(); _bfirst = _bpc() - t
_bemit(first=_bfirst, bytes=len(_banswer), paged=_bpaged(_banswer))
""",
    "page": LAB_PAGE
    + r"""
t = _bpc(); _banswer = _blab_manager(); _bfirst = _bpc() - t
_bemit(first=_bfirst, bytes=len(_banswer))
""",
}

# 2. cold switch: no disk cache, no MFA session; a raw assume_role from a pre-built client beside it.
COLD_SETUP = r"""
import configparser, botocore.session
_bip.run_line_magic("config", "AwsRole.cache = False")
_bip.run_line_magic("config", "AwsRole.mfa_session_seconds = 0")
_cp = configparser.RawConfigParser(); _cp.read(_bos.environ["AWS_SHARED_CREDENTIALS_FILE"])
_raw = botocore.session.Session().create_client(
    "sts", region_name="us-east-1", endpoint_url="{endpoint}",
    aws_access_key_id=_cp.get("{user}", "aws_access_key_id"),
    aws_secret_access_key=_cp.get("{user}", "aws_secret_access_key"))
_raw.get_caller_identity()  # the client's connection and models are warm, as "pre-built" means
_bemit(ok=True)
"""

COLD_BATCH = r"""
_one, _three, _rawt = [], [], []
for _ in range({n}):
    t = _bpc()
    _raw.assume_role(RoleArn="{role_arn}", RoleSessionName="bench", SerialNumber="{serial}", TokenCode="{code}")
    _rawt.append(_bpc() - t)
    _one.append(_bmagic("{one_hop} --mfa-token {code} --refresh"))
    if {chain}:
        _three.append(_bmagic("{three_hop} --mfa-token {code} --refresh"))
_bemit(raw=_rawt, one=_one, three=_three)
"""

# Where a cold 1-hop switch spends its time beside the STS call: each part's inclusive time per switch, taken by
# wrapping the functions that do it (a batch of its own: the wrappers cost a microsecond a call, kept out of the
# ratios), beside the raw call of the batches, in the same loop. Parts: the botocore call, the assumer around it, cache reads/writes (off here, as in the batches),
# the plan, the environment, the rest of installing the role (the endpoint's path), observers, and the magic.
COLD_BREAKDOWN = r"""
import botocore.client
from jupyter_awsrole import assumer as _bas, cache as _bca, environment as _ben, manager as _bma
_bparts = {{k: [] for k in ("raw", "sts", "resolve", "cache", "plan", "environment", "install", "observers", "total")}}
_bsaved = []
def _bwrap(owner, name, part):
    real = getattr(owner, name)
    _bsaved.append((owner, name, real))
    def timed(*args, **kwargs):
        t = _bpc()
        try:
            return real(*args, **kwargs)
        finally:
            _bparts[part][-1] += _bpc() - t
    setattr(owner, name, timed)
for _owner, _name, _part in (
    (botocore.client.BaseClient, "_make_api_call", "sts"), (_bas.Assumer, "resolve", "resolve"),
    (_bca.CredentialCache, "load", "cache"), (_bca.CredentialCache, "store", "cache"),
    (_bma.RoleManager, "plan", "plan"), (_ben, "apply", "environment"),
    (_bma.RoleManager, "_install", "install"), (_bma.RoleManager, "_notify", "observers"),
):
    _bwrap(_owner, _name, _part)
try:
    for _ in range({n}):
        for _v in _bparts.values():
            _v.append(0.0)
        _bparts["total"][-1] = _bmagic("{one_hop} --mfa-token {code} --refresh")
        _bparts["sts"].append(0.0)  # the raw call below is not the switch's
        t = _bpc()
        _raw.assume_role(RoleArn="{role_arn}", RoleSessionName="bench", SerialNumber="{serial}", TokenCode="{code}")
        _bparts["raw"][-1] = _bpc() - t
        _bparts["sts"].pop()
finally:
    for _owner, _name, _real in reversed(_bsaved):
        setattr(_owner, _name, _real)
_bemit(**_bparts)
"""

COLD_COUNT = r"""
_bmagic("{profile} --mfa-token {code} --refresh")
_bemit(ok=True)
"""

# 5. load time in a fresh kernel.
LOAD = r"""
import time as _t
_t0 = _t.perf_counter()
get_ipython().run_line_magic("load_ext", "jupyter_awsrole")
_t1 = _t.perf_counter()
print("BENCH", '{"load": %r}' % (_t1 - _t0))
"""

# 8. the credential endpoint (issue 12), each figure next to the environment mode in the same kernel.
# A cell errors out (and the rows say n/a) when the kernel has no AwsRole.credential_mode.
MODES = r"""
_bsettings = __import__("jupyter_awsrole.manager").manager.get_manager().settings
if not _bsettings.has_trait("credential_mode"):
    raise RuntimeError("no AwsRole.credential_mode in this version")
def _bmode(mode, profile):
    _bip.run_line_magic("config", f'AwsRole.credential_mode = "{{mode}}"')
    _bmagic(profile)
    served = "AWS_CONTAINER_CREDENTIALS_FULL_URI" in _bos.environ
    static = "AWS_ACCESS_KEY_ID" in _bos.environ
    if (served, static) != ((True, False) if mode == "endpoint" else (False, True)):
        raise RuntimeError(f"{{mode}} mode did not install as expected")
_bemit(ok=True)
"""

# One GET for the active role's credentials: urllib (no proxy) and botocore's own fetcher; the baseline is
# the same urllib GET to a bare stdlib ThreadingHTTPServer in the same kernel answering a fixed body.
ENDPOINT_GET = r"""
import threading, urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from botocore.utils import ContainerMetadataFetcher
_bmode("endpoint", "{profile}")
_uri = _bos.environ["AWS_CONTAINER_CREDENTIALS_FULL_URI"]
_auth = {{"Authorization": _bos.environ["AWS_CONTAINER_AUTHORIZATION_TOKEN"]}}
_open = urllib.request.build_opener(urllib.request.ProxyHandler({{}})).open
_fetcher = ContainerMetadataFetcher()
class _BareHandler(BaseHTTPRequestHandler):
    def do_GET(self):
        body = b'{{"AccessKeyId": "x"}}'
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
    def log_message(self, *args):
        pass
_bare = ThreadingHTTPServer(("127.0.0.1", 0), _BareHandler)
threading.Thread(target=_bare.serve_forever, daemon=True).start()
_bare_uri = "http://127.0.0.1:%d/" % _bare.server_address[1]
def _bget(uri):
    with _open(urllib.request.Request(uri, headers=_auth), timeout=5) as r:
        return r.read()
_bget(_uri); _bget(_bare_uri); _fetcher.retrieve_full_uri(_uri, headers=_auth)
_url, _boto, _base = [], [], []
try:
    for _ in range({n}):
        t = _bpc(); _bget(_uri); _url.append(_bpc() - t)
        t = _bpc(); _bget(_bare_uri); _base.append(_bpc() - t)
        t = _bpc(); _fetcher.retrieve_full_uri(_uri, headers=_auth); _boto.append(_bpc() - t)
finally:
    _bare.shutdown(); _bare.server_close()
_bemit(urllib=_url, botocore=_boto, bare=_base)
"""

# A fresh boto3 session and client and its first call, through the endpoint vs static env keys,
# interleaved so both see the same machine. A full collection before each sample (not timed) keeps the
# cyclic GC, which a fresh session's many objects set off at random, out of both figures alike.
FRESH_CLIENT = r"""
import boto3, gc
def _bfresh():
    gc.collect()
    t = _bpc(); boto3.Session().client("sts").get_caller_identity(); return _bpc() - t
_bmode("endpoint", "{profile}"); _bfresh()
_bmode("environment", "{profile}"); _bfresh()
_ep, _env = [], []
for _ in range({n}):
    _bmode("endpoint", "{profile}"); _ep.append(_bfresh())
    _bmode("environment", "{profile}"); _env.append(_bfresh())
_bemit(endpoint=_ep, environment=_env)
"""

# Cached switches between two roles, one block per mode after a few unmeasured ones.
MODE_SWITCH = r"""
_res = {{}}
for _mode in ("endpoint", "environment"):
    _bmode(_mode, "{profile}")
    for _ in range(5):
        _bmagic("{other}"); _bmagic("{profile}")
    _res[_mode] = [_bmagic("{other}" if i % 2 == 0 else "{profile}") for i in range({n})]
_bemit(**_res)
"""

# The check before every cell, in the kernel, with a role active in each mode.
MODE_BEFORE_CELL = r"""
import timeit, jupyter_awsrole
_m = __import__("jupyter_awsrole.manager").manager.get_manager()
_res = {{}}
for _mode in ("endpoint", "environment"):
    _bmode(_mode, "{profile}")
    _res[_mode] = [t / 100000 for t in timeit.repeat(_m.before_cell, number=100000, repeat={repeat})]
    _res[_mode + "_hook"] = [t / 100000 for t in timeit.repeat(jupyter_awsrole._before_cell, number=100000, repeat={repeat})]
_bemit(**_res)
"""
