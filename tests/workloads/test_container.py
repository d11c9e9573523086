"""Container values: every part renders as Kubernetes expects, and bad input names the fix."""

from __future__ import annotations

from typing import Any

import pytest

from k8sdsl.core import ValueInputError
from k8sdsl.volumes import Volume
from k8sdsl.workloads import (
    Capabilities,
    Container,
    ContainerPort,
    ContainerRestartPolicy,
    EnvFromSource,
    EnvVar,
    HttpGetAction,
    Lifecycle,
    LifecycleHandler,
    PodSecurityContext,
    PodTemplate,
    Probe,
    ResourceRequirements,
    SeccompProfile,
    SecurityContext,
)

from ..conftest import assert_schema_valid

IMAGE = "registry.example.com/team/app:1.0"


def _pod(*containers: Container, **spec: Any) -> dict[str, Any]:
    template = PodTemplate(containers=containers, **spec)
    return {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"}, **template.to_k8s()}


def full_container() -> Container:
    cache = Volume.empty_dir("cache")
    return Container(
        name="web",
        image=IMAGE,
        command=["/bin/server"],
        args=["--port", "8080"],
        working_dir="/srv",
        env={"LOG_LEVEL": "info"},
        env_from=[EnvFromSource.config_map("web-settings", prefix="WEB_")],
        ports=[ContainerPort.tcp(8080, name="http"), ContainerPort.udp(8125, name="statsd")],
        resources=ResourceRequirements.of(cpu="250m", memory="256Mi", memory_limit="512Mi"),
        liveness_probe=Probe.http(path="/healthz", port="http", period_seconds=20),
        readiness_probe=Probe.tcp(port="http"),
        startup_probe=Probe.exec(command=["cat", "/tmp/ready"], failure_threshold=30),
        lifecycle=Lifecycle(
            pre_stop=LifecycleHandler.sleep_for(seconds=5),
            post_start=LifecycleHandler.exec(command=["/bin/warm-up"]),
        ),
        mounts=[cache.mount("/var/cache/web")],
        security_context=SecurityContext(
            allow_privilege_escalation=False,
            capabilities=Capabilities.drop_all(add=["NET_BIND_SERVICE"]),
        ),
    )


def test_full_container_golden(yaml_snapshot: Any) -> None:
    pod = _pod(full_container())
    assert pod == yaml_snapshot
    # sleep hooks exist in the schema from 1.29
    assert_schema_valid([pod], [v for v in ("1.29", "1.30", "1.33", "1.35", "1.37")])


def test_env_factories_render_every_source() -> None:
    env = [
        EnvVar.of("A", "1"),
        EnvVar.from_secret("PW", secret="db", key="password"),
        EnvVar.from_config_map("MODE", config_map="settings", key="mode", optional=True),
        EnvVar.from_field("POD_IP", "status.podIP"),
        EnvVar.from_resource("MEM", "limits.memory", divisor="1Mi"),
    ]
    rendered = [e.to_k8s() for e in env]
    assert rendered == [
        {"name": "A", "value": "1"},
        {"name": "PW", "valueFrom": {"secretKeyRef": {"name": "db", "key": "password"}}},
        {
            "name": "MODE",
            "valueFrom": {"configMapKeyRef": {"name": "settings", "key": "mode", "optional": True}},
        },
        {"name": "POD_IP", "valueFrom": {"fieldRef": {"fieldPath": "status.podIP"}}},
        {
            "name": "MEM",
            "valueFrom": {"resourceFieldRef": {"resource": "limits.memory", "divisor": "1Mi"}},
        },
    ]
    pod = _pod(Container(name="a", image=IMAGE, env=env))
    assert_schema_valid([pod])


@pytest.mark.parametrize(
    ("build", "code", "path"),
    [
        (lambda: EnvVar.of("1ST", "x"), "value/env-name", "name"),
        (lambda: EnvVar.from_field("N", "spec.containers"), "value/field-path", "field_path"),
        (lambda: EnvVar.from_secret("N", secret="Db", key="k"), "value/dns-subdomain", "name"),
        (
            lambda: EnvVar(name="N", value_from={"field_ref": {"field_path": "spec.nodeNam"}}),
            "value/field-path",
            "value_from.field_ref.field_path",
        ),
        (
            lambda: EnvVar(
                name="N", value="x", value_from={"field_ref": {"field_path": "status.podIP"}}
            ),
            "value/env-value",
            "",
        ),
        (
            lambda: Container(
                name="a", image=IMAGE, env=[EnvVar.of("A", "1"), EnvVar.of("A", "2")]
            ),
            "value/duplicate-env",
            "",
        ),
        (lambda: Container(name="a", image=IMAGE, ports=[8080, 8080]), "value/duplicate-port", ""),
        (
            lambda: Container(
                name="a",
                image=IMAGE,
                ports=[ContainerPort.tcp(1, name="x"), ContainerPort.tcp(2, name="x")],
            ),
            "value/duplicate-port-name",
            "",
        ),
        (
            lambda: Container(
                name="a", image=IMAGE, liveness_probe=Probe.tcp(port=1, success_threshold=2)
            ),
            "value/success-threshold",
            "",
        ),
        (lambda: Container(name="Web", image=IMAGE), "value/dns-label", "name"),
        (
            lambda: Container(
                name="a",
                image=IMAGE,
                mounts=[Volume.empty_dir("v").mount("/d"), Volume.empty_dir("w").mount("/d/")],
            ),
            "value/duplicate-mount-path",
            "",
        ),
        (lambda: ResourceRequirements.of(cpu="2", cpu_limit="1"), "value/request-above-limit", ""),
        (
            lambda: ResourceRequirements(requests={"gpu": "1"}),
            "value/resource-name",
            "requests.gpu",
        ),
        (lambda: ResourceRequirements.of(memory="1GB"), "value/quantity", "requests.memory"),
        (lambda: Probe(), "value/probe-handler", ""),
        (
            lambda: Probe(http_get=HttpGetAction(port=80), tcp_socket={"port": 80}),
            "value/probe-handler",
            "",
        ),
        (lambda: Capabilities(add=["CAP_NET_ADMIN"]), "value/capability", "add[0]"),
        (lambda: Capabilities(drop=["all"]), "value/capability", "drop[0]"),
        (
            lambda: SecurityContext(privileged=True, allow_privilege_escalation=False),
            "value/privileged-without-escalation",
            "",
        ),
        (
            lambda: PodSecurityContext(run_as_non_root=True, run_as_user=0),
            "value/root-and-non-root",
            "",
        ),
        (lambda: PodSecurityContext(run_as_user=-1), "value/greater-than-equal", "run_as_user"),
        (lambda: SeccompProfile(type="Localhost"), "value/localhost-profile", ""),
        (lambda: SecurityContext(runAsuser=1), "value/extra-forbidden", "runAsuser"),
    ],
)
def test_bad_values_name_field_and_fix(build: Any, code: str, path: str) -> None:
    with pytest.raises(ValueInputError) as err:
        build()
    assert code in err.value.codes
    assert all(f.hint for f in err.value.findings), err.value.findings
    if path:
        # a dict key's own error ends in " (the key)" (core's rendering of pydantic's marker)
        assert any(f.path in (path, f"{path} (the key)") for f in err.value.findings), (
            err.value.findings
        )


def test_capability_hints() -> None:
    with pytest.raises(ValueInputError) as err:
        Capabilities(add=["CAP_NET_ADMIN", "NET_ADMN"])
    hints = [f.hint for f in err.value.findings]
    assert hints == ["use 'NET_ADMIN'", "did you mean 'NET_ADMIN'?"]


def test_resource_defaults_fill_only_what_is_unset() -> None:
    mine = ResourceRequirements.of(memory="64Mi", cpu_limit="50m")
    filled = mine.with_defaults(
        ResourceRequirements.of(cpu="100m", memory="128Mi", cpu_limit="500m", memory_limit="256Mi")
    )
    assert filled.to_k8s() == {
        "requests": {"memory": "64Mi", "cpu": "50m"},
        "limits": {"cpu": "50m", "memory": "256Mi"},
    }


def test_a_default_limit_never_falls_below_a_chosen_request() -> None:
    """``cpu="2"`` alone must not meet the default 500m limit (the API server rejects a
    request above its limit, and the user set no limit to fix): the limit rises to it."""
    defaults = ResourceRequirements.of(
        cpu="100m", memory="128Mi", cpu_limit="500m", memory_limit="256Mi"
    )
    filled = ResourceRequirements.of(cpu="2", memory="1Gi").with_defaults(defaults)
    assert filled.to_k8s() == {
        "requests": {"cpu": "2", "memory": "1Gi"},
        "limits": {"cpu": "2", "memory": "1Gi"},
    }
    # a limit the user chose is theirs: a request above it is still an error
    with pytest.raises(ValueInputError):
        ResourceRequirements.of(cpu="2", cpu_limit="1").with_defaults(defaults)


def test_env_mapping_and_plain_port_numbers() -> None:
    c = Container(
        name="a",
        image=IMAGE,
        env={"A": "1", "B": EnvVar.from_field("B", "metadata.name")},
        ports=[8080],
    )
    assert c.to_k8s()["env"] == [
        {"name": "A", "value": "1"},
        {"name": "B", "valueFrom": {"fieldRef": {"fieldPath": "metadata.name"}}},
    ]
    assert c.to_k8s()["ports"] == [{"containerPort": 8080}]


def test_sidecar_init_container() -> None:
    sidecar = Container(
        name="proxy",
        image=IMAGE,
        restart_policy=ContainerRestartPolicy.ALWAYS,
        readiness_probe=Probe.tcp(port=15000),
        ports=[15000],
    )
    pod = _pod(Container(name="app", image=IMAGE), init_containers=[sidecar])
    assert pod["spec"]["initContainers"][0]["restartPolicy"] == "Always"
    assert_schema_valid([pod])


def test_one_protocol_enum_for_container_service_and_policy_ports() -> None:
    from k8sdsl.network import NetworkPolicyPort
    from k8sdsl.network import Protocol as NetworkProtocol
    from k8sdsl.workloads import ContainerPort, Protocol, ServicePort

    assert Protocol is NetworkProtocol
    assert ContainerPort.udp(53).protocol is NetworkPolicyPort.udp(53).protocol
    assert ServicePort.udp(53).protocol is Protocol.UDP
