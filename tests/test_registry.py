"""The rule registry: rules registered by id, the context they read, and its lookups."""

from __future__ import annotations

from typing import Any

import pytest

from k8sdsl.core import K8sVersion, Manifest
from k8sdsl.core._kinds import is_namespaced
from k8sdsl.rules._registry import RuleContext


def manifest(kind: str, name: str, namespace: str | None) -> Manifest:
    meta = {"name": name, **({"namespace": namespace} if namespace else {})}
    return Manifest({"apiVersion": "v1", "kind": kind, "metadata": meta}, name, K8sVersion("1.35"))


def test_find_by_kind_name_and_namespace() -> None:
    a = manifest("ConfigMap", "cm", "a")
    b = manifest("ConfigMap", "cm", "b")
    ctx = RuleContext([a, b, manifest("Secret", "cm", "a"), manifest("Namespace", "a", None)])
    assert ctx.find("ConfigMap", "cm") is a  # any namespace: the first
    assert ctx.find("ConfigMap", "cm", "b") is b
    assert ctx.find("ConfigMap", "cm", "c") is None
    assert ctx.find("Namespace", "a") is not None
    assert ctx.find("Namespace", "a", "a") is None


def test_find_for_every_object_reads_the_objects_once() -> None:
    """A rule that looks up one object per object of a fleet: an index built once per run,
    not a scan per call (the scan took minutes for 20,000 objects)."""

    class CountingList(list[Manifest]):
        scans = 0

        def __iter__(self) -> Any:
            CountingList.scans += 1
            return super().__iter__()

    objs = CountingList(manifest("ConfigMap", f"cm-{i}", f"ns-{i % 50}") for i in range(2_000))
    ctx = RuleContext(objs)
    for m in list.__iter__(objs):
        assert ctx.find("ConfigMap", m.name, m.namespace) is m
    assert CountingList.scans == 1


@pytest.mark.parametrize("kind", ["DeviceTaintRule", "StorageVersion", "PersistentVolume"])
def test_cluster_scoped_kinds_get_no_namespace(kind: str) -> None:
    assert not is_namespaced(kind)


def test_a_missing_rule_module_fails_loudly(monkeypatch: pytest.MonkeyPatch) -> None:
    from k8sdsl.rules import _registry

    monkeypatch.setattr(_registry, "_loaded", False)
    monkeypatch.setattr(_registry, "RULE_MODULES", (*_registry.RULE_MODULES, "k8sdsl.rules.nope"))
    with pytest.raises(ModuleNotFoundError, match="k8sdsl.rules.nope"):
        _registry.load_rules()
    assert _registry._loaded is False  # the next call tries again


def test_every_rule_module_registers_rules() -> None:
    from k8sdsl.rules._registry import RULE_MODULES, registered_rules

    modules = {info.func.__module__ for info in registered_rules()}
    assert modules == set(RULE_MODULES)
