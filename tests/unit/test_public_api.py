"""The public API stays callable after every submodule is imported (a module must never shadow a function)."""

import importlib
import inspect
import pkgutil

import jupyter_awsrole


def test_no_submodule_shadows_a_public_name():
    for info in pkgutil.walk_packages(jupyter_awsrole.__path__, "jupyter_awsrole."):
        if ".localaws" in info.name:
            continue
        importlib.import_module(info.name)
    for name in jupyter_awsrole.__all__:
        value = getattr(jupyter_awsrole, name)
        assert not inspect.ismodule(value), f"jupyter_awsrole.{name} became a module"
