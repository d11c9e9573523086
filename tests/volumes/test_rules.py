"""Each volume rule fires on the YAML it guards against and stays quiet on correct YAML.

The rules read dicts, so these tests feed plain objects, as ``k8sdsl check`` would.
"""

from __future__ import annotations

import copy
from typing import Any

import pytest

from k8sdsl.core import K8sVersion, Severity
from k8sdsl.rules import registered_rules
from k8sdsl.volumes import CATALOG
from tests.conftest import check_objects
from tests.volumes.samples import LATER_PROJECTIONS, POD_VOLUMES, PV_SOURCES, persistent_volume, pod


def make_pod(
    volumes: list[dict[str, Any]],
    mounts: list[dict[str, Any]] | None = None,
    *,
    security_context: dict[str, Any] | None = None,
    kind: str = "Pod",
    devices: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    container: dict[str, Any] = {"name": "app", "image": "registry.example.com/app:1.0"}
    if mounts is not None:
        container["volumeMounts"] = mounts
    if devices is not None:
        container["volumeDevices"] = devices
    if security_context is not None:
        container["securityContext"] = security_context
    spec = {"containers": [container], "volumes": volumes}
    if kind == "Pod":
        return {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"}, "spec": spec}
    return {
        "apiVersion": "apps/v1",
        "kind": kind,
        "metadata": {"name": "w"},
        "spec": {
            "selector": {"matchLabels": {"app": "w"}},
            "template": {"metadata": {"labels": {"app": "w"}}, "spec": spec},
        },
    }


def one(volume: dict[str, Any], **mount: Any) -> dict[str, Any]:
    """A pod with ``volume`` mounted at /mnt (extra mount fields as keywords)."""
    return make_pod([volume], [{"name": volume["name"], "mountPath": "/mnt", **mount}])


EMPTY = {"name": "cache", "emptyDir": {}}
SECRET = {"name": "tls", "secret": {"secretName": "web-tls"}}


def findings(objects: list[dict[str, Any]], version: str, rule_id: str) -> list[Any]:
    return list(check_objects(objects, version, only=[rule_id]).findings)


# (rule id, objects, version, severity, path of the finding, text in message or hint)
TRIGGERS: list[tuple[str, list[dict[str, Any]], str, Severity, str, str]] = [
    ("volumes/removed-plugin", [pod(POD_VOLUMES["awsElasticBlockStore"])], "1.35",
     Severity.ERROR, "spec.volumes[0].awsElasticBlockStore", "ebs.csi.aws.com"),
    ("volumes/removed-plugin", [persistent_volume("pv", PV_SOURCES["cephfs"])], "1.31",
     Severity.ERROR, "spec.cephfs", "ceph-csi"),
    ("volumes/removed-plugin", [make_pod([POD_VOLUMES["portworxVolume"].to_k8s()], [],
                                         kind="Deployment")], "1.36",
     Severity.ERROR, "spec.template.spec.volumes[0].portworxVolume", "pxd.portworx.com"),
    ("volumes/deprecated-plugin", [pod(POD_VOLUMES["portworxVolume"])], "1.35",
     Severity.WARNING, "spec.volumes[0].portworxVolume", "removed in 1.36"),
    ("volumes/deprecated-plugin", [persistent_volume("pv", PV_SOURCES["flexVolume"])], "1.35",
     Severity.WARNING, "spec.flexVolume", "no migration plan"),
    ("volumes/git-repo", [pod(POD_VOLUMES["gitRepo"])], "1.33",
     Severity.ERROR, "spec.volumes[0].gitRepo", "init container"),
    ("volumes/git-repo", [pod(POD_VOLUMES["gitRepo"])], "1.32",
     Severity.WARNING, "spec.volumes[0].gitRepo", "emptyDir"),
    ("volumes/feature-gate", [pod(POD_VOLUMES["image"])], "1.30",
     Severity.ERROR, "spec.volumes[0].image", "only from Kubernetes 1.31"),
    ("volumes/feature-gate", [pod(POD_VOLUMES["image"])], "1.34",
     Severity.WARNING, "spec.volumes[0].image", "ImageVolume"),
    ("volumes/feature-gate", [pod(LATER_PROJECTIONS["clusterTrustBundle"][0])], "1.33",
     Severity.WARNING, "spec.volumes[0].projected.sources[0].clusterTrustBundle",
     "ClusterTrustBundleProjection"),
    ("volumes/feature-gate", [pod(LATER_PROJECTIONS["podCertificate"][0])], "1.36",
     Severity.WARNING, "spec.volumes[0].projected.sources[0].podCertificate",
     "off by default in every supported version"),
    # 1.30 has the field but the gate is off: the API server drops it silently
    ("volumes/feature-gate", [one(EMPTY, readOnly=True, recursiveReadOnly="Enabled")], "1.30",
     Severity.WARNING, "spec.containers[0].volumeMounts[0].recursiveReadOnly",
     "RecursiveReadOnlyMounts"),
    ("volumes/feature-gate", [one(EMPTY, readOnly=True, recursiveReadOnly="IfPossible")], "1.29",
     Severity.ERROR, "spec.containers[0].volumeMounts[0].recursiveReadOnly",
     "from Kubernetes 1.30"),
    ("volumes/missing-source", [one({"name": "test-volume"})], "1.35",
     Severity.WARNING, "spec.volumes[0]", "emptyDir"),
    ("volumes/missing-source",
     [one({"name": "test-volume", "pdName": "my-data-disk", "fsType": "ext4"})], "1.35",
     Severity.ERROR, "spec.volumes[0]", "gcePersistentDisk"),
    ("volumes/multiple-sources", [one({"name": "x", "emptyDir": {}, "hostPath": {"path": "/x"}})],
     "1.35", Severity.ERROR, "spec.volumes[0]", "emptyDir, hostPath"),
    ("volumes/required-field",
     [one({"name": "test-volume", "awsElasticBlockStore": {"volumeID": None, "fsType": "ext4"}})],
     "1.26", Severity.ERROR, "spec.volumes[0].awsElasticBlockStore.volumeID", "volume_id"),
    ("volumes/required-field", [one({"name": "s", "secret": {"secretName": ""}})], "1.35",
     Severity.ERROR, "spec.volumes[0].secret.secretName", "empty"),
    ("volumes/required-field",
     [persistent_volume("pv", PV_SOURCES["nfs"]) | {"spec": {"nfs": {"path": "/x"}}}], "1.35",
     Severity.ERROR, "spec.nfs.server", "missing"),
    ("volumes/duplicate-volume", [make_pod([EMPTY, {"name": "cache", "emptyDir": {"medium": ""}}],
                                           [{"name": "cache", "mountPath": "/c"}])],
     "1.35", Severity.ERROR, "spec.volumes[1].name", "spec.volumes[0]"),
    ("volumes/unknown-mount", [make_pod([EMPTY], [{"name": "cahce", "mountPath": "/c"}])],
     "1.35", Severity.ERROR, "spec.containers[0].volumeMounts[0].name", "did you mean 'cache'?"),
    ("volumes/unknown-mount", [make_pod([EMPTY], [{"name": "cache", "mountPath": "/c"}],
                                        devices=[{"name": "disk", "devicePath": "/dev/xvda"}])],
     "1.35", Severity.ERROR, "spec.containers[0].volumeDevices[0].name", "disk"),
    ("volumes/duplicate-mount-path",
     [make_pod([EMPTY, SECRET], [{"name": "cache", "mountPath": "/data"},
                                 {"name": "tls", "mountPath": "/data/"}])],
     "1.35", Severity.ERROR, "spec.containers[0].volumeMounts[1].mountPath", "volumeMounts[0]"),
    ("volumes/subpath-conflict", [one(EMPTY, subPath="a", subPathExpr="$(POD_NAME)")], "1.35",
     Severity.ERROR, "spec.containers[0].volumeMounts[0]", "subPathExpr"),
    ("volumes/unused-volume", [make_pod([EMPTY, SECRET], [{"name": "cache", "mountPath": "/c"}])],
     "1.35", Severity.WARNING, "spec.volumes[1]", "'tls'"),
    ("volumes/bidirectional-unprivileged",
     [one({"name": "host", "hostPath": {"path": "/mnt"}}, mountPropagation="Bidirectional")],
     "1.35", Severity.ERROR, "spec.containers[0].volumeMounts[0].mountPropagation",
     "HostToContainer"),
    ("volumes/read-only-source", [one(SECRET, readOnly=False)], "1.35", Severity.ERROR,
     "spec.containers[0].volumeMounts[0].readOnly", "always mounted read-only"),
    ("volumes/read-only-source",
     [one({"name": "n", "nfs": {"server": "s", "path": "/x", "readOnly": True}}, readOnly=False)],
     "1.35", Severity.ERROR, "spec.containers[0].volumeMounts[0].readOnly",
     "source sets readOnly: true"),
    ("volumes/recursive-read-only", [one(EMPTY, recursiveReadOnly="Enabled")], "1.35",
     Severity.ERROR, "spec.containers[0].volumeMounts[0].readOnly", "readOnly: true"),
    ("volumes/recursive-read-only",
     [one(EMPTY, readOnly=True, recursiveReadOnly="Enabled", mountPropagation="HostToContainer")],
     "1.35", Severity.ERROR, "spec.containers[0].volumeMounts[0].mountPropagation", "IfPossible"),
    ("volumes/mount-path-whitespace",
     [make_pod([EMPTY], [{"name": "cache", "mountPath": "/projected -volume"}])], "1.35",
     Severity.WARNING, "spec.containers[0].volumeMounts[0].mountPath", "'/projected-volume'"),
    ("volumes/image-subpath", [one(POD_VOLUMES["image"].to_k8s(), subPath="weights")], "1.32",
     Severity.ERROR, "spec.containers[0].volumeMounts[0]", "from 1.33"),
    ("volumes/unbounded-memory", [one({"name": "m", "emptyDir": {"medium": "Memory"}})], "1.35",
     Severity.WARNING, "spec.volumes[0].emptyDir", "sizeLimit"),
    ("volumes/subpath-no-updates", [one({"name": "c", "configMap": {"name": "app"}},
                                        subPath="app.conf")],
     "1.35", Severity.INFO, "spec.containers[0].volumeMounts[0]", "will not see updates"),
]  # fmt: skip

# (rule id, objects, version): correct YAML the rule must not flag
QUIET: list[tuple[str, list[dict[str, Any]], str]] = [
    ("volumes/removed-plugin", [pod(POD_VOLUMES["portworxVolume"])], "1.35"),
    ("volumes/removed-plugin", [persistent_volume("pv", PV_SOURCES["cephfs"])], "1.30"),
    ("volumes/removed-plugin", [pod(POD_VOLUMES["nfs"]), pod(POD_VOLUMES["csi"])], "1.37"),
    ("volumes/removed-plugin", [pod(POD_VOLUMES["gitRepo"])], "1.37"),  # its own rule
    ("volumes/deprecated-plugin", [pod(POD_VOLUMES["portworxVolume"])], "1.36"),  # removed
    ("volumes/deprecated-plugin", [pod(POD_VOLUMES["nfs"]), pod(POD_VOLUMES["iscsi"])], "1.35"),
    ("volumes/deprecated-plugin", [persistent_volume("pv", PV_SOURCES["csi"])], "1.35"),
    ("volumes/git-repo", [pod(POD_VOLUMES["emptyDir"])], "1.35"),
    ("volumes/feature-gate", [pod(POD_VOLUMES["image"])], "1.35"),
    ("volumes/feature-gate", [pod(LATER_PROJECTIONS["clusterTrustBundle"][0])], "1.37"),
    ("volumes/feature-gate", [pod(POD_VOLUMES["projected"])], "1.28"),
    ("volumes/feature-gate", [one(EMPTY, readOnly=True, recursiveReadOnly="Enabled"),
                              one(EMPTY, recursiveReadOnly="Disabled")], "1.31"),
    ("volumes/feature-gate", [one(EMPTY, recursiveReadOnly="Disabled")], "1.30"),
    ("volumes/missing-source", [one(EMPTY)], "1.35"),
    ("volumes/multiple-sources", [one(EMPTY), one(SECRET)], "1.35"),
    ("volumes/required-field", [pod(v) for v in POD_VOLUMES.values()], "1.35"),
    ("volumes/required-field", [persistent_volume(f"pv{i}", s)
                                for i, s in enumerate(PV_SOURCES.values())], "1.35"),
    # accepted by the API server (and the schema), though they project nothing
    ("volumes/required-field", [one({"name": "d", "downwardAPI": {}}),
                                one({"name": "p", "projected": {"sources": []}})], "1.35"),
    ("volumes/duplicate-volume", [make_pod([EMPTY, SECRET], [{"name": "cache", "mountPath": "/c"},
                                                             {"name": "tls", "mountPath": "/t"}])],
     "1.35"),
    ("volumes/unknown-mount", [make_pod([EMPTY, {"name": "disk", "persistentVolumeClaim": {
        "claimName": "raw"}}], [{"name": "cache", "mountPath": "/c"}],
        devices=[{"name": "disk", "devicePath": "/dev/xvda"}])], "1.35"),
    ("volumes/duplicate-mount-path",
     [make_pod([EMPTY, SECRET], [{"name": "cache", "mountPath": "/data"},
                                 {"name": "tls", "mountPath": "/data/tls"}])], "1.35"),
    ("volumes/subpath-conflict", [one(EMPTY, subPath="a"), one(EMPTY, subPathExpr="$(P)")],
     "1.35"),
    ("volumes/unused-volume", [make_pod([EMPTY, {"name": "disk", "persistentVolumeClaim": {
        "claimName": "raw"}}], [{"name": "cache", "mountPath": "/c"}],
        devices=[{"name": "disk", "devicePath": "/dev/xvda"}])], "1.35"),
    ("volumes/bidirectional-unprivileged",
     [make_pod([{"name": "host", "hostPath": {"path": "/mnt"}}],
               [{"name": "host", "mountPath": "/mnt", "mountPropagation": "Bidirectional"}],
               security_context={"privileged": True}),
      one(EMPTY, mountPropagation="HostToContainer")], "1.35"),
    ("volumes/read-only-source", [one(SECRET, readOnly=True), one(SECRET), one(EMPTY,
                                                                             readOnly=False)],
     "1.35"),
    ("volumes/recursive-read-only", [one(EMPTY, readOnly=True, recursiveReadOnly="Enabled"),
                                     one(EMPTY, recursiveReadOnly="IfPossible")], "1.35"),
    ("volumes/mount-path-whitespace", [one(EMPTY)], "1.35"),
    ("volumes/image-subpath", [one(POD_VOLUMES["image"].to_k8s(), subPath="weights")], "1.33"),
    ("volumes/unbounded-memory", [pod(POD_VOLUMES["emptyDir"]), one(EMPTY)], "1.35"),
    ("volumes/subpath-no-updates", [one({"name": "c", "configMap": {"name": "app"}}),
                                    one(EMPTY, subPath="x")], "1.35"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("rule_id", "objects", "version", "severity", "path", "text"),
    TRIGGERS,
    ids=[f"{t[0]}-{i}" for i, t in enumerate(TRIGGERS)],
)
def test_rule_triggers(
    rule_id: str,
    objects: list[dict[str, Any]],
    version: str,
    severity: Severity,
    path: str,
    text: str,
) -> None:
    found = findings(objects, version, rule_id)
    assert [(f.code, f.severity, f.path) for f in found] == [(rule_id, severity, path)]
    assert text in found[0].message + found[0].hint
    assert found[0].hint, "every finding names a fix"


@pytest.mark.parametrize(
    ("rule_id", "objects", "version"), QUIET, ids=[f"{q[0]}-{i}" for i, q in enumerate(QUIET)]
)
def test_rule_stays_quiet(rule_id: str, objects: list[dict[str, Any]], version: str) -> None:
    assert findings(objects, version, rule_id) == []


def test_every_volume_rule_is_tested_both_ways() -> None:
    ids = {r.id for r in registered_rules() if r.topic == "volumes"}
    assert ids == {t[0] for t in TRIGGERS}
    assert ids == {q[0] for q in QUIET}


def test_every_rule_docstring_cites_the_behaviour() -> None:
    for info in registered_rules():
        if info.topic == "volumes":
            assert info.func.__doc__ and len(info.func.__doc__) > 80, info.id


# -- lifecycle over the whole catalog ----------------------------------------------------------

REMOVED = sorted(k for k, f in CATALOG.items() if f.removed_in is not None and k != "gitRepo")


@pytest.mark.parametrize("key", REMOVED)
def test_each_removed_type_is_an_error_from_its_removal(key: str) -> None:
    facts = CATALOG[key]
    assert facts.removed_in is not None
    removed = max(facts.removed_in, K8sVersion("1.28"))
    objects = [pod(POD_VOLUMES[key])] if facts.pod else []
    objects += [persistent_volume("pv", PV_SOURCES[key])] if facts.pv else []
    found = findings(objects, str(removed), "volumes/removed-plugin")
    assert len(found) == len(objects)
    assert all(f.severity is Severity.ERROR for f in found)
    if facts.csi_driver:
        assert all(facts.csi_driver in f.hint for f in found)
    else:
        assert all(facts.replacement in f.hint for f in found)


@pytest.mark.parametrize("key", [k for k in REMOVED if CATALOG[k].removed_in > "1.28"])  # type: ignore[operator]
def test_each_removed_type_is_only_deprecated_the_version_before(key: str) -> None:
    facts = CATALOG[key]
    before = f"1.{facts.removed_in.minor - 1}"  # type: ignore[union-attr]
    objects = [pod(POD_VOLUMES[key])]
    assert findings(objects, before, "volumes/removed-plugin") == []
    assert [f.severity for f in findings(objects, before, "volumes/deprecated-plugin")] == [
        Severity.WARNING
    ]


def test_current_types_pass_every_volume_rule_at_the_default_version() -> None:
    """The samples of types that are neither deprecated nor gated are clean."""
    clean = [
        pod(v)
        for k, v in POD_VOLUMES.items()
        if CATALOG[k].deprecated_in is None and CATALOG[k].removed_in is None
    ]
    ids = [r.id for r in registered_rules() if r.topic == "volumes"]
    report = check_objects(clean, "1.35", only=ids)
    assert report.findings == ()


def test_rules_do_not_crash_on_malformed_yaml() -> None:
    broken = make_pod(
        ["not a volume", {"name": "x", "emptyDir": None}],  # type: ignore[list-item]
        [{"name": 3, "mountPath": None}, "junk"],  # type: ignore[list-item]
    )
    broken["spec"]["containers"].append("junk")
    ids = [r.id for r in registered_rules() if r.topic == "volumes"]
    report = check_objects([broken, copy.deepcopy(broken) | {"spec": None}], "1.35", only=ids)
    assert "internal/rule-failed" not in report.codes()


@pytest.mark.parametrize(
    "broken",
    [
        # YAML keys need not be strings: `1: x` or `~: x` next to a source's fields
        make_pod([{"name": "v", 1: "x", "pdName": "disk"}]),  # type: ignore[dict-item]
        make_pod([{"name": "v", None: "x"}]),  # type: ignore[dict-item]
        # a mount whose name is a list or a map, next to an image volume (1.32: image-subpath)
        make_pod(
            [{"name": "model", "image": {"reference": "registry.example.com/model:1"}}],
            [
                {"name": ["model"], "mountPath": "/m", "subPath": "w"},
                {"name": {"model": 1}, "mountPath": "/n", "subPath": "w"},
            ],
        ),
    ],
    ids=["int-key", "null-key", "unhashable-mount-name"],
)
def test_rules_do_not_crash_on_odd_keys_and_names(broken: dict[str, Any]) -> None:
    ids = [r.id for r in registered_rules() if r.topic == "volumes"]
    for version in ("1.32", "1.35"):
        report = check_objects([broken], version, only=ids)
        assert "internal/rule-failed" not in report.codes(), report.format()


def test_stray_fields_with_odd_keys_are_still_reported() -> None:
    broken = make_pod([{"name": "v", 1: "x", "pdName": "disk"}])  # type: ignore[dict-item]
    found = findings([broken], "1.35", "volumes/missing-source")
    assert [(f.severity, f.path) for f in found] == [(Severity.ERROR, "spec.volumes[0]")]
