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

PANDAS = r"""
import pandas as pd, s3fs
_bmagic("{profile}")
pd.read_csv("{url}")  # imports and the first connection are not what is measured
_first, _warm = [], []
for _ in range({n}):
    _bmagic("{profile}")
    t = _bpc(); pd.read_csv("{url}"); _first.append(_bpc() - t)
    t = _bpc(); pd.read_csv("{url}"); _warm.append(_bpc() - t)
_bemit(first=_first, warm=_warm)
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
from jupyter_awsrole.comm import CommChannel
import json as _bjson
_chan = CommChannel(_m)
def _blab():
    t = _bpc(); _bjson.dumps(_chan.handle({{"request": "list"}})); return _bpc() - t
for _ in range({n_first}):
    _touch(); _res["lab_first"].append(_blab())
for _ in range({n_repeat}):
    _res["lab_repeat"].append(_blab())
_p.close()
_count = len(_m.store.profiles())
_bos.environ["AWS_CONFIG_FILE"] = "{original}"
_bemit(shown=_shown, profiles=_count, **_res)
"""

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
