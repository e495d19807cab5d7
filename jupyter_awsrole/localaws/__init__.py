"""A local AWS (STS, IAM, S3 on moto) that checks MFA codes honestly, for tests and the demo."""

from .account import ACCOUNT_ID, MFA_SERIAL
from .launcher import LocalAws

__all__ = ["ACCOUNT_ID", "MFA_SERIAL", "LocalAws"]
