"""Every public constructor and factory, fed wrong-typed values one argument at a time:
the call either succeeds or raises K8sDslError, never a raw TypeError/ValueError/...

The calls are generated from the signatures of whatever the public modules export, so a new
construct or factory is fuzzed as soon as it is exported.
"""

from __future__ import annotations

import base64
import importlib
import inspect
import itertools
import math
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from k8sdsl import App, Chart, Environment, EnvironmentValues, K8sDslError
from k8sdsl.core import Cluster
from k8sdsl.core._construct import Construct
from k8sdsl.core._model import K8sModel
from k8sdsl.network import IngressBackend, IngressRule
from k8sdsl.security import (
    AcmeSolver,
    ClusterPki,
    ExternalSecretData,
    IssuerRef,
    KubeletConfiguration,
    PkiNode,
    PolicyRule,
    ResourceRule,
    SecretStoreRef,
    SelfSignedIssuer,
    Subject,
    Validation,
)
from k8sdsl.volumes import NfsVolumeSource
from k8sdsl.workloads import Deployment, SecurePodTemplate

IMAGE = "registry.example.com/team/app:1.0"
#: a real PKCS#10 request (CN=jane), made once with cryptography; its key was never kept
JANE_CSR = """-----BEGIN CERTIFICATE REQUEST-----
MIHJMHECAQAwDzENMAsGA1UEAwwEamFuZTBZMBMGByqGSM49AgEGCCqGSM49AwEH
A0IABDkNSNC9EDhszP0e6YaOlkbQ46X+9szmguF9pbTzf9TxxZFd2T1It9w1aEHf
1adVIhkGYk9atspZxjZ51sP+p9+gADAKBggqhkjOPQQDAgNIADBFAiAxaScHjeLb
AUxSXuEKjEzRK1CVUKvMHU885fVaYZa+xAIhAMv4HKk9aBQsW8h7XPz4S75oCc1+
P5BeE/RcxHN4+lPj
-----END CERTIFICATE REQUEST-----
"""
PUBLIC_MODULES = (
    "k8sdsl",
    "k8sdsl.workloads",
    "k8sdsl.network",
    "k8sdsl.storage",
    "k8sdsl.volumes",
    "k8sdsl.security",
    "k8sdsl.core",
)
BAD_VALUES: tuple[Any, ...] = (
    None,
    True,
    False,
    0,
    -1,
    1.5,
    math.nan,
    [],
    ["a"],
    {},
    {"app": None},
    b"x",
    object(),
    "",
    "1GB",
    "Bad Name",
)

#: valid values for the required arguments that a bare sample cannot make up
VALID: dict[str, Any] = {
    "template": SecurePodTemplate(image=IMAGE),
    "source": NfsVolumeSource(server="nfs.example.com", path="/data"),
    "capacity": "1Gi",
    "storage": "1Gi",
    "access_modes": ["ReadWriteOnce"],
    "ports": [80],
    "selector": {"app": "web"},
    "pod_selector": {"app": "web"},
    "validations": [Validation(expression="true")],
    "resource_rules": [ResourceRule(api_groups=[""], api_versions=["v1"], resources=["pods"])],
    "policy": "policy",
    "provisioner": "ebs.csi.aws.com",
    "server": "nfs.example.com",
    "path": "/data",
    "image": IMAGE,
    "rules": [PolicyRule.read("pods")],
    "subjects": [Subject.user("jane")],
    "subject": Subject.user("jane"),
    "verbs": ["get"],
    "schedule": "@daily",
    "controller": "k8s.io/ingress-nginx",
    "backend": IngressBackend.service_name("web", port=80),
    "store": SecretStoreRef.of("vault"),
    # what kubeseal writes: a 2-byte length, a 256-byte session key, the ciphertext
    "encrypted_data": {"token": base64.b64encode(b"\x01\x00" + b"k" * 256 + b"c" * 32).decode()},
    "request": JANE_CSR,
    "signer_name": "kubernetes.io/kube-apiserver-client",
    "usages": ["client auth"],
    "config": SelfSignedIssuer(),
    "issuer": IssuerRef("selfsigned"),
    "solvers": [AcmeSolver.http01_ingress()],
    "pki": ClusterPki.of(Cluster(), control_plane=[PkiNode("cp-1")]),
    "trust_bundle": "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n",
}


#: required arguments that are constructs: made in the chart of the call
MADE: dict[str, Callable[[Chart], Any]] = {
    "scale_target": lambda chart: Deployment(
        chart, f"target{next(Target.counter)}", template=VALID["template"]
    ),
    "workload": lambda chart: Deployment(
        chart, f"workload{next(Target.counter)}", template=VALID["template"]
    ),
}


class _Made:
    """An argument made in the chart of the call (a construct it takes by reference)."""

    def __init__(self, make: Callable[[Chart], Any]) -> None:
        self.make = make


def _git_repository(chart: Chart) -> Any:
    from k8sdsl.gitops import FluxGitRepository

    return FluxGitRepository(
        chart, f"repo{next(Target.counter)}", url="https://git.example.com/apps.git"
    )


#: optional arguments a valid call of a construct needs all the same
EXTRA: dict[str, dict[str, Any]] = {
    "NetworkPolicy": {"ingress": [IngressRule()]},
    "Ingress": {"default_backend": IngressBackend.service_name("web", port=80)},
    "Grant": {"read": ["pods"]},
    "ExternalSecret": {"data": [ExternalSecretData.of("password", key="shop/db")]},
    "PodDisruptionBudget": {"max_unavailable": 1},
    "FluxKustomization": {"source": _Made(_git_repository)},
    "ArgoCdApplicationSet": {
        "environments": [Environment(name="dev", values=EnvironmentValues())],
        "repo_url": "https://git.example.com/apps.git",
        "app_name": "web",
    },
    "ConfigFile": {"path": "nodes/fuzz/kubelet-config.yaml", "document": KubeletConfiguration()},
    "TextFile": {"path": "pki/fuzz.sh", "text": "true"},
    "Certificate": {"dns_names": ["a.example.com"]},
    "ClusterPkiFiles": {"folder": "pki-fuzz"},
}


def _public() -> Iterator[type[Any]]:
    seen: set[type[Any]] = set()
    for name in PUBLIC_MODULES:
        module = importlib.import_module(name)
        for attr in getattr(module, "__all__", []):
            obj = getattr(module, attr)
            if isinstance(obj, type) and issubclass(obj, (Construct, K8sModel)):
                if obj not in seen and obj not in (Construct, K8sModel):
                    seen.add(obj)
                    yield obj


def _sample(name: str, param: inspect.Parameter) -> Any:
    if name in VALID:
        return VALID[name]
    text = str(param.annotation)
    if text.startswith(("int", "Port")):
        return 1
    if text.startswith("bool"):
        return True
    if text.startswith(("Sequence", "Iterable", "tuple", "list")):
        return ["a"]
    if text.startswith("Mapping"):
        return {"a": "b"}
    return "a"


class Target:
    """One public callable: a constructor (scope, id given) or a factory."""

    counter = itertools.count()

    def __init__(self, label: str, func: Callable[..., Any], construct: bool) -> None:
        self.label = label
        self.func = func
        self.construct = construct
        sig = inspect.signature(func)
        self.params = {
            n: p
            for n, p in sig.parameters.items()
            if n not in ("self", "cls") and p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD)
        }

    def call(self, app: App, chart: Chart, override: tuple[str, Any] | None) -> None:
        positional: list[Any] = []
        keywords: dict[str, Any] = {}
        for name, p in self.params.items():
            if override is not None and name == override[0]:
                value = override[1]
            elif name == "scope":
                value = chart
            elif name == "app":
                value = app
            elif name == "id":
                value = f"x{next(self.counter)}"
            elif p.default is not p.empty:
                continue
            elif name in MADE:
                value = MADE[name](chart)
            else:
                value = _sample(name, p)
            if p.kind is p.POSITIONAL_ONLY or name in ("scope", "app", "id"):
                positional.append(value)
            else:
                keywords[name] = value
        for name, value in EXTRA.get(self.label, {}).items():
            if override is None or override[0] != name:
                keywords[name] = value.make(chart) if isinstance(value, _Made) else value
        if self.label in ("SecurePod", "Pod") and (override is None or override[0] != "image"):
            keywords.setdefault("image" if self.label == "SecurePod" else "containers", IMAGE)
            if self.label == "Pod":
                keywords.pop("containers")
                keywords["template"] = VALID["template"]
        self.func(*positional, **keywords)


def _targets() -> list[Target]:
    targets: list[Target] = []
    for cls in _public():
        if issubclass(cls, Construct) and cls is not App:
            targets.append(Target(cls.__name__, cls, construct=True))
        for name, attr in vars(cls).items():
            if isinstance(attr, classmethod) and not name.startswith("_"):
                if name == "from_file":  # reads a file: tested in test_cluster
                    continue
                targets.append(Target(f"{cls.__name__}.{name}", getattr(cls, name), False))
    return sorted(targets, key=lambda t: t.label)


TARGETS = _targets()


def test_the_fuzz_covers_every_public_construct() -> None:
    labels = {t.label for t in TARGETS}
    assert {"ConfigMap", "Deployment", "SecurePod", "Service", "NetworkPolicy"} <= labels
    assert {"ContainerPort.tcp", "ServicePort.tcp", "PersistentVolume.nfs"} <= labels
    assert {"Ingress", "IngressClass", "IngressBackend.service", "IngressPath.prefix"} <= labels
    assert {"Affinity.one_per_node", "TopologySpreadConstraint.spread_over_zones"} <= labels
    assert "ConfigMap.from_files" in labels
    assert len(TARGETS) > 100


def test_the_valid_baselines_are_valid(tmp_path: Path) -> None:
    app = App(outdir=tmp_path / "dist")
    chart = Chart(app, "base", namespace="apps")
    for target in TARGETS:
        if target.construct:
            target.call(app, chart, None)  # raises if a baseline is wrong


def test_no_wrong_type_ends_in_a_raw_exception(tmp_path: Path) -> None:
    app = App(outdir=tmp_path / "dist")
    chart = Chart(app, "fuzz", namespace="apps")
    raw: list[str] = []
    calls = 0
    for target in TARGETS:
        for name in target.params:
            if name == "id" and target.construct:
                continue
            for bad in BAD_VALUES:
                calls += 1
                try:
                    target.call(app, chart, (name, bad))
                except K8sDslError:
                    pass
                except Exception as exc:  # noqa: BLE001 - that is what this test looks for
                    raw.append(f"{target.label}({name}={bad!r}): {type(exc).__name__}: {exc}")
        # a misspelt keyword, at every constructor and factory
        calls += 1
        try:
            target.func(**{"nmae": "x"})
        except K8sDslError as exc:
            assert "construct/unknown-argument" in exc.codes or exc.codes, target.label
        except Exception as exc:  # noqa: BLE001
            raw.append(f"{target.label}(nmae=...): {type(exc).__name__}: {exc}")
    assert calls > 2000
    assert raw == [], f"{len(raw)} of {calls} calls ended in a raw exception:\n" + "\n".join(
        raw[:40]
    )


def test_app_arguments_are_fuzzed_too(tmp_path: Path) -> None:
    for name in inspect.signature(App).parameters:
        for bad in BAD_VALUES:
            try:
                App(**{name: bad})
            except K8sDslError:
                pass


@pytest.mark.parametrize("bad", [True, False])
def test_bool_is_not_an_int_anywhere(bad: bool) -> None:
    from k8sdsl.workloads import ContainerPort, ServicePort

    for factory in (ContainerPort.tcp, ServicePort.tcp):
        with pytest.raises(K8sDslError) as info:
            factory(bad)
        assert info.value.codes == ["construct/argument-type"]
