"""Controller rules: what a StatefulSet, CronJob or PodDisruptionBudget needs from the
objects around it, and values of theirs the API server refuses or that stall them.

Like the reference rules, a name that may live in a file not checked is a warning, and an
error where the objects are the whole app (synth, ``k8sdsl check --complete``).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, NamedTuple

from k8sdsl.core._cron import schedule_problems, time_zone_problem
from k8sdsl.core._findings import Finding, K8sDslError
from k8sdsl.core._manifest import Manifest
from k8sdsl.core._podspecs import PodSpecRef, pod_specs
from k8sdsl.core._selectors import LabelSelector
from k8sdsl.core._suggest import suggest
from k8sdsl.rules._registry import RuleContext, rule
from k8sdsl.rules.references import pod_index
from k8sdsl.storage._binder import BETA_DEFAULT_CLASS_ANNOTATION, DEFAULT_CLASS_ANNOTATION


def _d(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _l(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _spec(m: Manifest) -> dict[str, Any]:
    return _d(m.obj.get("spec"))


def _template_labels(spec: dict[str, Any]) -> dict[str, str]:
    labels = _d(_d(_d(spec.get("template")).get("metadata")).get("labels"))
    return {str(k): str(v) for k, v in labels.items()}


# -- StatefulSet ------------------------------------------------------------------------------


@rule("workloads/statefulset-service", "a StatefulSet's serviceName is not a headless Service")
def statefulset_service(ctx: RuleContext) -> Iterator[Finding]:
    """``serviceName`` names the governing Service, which gives each pod its DNS name
    (``db-0.db.<ns>.svc``). It must exist, be headless (``clusterIP: None``: a ClusterIP
    Service publishes no per-pod records) and select the StatefulSet's pods; otherwise
    clients that connect to ``db-0.db`` get NXDOMAIN, and replication set-ups that address
    peers by name never form."""
    complete = bool(ctx.settings.get("complete"))
    for m in ctx.of_kind("StatefulSet"):
        spec = _spec(m)
        name = spec.get("serviceName")
        if not isinstance(name, str) or not name:
            continue  # the schema reports a missing serviceName where it is required
        service = ctx.find("Service", name, m.namespace)
        if service is None:
            if ctx.cluster.find_object("Service", name, m.namespace) is not None:
                continue
            guess = ctx.suggest_name("Service", name, m.namespace)
            hint = (
                f"did you mean {guess!r}?"
                if guess
                else "add a headless Service of that name selecting the pods "
                "(StatefulSet.headless_service() in k8sdsl), or declare it in the cluster"
            )
            if complete:
                yield m.error(
                    "workloads/statefulset-service",
                    "spec.serviceName",
                    f"StatefulSet {m.name!r} names Service {name!r}, which neither the app nor "
                    "the declared cluster has: its pods get no DNS names",
                    hint,
                )
            else:
                yield m.warning(
                    "workloads/statefulset-service",
                    "spec.serviceName",
                    f"StatefulSet {m.name!r} names Service {name!r}, which is not among the "
                    "files checked nor in the declared cluster",
                    hint + " (or check its file with it, or pass --complete)",
                )
            continue
        service_spec = _spec(service)
        if service_spec.get("clusterIP") != "None":
            yield m.error(
                "workloads/statefulset-service",
                "spec.serviceName",
                f"Service {name!r} of StatefulSet {m.name!r} is not headless (clusterIP is "
                f"{service_spec.get('clusterIP', 'allocated')!r}): no per-pod DNS records "
                "are published",
                f"set clusterIP: None on Service {name!r} (a Service's clusterIP cannot be "
                "changed: recreate it), or use another, headless Service",
            )
            continue
        selector = service_spec.get("selector")
        labels = _template_labels(spec)
        if not isinstance(selector, dict) or not selector:
            yield m.error(
                "workloads/statefulset-service",
                "spec.serviceName",
                f"headless Service {name!r} of StatefulSet {m.name!r} has no selector: no "
                "endpoints are made for the pods, so they get no DNS names",
                "give the Service the StatefulSet's pod labels as its selector",
            )
        else:
            wanted = {str(k): str(v) for k, v in selector.items()}
            if any(labels.get(k) != v for k, v in wanted.items()):
                shown = ", ".join(f"{k}={v}" for k, v in sorted(wanted.items()))
                pods = ", ".join(f"{k}={v}" for k, v in sorted(labels.items())) or "none"
                yield m.error(
                    "workloads/statefulset-service",
                    "spec.serviceName",
                    f"headless Service {name!r} selects {shown}, but the pods of StatefulSet "
                    f"{m.name!r} are labelled {pods}: they get no DNS names",
                    "make the Service select the StatefulSet's pod labels",
                )


def _claim_templates(m: Manifest) -> Iterator[tuple[str, dict[str, Any], dict[str, Any]]]:
    """(JSON path, metadata, spec) of every claim template of a StatefulSet."""
    for i, template in enumerate(_l(_spec(m).get("volumeClaimTemplates"))):
        t = _d(template)
        yield f"spec.volumeClaimTemplates[{i}]", _d(t.get("metadata")), _d(t.get("spec"))


@rule("workloads/claim-template-volume", "a StatefulSet pod volume named like a claim template")
def claim_template_volume(ctx: RuleContext) -> Iterator[Finding]:
    """The StatefulSet controller gives each pod its claim under the claim template's name,
    replacing a pod volume of the same name: the volume written in the template is silently
    dropped (an emptyDir meant as scratch becomes the persistent claim, or the other way
    round)."""
    for m in ctx.of_kind("StatefulSet"):
        templates = {str(meta.get("name")) for _path, meta, _spec in _claim_templates(m)}
        pod = _d(_d(_spec(m).get("template")).get("spec"))
        for i, volume in enumerate(_l(pod.get("volumes"))):
            name = _d(volume).get("name")
            if isinstance(name, str) and name in templates:
                yield m.error(
                    "workloads/claim-template-volume",
                    f"spec.template.spec.volumes[{i}]",
                    f"pod volume {name!r} of StatefulSet {m.name!r} has the name of a claim "
                    "template: the controller replaces it with the pod's claim",
                    f"drop the volume to mount the claim, or rename it (and its mounts) if "
                    f"{name!r} is meant to be another volume",
                )


@rule("workloads/claim-template-storage", "a StatefulSet claim template without a size")
def claim_template_storage(ctx: RuleContext) -> Iterator[Finding]:
    """Each pod's claim is made from the template; a template without
    ``resources.requests.storage`` (or without ``accessModes``) makes claims the API server
    refuses (``spec.resources[storage]: Required value``), so the controller cannot create
    the pod that needs it and the StatefulSet stops at that ordinal."""
    for m in ctx.of_kind("StatefulSet"):
        for path, meta, spec in _claim_templates(m):
            who = f"claim template {meta.get('name', '?')!r} of StatefulSet {m.name!r}"
            requests = _d(_d(spec.get("resources")).get("requests"))
            if "storage" not in requests:
                yield m.error(
                    "workloads/claim-template-storage",
                    f"{path}.spec.resources.requests.storage",
                    f"{who} requests no storage: the claims it makes are refused and the "
                    "pods never start",
                    "set resources.requests.storage (for example 10Gi)",
                )
            if not _l(spec.get("accessModes")) and not spec.get("dataSourceRef"):
                yield m.error(
                    "workloads/claim-template-storage",
                    f"{path}.spec.accessModes",
                    f"{who} has no accessModes: the claims it makes are refused",
                    "set accessModes: [ReadWriteOnce] (each pod has its own claim)",
                )


def _default_class_in_files(ctx: RuleContext) -> bool:
    for sc in ctx.of_kind("StorageClass"):
        annotations = _d(sc.metadata.get("annotations"))
        if "true" in (
            annotations.get(DEFAULT_CLASS_ANNOTATION),
            annotations.get(BETA_DEFAULT_CLASS_ANNOTATION),
        ):
            return True
    return False


@rule("workloads/claim-template-class", "a claim template names a StorageClass no one has")
def claim_template_class(ctx: RuleContext) -> Iterator[Finding]:
    """A StatefulSet's claims are provisioned dynamically by their class; a class that is
    neither in the app nor in the cluster leaves every claim Pending ("storageclass.storage.
    k8s.io not found") and the first pod with it. A template without a class relies on the
    cluster's default class. Same verdicts as ``storage/unknown-class`` for claims: an error
    once the cluster declares its classes, else a warning."""
    cluster = ctx.cluster
    declared = bool(cluster.storage_classes or cluster.default_storage_class)
    in_files = {sc.name for sc in ctx.of_kind("StorageClass")}
    known = sorted(
        {*in_files, *cluster.storage_classes, *filter(None, [cluster.default_storage_class])}
    )
    has_default = cluster.default_storage_class is not None or _default_class_in_files(ctx)
    for m in ctx.of_kind("StatefulSet"):
        for path, meta, spec in _claim_templates(m):
            who = f"claim template {meta.get('name', '?')!r} of StatefulSet {m.name!r}"
            name = spec.get("storageClassName")
            if name == "":
                continue  # static binding to class-less PVs: nothing to provision
            if isinstance(name, str):
                if name in in_files or cluster.has_storage_class(name):
                    continue
                guess = suggest(name, known)
                if declared:
                    yield m.error(
                        "workloads/claim-template-class",
                        f"{path}.spec.storageClassName",
                        f"{who} uses StorageClass {name!r}, which neither the app nor the "
                        f"declared cluster has (it has {', '.join(known)})",
                        f"did you mean {guess!r}?"
                        if guess
                        else "name one of the cluster's classes, or add the StorageClass",
                    )
                else:
                    yield m.warning(
                        "workloads/claim-template-class",
                        f"{path}.spec.storageClassName",
                        f"{who} uses StorageClass {name!r}, which is not in the app: its "
                        "claims bind only if the cluster has that class",
                        f"did you mean {guess!r}?"
                        if guess
                        else "add the StorageClass, or declare the cluster's classes "
                        "(Cluster(storage_classes=[...]), k8sdsl check --cluster FILE)",
                    )
            elif name is None and not has_default:
                yield m.warning(
                    "workloads/claim-template-class",
                    f"{path}.spec.storageClassName",
                    f"{who} sets no storageClassName and the app has no default "
                    "StorageClass: its claims bind only if the cluster has a default class",
                    "name the StorageClass, or declare the cluster's default class "
                    "(Cluster(default_storage_class=...))",
                )


# -- CronJob ----------------------------------------------------------------------------------


@rule("workloads/cron-schedule", "a CronJob schedule the API server cannot parse")
def cron_schedule(ctx: RuleContext) -> Iterator[Finding]:
    """``spec.schedule`` is parsed by robfig/cron's standard parser: five fields or a macro;
    day of week is 0-6 (7 is refused, unlike Vixie cron); ``TZ=``/``CRON_TZ=`` in the
    schedule is refused on create (``use timeZone field instead``). The finding names the
    field that is wrong."""
    for m in ctx.of_kind("CronJob"):
        schedule = _spec(m).get("schedule")
        if not isinstance(schedule, str):
            continue  # the schema reports a missing or non-string schedule
        for problem in schedule_problems(schedule):
            yield m.error(
                "workloads/cron-schedule",
                "spec.schedule",
                f"CronJob {m.name!r}: {problem.message}",
                problem.hint,
            )


@rule("workloads/cron-time-zone", "a CronJob time zone that is not an IANA zone")
def cron_time_zone(ctx: RuleContext) -> Iterator[Finding]:
    """``spec.timeZone`` is loaded from the IANA database (``unknown time zone
    Europe/Pariss``); ``Local`` is refused, because it would be the controller host's."""
    for m in ctx.of_kind("CronJob"):
        zone = _spec(m).get("timeZone")
        if not isinstance(zone, str):
            continue
        problem = time_zone_problem(zone)
        if problem is not None:
            yield m.error(
                "workloads/cron-time-zone",
                "spec.timeZone",
                f"CronJob {m.name!r}: {problem.message}",
                problem.hint,
            )


def _int(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


#: a CronJob's name limit (its Jobs are named ``<name>-<11 characters>``)
_CRONJOB_NAME_MAX = 52


@rule("workloads/cron-name-length", "a CronJob name longer than 52 characters")
def cron_name_length(ctx: RuleContext) -> Iterator[Finding]:
    """The API server refuses a CronJob name over 52 characters (``must be no more than 52
    characters``): the Jobs it creates append an 11-character suffix to it."""
    for m in ctx.of_kind("CronJob"):
        if len(m.name) > _CRONJOB_NAME_MAX:
            yield m.error(
                "workloads/cron-name-length",
                "metadata.name",
                f"CronJob name {m.name!r} has {len(m.name)} characters; the API server allows "
                f"{_CRONJOB_NAME_MAX}",
                f"shorten the name to {_CRONJOB_NAME_MAX} characters or fewer",
            )


@rule("workloads/cron-limits", "a negative CronJob history limit or deadline")
def cron_limits(ctx: RuleContext) -> Iterator[Finding]:
    """The history limits and ``startingDeadlineSeconds`` must not be negative (``must be
    greater than or equal to 0``). A starting deadline under 10 seconds can make every run
    missed: the controller looks at CronJobs every 10 seconds, and a run found later than
    its deadline is skipped."""
    for m in ctx.of_kind("CronJob"):
        spec = _spec(m)
        for field in (
            "successfulJobsHistoryLimit",
            "failedJobsHistoryLimit",
            "startingDeadlineSeconds",
        ):
            value = _int(spec.get(field))
            if value is not None and value < 0:
                yield m.error(
                    "workloads/cron-limits",
                    f"spec.{field}",
                    f"CronJob {m.name!r} sets {field} to {value}; the API server refuses a "
                    "negative value",
                    "use 0 or more (unset keeps the default)",
                )
        deadline = _int(spec.get("startingDeadlineSeconds"))
        if deadline is not None and 0 <= deadline < 10:
            yield m.warning(
                "workloads/cron-limits",
                "spec.startingDeadlineSeconds",
                f"CronJob {m.name!r} has startingDeadlineSeconds {deadline}: the controller "
                "checks every 10 seconds, so runs may be missed and never start",
                "use 10 or more (or leave it unset: no deadline)",
            )


# -- PodDisruptionBudget ----------------------------------------------------------------------

#: kinds whose pods keep running (a Job's or CronJob's pods finish: budgets are not for them)
_OWN_PODS = (
    "Pod",
    "Deployment",
    "ReplicaSet",
    "ReplicationController",
    "StatefulSet",
    "DaemonSet",
)


def _pdb_selector(m: Manifest) -> LabelSelector | None:
    raw = _spec(m).get("selector")
    if raw is None:
        return None  # policy/v1: no selector selects no pod (an empty one selects all)
    try:
        return LabelSelector.from_k8s(raw if isinstance(raw, dict) else None)
    except (ValueError, TypeError, K8sDslError):
        return None  # the schema reports a malformed selector


def _pdb_pods(ctx: RuleContext, m: Manifest) -> list[PodSpecRef] | None:
    """The pods (and pod templates of long-running workloads) ``m`` selects; None when
    its selector cannot be read. Computed once per budget and shared by the budget rules;
    candidates come from the pod index by the selector's labels, so a fleet of budgets
    stays linear."""
    memo: dict[int, list[PodSpecRef] | None] = ctx.memo("workloads/pdb-pods", dict)
    key = id(m)
    if key not in memo:
        memo[key] = _select_pdb_pods(ctx, m)
    return memo[key]


def _select_pdb_pods(ctx: RuleContext, m: Manifest) -> list[PodSpecRef] | None:
    selector = _pdb_selector(m)
    if selector is None:
        return None
    return [
        ps
        for ps in pod_index(ctx).selecting(m.namespace, selector)
        if ps.manifest.kind in _OWN_PODS
    ]


@rule("workloads/pdb-selects-nothing", "a PodDisruptionBudget that selects no pod")
def pdb_selects_nothing(ctx: RuleContext) -> Iterator[Finding]:
    """A budget protects only the pods its selector matches in its own namespace; one that
    matches none (a label typo, another namespace, a missing selector) protects nothing,
    and a drain takes every replica at once. Pods of Jobs and CronJobs are not counted:
    budgets are for pods that keep running."""
    complete = bool(ctx.settings.get("complete"))
    for m in ctx.of_kind("PodDisruptionBudget"):
        raw = _spec(m).get("selector")
        if raw is None:
            yield m.error(
                "workloads/pdb-selects-nothing",
                "spec.selector",
                f"PodDisruptionBudget {m.name!r} has no selector, so it selects no pod",
                "select the workload's pod labels (PodDisruptionBudget.for_workload() in k8sdsl)",
            )
            continue
        pods = _pdb_pods(ctx, m)
        if pods is None or pods:
            continue
        where = m.namespace or "default"
        text = _d(raw)
        shown = ", ".join(f"{k}={v}" for k, v in sorted(_d(text.get("matchLabels")).items()))
        if _l(text.get("matchExpressions")):
            shown = ", ".join(filter(None, [shown, "expressions"]))
        if complete:
            yield m.error(
                "workloads/pdb-selects-nothing",
                "spec.selector",
                f"PodDisruptionBudget {m.name!r} selects {shown or 'nothing'}, which no pod "
                f"of the app in namespace {where!r} has: it protects nothing",
                "select the labels of the workload's pod template",
            )
        else:
            yield m.warning(
                "workloads/pdb-selects-nothing",
                "spec.selector",
                f"PodDisruptionBudget {m.name!r} selects {shown or 'nothing'}, and no pod "
                f"among the files checked in namespace {where!r} has these labels",
                "select the labels of the workload's pod template (or check the workload's "
                "file with it, or pass --complete)",
            )


@rule("workloads/pdb-overlap", "pods selected by more than one PodDisruptionBudget")
def pdb_overlap(ctx: RuleContext) -> Iterator[Finding]:
    """The eviction API refuses to evict a pod that more than one budget selects ("This pod
    has more than one PodDisruptionBudget, which the eviction subresource does not
    support"), so ``kubectl drain`` fails on it: give each workload one budget."""
    owners: dict[tuple[str, str, str | None], list[Manifest]] = {}
    for m in ctx.of_kind("PodDisruptionBudget"):
        for ps in _pdb_pods(ctx, m) or []:
            key = (ps.manifest.kind, ps.manifest.name, ps.manifest.namespace)
            if m not in owners.setdefault(key, []):
                owners[key].append(m)
    for (kind, name, _ns), budgets in sorted(owners.items(), key=lambda kv: kv[0][:2]):
        if len(budgets) < 2:
            continue
        names = ", ".join(repr(b.name) for b in budgets)
        for budget in budgets:
            yield budget.error(
                "workloads/pdb-overlap",
                "spec.selector",
                f"the pods of {kind} {name!r} are selected by PodDisruptionBudgets {names}: "
                "the eviction API refuses to evict them, so node drains fail",
                "keep one budget per workload (make the selectors disjoint)",
            )


def _autoscaled(ctx: RuleContext) -> dict[tuple[str | None, str, str], int]:
    """The fewest replicas each autoscaled workload runs: its autoscaler's minReplicas (1
    when unset), by (namespace, kind, name)."""

    def compute() -> dict[tuple[str | None, str, str], int]:
        floors: dict[tuple[str | None, str, str], int] = {}
        for hpa in ctx.of_kind("HorizontalPodAutoscaler"):
            spec = _spec(hpa)
            ref = _d(spec.get("scaleTargetRef"))
            kind, name = ref.get("kind"), ref.get("name")
            if isinstance(kind, str) and isinstance(name, str):
                floors[(hpa.namespace, kind, name)] = _int(spec.get("minReplicas")) or 1
        return floors

    return ctx.memo("workloads/autoscaled", compute)


def _replicas(m: Manifest) -> int | None:
    if m.kind == "Pod":
        return 1
    if m.kind == "DaemonSet":
        return None  # one per node: not known from the files
    value = _spec(m).get("replicas", 1)
    return _int(value)


@rule("workloads/pdb-blocks-eviction", "a PodDisruptionBudget that allows no eviction")
def pdb_blocks_eviction(ctx: RuleContext) -> Iterator[Finding]:
    """A budget of ``maxUnavailable: 0`` (or ``0%``), ``minAvailable: 100%``, or a
    ``minAvailable`` count at or above the replicas it selects never allows an eviction:
    ``kubectl drain`` and node upgrades wait forever ("Cannot evict pod as it would violate
    the pod's disruption budget"), and the cluster autoscaler cannot remove the node."""
    for m in ctx.of_kind("PodDisruptionBudget"):
        spec = _spec(m)
        max_unavailable = spec.get("maxUnavailable")
        min_available = spec.get("minAvailable")
        hint = "use maxUnavailable: 1 (drains proceed one pod at a time)"
        if max_unavailable in (0, "0%"):
            yield m.warning(
                "workloads/pdb-blocks-eviction",
                "spec.maxUnavailable",
                f"PodDisruptionBudget {m.name!r} has maxUnavailable {max_unavailable!r}: no "
                "pod may ever be evicted, so node drains never finish",
                hint,
            )
        elif min_available == "100%":
            yield m.warning(
                "workloads/pdb-blocks-eviction",
                "spec.minAvailable",
                f"PodDisruptionBudget {m.name!r} has minAvailable 100%: no pod may ever be "
                "evicted, so node drains never finish",
                hint,
            )
        elif _int(min_available) is not None:
            pods = _pdb_pods(ctx, m) or []
            owners = {(ps.manifest.kind, ps.manifest.name): ps.manifest for ps in pods}
            floors = _autoscaled(ctx)
            counts = [
                floors.get((o.namespace, o.kind, o.name), _replicas(o)) for o in owners.values()
            ]
            if not owners or None in counts:
                continue
            total = sum(c for c in counts if c is not None)
            wanted = _int(min_available)
            if wanted is not None and wanted >= total:
                who = ", ".join(f"{k} {n!r}" for k, n in sorted(owners))
                yield m.warning(
                    "workloads/pdb-blocks-eviction",
                    "spec.minAvailable",
                    f"PodDisruptionBudget {m.name!r} keeps minAvailable {wanted} of the "
                    f"{total} pod(s) of {who}: no pod may be evicted, so node drains never "
                    "finish",
                    f"use minAvailable {total - 1} or lower, add replicas, or use "
                    "maxUnavailable: 1",
                )


# -- HorizontalPodAutoscaler ------------------------------------------------------------------

_SCALABLE = ("Deployment", "StatefulSet", "ReplicaSet", "ReplicationController")
#: built-in kinds without a scale subresource
_NOT_SCALABLE = frozenset({"DaemonSet", "Job", "CronJob", "Pod"})


def _hpa_target(ctx: RuleContext, m: Manifest) -> tuple[dict[str, Any], Manifest | None]:
    ref = _d(_spec(m).get("scaleTargetRef"))
    kind, name = ref.get("kind"), ref.get("name")
    if not isinstance(kind, str) or not isinstance(name, str):
        return ref, None
    return ref, ctx.find(kind, name, m.namespace)


@rule("workloads/hpa-target", "an autoscaler's target is not among the objects")
def hpa_target(ctx: RuleContext) -> Iterator[Finding]:
    """``scaleTargetRef`` names the Deployment or StatefulSet to scale in the autoscaler's
    namespace; when it does not exist the autoscaler reports ``FailedGetScale`` and scales
    nothing (a typo in the name is silent until load comes)."""
    complete = bool(ctx.settings.get("complete"))
    for m in ctx.of_kind("HorizontalPodAutoscaler"):
        ref, target = _hpa_target(ctx, m)
        kind, name = ref.get("kind"), ref.get("name")
        if not isinstance(kind, str) or not isinstance(name, str):
            continue
        if kind in _NOT_SCALABLE:
            yield m.error(
                "workloads/hpa-target",
                "spec.scaleTargetRef.kind",
                f"HorizontalPodAutoscaler {m.name!r} scales a {kind}, which has no scale "
                "subresource: the autoscaler fails with FailedGetScale",
                "scale a Deployment or StatefulSet (a DaemonSet runs one pod per node)",
            )
            continue
        if target is not None:
            continue
        if ctx.cluster.find_object(kind, name, m.namespace) is not None:
            continue
        guess = ctx.suggest_name(kind, name, m.namespace)
        hint = f"did you mean {guess!r}?" if guess else f"add the {kind}, or name an existing one"
        if complete:
            yield m.error(
                "workloads/hpa-target",
                "spec.scaleTargetRef.name",
                f"HorizontalPodAutoscaler {m.name!r} scales {kind} {name!r}, which neither "
                "the app nor the declared cluster has: it scales nothing",
                hint,
            )
        else:
            yield m.warning(
                "workloads/hpa-target",
                "spec.scaleTargetRef.name",
                f"HorizontalPodAutoscaler {m.name!r} scales {kind} {name!r}, which is not "
                "among the files checked",
                hint + " (or check its file with it, or pass --complete)",
            )


class _ScaledResource(NamedTuple):
    resource: str
    path: str
    #: the container a ContainerResource metric measures (None: the whole pod)
    container: str | None
    utilization: bool


def _scaled_resources(m: Manifest) -> list[_ScaledResource]:
    """Every Resource and ContainerResource metric of ``m``; an autoscaler without metrics
    scales on 80% CPU utilization."""
    metrics = _spec(m).get("metrics")
    if metrics is None:
        return [_ScaledResource("cpu", "spec.metrics", None, True)]
    found = []
    for i, metric in enumerate(_l(metrics)):
        kind = _d(metric).get("type")
        key = {"Resource": "resource", "ContainerResource": "containerResource"}.get(str(kind))
        if key is None:
            continue
        source = _d(_d(metric).get(key))
        name, container = source.get("name"), source.get("container")
        utilization = _d(source.get("target")).get("type") == "Utilization"
        if not isinstance(name, str):
            continue
        if key == "resource":
            found.append(_ScaledResource(name, f"spec.metrics[{i}].resource", None, utilization))
        elif isinstance(container, str):
            path = f"spec.metrics[{i}].containerResource"
            found.append(_ScaledResource(name, path, container, utilization))
    return found


@rule(
    "workloads/hpa-requests", "an autoscaler scales on the utilization of an unrequested resource"
)
def hpa_requests(ctx: RuleContext) -> Iterator[Finding]:
    """Utilization is usage divided by the pods' requests; when a container of the target
    requests nothing of that resource, the autoscaler cannot compute it (``missing request
    for cpu in container web``) and never scales. (An ``AverageValue`` target needs no
    request.) Without metrics, the autoscaler scales on CPU utilization. A
    ``ContainerResource`` metric measures one container, which must exist in the target's
    pods (else ``failed to get container metrics``) and, for utilization, request it."""
    for m in ctx.of_kind("HorizontalPodAutoscaler"):
        _ref, target = _hpa_target(ctx, m)
        if target is None or target.kind not in _SCALABLE:
            continue
        wanted = _scaled_resources(m)
        if not wanted:
            continue
        for ps in pod_specs(target):
            containers = [c for _cpath, c in ps.containers(init=False, ephemeral=False)]
            for want in wanted:
                if want.container is not None:
                    yield from _container_resource(m, target, containers, want)
                    continue
                if not want.utilization:
                    continue
                missing = [
                    str(c.get("name"))
                    for c in containers
                    if want.resource not in _d(_d(c.get("resources")).get("requests"))
                ]
                if missing:
                    yield m.error(
                        "workloads/hpa-requests",
                        want.path,
                        f"HorizontalPodAutoscaler {m.name!r} scales on {want.resource} "
                        f"utilization, but container(s) {', '.join(missing)} of {target.kind} "
                        f"{target.name!r} request no {want.resource}: it cannot compute "
                        "utilization and never scales",
                        f"set resources.requests.{want.resource} on every container, or scale "
                        "on an averageValue target",
                    )


def _container_resource(
    m: Manifest, target: Manifest, containers: list[dict[str, Any]], want: _ScaledResource
) -> Iterator[Finding]:
    by_name = {str(c.get("name")): c for c in containers}
    container = by_name.get(str(want.container))
    if container is None:
        guess = suggest(str(want.container), sorted(by_name))
        yield m.error(
            "workloads/hpa-requests",
            f"{want.path}.container",
            f"HorizontalPodAutoscaler {m.name!r} scales on {want.resource} of container "
            f"{want.container!r}, which {target.kind} {target.name!r} does not have (it has "
            f"{', '.join(sorted(by_name)) or 'none'}): it gets no metrics and never scales",
            f"did you mean {guess!r}?" if guess else "name one of the target's containers",
        )
        return
    if want.utilization and want.resource not in _d(_d(container.get("resources")).get("requests")):
        yield m.error(
            "workloads/hpa-requests",
            want.path,
            f"HorizontalPodAutoscaler {m.name!r} scales on {want.resource} utilization of "
            f"container {want.container!r}, which requests no {want.resource} in "
            f"{target.kind} {target.name!r}: it cannot compute utilization and never scales",
            f"set resources.requests.{want.resource} on container {want.container!r}, or "
            "scale on an averageValue target",
        )


@rule("workloads/hpa-range", "an autoscaler's minReplicas above maxReplicas, or below 1")
def hpa_range(ctx: RuleContext) -> Iterator[Finding]:
    """The API server refuses ``minReplicas`` above ``maxReplicas`` and a ``maxReplicas`` or
    ``minReplicas`` below 1 (0 only with the alpha ``HPAScaleToZero`` gate)."""
    scale_to_zero = ctx.cluster.feature_gates.get("HPAScaleToZero") is True
    for m in ctx.of_kind("HorizontalPodAutoscaler"):
        spec = _spec(m)
        low, high = _int(spec.get("minReplicas")), _int(spec.get("maxReplicas"))
        if high is not None and high < 1:
            yield m.error(
                "workloads/hpa-range",
                "spec.maxReplicas",
                f"HorizontalPodAutoscaler {m.name!r} has maxReplicas {high}; it must be 1 or more",
                "set maxReplicas to the most pods the workload may have",
            )
        if low is not None and low < (0 if scale_to_zero else 1):
            yield m.error(
                "workloads/hpa-range",
                "spec.minReplicas",
                f"HorizontalPodAutoscaler {m.name!r} has minReplicas {low}; it must be 1 or "
                "more (0 needs the HPAScaleToZero feature gate)",
                "use minReplicas 1 or more (unset means 1)",
            )
        elif low is not None and high is not None and low > high:
            yield m.error(
                "workloads/hpa-range",
                "spec.minReplicas",
                f"HorizontalPodAutoscaler {m.name!r} has minReplicas {low} above maxReplicas "
                f"{high}",
                "raise maxReplicas or lower minReplicas",
            )


@rule("workloads/hpa-replicas", "an autoscaled workload also sets spec.replicas")
def hpa_replicas(ctx: RuleContext) -> Iterator[Finding]:
    """The autoscaler writes the target's ``spec.replicas``; a manifest that also sets it
    resets the count on every apply or GitOps sync (Argo CD, Flux), so the replica count
    jumps back and forth. Leave ``replicas`` out of an autoscaled workload."""
    for m in ctx.of_kind("HorizontalPodAutoscaler"):
        _ref, target = _hpa_target(ctx, m)
        if target is None or target.kind not in _SCALABLE:
            continue
        replicas = _spec(target).get("replicas")
        if replicas is not None:
            yield target.warning(
                "workloads/hpa-replicas",
                "spec.replicas",
                f"{target.kind} {target.name!r} sets replicas {replicas!r} and is scaled by "
                f"HorizontalPodAutoscaler {m.name!r}: every apply or sync resets the "
                "autoscaler's count",
                "drop spec.replicas (replicas=None in k8sdsl); the autoscaler's minReplicas "
                "sets the floor",
            )
