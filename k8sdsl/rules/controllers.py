"""Controller rules: what a StatefulSet, CronJob or PodDisruptionBudget needs from the
objects around it, and values of theirs the API server refuses or that stall them.

Like the reference rules, a name that may live in a file not checked is a warning, and an
error where the objects are the whole app (synth, ``k8sdsl check --complete``).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from k8sdsl.core._cron import schedule_problems, time_zone_problem
from k8sdsl.core._findings import Finding
from k8sdsl.core._manifest import Manifest
from k8sdsl.core._suggest import suggest
from k8sdsl.rules._registry import RuleContext, rule
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
            services = [s.name for s in ctx.of_kind("Service") if s.namespace == m.namespace]
            guess = suggest(name, services)
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
        if isinstance(selector, dict) and selector:
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
