"""Pods, Deployments, DaemonSets, Jobs and Services: golden YAML, schema per version, and
the mistakes the API server would reject, caught at construction."""

from __future__ import annotations

from typing import Any

import pytest

from k8sdsl import App, Chart
from k8sdsl.core import SUPPORTED_VERSIONS, K8sDslError
from k8sdsl.volumes import Volume
from k8sdsl.workloads import (
    AppArmorProfile,
    Container,
    ContainerPort,
    DaemonSet,
    DaemonSetUpdateStrategy,
    Deployment,
    DeploymentStrategy,
    EnvFromSource,
    Job,
    LifecycleHandler,
    Pod,
    PodSecurityContext,
    PodTemplate,
    Probe,
    RestartPolicy,
    SecurePod,
    SecurePodTemplate,
    Service,
    ServicePort,
    ServiceType,
    Toleration,
)

from ..conftest import assert_schema_valid

IMAGE = (
    "registry.example.com/team/app:1.0"
    "@sha256:5d0da3dc976460b72c77d94c8a1ad043720b0416bfc16c52c45d4847e53fadb6"
)


@pytest.fixture
def chart(app: App) -> Chart:
    return Chart(app, "w", namespace="apps", labels={"app.kubernetes.io/part-of": "shop"})


def test_deployment_defaults_golden(chart: Chart, yaml_snapshot: Any) -> None:
    web = Deployment(
        chart,
        "web",
        template=SecurePodTemplate(image=IMAGE, ports=[ContainerPort.tcp(8080, name="http")]),
    )
    service = web.expose(port=80)
    assert [web.to_k8s(), service.to_k8s()] == yaml_snapshot
    assert_schema_valid([web, service], SUPPORTED_VERSIONS)
    spec = web.to_k8s()["spec"]
    # the default: new pods first, never fewer than the desired count
    assert spec["strategy"] == {
        "type": "RollingUpdate",
        "rollingUpdate": {"maxSurge": "25%", "maxUnavailable": 0},
    }
    assert "replicas" not in spec
    assert spec["selector"] == {"matchLabels": {"app.kubernetes.io/name": "web"}}
    assert spec["template"]["metadata"]["labels"] == {
        "app.kubernetes.io/name": "web",
        "app.kubernetes.io/part-of": "shop",
    }
    assert service.to_k8s()["spec"]["ports"] == [{"port": 80, "targetPort": "http"}]


def test_daemonset_and_plain_pod_golden(chart: Chart, yaml_snapshot: Any) -> None:
    logs = Volume.empty_dir("buffer")
    agent = DaemonSet(
        chart,
        "agent",
        update_strategy=DaemonSetUpdateStrategy.rolling(max_unavailable="10%"),
        template=SecurePodTemplate(
            image=IMAGE,
            mounts=[logs.mount("/buffer")],
            tolerations=[Toleration(operator="Exists")],
            priority_class_name="system-node-critical",
        ),
    )
    pod = Pod(
        chart,
        "debug",
        labels={"role": "debug"},
        restart_policy=RestartPolicy.NEVER,
        containers=[
            Container(
                name="shell",
                image=IMAGE,
                command=["sleep", "3600"],
                mounts=[logs.mount("/a"), logs.mount("/b")],
            )
        ],
    )
    assert [agent.to_k8s(), pod.to_k8s()] == yaml_snapshot
    assert_schema_valid([agent, pod], SUPPORTED_VERSIONS)
    # one volume, mounted twice, listed once
    assert pod.to_k8s()["spec"]["volumes"] == [{"name": "buffer", "emptyDir": {}}]


def test_strategies() -> None:
    assert DeploymentStrategy.recreate().to_k8s() == {"type": "Recreate"}
    assert DaemonSetUpdateStrategy.on_delete().to_k8s() == {"type": "OnDelete"}
    with pytest.raises(K8sDslError):
        DeploymentStrategy.rolling(max_surge=0, max_unavailable="0%")
    with pytest.raises(K8sDslError):
        DeploymentStrategy.rolling(max_surge="150%")


def test_replicas_and_spec_fields(chart: Chart) -> None:
    d = Deployment(
        chart,
        "api",
        replicas=3,
        min_ready_seconds=5,
        revision_history_limit=3,
        progress_deadline_seconds=120,
        strategy=None,
        template=SecurePodTemplate(image=IMAGE),
    )
    spec = d.to_k8s()["spec"]
    assert (
        spec["replicas"],
        spec["minReadySeconds"],
        spec["revisionHistoryLimit"],
        spec["progressDeadlineSeconds"],
    ) == (3, 5, 3, 120)
    assert "strategy" not in spec
    with pytest.raises(K8sDslError) as err:
        Deployment(chart, "bad", replicas=-1, template=SecurePodTemplate(image=IMAGE))
    assert err.value.findings[0].obj.source == "w/bad"


def test_selector_must_match_the_template(chart: Chart) -> None:
    with pytest.raises(K8sDslError) as err:
        Deployment(
            chart,
            "web",
            template=SecurePodTemplate(image=IMAGE, labels={"app.kubernetes.io/name": "other"}),
        )
    assert err.value.codes == ["workloads/selector-mismatch"]


@pytest.mark.parametrize(
    ("kind", "policy"),
    [
        (Deployment, RestartPolicy.NEVER),
        (DaemonSet, RestartPolicy.ON_FAILURE),
        (Job, RestartPolicy.ALWAYS),
    ],
)
def test_restart_policies_per_controller(chart: Chart, kind: Any, policy: RestartPolicy) -> None:
    with pytest.raises(K8sDslError) as err:
        kind(chart, "x", template=SecurePodTemplate(image=IMAGE, restart_policy=policy))
    assert err.value.codes == ["workloads/restart-policy"]


def test_job_defaults_to_never(chart: Chart) -> None:
    job = Job(
        chart,
        "once",
        template=SecurePodTemplate(image=IMAGE),
        completions=3,
        parallelism=2,
        active_deadline_seconds=600,
    )
    spec = job.to_k8s()["spec"]
    assert spec["template"]["spec"]["restartPolicy"] == "Never"
    assert (spec["completions"], spec["parallelism"], spec["activeDeadlineSeconds"]) == (3, 2, 600)
    assert "selector" not in spec  # the Job controller generates it
    kept = Job(
        chart,
        "retry",
        template=SecurePodTemplate(image=IMAGE, restart_policy=RestartPolicy.ON_FAILURE),
    )
    assert kept.to_k8s()["spec"]["template"]["spec"]["restartPolicy"] == "OnFailure"


def test_template_must_be_a_template(chart: Chart) -> None:
    with pytest.raises(K8sDslError) as err:
        Deployment(chart, "web", template=Container(name="a", image=IMAGE))  # type: ignore[arg-type]
    assert err.value.codes == ["value/template"]


def test_expose_needs_a_port(chart: Chart) -> None:
    d = Deployment(chart, "web", template=SecurePodTemplate(image=IMAGE))
    with pytest.raises(K8sDslError) as err:
        d.expose(port=80)
    assert err.value.codes == ["workloads/expose-no-port"]
    s = d.expose(port=80, target_port=8080, name="web-public", type=ServiceType.NODE_PORT)
    assert s.to_k8s()["spec"]["type"] == "NodePort"
    assert s.name == "web-public"


def test_services(chart: Chart) -> None:
    s = Service(
        chart,
        "db",
        selector={"role": "db"},
        cluster_ip="None",
        ports=[ServicePort.tcp(5432, name="pg"), ServicePort.udp(5432, name="pg-udp")],
    )
    assert s.to_k8s()["spec"] == {
        "clusterIP": "None",
        "selector": {"role": "db"},
        "ports": [
            {"port": 5432, "name": "pg"},
            {"port": 5432, "name": "pg-udp", "protocol": "UDP"},
        ],
    }
    assert_schema_valid([s], SUPPORTED_VERSIONS)
    ext = Service(
        chart,
        "ext",
        selector=None,
        ports=[],
        type=ServiceType.EXTERNAL_NAME,
        external_name="db.example.com",
    )
    assert_schema_valid([ext])


@pytest.mark.parametrize(
    ("kwargs", "code"),
    [
        ({"ports": [80, 81]}, "value/unnamed-service-port"),
        ({"ports": []}, "value/no-service-port"),
        ({"ports": [ServicePort(port=80, node_port=30080)]}, "value/node-port-type"),
        ({"ports": [80], "external_name": "x.example.com"}, "value/external-name-type"),
        ({"ports": [80], "type": "ExternalName"}, "value/external-name-missing"),
        (
            {"ports": [ServicePort.tcp(80, name="a"), ServicePort.tcp(80, name="b")]},
            "value/duplicate-service-port",
        ),
        (
            {"ports": [ServicePort.tcp(80, name="a"), ServicePort.tcp(81, name="a")]},
            "value/duplicate-service-port-name",
        ),
    ],
)
def test_service_errors(chart: Chart, kwargs: dict[str, Any], code: str) -> None:
    with pytest.raises(K8sDslError) as err:
        Service(chart, "svc", selector={"a": "b"}, **kwargs)
    assert code in err.value.codes
    assert all(f.hint for f in err.value.findings), err.value.findings
    assert err.value.findings[0].obj.source == "w/svc"


def test_service_names_start_with_a_letter(chart: Chart) -> None:
    with pytest.raises(K8sDslError) as err:
        Service(chart, "1st", selector={"a": "b"}, ports=[80])
    assert err.value.codes == ["metadata/dns-1035-label"]


def test_pod_template_errors() -> None:
    c = Container(name="a", image=IMAGE)
    with pytest.raises(K8sDslError) as err:
        PodTemplate(containers=[c, c])
    assert err.value.codes == ["value/duplicate-container"]
    with pytest.raises(K8sDslError) as err:
        PodTemplate(
            containers=[c],
            init_containers=[
                Container(name="init", image=IMAGE, readiness_probe=Probe.tcp(port=1))
            ],
        )
    assert err.value.codes == ["value/init-container-probe"]
    with pytest.raises(K8sDslError) as err:
        PodTemplate(
            containers=[Container(name="b", image=IMAGE, liveness_probe=Probe.http(port="http"))]
        )
    assert err.value.codes == ["value/probe-port"]
    with pytest.raises(K8sDslError) as err:
        PodTemplate(
            containers=[
                Container(name="b", image=IMAGE, mounts=[Volume.empty_dir("v").mount("/a")])
            ],
            volumes=[Volume.config_map("v", config_map_name="cm")],
        )
    assert err.value.codes == ["value/duplicate-volume"]
    with pytest.raises(K8sDslError) as err:
        PodTemplate(containers=[])
    assert err.value.findings[0].path == "containers"


def test_pod_takes_a_template_or_fields_not_both(chart: Chart) -> None:
    template = PodTemplate(containers=[Container(name="a", image=IMAGE)])
    Pod(chart, "one", template=template)
    with pytest.raises(K8sDslError) as err:
        Pod(chart, "two", template=template, host_network=True)
    assert err.value.codes == ["value/template-and-fields"]


def test_pod_name_and_label_errors_name_the_construct(chart: Chart) -> None:
    with pytest.raises(K8sDslError) as err:
        Pod(chart, "p", labels={"bad key!": "x"}, containers=[Container(name="a", image=IMAGE)])
    (finding,) = err.value.findings
    assert (finding.code, finding.obj.source) == ("value/label-key", "w/p")
    assert finding.path.startswith("labels.bad key!")


@pytest.mark.parametrize(
    ("build", "code"),
    [
        (
            lambda: DeploymentStrategy.rolling(max_surge=0, max_unavailable="0%"),
            "value/rolling-update-stuck",
        ),
        (
            lambda: DeploymentStrategy(type="Recreate", rolling_update={"max_surge": 1}),
            "value/recreate-with-rolling-update",
        ),
        (lambda: Toleration(operator="Exists", value="x"), "value/toleration-value"),
        (lambda: Toleration(value="x"), "value/toleration-key"),
        (lambda: EnvFromSource(), "value/env-from-source"),
        (lambda: LifecycleHandler(), "value/hook-handler"),
        (lambda: AppArmorProfile(type="Localhost"), "value/localhost-profile"),
    ],
)
def test_value_errors_have_a_code_and_a_hint(build: Any, code: str) -> None:
    with pytest.raises(K8sDslError) as err:
        build()
    assert err.value.codes == [code]
    assert err.value.findings[0].hint


def test_progress_deadline_error_has_a_hint(chart: Chart) -> None:
    with pytest.raises(K8sDslError) as err:
        Deployment(
            chart,
            "slow",
            min_ready_seconds=60,
            progress_deadline_seconds=30,
            template=SecurePodTemplate(image=IMAGE),
        )
    assert err.value.codes == ["value/progress-deadline"]
    assert err.value.findings[0].hint


def test_securepod_errors_name_the_fix(chart: Chart) -> None:
    """A SecurePod given a template, and one asked to run as UID 0 (SecurePod sets
    runAsNonRoot), fail with a code, the construct and a fix, never a pydantic dump."""
    with pytest.raises(K8sDslError) as err:
        SecurePod(chart, "templated", template=SecurePodTemplate(image=IMAGE))
    (finding,) = err.value.findings
    assert (finding.code, finding.path, finding.obj.source) == (
        "value/template-and-securepod",
        "template",
        "w/templated",
    )
    assert "SecurePodTemplate" in finding.hint
    with pytest.raises(K8sDslError) as err:
        SecurePod(chart, "root", image=IMAGE, security_context=PodSecurityContext(run_as_user=0))
    (finding,) = err.value.findings
    assert (finding.code, finding.obj.source) == ("value/root-and-non-root", "w/root")
    assert "run_as_non_root=False" in finding.hint


def test_pods_run_as_a_service_account_construct() -> None:
    from k8sdsl.security import ServiceAccount

    app = App(outdir="unused")
    chart = Chart(app, "c", namespace="shop")
    account = ServiceAccount(chart, "api-account", name="api")
    template = SecurePodTemplate(image="registry.example.com/api:1.0", service_account=account)
    assert template.to_k8s()["spec"]["serviceAccountName"] == "api"
    with pytest.raises(K8sDslError) as caught:
        SecurePodTemplate(image="registry.example.com/api:1.0", service_account="api")  # type: ignore[arg-type]
    assert caught.value.findings[0].code in ("value/service-account", "construct/argument-type")
    with pytest.raises(K8sDslError):
        SecurePodTemplate(
            image="registry.example.com/api:1.0",
            service_account=account,
            service_account_name="other",
        )
