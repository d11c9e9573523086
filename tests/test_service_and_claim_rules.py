"""Services that select no pod, named target ports no pod declares, ReadWriteOnce claims
mounted by many pods, ``--profile``, and Secrets that a SealedSecret or ExternalSecret makes:
each on YAML through ``k8sdsl check`` and on objects an app builds."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from k8sdsl import App, Chart, Cluster, ExistingObject, K8sDslError
from k8sdsl.cli import main
from k8sdsl.workloads import ContainerPort, Deployment, SecurePodTemplate, Service, ServicePort

DEPLOYMENT = """\
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: shop}
spec:
  replicas: REPLICAS
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web, tier: front}}
    spec:
      containers:
        - name: web
          image: registry.example.com/web:1.0
          ports: [{name: http, containerPort: 8080}]
          VOLUME_MOUNTS
      VOLUMES
"""


def deployment(replicas: int = 2, claim: str | None = None) -> str:
    text = DEPLOYMENT.replace("REPLICAS", str(replicas))
    if claim is None:
        return text.replace("          VOLUME_MOUNTS\n", "").replace("      VOLUMES\n", "")
    return text.replace("VOLUME_MOUNTS", "volumeMounts: [{name: data, mountPath: /data}]").replace(
        "VOLUMES", f"volumes: [{{name: data, persistentVolumeClaim: {{claimName: {claim}}}}}]"
    )


def service(selector: str = "{app: web}", target: str = "http", namespace: str = "shop") -> str:
    return f"""\
---
apiVersion: v1
kind: Service
metadata: {{name: web, namespace: {namespace}}}
spec:
  selector: {selector}
  ports: [{{name: http, port: 80, targetPort: {target}}}]
"""


def claim(mode: str) -> str:
    return f"""\
---
apiVersion: v1
kind: PersistentVolumeClaim
metadata: {{name: data, namespace: shop}}
spec:
  accessModes: [{mode}]
  resources: {{requests: {{storage: 1Gi}}}}
"""


def check(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, text: str, *flags: str, prefix: str
) -> tuple[int, list[dict[str, Any]]]:
    path = tmp_path / "objects.yaml"
    path.write_text(text)
    code = main(["check", "--format", "json", *flags, str(path)])
    found = json.loads(capsys.readouterr().out)["findings"]
    return code, [f for f in found if f["code"].startswith(prefix)]


# -- references/service-selects-no-pod ---------------------------------------------------------


def test_a_service_that_selects_its_pods_is_clean(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    code, found = check(
        capsys, tmp_path, deployment() + service(), "--complete", prefix="references/"
    )
    assert (code, found) == (0, [])


@pytest.mark.parametrize(
    ("selector", "namespace"),
    [("{app: wbe}", "shop"), ("{app: web, tier: back}", "shop"), ("{app: web}", "other")],
)
def test_a_service_that_selects_no_pod_is_found(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, selector: str, namespace: str
) -> None:
    text = deployment() + service(selector, namespace=namespace)
    code, found = check(capsys, tmp_path, text, prefix="references/service-selects-no-pod")
    assert code == 0
    assert [(f["severity"], f["path"]) for f in found] == [("warning", "spec.selector")]
    code, found = check(
        capsys, tmp_path, text, "--complete", prefix="references/service-selects-no-pod"
    )
    assert code == 1
    assert [f["severity"] for f in found] == ["error"]
    if namespace == "shop":
        assert "app=web" in found[0]["hint"]  # shows the labels the pods do have
    else:
        assert "own namespace" in found[0]["hint"]


def test_services_without_a_selector_or_external_names_are_not_judged(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    text = """\
apiVersion: v1
kind: Service
metadata: {name: db, namespace: shop}
spec: {type: ExternalName, externalName: db.example.com, selector: {app: db}}
---
apiVersion: v1
kind: Service
metadata: {name: manual, namespace: shop}
spec: {ports: [{port: 5432}]}
"""
    code, found = check(capsys, tmp_path, text, "--complete", prefix="references/")
    assert (code, found) == (0, [])


# -- references/unknown-target-port ------------------------------------------------------------


def test_a_named_target_port_no_container_declares_is_found(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    text = deployment() + service(target="htpp")
    code, found = check(capsys, tmp_path, text, prefix="references/unknown-target-port")
    assert code == 0
    assert [(f["severity"], f["path"]) for f in found] == [("warning", "spec.ports[0].targetPort")]
    assert found[0]["hint"] == "did you mean 'http'?"
    code, found = check(
        capsys, tmp_path, text, "--complete", prefix="references/unknown-target-port"
    )
    assert (code, [f["severity"] for f in found]) == (1, ["error"])


@pytest.mark.parametrize("target", ["8080", "'8080'", "http"])
def test_numeric_and_declared_target_ports_are_clean(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, target: str
) -> None:
    text = deployment() + service(target=target)
    _, found = check(capsys, tmp_path, text, "--complete", prefix="references/unknown-target-port")
    assert found == []


def test_service_rules_run_on_objects_an_app_builds(tmp_path: Path) -> None:
    app = App(outdir=tmp_path / "dist")
    chart = Chart(app, "shop", namespace="shop")
    Deployment(
        chart,
        "web",
        template=SecurePodTemplate(
            image="registry.example.com/web:1.0@sha256:" + "a" * 64,
            ports=[ContainerPort.tcp(8080, name="http")],
        ),
    )
    Service(
        chart, "web-svc", selector={"app": "wbe"}, ports=[ServicePort.tcp(80, target_port="http")]
    )
    with pytest.raises(K8sDslError) as caught:
        app.synth()
    codes = {f.code for f in caught.value.findings}
    assert "references/service-selects-no-pod" in codes
    assert not (tmp_path / "dist").exists()


# -- storage/multi-attach ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("mode", "replicas", "expected"),
    [
        ("ReadWriteOnce", 3, ["warning"]),
        ("ReadWriteOncePod", 2, ["error"]),
        ("ReadWriteOnce", 1, []),
        ("ReadWriteMany", 3, []),
        ("ReadOnlyMany", 3, []),
    ],
)
def test_a_single_node_claim_mounted_by_many_pods_is_found(
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    mode: str,
    replicas: int,
    expected: list[str],
) -> None:
    text = deployment(replicas, claim="data") + claim(mode)
    _, found = check(capsys, tmp_path, text, prefix="storage/multi-attach")
    assert [f["severity"] for f in found] == expected
    for f in found:
        assert f["path"] == "spec.template.spec.volumes[0].persistentVolumeClaim.claimName"
        assert f"Deployment 'web' ({replicas})" in f["message"]


def test_two_single_pod_workloads_on_one_claim_are_found(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    second = deployment(1, claim="data").replace("name: web, namespace", "name: worker, namespace")
    text = deployment(1, claim="data") + "---\n" + second + claim("ReadWriteOnce")
    _, found = check(capsys, tmp_path, text, prefix="storage/multi-attach")
    assert len(found) == 2  # one at each user of the claim
    assert all("Deployment 'worker' (1)" in f["message"] for f in found)


def test_a_daemonset_on_a_single_node_claim_counts_the_declared_nodes(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    text = deployment(1, claim="data").replace("kind: Deployment", "kind: DaemonSet").replace(
        "  replicas: 1\n", ""
    ) + claim("ReadWriteOnce")
    _, found = check(capsys, tmp_path, text, prefix="storage/multi-attach")
    assert [f["severity"] for f in found] == ["warning"]
    assert "one per node" in found[0]["message"]
    one_node = tmp_path / "cluster.yaml"
    one_node.write_text("nodePools: [{name: solo, count: 1}]\n")
    _, found = check(
        capsys, tmp_path, text, "--cluster", str(one_node), prefix="storage/multi-attach"
    )
    assert found == []


# -- declared cluster and secret makers --------------------------------------------------------


def test_a_claim_the_declared_cluster_has_is_not_missing(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    text = deployment(1, claim="shared-data")
    code, found = check(capsys, tmp_path, text, prefix="storage/missing-claim")
    assert (code, [f["severity"] for f in found]) == (0, ["warning"])
    code, found = check(capsys, tmp_path, text, "--complete", prefix="storage/missing-claim")
    assert (code, [f["severity"] for f in found]) == (1, ["error"])
    declared = tmp_path / "cluster.yaml"
    declared.write_text(
        "objects: [{kind: PersistentVolumeClaim, name: shared-data, namespace: shop}]\n"
    )
    code, found = check(
        capsys,
        tmp_path,
        text,
        "--complete",
        "--cluster",
        str(declared),
        prefix="storage/missing-claim",
    )
    assert (code, found) == (0, [])


SECRET_USER = """\
apiVersion: v1
kind: Pod
metadata: {name: api, namespace: shop}
spec:
  containers:
    - name: api
      image: registry.example.com/api:1.0
      envFrom: [{secretRef: {name: db-credentials}}]
"""


@pytest.mark.parametrize(
    "maker",
    [
        "apiVersion: bitnami.com/v1alpha1\nkind: SealedSecret\n"
        "metadata: {name: db-credentials, namespace: shop}\nspec: {encryptedData: {}}\n",
        "apiVersion: external-secrets.io/v1\nkind: ExternalSecret\n"
        "metadata: {name: db, namespace: shop}\n"
        "spec: {target: {name: db-credentials}, secretStoreRef: {name: vault}}\n",
    ],
)
def test_a_secret_that_a_sealed_or_external_secret_makes_is_not_missing(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, maker: str
) -> None:
    code, found = check(
        capsys,
        tmp_path,
        SECRET_USER + "---\n" + maker,
        "--complete",
        prefix="references/missing-object",
    )
    assert found == []
    code, found = check(
        capsys, tmp_path, SECRET_USER, "--complete", prefix="references/missing-object"
    )
    assert (code, len(found)) == (1, 1)


def test_a_sealed_secret_makes_a_secret_of_its_own_name(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """sealed-secrets' controller names the Secret after the SealedSecret, whatever
    spec.template.metadata.name says (Unseal in sealedsecret_expansion.go)."""
    maker = (
        "apiVersion: bitnami.com/v1alpha1\nkind: SealedSecret\n"
        "metadata: {name: sealed, namespace: shop}\n"
        "spec: {encryptedData: {}, template: {metadata: {name: db-credentials}}}\n"
    )
    code, found = check(
        capsys,
        tmp_path,
        SECRET_USER + "---\n" + maker,
        "--complete",
        prefix="references/missing-object",
    )
    assert code == 1
    (finding,) = found
    assert finding["hint"] == (
        "SealedSecret 'sealed' sets spec.template.metadata.name 'db-credentials', which its "
        "controller ignores: the Secret is named 'sealed'"
    )


def test_a_pull_secret_the_declared_cluster_has_is_not_reported(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    text = SECRET_USER.replace("spec:\n", "spec:\n  imagePullSecrets: [{name: regcred}]\n")
    _, found = check(capsys, tmp_path, text, prefix="images/pull-secret")
    assert len(found) == 1
    declared = tmp_path / "cluster.yaml"
    declared.write_text("objects: [{kind: Secret, name: regcred, namespace: shop}]\n")
    _, found = check(
        capsys, tmp_path, text, "--cluster", str(declared), prefix="images/pull-secret"
    )
    assert found == []
    assert Cluster(objects=[ExistingObject(kind="Secret", name="regcred", namespace="shop")])


# -- --profile ---------------------------------------------------------------------------------

ROOT_POD = """\
apiVersion: v1
kind: Pod
metadata: {name: root, namespace: shop}
spec:
  containers:
    - name: app
      image: registry.example.com/app:1.0
      securityContext: {privileged: true}
"""


@pytest.mark.parametrize(
    ("flags", "severities", "code"),
    [
        ((), {"warning"}, 0),
        (("--profile", "restricted"), {"error"}, 1),
        (("--profile", "baseline"), {"error"}, 1),
        (("--profile", "none"), set(), 0),
    ],
)
def test_profile_holds_every_pod_to_a_level(
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    flags: tuple[str, ...],
    severities: set[str],
    code: int,
) -> None:
    got, found = check(capsys, tmp_path, ROOT_POD, *flags, prefix="pod-security/")
    assert got == code
    assert {f["severity"] for f in found} == severities
    if flags == ("--profile", "baseline"):
        # baseline forbids privileged containers but not running as root
        codes = {f["code"] for f in found}
        assert "pod-security/privileged" in codes
        assert "pod-security/run-as-non-root" not in codes


def test_profile_restricted_reports_what_baseline_allows(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    text = ROOT_POD.replace("securityContext: {privileged: true}", "securityContext: {}")
    code, found = check(capsys, tmp_path, text, "--profile", "baseline", prefix="pod-security/")
    assert (code, found) == (0, [])
    code, found = check(capsys, tmp_path, text, "--profile", "restricted", prefix="pod-security/")
    assert code == 1
    assert "pod-security/run-as-non-root" in {f["code"] for f in found}


HARDENING = {
    "pod-security/service-account-token",
    "pod-security/probes",
    "pod-security/resources",
    "pod-security/read-only-root-filesystem",
    "pod-security/run-as-user-below-10000",
    "pod-security/secret-env",
}


def test_profile_hardened_holds_yaml_to_securepods_hardening(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """The checks SecurePod adds beyond the standards reach YAML k8sdsl did not write."""
    text = (Path(__file__).parent / "fixtures" / "hardening-pod.yaml").read_text()
    code, found = check(capsys, tmp_path, text, "--profile", "restricted", prefix="pod-security/")
    # the pod meets restricted: none of the hardening controls is judged there
    assert (code, found) == (0, [])
    code, found = check(capsys, tmp_path, text, "--profile", "hardened", prefix="pod-security/")
    assert code == 1
    assert {f["code"] for f in found} == HARDENING
    assert {f["severity"] for f in found} == {"error"}
    assert all("--profile hardened" in f["message"] for f in found)
