"""The public surface: every name in ``__all__`` resolves, is sorted, and nothing private leaks."""

from __future__ import annotations

import importlib

import pytest

import k8sdsl

PACKAGES = ["k8sdsl", "k8sdsl.core", "k8sdsl.rules", "k8sdsl.testing"] + [
    f"k8sdsl.{p}" for p in ("volumes", "storage", "workloads", "network", "security", "gitops")
]

REQUIRED = [
    "App",
    "Chart",
    "ClusterDnsProbe",
    "DefaultDenyPolicy",
    "K8sDslError",
    "NfsVolume",
    "ProjectedVolume",
    "SecurePod",
]


@pytest.mark.parametrize("name", PACKAGES)
def test_all_resolves_and_is_sorted(name: str) -> None:
    module = importlib.import_module(name)
    exported = module.__all__
    assert sorted(exported) == list(exported), f"{name}.__all__ is not sorted"
    assert len(set(exported)) == len(exported)
    for item in exported:
        assert not item.startswith("_"), f"{name} exports private {item}"
        assert hasattr(module, item), f"{name}.__all__ names {item}, which does not exist"


def test_design_names_are_importable_from_the_top() -> None:
    missing = [n for n in REQUIRED if n not in k8sdsl.__all__]
    assert not missing


def test_no_private_module_leaks_at_the_top() -> None:
    public = {n for n in dir(k8sdsl) if not n.startswith("_")}
    modules = {n for n in public if type(getattr(k8sdsl, n)).__name__ == "module"}
    # subpackages are fine; anything else must be in __all__
    assert public - modules <= set(k8sdsl.__all__)
