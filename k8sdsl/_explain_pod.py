"""``k8sdsl explain pod``: the life of a workload's pods as the cluster would run them.

The rules already decide what would go wrong; this module does not check anything itself.
It runs the rule book once (:func:`k8sdsl._pipeline.check_manifests`), keeps the findings
that sit on the workload, on the claims its pods mount, on the Services that select them and
on the NetworkPolicies that select them, and places each finding at the stage where the
cluster would stop, with the status ``kubectl get pods`` would show, through one table,
:data:`OUTCOMES`. The stages follow the order in which a pod meets the cluster:

1. admission: the API server validates the object; the controller creates pods, which Pod
   Security admission and the ServiceAccount admission plugin may refuse (``FailedCreate``
   on the ReplicaSet);
2. scheduling: claims must exist and bind, replicas must fit the declared nodes (``Pending``);
3. container creation: the kubelet mounts volumes (``ContainerCreating`` with
   ``FailedMount``), pulls the image (``ImagePullBackOff``), resolves env from ConfigMaps and
   Secrets (``CreateContainerConfigError``);
4. start: the process runs (``CrashLoopBackOff``);
5. readiness: the readiness probe decides when the pod gets traffic (not Ready);
6. traffic: Services send traffic to its ports, policies let clients and DNS through.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from k8sdsl._pipeline import check_manifests, rule_settings
from k8sdsl.core._cluster import Cluster
from k8sdsl.core._findings import Finding, K8sDslError, ObjectRef, Severity
from k8sdsl.core._manifest import Manifest
from k8sdsl.core._podspecs import PodSpecRef, pod_specs
from k8sdsl.core._selectors import LabelSelector
from k8sdsl.core._suggest import suggest
from k8sdsl.core._versions import DEFAULT_VERSION, K8sVersion
from k8sdsl.rules.pod_security import ENFORCE_LABEL
from k8sdsl.rules.references import references

#: the stages of a pod's life, in the order the cluster goes through them
STAGES: tuple[str, ...] = (
    "admission",
    "scheduling",
    "container creation",
    "start",
    "readiness",
    "traffic",
)

#: the kinds ``explain pod`` explains, and the kind whose events say it could not make pods
WORKLOAD_KINDS: dict[str, str] = {
    "Pod": "Pod",
    "Deployment": "ReplicaSet",
    "ReplicaSet": "ReplicaSet",
    "StatefulSet": "StatefulSet",
    "DaemonSet": "DaemonSet",
    "Job": "Job",
    "CronJob": "Job",
    "ReplicationController": "ReplicationController",
}

#: kubectl's names for the kinds (``kubectl get deploy``), accepted in ``NS/KIND/NAME``
_KIND_ALIASES: dict[str, str] = {
    "po": "Pod",
    "deploy": "Deployment",
    "rs": "ReplicaSet",
    "sts": "StatefulSet",
    "ds": "DaemonSet",
    "cj": "CronJob",
    "rc": "ReplicationController",
    **{k.lower(): k for k in WORKLOAD_KINDS},
    **{k.lower() + "s": k for k in WORKLOAD_KINDS},
}

#: ``kubectl exec`` takes these forms of a workload (it picks one of its pods)
_EXEC_FORMS = {"Deployment": "deploy", "StatefulSet": "sts", "DaemonSet": "ds", "Job": "job"}

_DEFAULT_NAMESPACE = "default"

# the kubectl commands that confirm a status on a live cluster; {placeholders} are filled
# per problem (see _Context.command)
_DRY_RUN = "kubectl apply --dry-run=server -f {file}"
_FAILED_CREATE = (
    "kubectl get events -n {ns} --field-selector involvedObject.kind={creator},reason=FailedCreate"
)
_DESCRIBE = "kubectl describe pod -n {ns} {pods}"
_CLAIM = "kubectl get pvc -n {ns} {name}"
_CLAIM_NAMED = "kubectl get pvc -n {ns} {value}"
_CONFIGMAP = "kubectl get configmap -n {ns} {value}"
_SECRET = "kubectl get secret -n {ns} {value}"
_LOGS = "kubectl logs -n {ns} {exec} --previous"
_ENDPOINTS = "kubectl get endpointslices -n {ns} -l kubernetes.io/service-name={name}"
_POLICY = "kubectl describe networkpolicy -n {ns} {name}"
_DNS = "kubectl exec -n {ns} {exec} -- nslookup kubernetes.default"

INVALID = "Invalid (the API server refuses the object)"
FAILED_CREATE = "FailedCreate (admission forbids its pods)"
PENDING = "Pending"
CONTAINER_CREATING = "ContainerCreating"
IMAGE_PULL = "ImagePullBackOff"
CONFIG_ERROR = "CreateContainerConfigError"
INVALID_IMAGE = "InvalidImageName"
CRASH_LOOP = "CrashLoopBackOff"
NOT_READY = "Running, not Ready"
NO_ENDPOINTS = "Running, no traffic"
NO_DNS = "Running, DNS fails"


@dataclass(frozen=True)
class Outcome:
    """What the cluster shows for a finding: its stage (1-6), the status and the command
    that confirms it. ``path`` (a regular expression searched in the finding's field path)
    tells apart findings of one code that the cluster meets differently: a missing
    ConfigMap in a volume is ``ContainerCreating``, in env ``CreateContainerConfigError``."""

    code: str
    stage: int
    status: str
    kubectl: str
    path: str = ""


_VOLUME = r"\.volumes\["
_PULL = r"imagePullSecrets\["
_ACCOUNT = r"serviceAccountName$"

#: the one table from finding codes to the life of a pod, in cluster order within a stage
#: (the first row of a code whose ``path`` matches wins)
OUTCOMES: tuple[Outcome, ...] = (
    # -- 1 admission: the object itself, then its pods --------------------------------
    *(
        Outcome(code, 1, INVALID, _DRY_RUN)
        for code in (
            "yaml/duplicate-key",
            "schema/invalid",
            "schema/enum",
            "schema/required",
            "schema/type",
            "schema/unknown-field",
            "schema/removed-api",
            "metadata/names",
            "workloads/replicas",
            "workloads/port-range",
            "workloads/quantity",
            "value/quantity",
            "workloads/restart-policy",
            "workloads/selector-mismatch",
            "workloads/toleration",
            "workloads/claim-template-storage",
            "workloads/claim-template-volume",
            "workloads/cron-schedule",
            "workloads/cron-time-zone",
            "workloads/cron-name-length",
            "workloads/cron-limits",
            "network/dns-config-missing",
            "volumes/duplicate-volume",
            "volumes/missing-source",
            "volumes/multiple-sources",
            "volumes/required-field",
            "volumes/unknown-mount",
            "volumes/duplicate-mount-path",
            "volumes/mount-path-whitespace",
            "volumes/subpath-conflict",
            "volumes/image-subpath",
            "volumes/recursive-read-only",
            "volumes/bidirectional-unprivileged",
            "volumes/feature-gate",
        )
    ),
    Outcome(
        "references/missing-object",
        1,
        FAILED_CREATE,
        "kubectl get serviceaccount -n {ns} {value}",
        _ACCOUNT,
    ),
    *(
        Outcome(f"pod-security/{control}", 1, FAILED_CREATE, _FAILED_CREATE)
        for control in (
            "privileged",
            "host-namespaces",
            "host-ports",
            "host-path-volumes",
            "host-process",
            "host-probes",
            "capabilities-baseline",
            "capabilities-restricted",
            "privilege-escalation",
            "run-as-non-root",
            "run-as-user",
            "seccomp-baseline",
            "seccomp-restricted",
            "apparmor",
            "selinux",
            "proc-mount",
            "sysctls",
            "volume-types",
        )
    ),
    # -- 2 scheduling: claims, then placement on the declared nodes -----------------------
    Outcome("storage/missing-claim", 2, PENDING, _CLAIM_NAMED),
    Outcome("storage/required-field", 2, PENDING, _CLAIM),
    Outcome("storage/claim-data-source", 2, PENDING, _CLAIM),
    Outcome("storage/read-write-once-pod-exclusive", 2, PENDING, _CLAIM),
    Outcome("storage/volume-attributes-class-gate", 2, PENDING, _CLAIM),
    Outcome("storage/unreserved-prebinding", 2, PENDING, _CLAIM),
    Outcome("storage/competing-claims", 2, PENDING, _CLAIM),
    Outcome("storage/unbound-claim", 2, PENDING, _CLAIM),
    Outcome("storage/unknown-class", 2, PENDING, _CLAIM),
    Outcome("storage/default-class-trap", 2, PENDING, _CLAIM),
    Outcome("workloads/claim-template-class", 2, PENDING, _DESCRIBE),
    Outcome("workloads/no-matching-node", 2, PENDING, _DESCRIBE),
    Outcome("workloads/anti-affinity-replicas", 2, PENDING, _DESCRIBE),
    # -- 3 container creation: volumes, image, then env -----------------------------------
    Outcome("references/missing-object", 3, CONTAINER_CREATING, _DESCRIBE, _VOLUME),
    Outcome("references/missing-key", 3, CONTAINER_CREATING, _DESCRIBE, _VOLUME),
    Outcome("storage/multi-attach", 3, CONTAINER_CREATING, _DESCRIBE),
    Outcome("volumes/removed-plugin", 3, CONTAINER_CREATING, _DESCRIBE),
    Outcome("volumes/git-repo", 3, CONTAINER_CREATING, _DESCRIBE),
    Outcome("volumes/deprecated-plugin", 3, CONTAINER_CREATING, _DESCRIBE),
    Outcome("volumes/csi-migration", 3, CONTAINER_CREATING, _DESCRIBE),
    Outcome("storage/csi-migration", 3, CONTAINER_CREATING, _DESCRIBE),
    Outcome("images/invalid-reference", 3, INVALID_IMAGE, _DESCRIBE),
    Outcome("references/missing-object", 3, IMAGE_PULL, _SECRET, _PULL),
    Outcome("images/pull-secret", 3, IMAGE_PULL, _SECRET),
    Outcome("references/missing-object", 3, CONFIG_ERROR, _DESCRIBE),
    Outcome("references/missing-key", 3, CONFIG_ERROR, _DESCRIBE),
    # -- 4 start --------------------------------------------------------------------------
    Outcome("workloads/probe-port", 4, CRASH_LOOP, _DESCRIBE, r"(liveness|startup)Probe\."),
    Outcome("volumes/read-only-source", 4, CRASH_LOOP, _LOGS),
    # -- 5 readiness ----------------------------------------------------------------------
    Outcome("workloads/probe-port", 5, NOT_READY, _DESCRIBE),
    # -- 6 traffic: Services, policies, DNS -----------------------------------------------
    Outcome("references/unknown-target-port", 6, NO_ENDPOINTS, _ENDPOINTS),
    Outcome("workloads/statefulset-service", 6, NO_ENDPOINTS, _ENDPOINTS),
    Outcome("network/unknown-named-port", 6, NO_ENDPOINTS, _POLICY),
    Outcome("network/policy-not-enforced", 6, "Running, policies not enforced", _POLICY),
    Outcome("network/dns-egress-blocked", 6, NO_DNS, _DNS),
    Outcome("network/host-network-dns", 6, NO_DNS, _DNS),
)

#: families whose codes are never about a pod's life: the cluster's own configuration, RBAC,
#: and errors of Python values and constructs, which stop a program before any manifest
NOT_ABOUT_POD_FAMILIES: frozenset[str] = frozenset(
    {
        "abac",
        "admission",  # the policies' own validity; a policy's verdict on pods is not evaluated
        "apiserver",
        "calico",
        "cdk8s",
        "chart",
        "cluster",
        "cni",
        "configmap",
        "construct",
        "crd",  # a CRD file given to register_crd or check --crd that is not one (usage)
        "environments",  # what prod promises (replicas, budgets, pinned images), not a pod's fate
        "flannel",
        "gitops",
        "internal",
        "kubeconfig",
        "kubelet",
        "kustomize",
        "rbac",
        "secret",
        "synth",
        "tls",  # certificates and their issuers: an Ingress's TLS, not whether pods run
        "value",
        "yaml",  # unreadable input: explain pod refuses it before any stage
    }
)

#: codes of other families that are not about whether a workload's pods run: they sit on
#: objects explain pod does not follow (PersistentVolumes, classes, Ingresses, autoscalers,
#: budgets, policies' own syntax, a Service or policy that selects nothing), or they are
#: advice a running pod does not show (digests, SecurePod's hardening); ``k8sdsl check``
#: reports them
NOT_ABOUT_PODS: frozenset[str] = frozenset(
    {
        "app/duplicate-object",
        "app/jobs",
        "app/k8s-version",
        "app/shard",
        "images/digest",
        "images/registry",
        "images/tag",
        "metadata/cluster-scoped",
        "metadata/config-data",
        "metadata/dns-1035-label",
        "network/cluster-overlap",
        "network/end-port-range",
        "network/except-outside-cidr",
        "network/ignored-rules",
        "network/implicit-policy-types",
        "network/invalid-cidr",
        "network/invalid-peer",
        "network/invalid-port",
        "network/ipblock-covers-pods",
        "network/no-direction",
        "network/policy-type",
        "network/probe-namespace",
        "network/selects-no-pod",
        "network/ingress-backend",
        "network/ingress-backend-source",
        "network/ingress-class",
        "network/ingress-empty",
        "network/ingress-host",
        "network/ingress-path",
        "network/ingress-port",
        "network/ingress-tls-host",
        "network/ingress-tls-secret",
        "pod-security/probes",
        "pod-security/read-only-root-filesystem",
        "pod-security/resources",
        "pod-security/run-as-user-below-10000",
        "pod-security/secret-env",
        "pod-security/service-account-token",
        "references/missing-secret-store",  # on the ExternalSecret; its Secret is followed
        "references/service-selects-no-pod",
        "schema/config-version",
        "schema/unknown-kind",
        "storage/access-mode-unsupported",
        "storage/claim-ref-namespace",
        "storage/class-reclaim-policy",
        "storage/dangling-claim-ref",
        "storage/delete-unsupported",
        "storage/dynamic-provisioning",
        "storage/local-immediate-binding",
        "storage/local-node-affinity",
        "storage/mount-options-unsupported",
        "storage/multiple-default-classes",
        "storage/nfs-namespace",
        "storage/oversized-volume",
        "storage/recycle-deprecated",
        "storage/recycle-unsupported",
        "storage/waiting-for-consumer",
        "volumes/subpath-no-updates",
        "volumes/unbounded-memory",
        "volumes/unknown-type",
        "volumes/unused-volume",
        "workloads/expose-no-port",
        "workloads/hpa-range",
        "workloads/hpa-replicas",
        "workloads/hpa-requests",
        "workloads/hpa-target",
        "workloads/pdb-blocks-eviction",
        "workloads/pdb-overlap",
        "workloads/pdb-selects-nothing",
        "workloads/probe-mount-path",  # SecurityContextProbe's argument, raised at build
        "workloads/spread-labels",
        "yaml/invalid-list",
        "yaml/no-objects",
        "yaml/not-an-object",
        "yaml/not-kubernetes",
    }
)


def outcome_for(finding: Finding) -> tuple[int, Outcome] | None:
    """The table row of a finding (its index orders problems within a stage), or None for
    codes that are not about a pod's life."""
    for index, row in enumerate(OUTCOMES):
        if row.code == finding.code and (not row.path or re.search(row.path, finding.path)):
            return index, row
    return None


@dataclass(frozen=True)
class Problem:
    """One finding placed in a pod's life: the status the cluster would show, and how to
    see it there. ``certain`` is False for warnings (it depends on what the files do not
    say: an object made outside the app, the cluster's default class)."""

    stage: int
    status: str
    finding: Finding
    kubectl: str
    order: int

    @property
    def certain(self) -> bool:
        return self.finding.severity is Severity.ERROR

    def to_dict(self) -> dict[str, Any]:
        f = self.finding
        return {
            "status": self.status,
            "certain": self.certain,
            "code": f.code,
            "severity": f.severity.value,
            "message": f.message,
            "hint": f.hint,
            "object": f.obj.describe(),
            "path": f.path,
            "kubectl": self.kubectl,
        }


@dataclass(frozen=True)
class Stage:
    """One stage of the life: its problems in cluster order, and what was checked."""

    number: int
    name: str
    problems: tuple[Problem, ...]
    checked: tuple[str, ...]

    @property
    def fails(self) -> bool:
        return any(p.certain for p in self.problems)

    def to_dict(self) -> dict[str, Any]:
        return {
            "number": self.number,
            "name": self.name,
            "fails": self.fails,
            "problems": [p.to_dict() for p in self.problems],
            "checked": list(self.checked),
        }


@dataclass(frozen=True)
class PodLife:
    """The life of a workload's pods, stage by stage."""

    workload: ObjectRef
    stages: tuple[Stage, ...]

    @property
    def runs(self) -> bool:
        """Whether the pods would run and serve: no stage fails."""
        return not any(s.fails for s in self.stages)

    @property
    def problems(self) -> list[Problem]:
        return [p for s in self.stages for p in s.problems]

    def to_dict(self) -> dict[str, Any]:
        w = self.workload
        return {
            "workload": {
                "kind": w.kind,
                "name": w.name,
                "namespace": w.namespace or _DEFAULT_NAMESPACE,
                "source": w.source,
            },
            "runs": self.runs,
            "stages": [s.to_dict() for s in self.stages],
        }

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), indent=2, sort_keys=True)

    def format(self) -> str:
        w = self.workload
        head = f"{w.kind} {w.namespace or _DEFAULT_NAMESPACE}/{w.name}"
        failing = [s for s in self.stages if s.fails]
        if failing:
            verdict = (
                f"its pods would not run: the cluster stops at stage {failing[0].number} "
                f"({failing[0].name}); later stages show what follows once that is fixed"
            )
        elif self.problems:
            verdict = "its pods would run, with the risks below"
        else:
            verdict = "its pods would run"
        lines = [f"{head} ({w.source}): {verdict}"]
        for s in self.stages:
            mark = "FAILS" if s.fails else ("risk" if s.problems else "ok")
            lines.append("")
            lines.append(f"{s.number}. {s.name}: {mark}")
            for p in s.problems:
                f = p.finding
                status = p.status if p.certain else f"risk: {p.status}"
                where = f" {f.path}:" if f.path else ":"
                obj = "" if _same(f.obj, self.workload) else f" {f.obj.kind} {f.obj.name}"
                lines.append(f"   {status}  [{f.code}]{obj}{where} {f.message}")
                if f.hint:
                    lines.append(f"      fix: {f.hint}")
                lines.append(f"      confirm: {p.kubectl}")
            if not s.problems:
                lines.extend(f"   checked: {note}" for note in s.checked)
        return "\n".join(lines)


def _same(a: ObjectRef, b: ObjectRef) -> bool:
    return (a.kind, a.name, a.namespace) == (b.kind, b.name, b.namespace)


def _d(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _l(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _ns(m: Manifest) -> str:
    return m.namespace or _DEFAULT_NAMESPACE


# -- finding the workload ----------------------------------------------------------------


def _target_error(code: str, message: str, hint: str) -> K8sDslError:
    return K8sDslError(
        [Finding(Severity.ERROR, code, message, ObjectRef(kind="explain pod"), "", hint)],
        summary="cannot explain the pod",
    )


def find_workload(manifests: Sequence[Manifest], target: str) -> Manifest:
    """The Pod or workload ``target`` names: ``NAMESPACE/NAME``, ``NAMESPACE/KIND/NAME``
    (``KIND`` as kubectl names it: Deployment, deploy, sts...) or ``NAME`` in the default
    namespace. Raises :class:`K8sDslError` for a name no workload has (with a "did you
    mean"), or one that two kinds share (naming both forms)."""
    parts = target.split("/")
    if len(parts) == 1:
        parts = [_DEFAULT_NAMESPACE, *parts]
    kind: str | None = None
    if len(parts) == 3:
        alias = _KIND_ALIASES.get(parts[1].lower())
        if alias is None:
            raise _target_error(
                "explain/invalid-target",
                f"{parts[1]!r} in {target!r} is not a kind of workload",
                "use one of " + ", ".join(sorted(WORKLOAD_KINDS)),
            )
        kind = alias
        parts = [parts[0], parts[2]]
    if len(parts) != 2 or not all(parts):
        raise _target_error(
            "explain/invalid-target",
            f"{target!r} is not NAMESPACE/NAME or NAMESPACE/KIND/NAME",
            "write it as kubectl would: shop/web or shop/Deployment/web",
        )
    namespace, name = parts
    workloads = [m for m in manifests if m.kind in WORKLOAD_KINDS]
    found = [
        m
        for m in workloads
        if m.name == name and _ns(m) == namespace and (kind is None or m.kind == kind)
    ]
    if len(found) == 1:
        return found[0]
    if len(found) > 1:
        kinds = sorted({m.kind for m in found})
        if len(kinds) > 1:
            raise _target_error(
                "explain/ambiguous-workload",
                f"{namespace}/{name} is a " + " and a ".join(kinds),
                "say which: " + " or ".join(f"{namespace}/{k}/{name}" for k in kinds),
            )
        return found[0]  # the same object twice: check reports app/duplicate-object
    candidates = sorted({f"{_ns(m)}/{m.name}" for m in workloads})
    guess = suggest(f"{namespace}/{name}", candidates)
    if guess is None:
        same_name = sorted(c for c in candidates if c.endswith(f"/{name}"))
        guess = same_name[0] if same_name else None
    what = f"no {kind}" if kind else "no Pod or workload"
    raise _target_error(
        "explain/unknown-workload",
        f"{what} {namespace}/{name} among the files",
        f"did you mean {guess}?"
        if guess
        else (
            "the files have: " + ", ".join(candidates[:10])
            if candidates
            else "the files have no Pod or workload"
        ),
    )


# -- the objects around it ---------------------------------------------------------------


@dataclass
class _Around:
    """The workload and the objects whose findings concern its pods."""

    workload: Manifest
    pods: list[PodSpecRef]
    claims: list[str] = field(default_factory=list)
    services: list[Manifest] = field(default_factory=list)
    policies: list[Manifest] = field(default_factory=list)
    namespace: Manifest | None = None

    def related(self) -> set[tuple[str, str, str]]:
        ns = _ns(self.workload)
        keys = {(self.workload.kind, self.workload.name, ns)}
        keys |= {("PersistentVolumeClaim", c, ns) for c in self.claims}
        keys |= {(m.kind, m.name, ns) for m in [*self.services, *self.policies]}
        return keys


def _pod_labels(pods: Iterable[PodSpecRef]) -> dict[str, str]:
    labels: dict[str, str] = {}
    for ps in pods:
        labels.update(ps.labels)
    return labels


def _selects(selector: Any, labels: dict[str, str]) -> bool:
    try:
        return LabelSelector.from_k8s(_d(selector)).matches(labels)
    except (ValueError, TypeError):  # a malformed selector: the schema reports it
        return False


def _around(manifests: Sequence[Manifest], workload: Manifest) -> _Around:
    ns = _ns(workload)
    pods = list(pod_specs(workload))
    labels = _pod_labels(pods)
    around = _Around(workload, pods)
    for ps in pods:
        for volume in _l(ps.spec.get("volumes")):
            claim = _d(_d(volume).get("persistentVolumeClaim")).get("claimName")
            if isinstance(claim, str) and claim and claim not in around.claims:
                around.claims.append(claim)
    for m in manifests:
        if m.kind == "Namespace" and m.name == ns:
            around.namespace = m
        if _ns(m) != ns:
            continue
        spec = _d(m.obj.get("spec"))
        if m.kind == "Service" and spec.get("type") != "ExternalName":
            selector = spec.get("selector")
            if isinstance(selector, dict) and selector and labels:
                if all(labels.get(str(k)) == str(v) for k, v in selector.items()):
                    around.services.append(m)
        elif (
            m.kind == "NetworkPolicy"
            and m.api_version.startswith("networking.k8s.io/")
            and _selects(spec.get("podSelector"), labels)
        ):
            around.policies.append(m)
    return around


# -- placing the findings ----------------------------------------------------------------


class _Commands:
    """Fills the placeholders of the table's kubectl commands for one workload."""

    def __init__(self, around: _Around, manifests: Sequence[Manifest]) -> None:
        w = around.workload
        self.workload = w
        self.ns = _ns(w)
        self.by_identity = {(m.kind, m.name, _ns(m)): m for m in manifests}
        if w.kind == "Pod":
            self.pods = w.name
            self.exec = w.name
        else:
            match = _d(_d(w.obj.get("spec")).get("selector")).get("matchLabels")
            if w.kind == "ReplicationController":
                match = _d(w.obj.get("spec")).get("selector")
            labels = _d(match) or _pod_labels(around.pods)
            if not labels and w.kind == "Job":
                labels = {"job-name": w.name}
            selector = ",".join(f"{k}={v}" for k, v in sorted(labels.items()))
            self.pods = f"-l {selector}" if selector else ""
            form = _EXEC_FORMS.get(w.kind)
            self.exec = (
                f"{form}/{w.name}"
                if form
                else f"$(kubectl get pod -n {self.ns} {self.pods} -o name | head -1)"
            )

    def command(self, template: str, finding: Finding) -> str:
        holder = self.by_identity.get(
            (finding.obj.kind, finding.obj.name, finding.obj.namespace or _DEFAULT_NAMESPACE),
            self.workload,
        )
        value = _value_at(holder.obj, finding.path)
        source = holder.source.rsplit(":", 1)[0] if ":" in holder.source else holder.source
        return " ".join(
            template.format(
                ns=self.ns,
                pods=self.pods,
                exec=self.exec,
                creator=WORKLOAD_KINDS[self.workload.kind],
                file=source or "FILE",
                name=finding.obj.name,
                value=value if isinstance(value, str) else finding.obj.name,
            ).split()
        )


_PATH_PART = re.compile(r"([^.\[\]]+)|\[(\d+)\]")


def _value_at(obj: Any, path: str) -> Any:
    """The value at a finding's field path (``spec.volumes[1].persistentVolumeClaim``)."""
    node = obj
    for key, index in _PATH_PART.findall(path):
        if key:
            node = node.get(key) if isinstance(node, dict) else None
        else:
            node = node[int(index)] if isinstance(node, list) and int(index) < len(node) else None
    return node


def _problems(findings: Iterable[Finding], around: _Around, commands: _Commands) -> list[Problem]:
    related = around.related()
    is_pod = around.workload.kind == "Pod"
    out: list[Problem] = []
    for f in findings:
        if f.severity is Severity.INFO:
            continue
        key = (f.obj.kind, f.obj.name, f.obj.namespace or _DEFAULT_NAMESPACE)
        if key not in related:
            continue
        placed = outcome_for(f)
        if placed is None:
            continue
        order, row = placed
        status, template = row.status, row.kubectl
        if status == FAILED_CREATE and f.severity is Severity.WARNING:
            # the namespace does not enforce the level: Pod Security only warns
            status = "admitted (refused where the namespace enforces restricted)"
            # the API server's own answer: which pods would violate the stricter level
            template = (
                "kubectl label --dry-run=server --overwrite ns {ns} "
                "pod-security.kubernetes.io/enforce=restricted"
            )
        elif is_pod and status == FAILED_CREATE:
            # no controller: the API server refuses the Pod itself, kubectl apply fails
            status, template = "Forbidden (admission refuses the Pod)", _DRY_RUN
        out.append(Problem(row.stage, status, f, commands.command(template, f), order))
    # a warning on a field an error of the same stage already explains says less
    # (images/pull-secret beside references/missing-object on one imagePullSecrets entry)
    errors = {
        (p.stage, p.finding.obj.kind, p.finding.obj.name, p.finding.path) for p in out if p.certain
    }
    out = [
        p
        for p in out
        if p.certain
        or (p.stage, p.finding.obj.kind, p.finding.obj.name, p.finding.path) not in errors
    ]
    out.sort(key=lambda p: (p.stage, p.order, p.finding.path, p.finding.code))
    return out


# -- what each stage checked -------------------------------------------------------------


def _names(items: Iterable[str]) -> str:
    found = sorted(set(items))
    return ", ".join(found) if found else "none"


def _checked(around: _Around, manifests: Sequence[Manifest]) -> dict[int, list[str]]:
    w, ns = around.workload, _ns(around.workload)
    notes: dict[int, list[str]] = {n: [] for n in range(1, len(STAGES) + 1)}
    # 1 admission
    if around.namespace is None:
        notes[1].append(
            f"namespace {ns!r} is not among the files: its Pod Security level is not known "
            "(judged by the restricted profile as warnings)"
        )
    else:
        level = around.namespace.labels.get(ENFORCE_LABEL) or "privileged (no enforce label)"
        notes[1].append(f"namespace {ns!r} enforces Pod Security {level}")
    policies = sorted(m.name for m in manifests if m.kind == "ValidatingAdmissionPolicy")
    if policies:
        notes[1].append(
            "ValidatingAdmissionPolicies " + ", ".join(policies) + ": their CEL is not evaluated"
        )
    if w.kind != "Pod":
        notes[1].append(f"pods are created by the {WORKLOAD_KINDS[w.kind]}")
    # 2 scheduling
    notes[2].append(f"claims: {_names(around.claims)}")
    templates = _l(_d(w.obj.get("spec")).get("volumeClaimTemplates"))
    if templates:
        notes[2].append(
            "claim templates: "
            + _names(str(_d(_d(t).get("metadata")).get("name")) for t in templates)
        )
    for ps in around.pods:
        selector = _d(ps.spec.get("nodeSelector"))
        affinity = _d(_d(ps.spec.get("affinity")).get("nodeAffinity"))
        placement = [f"{k}={v}" for k, v in sorted(selector.items())]
        if affinity:
            placement.append("node affinity")
        notes[2].append(
            "node placement: "
            + (", ".join(placement) if placement else "any node")
            + f"; tolerations: {len(_l(ps.spec.get('tolerations')))}"
        )
        requests = []
        for _path, c in ps.containers(ephemeral=False):
            req = _d(_d(c.get("resources")).get("requests"))
            if req:
                shown = " ".join(f"{k} {v}" for k, v in sorted(req.items()))
                requests.append(f"{c.get('name')} {shown}")
        notes[2].append("requests: " + ("; ".join(requests) if requests else "none"))
    # 3 container creation
    for ps in around.pods:
        refs = list(references(ps))
        for kind in ("ConfigMap", "Secret"):
            notes[3].append(f"{kind}s: {_names(r.name for r in refs if r.kind == kind)}")
        notes[3].append(f"ServiceAccount: {ps.spec.get('serviceAccountName') or 'default'}")
        kinds = []
        for v in _l(ps.spec.get("volumes")):
            kinds += [k for k in _d(v) if k != "name"]
        notes[3].append(f"volume types: {_names(kinds)}")
    # 4 start
    for ps in around.pods:
        pod_context = _d(ps.spec.get("securityContext"))
        for _path, c in ps.containers(ephemeral=False):
            context = {**pod_context, **_d(c.get("securityContext"))}
            command = "its command" if c.get("command") else "the image's entrypoint"
            who = (
                f"UID {context['runAsUser']}"
                if "runAsUser" in context
                else (
                    "the image's USER, which must be a non-zero number (runAsNonRoot): "
                    "not known from the files"
                    if context.get("runAsNonRoot")
                    else "the image's USER"
                )
            )
            notes[4].append(f"container {c.get('name')!r} runs {command} as {who}")
    # 5 readiness
    for ps in around.pods:
        for _path, c in ps.containers(init=False, ephemeral=False):
            probe = _d(c.get("readinessProbe"))
            ports = [
                str(_d(p).get("name") or _d(p).get("containerPort")) for p in _l(c.get("ports"))
            ]
            if probe:
                how = next((k for k in ("httpGet", "tcpSocket", "grpc", "exec") if k in probe), "?")
                port = _d(probe.get(how)).get("port")
                on = f" on port {port}" if port is not None else ""
                notes[5].append(
                    f"container {c.get('name')!r}: readinessProbe {how}{on}; declared ports: "
                    f"{_names(ports)}"
                )
            else:
                notes[5].append(
                    f"container {c.get('name')!r}: no readinessProbe (Ready once it starts)"
                )
    # 6 traffic
    notes[6].append(
        "selected by Services " + ", ".join(m.name for m in around.services)
        if around.services
        else "no Service selects its pods"
    )
    notes[6].append(
        "selected by NetworkPolicies " + ", ".join(m.name for m in around.policies)
        if around.policies
        else "no NetworkPolicy selects its pods: every connection is allowed"
    )
    return notes


def explain_pod(
    manifests: Sequence[Manifest],
    target: str,
    *,
    cluster: Cluster | None = None,
    findings: Sequence[Finding] | None = None,
) -> PodLife:
    """The life of the pods of ``target`` (see :func:`find_workload`) among ``manifests``,
    which are the whole app, judged by every rule against the declared ``cluster`` (what
    lives outside the app). ``findings``: the findings of a run already made over the same
    manifests and cluster (explaining many workloads runs the rules once)."""
    workload = find_workload(manifests, target)
    if findings is None:
        version = manifests[0].k8s_version if manifests else K8sVersion(DEFAULT_VERSION)
        settings = rule_settings(cluster or Cluster(), version, complete=True)
        findings = check_manifests(manifests, settings).findings
    around = _around(manifests, workload)
    commands = _Commands(around, manifests)
    problems = _problems(findings, around, commands)
    notes = _checked(around, manifests)
    stages = tuple(
        Stage(
            number,
            name,
            tuple(p for p in problems if p.stage == number),
            tuple(notes[number]),
        )
        for number, name in enumerate(STAGES, start=1)
    )
    ref = workload.ref()
    return PodLife(ref, stages)
