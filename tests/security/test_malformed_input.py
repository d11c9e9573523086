"""The pod-security and image rules on YAML nobody validated: ``k8sdsl check`` feeds them
maps where lists belong, scalars where maps belong and missing keys. They report what they
can and stay quiet on the rest; they never fail (``internal/rule-failed``).

The rules run here without the registry's retry over schema-valid objects, so each rule
must cope on its own.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator
from typing import Any

import pytest

from k8sdsl.core import K8sVersion, Manifest
from k8sdsl.rules import registered_rules, run_rules
from k8sdsl.rules.pod_security import CONTROLS, PodView

from ._pods import restricted_pod

RULES = [r.id for r in registered_rules() if r.topic in ("pod-security", "images")]
ODD: list[Any] = [None, 5, "x", True, 1.5, [], {}, [5], ["x"], {"a": 1}, [{"a": 1}], [[]]]


def _run(objects: list[dict[str, Any]]) -> list[Any]:
    v = K8sVersion("1.35")
    manifests = [Manifest(o, f"test[{i}]", v) for i, o in enumerate(objects)]
    settings = {"k8s_version": v, "allowed_registries": ["registry.example.com"]}
    return run_rules(manifests, settings, RULES)


def _crashes(objects: list[dict[str, Any]]) -> list[str]:
    return [f.message for f in _run(objects) if f.code == "internal/rule-failed"]


def _full_pod() -> dict[str, Any]:
    """The restricted pod with every part a rule reads: volumes, init containers, env,
    hooks, sysctls, SELinux, AppArmor annotations and pull secrets."""
    pod = restricted_pod()
    spec = pod["spec"]
    spec["volumes"] = [{"name": "v", "emptyDir": {}}]
    spec["imagePullSecrets"] = [{"name": "pull"}]
    spec["initContainers"] = [{**copy.deepcopy(spec["containers"][0]), "name": "init"}]
    c = spec["containers"][0]
    c["env"] = [{"name": "A", "valueFrom": {"secretKeyRef": {"name": "s", "key": "k"}}}]
    c["envFrom"] = [{"secretRef": {"name": "s"}}]
    c["lifecycle"] = {"preStop": {"httpGet": {"port": 80}}}
    spec["securityContext"]["sysctls"] = [{"name": "kernel.shm_rmid_forced", "value": "1"}]
    spec["securityContext"]["seLinuxOptions"] = {"type": "container_t"}
    pod["metadata"]["annotations"]["container.apparmor.security.beta.kubernetes.io/app"] = (
        "runtime/default"
    )
    return pod


def _paths(node: Any, prefix: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    if prefix:
        yield prefix
    if isinstance(node, dict):
        for k, v in node.items():
            yield from _paths(v, (*prefix, k))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            yield from _paths(v, (*prefix, i))


def _replaced(obj: dict[str, Any], path: tuple[Any, ...], value: Any) -> dict[str, Any]:
    out = copy.deepcopy(obj)
    node = out
    for key in path[:-1]:
        node = node[key]
    node[path[-1]] = copy.deepcopy(value)
    return out


@pytest.mark.parametrize(
    ("path", "value"),
    [
        (("spec", "volumes"), 5),
        (("spec", "containers", 0, "ports"), 5),
        (("spec", "containers", 0, "env"), 5),
        (("spec", "containers", 0, "envFrom"), True),
        (("spec", "containers", 0, "securityContext", "capabilities", "drop"), 5),
        (("spec", "containers", 0, "securityContext", "capabilities", "add"), 5),
        (("spec", "securityContext", "sysctls"), 5),
        (("spec", "securityContext", "sysctls", 0, "name"), {"a": 1}),
        (("spec", "imagePullSecrets"), 5),
        (("spec", "imagePullSecrets", 0, "name"), [5]),
        (("spec", "containers"), 5),
        (("metadata", "annotations", 1), "x"),
    ],
    ids=str,
)
def test_known_crashes_are_gone(path: tuple[Any, ...], value: Any) -> None:
    pod = _full_pod()
    if path[-1] == 1:  # a number as an annotation key (YAML allows it)
        pod["metadata"]["annotations"][1] = value
    else:
        pod = _replaced(pod, path, value)
    assert _crashes([pod]) == []


def test_a_sealed_secret_of_any_shape_is_read_leniently() -> None:
    pod = _full_pod()
    for template in (5, "x", [5], {"metadata": 5}, {"metadata": {"name": 5}}):
        sealed = {
            "apiVersion": "bitnami.com/v1alpha1",
            "kind": "SealedSecret",
            "metadata": {"name": "pull", "namespace": "apps"},
            "spec": {"template": template},
        }
        assert _crashes([pod, sealed]) == []
        # the object's own name still counts as the Secret it makes
        assert not [f for f in _run([pod, sealed]) if f.code == "images/pull-secret"]


def test_every_part_of_a_pod_may_be_any_shape() -> None:
    """Each node of a pod replaced by odd values: no rule crashes. (The pod's own
    ``metadata.labels``/``annotations`` are read by the shared pod-spec lookup in
    ``k8sdsl.core``; they are left out here.)"""
    pod = _full_pod()
    failures = []
    for path in _paths(pod):
        if path[0] == "metadata" and path[1:2] in (("labels",), ("annotations",)):
            continue
        if path[0] in ("apiVersion", "kind"):
            continue
        for value in ODD:
            crashes = _crashes([_replaced(pod, path, value)])
            if crashes:
                failures.append(f"{'.'.join(map(str, path))} = {value!r}: {crashes[0]}")
    assert failures == []


def test_a_broken_control_fails_only_its_own_rule(monkeypatch: pytest.MonkeyPatch) -> None:
    """The controls are computed together once per run; a control that fails is reported
    under its own rule id, and the other controls still report."""
    import dataclasses

    import k8sdsl.rules.pod_security as ps

    def broken(pod: PodView, version: Any, level: Any) -> list[Any]:
        raise RuntimeError("boom")

    controls = tuple(
        dataclasses.replace(c, check=broken) if c.control.value == "privileged" else c
        for c in CONTROLS
    )
    monkeypatch.setattr(ps, "CONTROLS", controls)
    pod = restricted_pod()
    pod["spec"]["hostPID"] = True
    findings = _run([pod])
    failed = [f.message for f in findings if f.code == "internal/rule-failed"]
    assert failed == ["rule pod-security/privileged failed: RuntimeError: boom"]
    assert [f.code for f in findings if f.code == "pod-security/host-namespaces"]
