# Two commands: `make demo` runs the product, `make test` runs every test. Both set themselves up.
VENV    := .venv
PY      := $(VENV)/bin/python
STAMP   := $(VENV)/.installed-stamp

.PHONY: demo test lint bench browser clean

demo: $(STAMP)
	$(VENV)/bin/jupyter-awsrole demo

test: lint browser
	$(PY) -m pytest

# The gates: ruff (lint and format) and mypy over the Python; eslint, prettier and tsc --strict over labextension/.
lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy
	cd labextension && PATH="$(CURDIR)/$(VENV)/bin:$$PATH" jlpm lint

# Figures, not assertions: one table of switch, STS, load and scale timings (benchmarks/README.md).
bench: $(STAMP)
	$(PY) -m benchmarks.run

# The editable install also builds the lab extension (labextension/, with jlpm); linking its output
# into the venv's share/jupyter/labextensions makes JupyterLab and Notebook 7 load it.
$(STAMP): pyproject.toml labextension/package.json labextension/yarn.lock $(wildcard labextension/src/*.ts labextension/style/*)
	test -x $(PY) || python3 -m venv $(VENV)
	# A development build (`jlpm build`) leaves its own install.json there, which the wheel also takes from labextension/.
	rm -f jupyter_awsrole/labextension/install.json jupyter_awsrole/labextension/build_log.json
	$(PY) -m pip install -q --disable-pip-version-check -e '.[test]'
	$(PY) -c "from jupyter_builder.federated_extensions import develop_labextension as link; \
	link('jupyter_awsrole/labextension', overwrite=True, symlink=True, sys_prefix=True, destination='jupyter-awsrole')"
	touch $(STAMP)

# Browser tests drive Debian's Chromium; Playwright never downloads a browser of its own.
browser:
	@command -v chromium >/dev/null 2>&1 || { apt-get update -qq && apt-get install -y -qq chromium >/dev/null; }

clean:
	rm -rf $(VENV) .pytest_cache
