"""User settings, as a traitlets Configurable so `%config AwsRole.<name> = ...` changes them."""

from __future__ import annotations

import os
from typing import Any

from traitlets import Bool, CaselessStrEnum, Float, Int, TraitError, Unicode, validate
from traitlets import default as dynamic_default
from traitlets.config import Configurable

from .options import MAX_DURATION, MIN_DURATION

AWS_SIGNIN_URL = "https://signin.aws.amazon.com/federation"
SIGNIN_URL_VARIABLE = "JUPYTER_AWSROLE_SIGNIN_URL"  # set by the local AWS for its federation stand-in

MFA_PROCESS_HELP = (
    "Command that prints an MFA code (e.g. `ykman oath accounts code --single NAME`, `op item get ITEM --otp`) for"
    " profiles with mfa_serial and no mfa_process of their own; its codes serve switches and renewals alike."
)


class AwsRole(Configurable):
    """Settings of jupyter-awsrole; set with `%config AwsRole.cache = False` and the like."""

    cache = Bool(
        True,
        help="Reuse and write assumed-role sessions in the AWS CLI's cache folder, so kernels and the CLI share them.",
    ).tag(config=True)
    cache_dir = Unicode("", help="Cache folder; empty means the AWS CLI's own (~/.aws/cli/cache).").tag(config=True)
    mfa_session_seconds = Int(
        43200,
        help="Length of the MFA session (GetSessionToken) the first MFA code opens; 0 turns MFA sessions off.",
    ).tag(config=True)
    default_duration = Int(
        0, help="DurationSeconds for profiles without duration_seconds; 0 lets AWS decide (one hour)."
    ).tag(config=True)
    refresh_margin_seconds = Int(
        1200, help="Renew credentials this many seconds before they expire (botocore refreshes clients at 15 min)."
    ).tag(config=True)
    auto_refresh = Bool(True, help="Renew credentials in the background when no new MFA code is needed.").tag(
        config=True
    )

    mfa_process = Unicode("", help=MFA_PROCESS_HELP).tag(config=True)
    mfa_process_timeout = Float(15.0, help="Seconds an mfa_process may take to print its code.").tag(config=True)

    credential_mode = CaselessStrEnum(
        ["endpoint", "environment"],
        "endpoint",
        help="How a switch reaches your code: 'endpoint' serves each role from the kernel's credential endpoint "
        "(AWS_CONTAINER_CREDENTIALS_FULL_URI; every client keeps its role); 'environment' writes static keys "
        "into os.environ (for tools that do not read the endpoint).",
    ).tag(config=True)

    share_with_dask = Bool(
        False,
        help="Share the active role with the workers of every Dask Client made in this kernel from now on "
        "(as jupyter_awsrole.share_with(client) does).",
    ).tag(config=True)

    sts_connect_timeout = Float(5.0, help="Seconds to wait for a connection to STS.").tag(config=True)
    sts_read_timeout = Float(15.0, help="Seconds to wait for STS to answer one call.").tag(config=True)
    sts_max_attempts = Int(
        3, help="Calls per STS request, the first one included (retries back off; throttling is retried)."
    ).tag(config=True)

    signin_url = Unicode(
        AWS_SIGNIN_URL,
        help="AWS's federation endpoint, which trades a role's credentials for a console sign-in link (the"
        f" partition's own for aws-cn and aws-us-gov sessions); ${SIGNIN_URL_VARIABLE} sets another default.",
    ).tag(config=True)

    @dynamic_default("signin_url")
    def _signin_url_default(self) -> str:
        return os.environ.get(SIGNIN_URL_VARIABLE) or AWS_SIGNIN_URL

    @validate("signin_url")
    def _check_signin_url(self, proposal):  # type: ignore[no-untyped-def]
        from .console import check_signin_url
        from .errors import AwsRoleError

        try:
            return check_signin_url(proposal["value"])
        except AwsRoleError as exc:
            raise TraitError(str(exc)) from None

    @validate("sts_connect_timeout", "sts_read_timeout")
    def _check_timeout(self, proposal):  # type: ignore[no-untyped-def]
        if not 0 < proposal["value"] <= 300:
            raise TraitError("STS timeouts must be between 0 and 300 seconds.")
        return proposal["value"]

    @validate("mfa_process_timeout")
    def _check_process_timeout(self, proposal):  # type: ignore[no-untyped-def]
        if not 0 < proposal["value"] <= 300:
            raise TraitError("mfa_process_timeout must be between 0 and 300 seconds.")
        return proposal["value"]

    @validate("sts_max_attempts")
    def _check_attempts(self, proposal):  # type: ignore[no-untyped-def]
        if not 1 <= proposal["value"] <= 10:
            raise TraitError("sts_max_attempts must be between 1 and 10.")
        return proposal["value"]

    @validate("mfa_session_seconds")
    def _check_mfa_session(self, proposal):  # type: ignore[no-untyped-def]
        value = proposal["value"]
        if value and not 900 <= value <= 129600:
            raise TraitError("mfa_session_seconds must be 0 or between 900 and 129600 (AWS's limits).")
        return value

    @validate("default_duration")
    def _check_duration(self, proposal):  # type: ignore[no-untyped-def]
        value = proposal["value"]
        if value and not MIN_DURATION <= value <= MAX_DURATION:
            raise TraitError(f"default_duration must be 0 or between {MIN_DURATION} and {MAX_DURATION} (AWS's limits).")
        return value

    @validate("refresh_margin_seconds")
    def _check_margin(self, proposal):  # type: ignore[no-untyped-def]
        if proposal["value"] < 0:
            raise TraitError("refresh_margin_seconds cannot be negative.")
        return proposal["value"]


def default(name: str) -> Any:
    """A setting's default, for the values that mirror settings (so they never repeat a number)."""
    return AwsRole.class_traits()[name].default_value
