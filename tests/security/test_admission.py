"""The ValidatingAdmissionPolicy: golden YAML, the strict schema of every version, and every
CEL expression evaluated (cel-python) against pods that pass and pods that break it, with
the same pod dicts the synth-time rules judge."""

from __future__ import annotations

import re
from typing import Any

import celpy
import pytest

from k8sdsl import App, Chart, LabelSelector
from k8sdsl.core import SUPPORTED_VERSIONS, K8sDslError
from k8sdsl.security import (
    POD_VARIABLES,
    SYSTEM_NAMESPACES,
    Control,
    Exemption,
    PodAdmissionPolicy,
    ValidatingAdmissionPolicyBinding,
    exemption_annotations,
    image_controls,
    pod_security_controls,
)

from ..conftest import assert_schema_valid, check_objects
from ._pods import mutated, restricted_pod
from .test_pod_security_rules import BASELINE_ONLY, PSS_RULES, VIOLATIONS

_ENV = celpy.Environment()


def _compile(expression: str) -> Any:
    return _ENV.program(_ENV.compile(expression))


def admitted(obj: dict[str, Any], expression: str) -> bool:
    """Evaluate ``expression`` as the API server would: variables first, in order."""
    variables: dict[str, Any] = {}
    activation = {"object": celpy.json_to_cel(obj)}
    for var in POD_VARIABLES:
        variables[var.name] = _compile(var.expression).evaluate(
            {
                **activation,
                "variables": celpy.celtypes.MapType(
                    {celpy.celtypes.StringType(k): v for k, v in variables.items()}
                ),
            }
        )
    result = _compile(expression).evaluate(
        {
            **activation,
            "variables": celpy.celtypes.MapType(
                {celpy.celtypes.StringType(k): v for k, v in variables.items()}
            ),
        }
    )
    assert isinstance(result, celpy.celtypes.BoolType), result
    return bool(result)


def _policy(app: App, **kwargs: Any) -> PodAdmissionPolicy:
    return PodAdmissionPolicy(Chart(app, "cluster"), "pods", **kwargs)


def test_policy_and_binding_golden_yaml(app: App, yaml_snapshot: Any) -> None:
    app.allowed_registries = ("registry.example.com", "ghcr.io/acme")
    policy = _policy(
        app,
        namespace_selector=LabelSelector.of({"kubernetes.io/metadata.name": "apps"}),
        require_digest=True,
    )
    assert [policy.policy.to_k8s(), policy.binding.to_k8s()] == yaml_snapshot


@pytest.mark.parametrize("version", SUPPORTED_VERSIONS)
def test_schema_valid_in_every_version(version: str) -> None:
    app = App(k8s_version=version)
    policy = _policy(app, allowed_registries=["registry.example.com"], require_digest=True)
    objs = [policy.policy.to_k8s(), policy.binding.to_k8s()]
    expected = "v1" if version >= "1.30" else "v1beta1"
    assert {o["apiVersion"] for o in objs} == {f"admissionregistration.k8s.io/{expected}"}
    assert_schema_valid(objs, [version])


def test_no_namespace_on_cluster_scoped_objects(app: App) -> None:
    policy = PodAdmissionPolicy(Chart(app, "c", namespace="apps"), "pods")
    assert "namespace" not in policy.policy.to_k8s()["metadata"]
    assert "namespace" not in policy.binding.to_k8s()["metadata"]


def test_deny_and_warn_are_exclusive(app: App) -> None:
    chart = Chart(app, "c")
    with pytest.raises(K8sDslError) as err:
        ValidatingAdmissionPolicyBinding(
            chart, "b", policy="p", validation_actions=["Deny", "Warn"]
        )
    assert err.value.codes == ["admission/deny-and-warn"]


def test_every_expression_compiles_and_admits_the_restricted_pod() -> None:
    pod = restricted_pod()
    controls = pod_security_controls("restricted", (1, 35)) + image_controls(
        allowed_registries=["registry.example.com"], forbid_floating_tags=True, require_digest=True
    )
    assert len(controls) == 18  # 15 controls at restricted 1.35, 3 image checks
    for control in controls:
        assert admitted(pod, control.expression), control.name


def _expression(control: Control, level: str) -> str:
    (found,) = [c for c in pod_security_controls(level, (1, 35)) if c.control is control]
    return found.expression


CEL_SKIPS: dict[Control, str] = {}


@pytest.mark.parametrize("control", sorted(VIOLATIONS, key=lambda c: c.value), ids=str)
def test_each_control_rejects_what_the_rule_finds(control: Control) -> None:
    if control in CEL_SKIPS:
        pytest.skip(CEL_SKIPS[control])
    mutate, _ = VIOLATIONS[control]
    level = "baseline" if control in BASELINE_ONLY else "restricted"
    bad = mutated(restricted_pod(), mutate)
    assert not admitted(bad, _expression(control, level))
    assert admitted(restricted_pod(), _expression(control, level))


def test_the_rules_and_the_policy_agree_on_the_violations() -> None:
    # the same pods, judged by synth-time rules: each violates exactly its control
    for control, (mutate, _) in VIOLATIONS.items():
        if control in BASELINE_ONLY or control in CEL_SKIPS:
            continue
        bad = mutated(restricted_pod(), mutate)
        codes = set(check_objects([bad], only=PSS_RULES).codes())
        rejected = {
            c.control
            for c in pod_security_controls("restricted", (1, 35))
            if not admitted(bad, c.expression)
        }
        assert f"pod-security/{control.value}" in codes
        assert control in rejected, control


def test_exemption_annotation_lifts_a_control_only_when_honoured(app: App) -> None:
    bad = mutated(
        restricted_pod(
            annotations=exemption_annotations(
                [Exemption(control="privileged", reason="device plugin")]
            )
        ),
        VIOLATIONS[Control.PRIVILEGED][0],
    )
    honoured = _policy(app, honour_exemptions=True)
    strict = PodAdmissionPolicy(Chart(app, "strict"), "pods")  # the default

    def verdict(policy: PodAdmissionPolicy) -> bool:
        (v,) = [v for v in policy.policy.validations if "privileged:" in (v.message or "")]
        return admitted(bad, v.expression)

    assert verdict(honoured) is True
    assert verdict(strict) is False


def test_by_default_an_annotation_exempts_nothing_in_the_cluster(app: App) -> None:
    """Anyone who may create a pod can write ``k8sdsl.io/exemption.<control>``: by default
    the cluster does not take it as a reason, and no validation mentions the annotations."""
    policy = _policy(app)
    assert policy.honour_exemptions is False
    assert not any("k8sdsl.io/exemption." in v.expression for v in policy.policy.validations)


def test_the_binding_leaves_system_namespaces_alone_by_default(app: App) -> None:
    """kube-proxy, the CNI and node agents in kube-system are privileged by design: a
    Fail policy that refuses their pods breaks every node that joins."""
    binding = _policy(app).binding.to_k8s()["spec"]["matchResources"]["namespaceSelector"]
    selector = LabelSelector.from_k8s(binding)
    for system in SYSTEM_NAMESPACES:
        assert not selector.matches({"kubernetes.io/metadata.name": system})
    assert selector.matches({"kubernetes.io/metadata.name": "apps"})
    everything = PodAdmissionPolicy(
        Chart(app, "all"), "pods", namespace_selector=LabelSelector.everything()
    ).binding.to_k8s()
    assert everything["spec"]["matchResources"] == {"namespaceSelector": {}}


def test_workload_kinds_are_judged_through_their_template() -> None:
    pod = mutated(restricted_pod(), lambda p: p["spec"].update(hostNetwork=True))
    expression = _expression(Control.HOST_NAMESPACES, "restricted")
    deployment = {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": "d"},
        "spec": {"template": {"metadata": {}, "spec": pod["spec"]}},
    }
    cronjob = {
        "apiVersion": "batch/v1",
        "kind": "CronJob",
        "metadata": {"name": "c"},
        "spec": {"jobTemplate": {"spec": {"template": {"spec": pod["spec"]}}}},
    }
    assert not admitted(deployment, expression)
    assert not admitted(cronjob, expression)
    deployment["spec"]["template"]["spec"] = restricted_pod()["spec"]
    assert admitted(deployment, expression)


@pytest.mark.parametrize(
    ("image", "tag_ok", "digest_ok"),
    [
        ("nginx", False, False),
        ("nginx:latest", False, False),
        ("nginx:1.27.3", True, False),
        ("localhost:5000/app", False, False),
        ("localhost:5000/app:2", True, False),
        ("nginx@sha256:" + "0" * 64, True, True),
        ("ghcr.io/acme/web:1@sha256:" + "0" * 64, True, True),
    ],
)
def test_image_tag_and_digest_expressions(image: str, tag_ok: bool, digest_ok: bool) -> None:
    pod = restricted_pod()
    pod["spec"]["containers"][0]["image"] = image
    (tag, digest) = image_controls(
        allowed_registries=None, forbid_floating_tags=True, require_digest=True
    )
    assert admitted(pod, tag.expression) is tag_ok
    assert admitted(pod, digest.expression) is digest_ok


@pytest.mark.parametrize(
    ("image", "allowed"),
    [
        ("registry.example.com/team/app:1", True),
        ("registry.example.com:5000/team/app:1", False),
        ("registry.example.com.evil.net/app:1", False),
        ("docker.io/library/busybox@sha256:" + "0" * 64, True),
        ("docker.io/library/busybox2:1", False),
        ("ghcr.io/acme/web:1", True),
        ("ghcr.io/acme-evil/web:1", False),
        ("busybox:1.36", True),
        ("library/busybox:1.36", True),
        ("nginx:1.27", False),
        ("team/app:1", False),
    ],
)
def test_registry_expression_matches_the_rule(image: str, allowed: bool) -> None:
    registries = ["registry.example.com", "ghcr.io/acme", "docker.io/library/busybox"]
    pod = restricted_pod()
    pod["spec"]["containers"][0]["image"] = image
    (registry,) = image_controls(
        allowed_registries=registries, forbid_floating_tags=False, require_digest=False
    )
    assert registry.control is None  # no annotation can lift the allow-list
    assert admitted(pod, registry.expression) is allowed
    rule = check_objects(
        [pod], only=["images/registry"], settings={"allowed_registries": tuple(registries)}
    )
    assert (not rule.has_errors()) is allowed


def test_init_and_ephemeral_containers_are_checked() -> None:
    pod = restricted_pod()
    sidecar = {
        **pod["spec"]["containers"][0],
        "name": "init",
        "securityContext": {"privileged": True},
    }
    pod["spec"]["initContainers"] = [sidecar]
    assert not admitted(pod, _expression(Control.PRIVILEGED, "restricted"))
    pod = restricted_pod()
    pod["spec"]["ephemeralContainers"] = [
        {"name": "debug", "image": "busybox:1.36", "securityContext": {"privileged": True}}
    ]
    assert not admitted(pod, _expression(Control.PRIVILEGED, "restricted"))


def test_expressions_only_use_functions_kubernetes_offers() -> None:
    # cel-python is not the API server: keep to the CEL standard library and the macros
    # every Kubernetes CEL environment has (no optional types, which 1.28 lacks)
    policy = PodAdmissionPolicy(
        Chart(App(), "c"), "p", allowed_registries=["r.example.com"], require_digest=True
    )
    texts = [v.expression for v in policy.policy.validations] + [
        v.expression for v in POD_VARIABLES
    ]
    calls = {m for t in texts for m in re.findall(r"\.([a-zA-Z]+)\(", t)}
    assert calls <= {"all", "map", "matches", "startsWith", "endsWith", "contains"}
    assert not any(".?" in t or "orValue" in t for t in texts)
    for t in texts:
        assert t.count("(") == t.count(")"), t
        assert t.count("[") == t.count("]"), t


def test_baseline_level_uses_baseline_variants() -> None:
    names = {c.control for c in pod_security_controls("baseline", (1, 35))}
    assert Control.HOST_PATH_VOLUMES in names and Control.VOLUME_TYPES not in names
    assert pod_security_controls("privileged", (1, 35)) == []


def _matches(request_op: str, obj: dict[str, Any], old: dict[str, Any] | None) -> bool:
    from k8sdsl.security import SPEC_CHANGED

    activation = {
        "request": celpy.json_to_cel({"operation": request_op}),
        "object": celpy.json_to_cel(obj),
        "oldObject": celpy.json_to_cel(old),
    }
    result = _compile(SPEC_CHANGED.expression).evaluate(activation)
    return bool(result)


def test_updates_that_leave_the_spec_alone_are_not_judged_again() -> None:
    """As Pod Security admission does: a pod admitted before the policy can still lose its
    finalizers or change labels; a changed spec (or any create) is judged."""
    pod = restricted_pod()
    relabelled = {**pod, "metadata": {**pod["metadata"], "labels": {"tier": "web"}}}
    privileged = mutated(
        pod, lambda p: p["spec"]["containers"][0]["securityContext"].update(privileged=True)
    )
    assert _matches("CREATE", pod, None)
    assert not _matches("UPDATE", relabelled, pod)
    assert _matches("UPDATE", privileged, pod)


def test_the_policy_carries_the_spec_changed_condition(app: App) -> None:
    spec = _policy(app).policy.to_k8s()["spec"]
    assert spec["matchConditions"] == [
        {
            "name": "spec-changed",
            "expression": "request.operation != 'UPDATE' || object.spec != oldObject.spec",
        }
    ]
