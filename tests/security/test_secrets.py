"""ExternalSecret and SealedSecret: golden YAML valid against their pinned CRD schemas, the
values the operators refuse, pods that reference them by construct (keys checked), and the
secret rules on constructs and on YAML through ``k8sdsl check``."""

from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import Any

import pytest

from k8sdsl import App, Chart, Cluster, ExistingObject, K8sDslError
from k8sdsl.cli import main
from k8sdsl.security import (
    CreationPolicy,
    DeletionPolicy,
    ExternalSecret,
    ExternalSecretData,
    ExternalSecretDataFrom,
    SealedSecret,
    SealingScope,
    SecretStoreRef,
    sealed_value_problem,
)
from k8sdsl.volumes import Volume
from k8sdsl.workloads import (
    Container,
    Deployment,
    EnvFromSource,
    EnvVar,
    PodTemplate,
    SecurePodTemplate,
)

from ..conftest import assert_schema_valid, check_objects

IMAGE = (
    "registry.example.com/shop/api:2.3.1"
    "@sha256:5d0da3dc976460b72c77d94c8a1ad043720b0416bfc16c52c45d4847e53fadb6"
)
#: the shape kubeseal writes (a 2-byte length, a 512-byte session key, the ciphertext);
#: fixed bytes so the snapshot is stable
SEALED = base64.b64encode(b"\x02\x00" + bytes(range(256)) * 2 + b"ciphertext-of-the-value").decode()
VAULT = ExistingObject(kind="ClusterSecretStore", name="vault")


@pytest.fixture
def shop(tmp_path: Path) -> Chart:
    app = App(outdir=tmp_path / "dist", cluster=Cluster(objects=[VAULT]))
    return Chart(app, "shop", namespace="shop")


def db_secret(chart: Chart, **kwargs: Any) -> ExternalSecret:
    return ExternalSecret(
        chart,
        "shop-db",
        store=SecretStoreRef.cluster("vault"),
        data=[
            ExternalSecretData.of("password", key="shop/db", property="password"),
            ExternalSecretData.of("username", key="shop/db", property="username", version="3"),
        ],
        **kwargs,
    )


MISSING, MISSING_KEY = "references/missing-object", "references/missing-key"
NO_STORE = "references/missing-secret-store"


def codes(report: Any, prefix: str = "") -> list[tuple[str, str, str]]:
    return sorted(
        (f.code, f.severity.value, f.path) for f in report.findings if f.code.startswith(prefix)
    )


# -- golden YAML and schema ---------------------------------------------------------------------


def test_external_secret_golden(shop: Chart, yaml_snapshot: Any) -> None:
    db = db_secret(shop)
    every = ExternalSecret(
        shop,
        "shop-config",
        store=SecretStoreRef.of("team-store"),
        data_from=[
            ExternalSecretDataFrom.of_extract("shop/config"),
            ExternalSecretDataFrom.of_find(path="shop/", name_regexp="^feature-"),
        ],
        secret_name="shop-settings",
        refresh_interval="15m",
        creation_policy=CreationPolicy.ORPHAN,
        deletion_policy=DeletionPolicy.DELETE,
    )
    assert [db.to_k8s(), every.to_k8s()] == yaml_snapshot
    spec = db.to_k8s()["spec"]
    assert spec["secretStoreRef"] == {"kind": "ClusterSecretStore", "name": "vault"}
    assert spec["target"] == {"name": "shop-db"}  # the default: its own name, written out
    assert spec["refreshInterval"] == "1h"
    assert every.to_k8s()["spec"]["target"] == {
        "name": "shop-settings",
        "creationPolicy": "Orphan",
        "deletionPolicy": "Delete",
    }
    assert (db.secret_name, db.secret_keys) == ("shop-db", frozenset({"password", "username"}))
    assert (every.secret_name, every.secret_keys) == ("shop-settings", None)
    assert_schema_valid([db, every], ["1.28", "1.37"])


def test_sealed_secret_golden(shop: Chart, yaml_snapshot: Any) -> None:
    tls = SealedSecret(
        shop,
        "shop-tls",
        encrypted_data={"tls.key": SEALED, "tls.crt": SEALED},
        secret_type="kubernetes.io/tls",
        secret_labels={"app.kubernetes.io/part-of": "shop"},
        immutable=True,
        sealing_scope=SealingScope.NAMESPACE_WIDE,
    )
    assert tls.to_k8s() == yaml_snapshot
    out = tls.to_k8s()
    assert list(out["spec"]["encryptedData"]) == ["tls.crt", "tls.key"]  # sorted
    assert out["spec"]["template"] == {
        "metadata": {"labels": {"app.kubernetes.io/part-of": "shop"}},
        "type": "kubernetes.io/tls",
        "immutable": True,
    }
    assert out["metadata"]["annotations"] == {"sealedsecrets.bitnami.com/namespace-wide": "true"}
    assert tls.secret_name == "shop-tls" and tls.secret_keys == {"tls.crt", "tls.key"}
    assert_schema_valid([tls], ["1.28", "1.37"])


def test_the_shop_with_secret_sources_is_clean(tmp_path: Path) -> None:
    regcred = ExistingObject(
        kind="Secret", name="regcred", namespace="shop", keys=[".dockerconfigjson"]
    )
    app = App(outdir=tmp_path / "dist", cluster=Cluster(objects=[VAULT, regcred]))
    shop = Chart(app, "shop", namespace="shop")
    db = db_secret(shop)
    token = SealedSecret(shop, "api-token", encrypted_data={"token": SEALED})
    api = Deployment(
        shop,
        "api",
        template=SecurePodTemplate(
            image=IMAGE,
            mounts=[
                Volume.secret("db", secret_name=db, items={"password": "password"}).mount(
                    "/run/secrets/db", read_only=True
                ),
                Volume.secret("token", secret_name=token).mount("/run/token", read_only=True),
            ],
            image_pull_secrets=[regcred],
        ),
    )
    spec = api.to_k8s()["spec"]["template"]["spec"]
    assert spec["volumes"][0]["secret"]["secretName"] == "shop-db"
    assert spec["volumes"][1]["secret"]["secretName"] == "api-token"
    assert spec["imagePullSecrets"] == [{"name": "regcred"}]
    assert [f for f in app.check().findings if f.severity.value == "error"] == []


# -- values the operators refuse ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kwargs", "code"),
    [
        ({"data": None}, "value/external-secret-data"),
        (
            {"data": [ExternalSecretData.of("a", key="k"), ExternalSecretData.of("a", key="j")]},
            "value/external-secret-data",
        ),
        ({"refresh_interval": "hourly"}, "value/refresh-interval"),
        (
            {"creation_policy": CreationPolicy.MERGE, "deletion_policy": DeletionPolicy.DELETE},
            "value/external-secret-policy",
        ),
        (
            {"creation_policy": CreationPolicy.NONE, "deletion_policy": DeletionPolicy.MERGE},
            "value/external-secret-policy",
        ),
    ],
)
def test_external_secret_value_errors(shop: Chart, kwargs: dict[str, Any], code: str) -> None:
    args: dict[str, Any] = {
        "store": SecretStoreRef.of("vault"),
        "data": [ExternalSecretData.of("password", key="shop/db")],
        **kwargs,
    }
    with pytest.raises(K8sDslError) as info:
        ExternalSecret(shop, "bad", **args)
    assert info.value.codes == [code]
    assert info.value.findings[0].obj.source == "shop/bad"


def test_data_from_is_an_extract_or_a_find() -> None:
    with pytest.raises(K8sDslError) as info:
        ExternalSecretDataFrom()
    assert info.value.codes == ["value/data-from"]


def test_sealed_values_and_keys(shop: Chart) -> None:
    plain = base64.b64encode(b"hunter2").decode()
    with pytest.raises(K8sDslError) as info:
        SealedSecret(
            shop, "bad", encrypted_data={"password": plain, "not base64": "%%%", "ok": SEALED}
        )
    assert sorted((f.code, f.path) for f in info.value.findings) == [
        ("secret/key", "spec.encryptedData['not base64']"),
        ("secret/sealed-data", "spec.encryptedData['not base64']"),
        ("secret/sealed-data", "spec.encryptedData['password']"),
    ]
    with pytest.raises(K8sDslError) as info:
        SealedSecret(shop, "empty", encrypted_data={})
    assert info.value.codes == ["secret/sealed-data"]
    assert sealed_value_problem("k", SEALED) is None
    assert "base64-encoded" in (sealed_value_problem("k", plain) or ("", ""))[0]


# -- pods reference them by construct -------------------------------------------------------------


def test_a_key_that_is_not_made_is_an_error_at_the_reference(shop: Chart) -> None:
    db = db_secret(shop)
    env = EnvVar.from_secret("DB_PASSWORD", secret=db, key="password")
    assert env.to_k8s()["valueFrom"] == {"secretKeyRef": {"name": "shop-db", "key": "password"}}
    with pytest.raises(K8sDslError) as info:
        EnvVar.from_secret("DB_PASSWORD", secret=db, key="pasword")
    (finding,) = info.value.findings
    assert (finding.code, finding.hint) == ("references/missing-key", "did you mean 'password'?")
    assert "made by ExternalSecret 'shop-db'" in finding.message
    with pytest.raises(K8sDslError) as info:
        Volume.secret("db", secret_name=db, items={"passwd": "password"})
    assert info.value.codes == ["references/missing-key"]
    declared = ExistingObject(kind="Secret", name="legacy", namespace="shop", keys=["token"])
    with pytest.raises(K8sDslError) as info:
        EnvVar.from_secret("T", secret=declared, key="tokn")
    assert info.value.findings[0].hint == "did you mean 'token'?"
    # keys that come from the store are not known: nothing to check
    every = ExternalSecret(
        shop,
        "all",
        store=SecretStoreRef.of("vault"),
        data_from=[ExternalSecretDataFrom.of_extract("shop/all")],
    )
    assert EnvVar.from_secret("X", secret=every, key="anything").to_k8s()["name"] == "X"
    assert EnvFromSource.secret(every).to_k8s() == {"secretRef": {"name": "all"}}


def test_what_makes_no_secret_is_no_secret_source(shop: Chart) -> None:
    none = db_secret(shop, creation_policy=CreationPolicy.NONE)
    with pytest.raises(K8sDslError) as info:
        Volume.secret("db", secret_name=none)
    assert info.value.codes == ["value/secret-source"]
    with pytest.raises(K8sDslError) as info:
        EnvFromSource.secret(ExistingObject(kind="ConfigMap", name="settings"))
    assert info.value.codes == ["value/secret-source"]


def test_the_rules_see_the_secrets_they_make_on_constructs(shop: Chart) -> None:
    db = db_secret(shop)
    bare = Deployment(
        shop,
        "bare",
        template=PodTemplate(
            containers=[
                Container(
                    name="app",
                    image=IMAGE,
                    env=[
                        EnvVar.from_secret("A", secret="shop-db", key="usernme"),
                        EnvVar.from_secret("B", secret="shop-bd", key="password"),
                    ],
                )
            ]
        ),
    )
    report = check_objects([db, bare], settings={"complete": True})
    env = "spec.template.spec.containers[0].env"
    assert codes(report, "references/") == [
        (MISSING_KEY, "error", f"{env}[0].valueFrom.secretKeyRef.key"),
        (MISSING, "error", f"{env}[1].valueFrom.secretKeyRef.name"),
        (NO_STORE, "error", "spec.secretStoreRef.name"),
    ]
    hints = {f.code: f.hint for f in report.findings}
    assert hints["references/missing-key"] == "did you mean 'username'?"
    assert hints["references/missing-object"] == "did you mean 'shop-db'?"
    declared = Cluster(objects=[VAULT])
    report = check_objects([db], settings={"complete": True, "cluster": declared})
    assert codes(report, "references/") == []


# -- YAML through k8sdsl check --------------------------------------------------------------------

OBJECTS = f"""\
apiVersion: external-secrets.io/v1
kind: ExternalSecret
metadata: {{name: shop-db, namespace: shop}}
spec:
  refreshInterval: 1h
  secretStoreRef: {{kind: ClusterSecretStore, name: vault}}
  target: {{name: shop-db}}
  data:
    - secretKey: password
      remoteRef: {{key: shop/db, property: password}}
---
apiVersion: bitnami.com/v1alpha1
kind: SealedSecret
metadata: {{name: api-token, namespace: shop}}
spec:
  encryptedData: {{token: {SEALED}}}
---
apiVersion: v1
kind: Pod
metadata: {{name: api, namespace: shop}}
spec:
  containers:
    - name: api
      image: registry.example.com/api:1.0
      env:
        - name: DB_PASSWORD
          valueFrom: {{secretKeyRef: {{name: shop-db, key: password}}}}
        - name: TOKEN
          valueFrom: {{secretKeyRef: {{name: api-token, key: token}}}}
      volumeMounts: [{{name: db, mountPath: /run/db}}]
  volumes: [{{name: db, secret: {{secretName: shop-db}}}}]
"""
CLUSTER = "objects: [{kind: ClusterSecretStore, name: vault}]\n"


def findings(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, text: str, *flags: str
) -> tuple[int, list[tuple[str, str, str]]]:
    path = tmp_path / "objects.yaml"
    path.write_text(text)
    cluster = tmp_path / "cluster.yaml"
    cluster.write_text(CLUSTER)
    code = main(["check", "--format", "json", "--cluster", str(cluster), *flags, str(path)])
    found = json.loads(capsys.readouterr().out)["findings"]
    wanted = ("references/", "secret/", "schema/")
    return code, sorted(
        (f["code"], f["severity"], f["path"]) for f in found if f["code"].startswith(wanted)
    )


@pytest.mark.parametrize("version", ["1.28", "1.37"])
def test_the_valid_objects_are_clean(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, version: str
) -> None:
    code, found = findings(capsys, tmp_path, OBJECTS, "--complete", "--k8s-version", version)
    assert (code, found) == (0, [])


ENV0 = "spec.containers[0].env[0].valueFrom.secretKeyRef"
ENV1 = "spec.containers[0].env[1].valueFrom.secretKeyRef"
VOLUME = "spec.volumes[0].secret.secretName"
STORE = "spec.secretStoreRef.name"
CLUSTER_STORE = "kind: ClusterSecretStore, name: vault"
TARGET = "target: {name: shop-db}"


@pytest.mark.parametrize(
    ("old", "new", "flags", "expected"),
    [
        # a key the ExternalSecret's data does not write
        ("key: password}}", "key: pasword}}", (), [(MISSING_KEY, "error", f"{ENV0}.key")]),
        # with dataFrom the keys are the store's: not judged
        ("  data:\n", "  dataFrom: [{extract: {key: shop/all}}]\n  data:\n", (), []),
        # a template with data renders only its own keys (mergePolicy Replace)
        (
            TARGET,
            "target: {name: shop-db, template: {data: {dsn: x}}}",
            (),
            [(MISSING_KEY, "error", f"{ENV0}.key")],
        ),
        # ... and the data keys too with mergePolicy Merge
        (TARGET, "target: {name: shop-db, template: {mergePolicy: Merge, data: {dsn: x}}}", (), []),
        # creationPolicy None makes no Secret
        (
            TARGET,
            "target: {name: shop-db, creationPolicy: None}",
            ("--complete",),
            [(MISSING, "error", f"{ENV0}.name"), (MISSING, "error", VOLUME)],
        ),
        # the target name, not the ExternalSecret's own
        (
            TARGET,
            "target: {name: db}",
            (),
            [(MISSING, "warning", f"{ENV0}.name"), (MISSING, "warning", VOLUME)],
        ),
        # a key the SealedSecret does not seal
        ("key: token}}", "key: tokn}}", (), [(MISSING_KEY, "error", f"{ENV1}.key")]),
        # a store no one has: warning, error with --complete
        ("name: vault}", "name: vualt}", (), [(NO_STORE, "warning", STORE)]),
        ("name: vault}", "name: vualt}", ("--complete",), [(NO_STORE, "error", STORE)]),
        (
            CLUSTER_STORE,
            "kind: SecretStore, name: vault",
            ("--complete",),
            [(NO_STORE, "error", STORE)],
        ),
        # a sealed value that is a plain value base64-encoded
        (
            SEALED,
            "aHVudGVyMg==",
            (),
            [("secret/sealed-data", "error", "spec.encryptedData['token']")],
        ),
        # a misspelt field, against the pinned CRD schema
        (
            "refreshInterval: 1h",
            "refreshIntervall: 1h",
            (),
            [("schema/unknown-field", "error", "spec.refreshIntervall")],
        ),
    ],
)
def test_secret_rules_on_yaml(
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    old: str,
    new: str,
    flags: tuple[str, ...],
    expected: list[tuple[str, str, str]],
) -> None:
    text = OBJECTS.replace(old, new, 1)
    assert text != OBJECTS
    assert findings(capsys, tmp_path, text, *flags)[1] == expected


def test_store_hints_on_yaml(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    text = OBJECTS.replace("kind: ClusterSecretStore, name: vault", "name: vault")
    path = tmp_path / "objects.yaml"
    path.write_text(text)
    cluster = tmp_path / "cluster.yaml"
    cluster.write_text(CLUSTER)
    main(["check", "--format", "json", "--cluster", str(cluster), str(path)])
    (store,) = [
        f
        for f in json.loads(capsys.readouterr().out)["findings"]
        if f["code"] == "references/missing-secret-store"
    ]
    assert store["hint"] == (
        "the declared cluster has a ClusterSecretStore 'vault': set kind: ClusterSecretStore"
    )
    # a SecretStore of the app's files satisfies it
    store_yaml = (
        "---\napiVersion: external-secrets.io/v1\nkind: SecretStore\n"
        "metadata: {name: vault, namespace: shop}\nspec: {provider: {}}\n"
    )
    path.write_text(text + store_yaml)
    main(["check", "--format", "json", str(path)])
    found = json.loads(capsys.readouterr().out)["findings"]
    assert not [f for f in found if f["code"] == "references/missing-secret-store"]


def test_literal_secret_data(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    secret = (
        "apiVersion: v1\nkind: Secret\nmetadata: {name: db, namespace: shop}\n"
        "stringData: {password: hunter2}\n"
    )
    literal = "secret/literal-data"
    assert findings(capsys, tmp_path, secret)[1] == [(literal, "warning", "stringData")]
    code, found = findings(capsys, tmp_path, secret, "--complete")
    assert (code, found) == (1, [(literal, "error", "stringData")])
    accepted = secret.replace(
        "namespace: shop}", "namespace: shop, annotations: {k8sdsl.io/secret-data-in-git: dummy}}"
    )
    assert findings(capsys, tmp_path, accepted, "--complete") == (0, [])
    empty = (
        "apiVersion: v1\nkind: Secret\nmetadata: {name: tls, namespace: shop}\n"
        "type: kubernetes.io/tls\n"
    )
    assert findings(capsys, tmp_path, empty, "--complete") == (0, [])


def test_synth_refuses_a_secret_with_its_values(tmp_path: Path) -> None:
    """No secret value reaches dist/: a Secret with data is an error at synth, nothing is
    written."""
    from typing import ClassVar

    from k8sdsl.core import Resource

    class PlainSecret(Resource):
        api_version: ClassVar[str] = "v1"
        kind: ClassVar[str] = "Secret"

        def _body(self) -> dict[str, Any]:
            return {"stringData": {"password": "hunter2"}}

    app = App(outdir=tmp_path / "dist")
    chart = Chart(app, "leak", namespace="shop")
    PlainSecret(chart, "db")
    with pytest.raises(K8sDslError) as info:
        app.synth()
    assert "secret/literal-data" in info.value.codes
    assert not (tmp_path / "dist").exists()


def test_a_service_account_pulls_with_a_secret_source(shop: Chart) -> None:
    from k8sdsl.security import ServiceAccount

    pull = ExternalSecret(
        shop,
        "regcred",
        store=SecretStoreRef.cluster("vault"),
        data=[ExternalSecretData.of(".dockerconfigjson", key="registry/shop")],
        secret_name="registry-credentials",
    )
    account = ServiceAccount(shop, "api", image_pull_secrets=[pull, "other"])
    assert account.to_k8s()["imagePullSecrets"] == [
        {"name": "registry-credentials"},
        {"name": "other"},
    ]
