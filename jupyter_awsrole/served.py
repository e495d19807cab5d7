"""Clients bound to one path of the kernel's endpoint: a boto3 Session, and s3fs/pandas storage options.

Each reads its role from its own path through botocore's (or aiobotocore's) container provider, so it
keeps that role across switches and is renewed like the rest, without touching os.environ.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .endpoint import ENV_TOKEN, ENV_URI


def _provider_environ(variables: Mapping[str, str]) -> dict[str, str]:
    # The token itself, not its file: the provider reads this mapping at every refresh.
    return {ENV_URI: variables[ENV_URI], ENV_TOKEN: variables[ENV_TOKEN]}


def boto3_session(variables: Mapping[str, str], region: str | None) -> Any:
    """A boto3.Session whose only credential provider is the container provider on this path."""
    import boto3
    import botocore.session
    from botocore.credentials import ContainerProvider, CredentialResolver

    core = botocore.session.Session()
    core.register_component(
        "credential_provider", CredentialResolver([ContainerProvider(environ=_provider_environ(variables))])
    )
    return boto3.Session(botocore_session=core, region_name=region)


def s3fs_storage_options(variables: Mapping[str, str], region: str | None) -> dict[str, Any]:
    """Options for `s3fs.S3FileSystem(**options)` and `pd.read_csv("s3://...", storage_options=options)`:
    an aiobotocore session whose only credential provider is the container provider on this path."""
    from aiobotocore.credentials import AioContainerProvider, AioCredentialResolver
    from aiobotocore.session import AioSession

    session = AioSession()
    session.register_component(
        "credential_provider", AioCredentialResolver([AioContainerProvider(environ=_provider_environ(variables))])
    )
    options: dict[str, Any] = {"session": session}
    if region:
        options["client_kwargs"] = {"region_name": region}
    return options
