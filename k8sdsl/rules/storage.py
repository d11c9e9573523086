"""Storage rules: the static binder's verdicts, and the PV/PVC/StorageClass mistakes the API
server or the kubelet would only reveal in a running cluster.

Every rule reads dicts, so ``k8sdsl check`` gives hand-written YAML the same verdicts.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from k8sdsl.core._findings import Finding
from k8sdsl.core._manifest import Manifest
from k8sdsl.core._quantity import Quantity, QuantityError
from k8sdsl.core._suggest import Suggester, Suggestions, suggest
from k8sdsl.core._types import check_dns_subdomain, dns_fix
from k8sdsl.core._versions import K8sVersion
from k8sdsl.rules._registry import RuleContext, rule
from k8sdsl.storage._binder import (
    BETA_CLASS_ANNOTATION,
    DEFAULT_CLASS_ANNOTATION,
    BindingPlan,
    ClaimVerdict,
    Outcome,
    bind,
)
from k8sdsl.storage._checks import (
    access_mode_hint,
    data_source_problems,
    mount_options_supported,
    recycle_problem,
    unsupported_access_modes,
)
from k8sdsl.volumes import CATALOG, FeatureGate

_PV = "PersistentVolume"
_PVC = "PersistentVolumeClaim"
_SC = "StorageClass"
_DEFAULT_NAMESPACE = "default"
_RWOP = "ReadWriteOncePod"
#: volumeAttributesClassName on PVs and claims: API field 1.29, gate on by default from 1.34
_VAC_GATE = FeatureGate("VolumeAttributesClass", K8sVersion("1.34"))

#: keys of a PersistentVolume spec that are not its volume source
PV_SPEC_FIELDS = frozenset(
    {
        "accessModes",
        "capacity",
        "claimRef",
        "mountOptions",
        "nodeAffinity",
        "persistentVolumeReclaimPolicy",
        "storageClassName",
        "volumeAttributesClassName",
        "volumeMode",
    }
)

# where in a claim each binder mismatch is fixed
_CLAIM_PATHS = {
    "storageClassName": "spec.storageClassName",
    "accessModes": "spec.accessModes",
    "capacity": "spec.resources.requests.storage",
    "volumeMode": "spec.volumeMode",
    "volumeAttributesClassName": "spec.volumeAttributesClassName",
    "selector": "spec.selector",
    "volumeName": "spec.volumeName",
    "claimRef": "spec.volumeName",
    "bound": "spec",
}
_HINTS = {
    "storageClassName": 'give the claim and the PV the same storageClassName ("" on both for '
    "static binding without a class)",
    "accessModes": "ask only for access modes the PV lists, or add the mode to the PV if its "
    "plugin supports it",
    "capacity": "request at most the PV's capacity, or make the PV larger",
    "volumeMode": "use the same volumeMode (Filesystem or Block) on the claim and the PV",
    "volumeAttributesClassName": "use the same volumeAttributesClassName on the claim and the PV",
    "selector": "make the claim's selector match the PV's labels, or drop the selector",
    "volumeName": "name a PersistentVolume of the app in volumeName, or drop volumeName",
    "claimRef": "the PV is reserved for another claim: reserve another PV for this one",
    "bound": "add a PV for this claim, or give it a StorageClass that provisions",
}


# -- helpers -----------------------------------------------------------------------------


def _ns(manifest: Manifest) -> str:
    return manifest.namespace or _DEFAULT_NAMESPACE


def _spec(manifest: Manifest) -> dict[str, Any]:
    spec = manifest.obj.get("spec")
    return spec if isinstance(spec, dict) else {}


def pv_sources(spec: Mapping[str, Any]) -> list[str]:
    """The volume-source keys a PersistentVolume spec sets (``nfs``, ``csi``...)."""
    return [k for k, v in spec.items() if k not in PV_SPEC_FIELDS and isinstance(v, dict)]


def binding_plan(ctx: RuleContext) -> tuple[BindingPlan, dict[tuple[str, str], Manifest]]:
    """The binder's plan for this run (computed once per context, shared by the storage
    rules) and the claims by (namespace, name)."""

    def compute() -> tuple[BindingPlan, dict[tuple[str, str], Manifest]]:
        plan = bind(m.obj for m in ctx.of_kind(_PV, _PVC, _SC))
        return plan, {(_ns(m), m.name): m for m in ctx.of_kind(_PVC)}

    return ctx.memo("storage/binding-plan", compute)


def _verdicts(ctx: RuleContext) -> Iterator[tuple[ClaimVerdict, Manifest]]:
    plan, claims = binding_plan(ctx)
    for verdict in plan.claims:
        manifest = claims.get((verdict.namespace, verdict.name))
        if manifest is not None:
            yield verdict, manifest


def _class_text(name: str | None) -> str:
    return "no class" if not name else f"class {name!r}"


# -- the binder's verdicts -----------------------------------------------------------------


@rule("storage/unbound-claim", "no PersistentVolume or StorageClass can satisfy a claim")
def unbound_claim(ctx: RuleContext) -> Iterator[Finding]:
    """A claim nothing can satisfy stays Pending forever ("Claims not matched will remain
    unbound indefinitely") and every pod that mounts it stays Pending too. The PV controller
    binds a claim to a PV whose access modes include the claim's, whose capacity is at least
    the request, whose volumeMode, class and labels (selector) match, and that no other claim
    holds; otherwise a class provisions a volume, unless the claim has class ``""``, a
    ``kubernetes.io/no-provisioner`` class or a selector. The finding names the closest PV and
    every reason it does not match."""
    for verdict, manifest in _verdicts(ctx):
        if verdict.outcome is not Outcome.UNBOUND:
            continue
        reasons = "; ".join(verdict.reasons())
        if verdict.closest is not None:
            message = (
                f"claim {verdict.key} can never bind: no PersistentVolume or StorageClass of "
                f"the app satisfies it; the closest PV is {verdict.closest!r}: {reasons}"
            )
        else:
            message = f"claim {verdict.key} can never bind: {reasons}"
        first = verdict.mismatches[0].field if verdict.mismatches else "bound"
        yield manifest.error(
            "storage/unbound-claim", _CLAIM_PATHS.get(first, "spec"), message, _HINTS[first]
        )


@rule(
    "storage/default-class-trap",
    "a claim without storageClassName gets the default class and skips class-less PVs",
)
def default_class_trap(ctx: RuleContext) -> Iterator[Finding]:
    """A claim that sets no ``storageClassName`` is given the default StorageClass by the
    ``DefaultStorageClass`` admission plugin, and a claim with a class never binds to a PV
    without one. So while a default class exists, such a claim skips the class-less PV that
    was meant for it (and is provisioned a new, empty volume instead, or stays Pending). When
    the app has no default class, the claim binds only if the target cluster has none either:
    most clusters do."""
    for verdict, manifest in _verdicts(ctx):
        if verdict.trap_volume is None:
            continue
        if verdict.default_class:
            yield manifest.error(
                "storage/default-class-trap",
                "spec.storageClassName",
                f"claim {verdict.key} sets no storageClassName, so it gets the default "
                f"StorageClass {verdict.storage_class!r} and will never bind to PV "
                f"{verdict.trap_volume!r}, which has no class",
                f'write storage_class=NO_CLASS (storageClassName: "") to bind to '
                f"{verdict.trap_volume!r}, or give that PV storageClassName "
                f"{verdict.storage_class!r}",
            )
        else:
            yield manifest.warning(
                "storage/default-class-trap",
                "spec.storageClassName",
                f"claim {verdict.key} sets no storageClassName: it binds to PV "
                f"{verdict.trap_volume!r} only if the cluster has no default StorageClass; "
                "with one, admission gives the claim that class and it never binds",
                'write storage_class=NO_CLASS (storageClassName: "") to bind to class-less '
                "PVs whatever the cluster's default class",
            )


@rule("storage/dynamic-provisioning", "which claims a StorageClass of the app provisions")
def dynamic_provisioning(ctx: RuleContext) -> Iterator[Finding]:
    """When no PersistentVolume matches a claim, the provisioner of its class creates one
    ("Used when none of the static PVs match the PVC"). With ``WaitForFirstConsumer`` this
    waits until a pod using the claim is scheduled, so a claim no pod uses stays Pending."""
    for verdict, manifest in _verdicts(ctx):
        if verdict.outcome is not Outcome.PROVISIONED:
            continue
        when = (
            " when the first pod using it is scheduled (WaitForFirstConsumer)"
            if verdict.delayed
            else " as soon as it is created (Immediate)"
        )
        origin = " (the default class)" if verdict.default_class else ""
        yield manifest.info(
            "storage/dynamic-provisioning",
            "spec.storageClassName",
            f"claim {verdict.key} is provisioned by StorageClass {verdict.storage_class!r}"
            f"{origin}, provisioner {verdict.provisioner}, {when.strip()}",
        )


@rule("storage/unknown-class", "a claim depends on a StorageClass that is not in the app")
def unknown_class(ctx: RuleContext) -> Iterator[Finding]:
    """A claim no PV of the app matches is provisioned by its class, and a class the app does
    not define may not exist in the cluster (then the claim stays Pending with "storageclass
    not found"). The same holds for a claim without class in an app without a default class:
    it relies on the cluster's default. A class the declared cluster has is no finding; once
    the cluster declares its classes, one it does not have is an error."""
    cluster = ctx.cluster
    declared = bool(cluster.storage_classes or cluster.default_storage_class)
    for verdict, manifest in _verdicts(ctx):
        if verdict.outcome is not Outcome.EXTERNAL:
            continue
        if verdict.storage_class:
            if cluster.has_storage_class(verdict.storage_class):
                continue
            known = sorted(
                {*cluster.storage_classes, *filter(None, [cluster.default_storage_class])}
            )
            guess = suggest(verdict.storage_class, known)
            if declared:
                yield manifest.error(
                    "storage/unknown-class",
                    "spec.storageClassName",
                    f"StorageClass {verdict.storage_class!r} of claim {verdict.key} is neither "
                    f"in the app nor in the declared cluster (which has {', '.join(known)})",
                    f"did you mean {guess!r}?"
                    if guess
                    else "name one of the cluster's classes, or add the StorageClass to the app",
                )
                continue
            yield manifest.warning(
                "storage/unknown-class",
                "spec.storageClassName",
                f"no PV of the app matches claim {verdict.key} and StorageClass "
                f"{verdict.storage_class!r} is not in the app: it binds only if the cluster "
                "has that class",
                "add the StorageClass to the app, or declare the cluster's classes "
                "(App(cluster=Cluster(storage_classes=[...])), k8sdsl check --cluster FILE)",
            )
        elif cluster.default_storage_class is None:
            yield manifest.warning(
                "storage/unknown-class",
                "spec.storageClassName",
                f"claim {verdict.key} sets no storageClassName, no PV of the app matches it "
                "and the app has no default StorageClass: it binds only if the cluster has "
                "a default class",
                "name the StorageClass that should provision it, or declare the cluster's "
                "default class (Cluster(default_storage_class=...))",
            )


@rule("storage/competing-claims", "two claims compete for one PersistentVolume")
def competing_claims(ctx: RuleContext) -> Iterator[Finding]:
    """Binds are exclusive: a PV binds exactly one claim ("PVC -> PV mapping is always 1:1").
    When two claims match the same PV, the one the controller happens to see first gets it
    and the other is provisioned elsewhere or stays Pending; the outcome depends on timing."""
    plan, _ = binding_plan(ctx)
    volume_of = {v.key: v.volume for v in plan.claims}
    for verdict, manifest in _verdicts(ctx):
        if verdict.lost_to is None:
            continue
        pv = volume_of.get(verdict.lost_to)
        fate = {
            Outcome.PROVISIONED: f"is provisioned by {verdict.storage_class!r} instead",
            Outcome.UNBOUND: "stays Pending",
            Outcome.EXTERNAL: "depends on a class outside the app",
        }.get(verdict.outcome, "binds elsewhere")
        yield manifest.warning(
            "storage/competing-claims",
            "spec",
            f"claims {verdict.lost_to} and {verdict.key} both match PV {pv!r}; a PV binds one "
            f"claim, whichever the controller sees first, and the other {fate}",
            "add a PV per claim, or pre-bind each claim (volume= on the claim, claim_ref= on "
            "the PV)",
        )


@rule("storage/oversized-volume", "a claim binds a PV larger than it requested")
def oversized_volume(ctx: RuleContext) -> Iterator[Finding]:
    """ "Volume may be more than the request": a PV binds whole to one claim, so a claim
    bound to a larger PV holds all of it and the rest cannot serve another claim."""
    for verdict, manifest in _verdicts(ctx):
        if (
            verdict.outcome is Outcome.BOUND
            and verdict.capacity is not None
            and verdict.requested is not None
            and verdict.capacity > verdict.requested
        ):
            yield manifest.info(
                "storage/oversized-volume",
                "spec.resources.requests.storage",
                f"claim {verdict.key} requests {verdict.requested} and gets the whole "
                f"{verdict.capacity} of PV {verdict.volume!r}",
            )


@rule("storage/unreserved-prebinding", "a claim names its PV but the PV does not reserve it")
def unreserved_prebinding(ctx: RuleContext) -> Iterator[Finding]:
    """``volumeName`` on a claim binds it to that PV, but does not keep other claims off the
    PV: until the controller binds the pair, any claim that matches may take it. The
    Kubernetes docs: reserve the PV for the claim with ``claimRef``."""
    by_name = {m.name: m for m in ctx.of_kind(_PV)}
    for claim in ctx.of_kind(_PVC):
        volume_name = _spec(claim).get("volumeName")
        pv = by_name.get(str(volume_name)) if volume_name else None
        if pv is None:
            continue
        ref = _spec(pv).get("claimRef")
        if isinstance(ref, dict) and ref.get("name"):
            continue  # reserved (for this claim, or the binder reports the conflict)
        yield claim.warning(
            "storage/unreserved-prebinding",
            "spec.volumeName",
            f"claim {_ns(claim)}/{claim.name} names PV {pv.name!r}, which does not reserve "
            "it: another claim may bind that PV first",
            f"set claimRef {{name: {claim.name}, namespace: {_ns(claim)}}} on PV {pv.name!r} "
            "(claim_ref= on the PersistentVolume)",
        )


@rule("storage/dangling-claim-ref", "a PV is reserved for a claim that is not in the app")
def dangling_claim_ref(ctx: RuleContext) -> Iterator[Finding]:
    """A PV with ``claimRef`` binds only that claim. If the claim is not part of the app the
    PV sits Available and unusable by anything else until that claim appears."""
    claims = {(_ns(m), m.name) for m in ctx.of_kind(_PVC)}
    names: Suggester | None = None  # built on the first dangling reference, if any
    for pv in ctx.of_kind(_PV):
        ref = _spec(pv).get("claimRef")
        if not isinstance(ref, dict) or not ref.get("name"):
            continue
        if not ref.get("namespace"):
            yield pv.error(
                "storage/dangling-claim-ref",
                "spec.claimRef.namespace",
                f"PV {pv.name!r} reserves claim {ref['name']!r} without a namespace: a PV is "
                "cluster-scoped, so the claim's namespace must be named",
                "set claimRef.namespace to the claim's namespace",
            )
            continue
        key = (str(ref["namespace"]), str(ref["name"]))
        if key in claims:
            continue
        if names is None:
            names = Suggester(m.name for m in ctx.of_kind(_PVC))
        guess = names.suggest(key[1])
        yield pv.warning(
            "storage/dangling-claim-ref",
            "spec.claimRef",
            f"PV {pv.name!r} is reserved for claim {key[0]}/{key[1]}, which is not in the app",
            f"did you mean {guess!r}?" if guess else "add the claim, or drop claimRef",
        )


@rule("storage/multiple-default-classes", "more than one StorageClass is marked default")
def multiple_default_classes(ctx: RuleContext) -> Iterator[Finding]:
    """With several default StorageClasses, admission gives class-less claims the newest one
    (before 1.26 it rejected them): which class a claim gets depends on creation order."""
    defaults = [
        m
        for m in ctx.of_kind(_SC)
        if str(m.annotations.get(DEFAULT_CLASS_ANNOTATION, "")).lower() == "true"
    ]
    if len(defaults) < 2:
        return
    names = ", ".join(repr(m.name) for m in defaults)
    for m in defaults[1:]:
        yield m.warning(
            "storage/multiple-default-classes",
            f"metadata.annotations[{DEFAULT_CLASS_ANNOTATION!r}]",
            f"StorageClasses {names} are all marked default; class-less claims get whichever "
            "was created last",
            "mark exactly one StorageClass as default",
        )


# -- object-level rules ----------------------------------------------------------------------


@rule("storage/read-write-once-pod-exclusive", "ReadWriteOncePod mixed with other access modes")
def read_write_once_pod_exclusive(ctx: RuleContext) -> Iterator[Finding]:
    """The API server rejects ReadWriteOncePod together with any other access mode ("may not
    use ReadWriteOncePod with other access modes"), on PVs and on claims."""
    for m in ctx.of_kind(_PV, _PVC):
        modes = _spec(m).get("accessModes")
        if isinstance(modes, list) and _RWOP in modes and len(set(map(str, modes))) > 1:
            yield m.error(
                "storage/read-write-once-pod-exclusive",
                "spec.accessModes",
                f"{m.kind} {m.name!r} combines ReadWriteOncePod with "
                f"{', '.join(str(x) for x in modes if x != _RWOP)}; the API server rejects it",
                "use [ReadWriteOncePod] alone",
            )


@rule("storage/required-field", "a PV or claim without the fields the API server requires")
def required_field(ctx: RuleContext) -> Iterator[Finding]:
    """The schema marks no field of a PV or claim spec required, but validation does: a PV
    needs ``capacity.storage`` greater than zero, access modes and exactly one volume source;
    a claim needs access modes and ``resources.requests.storage`` greater than zero
    ("must be greater than zero")."""
    for m in ctx.of_kind(_PV):
        spec = _spec(m)
        capacity = spec.get("capacity")
        if not isinstance(capacity, dict) or "storage" not in capacity:
            yield m.error(
                "storage/required-field",
                "spec.capacity.storage",
                f"PV {m.name!r} has no capacity.storage",
                "set capacity: {storage: <size>}, e.g. 10Gi",
            )
        elif _not_positive(capacity["storage"]):
            yield m.error(
                "storage/required-field",
                "spec.capacity.storage",
                f"PV {m.name!r} has capacity {capacity['storage']!r}; it must be greater than zero",
                "give the volume's real size, e.g. 10Gi",
            )
        if not spec.get("accessModes"):
            yield m.error(
                "storage/required-field",
                "spec.accessModes",
                f"PV {m.name!r} has no access modes",
                "list the modes its plugin supports, e.g. [ReadWriteOnce]",
            )
        sources = pv_sources(spec)
        if len(sources) != 1:
            yield m.error(
                "storage/required-field",
                "spec",
                f"PV {m.name!r} sets {len(sources)} volume sources"
                + (f" ({', '.join(sources)})" if sources else ""),
                "a PersistentVolume has exactly one source (nfs, csi, local, ...)",
            )
    for m in ctx.of_kind(_PVC):
        spec = _spec(m)
        if not spec.get("accessModes"):
            yield m.error(
                "storage/required-field",
                "spec.accessModes",
                f"claim {m.name!r} has no access modes",
                "list at least one, e.g. [ReadWriteOnce]",
            )
        resources = spec.get("resources")
        requests = resources.get("requests") if isinstance(resources, dict) else None
        if not isinstance(requests, dict) or "storage" not in requests:
            yield m.error(
                "storage/required-field",
                "spec.resources.requests.storage",
                f"claim {m.name!r} requests no storage",
                "set resources: {requests: {storage: <size>}}",
            )
        elif _not_positive(requests["storage"]):
            yield m.error(
                "storage/required-field",
                "spec.resources.requests.storage",
                f"claim {m.name!r} requests {requests['storage']!r}; it must be greater than zero",
                "request the size the app needs, e.g. 1Gi",
            )


def _not_positive(value: Any) -> bool:
    """A quantity of zero or less (text that is no quantity is the schema's to report)."""
    if isinstance(value, bool) or not isinstance(value, (int, str)):
        return False
    try:
        return Quantity(value).value <= 0
    except QuantityError:
        return False


@rule("storage/class-reclaim-policy", "a StorageClass with reclaimPolicy Recycle")
def class_reclaim_policy(ctx: RuleContext) -> Iterator[Finding]:
    """The API server accepts only Delete and Retain as a StorageClass's reclaim policy;
    Recycle exists only on PersistentVolumes, and is deprecated there."""
    for m in ctx.of_kind(_SC):
        policy = m.obj.get("reclaimPolicy")
        if policy is not None and policy not in ("Delete", "Retain"):
            yield m.error(
                "storage/class-reclaim-policy",
                "reclaimPolicy",
                f"StorageClass {m.name!r} has reclaimPolicy {policy!r}; only Delete and Retain "
                "are allowed",
                "use Delete (a fresh volume per claim) or Retain",
            )


@rule("storage/local-node-affinity", "a local PersistentVolume without nodeAffinity")
def local_node_affinity(ctx: RuleContext) -> Iterator[Finding]:
    """A ``local`` volume is a disk of one node, so the PV must say which node: validation
    rejects it without node affinity ("Local volume requires node affinity"), and without it
    the scheduler could not place the claim's pods."""
    for m in ctx.of_kind(_PV):
        spec = _spec(m)
        if "local" not in spec:
            continue
        affinity = spec.get("nodeAffinity")
        required = affinity.get("required") if isinstance(affinity, dict) else None
        terms = required.get("nodeSelectorTerms") if isinstance(required, dict) else None
        if not terms:
            yield m.error(
                "storage/local-node-affinity",
                "spec.nodeAffinity",
                f"local PV {m.name!r} has no nodeAffinity: Kubernetes cannot tell which node "
                "holds the disk",
                "use PersistentVolume.local(..., node='<node name>'), which sets "
                "nodeAffinity on kubernetes.io/hostname",
            )


@rule("storage/local-immediate-binding", "a local PV whose claims bind before scheduling")
def local_immediate_binding(ctx: RuleContext) -> Iterator[Finding]:
    """A claim bound immediately pins its pods to the node of its local PV, chosen before the
    scheduler looked at the pod's other constraints (CPU, memory, affinity), so the pod may
    never fit there. The Kubernetes docs: use a StorageClass with
    ``volumeBindingMode: WaitForFirstConsumer`` for local volumes."""
    classes = {m.name: m for m in ctx.of_kind(_SC)}
    for m in ctx.of_kind(_PV):
        spec = _spec(m)
        if "local" not in spec:
            continue
        name = m.annotations.get(BETA_CLASS_ANNOTATION, spec.get("storageClassName"))
        if not name:
            yield m.warning(
                "storage/local-immediate-binding",
                "spec.storageClassName",
                f"local PV {m.name!r} has no class, so claims bind to it as soon as they "
                "exist, before their pods are scheduled",
                "give it a class made with StorageClass.for_local_volumes(...) "
                "(WaitForFirstConsumer)",
            )
            continue
        sc = classes.get(str(name))
        if sc is None:
            continue  # the class is outside the app; nothing to judge
        if str(sc.obj.get("volumeBindingMode") or "Immediate") == "Immediate":
            yield m.warning(
                "storage/local-immediate-binding",
                "spec.storageClassName",
                f"local PV {m.name!r} is in StorageClass {sc.name!r}, which binds Immediately: "
                "claims bind before their pods are scheduled",
                f"set volumeBindingMode: WaitForFirstConsumer on StorageClass {sc.name!r}",
            )


@rule("storage/missing-claim", "a pod volume names a claim that is not in the app")
def missing_claim(ctx: RuleContext) -> Iterator[Finding]:
    """A pod whose volume names a PersistentVolumeClaim that does not exist in its namespace
    stays Pending ("persistentvolumeclaim not found"). Claims are namespaced and a pod can
    use only claims of its own namespace. A claim the declared cluster has is fine; where the
    objects are not the whole app (``k8sdsl check`` without ``--complete``) the claim may be
    in a file not checked, so a missing one is a warning that says so."""
    complete = bool(ctx.settings.get("complete"))
    cluster = ctx.cluster
    claims: dict[str, set[str]] = {}
    for m in ctx.of_kind(_PVC):
        claims.setdefault(_ns(m), set()).add(m.name)
    guesses = Suggestions(claims)
    for manifest, ps in ctx.pod_specs():
        ns = ps.namespace or _DEFAULT_NAMESPACE
        volumes = ps.spec.get("volumes")
        if not isinstance(volumes, list):
            continue
        for i, volume in enumerate(volumes):
            source = volume.get("persistentVolumeClaim") if isinstance(volume, dict) else None
            if not isinstance(source, dict):
                continue
            name = str(source.get("claimName", ""))
            if name in claims.get(ns, ()) or cluster.has_object(_PVC, name, ns):
                continue
            if name and not _valid_name(name):
                # no claim can have this name: an error whatever else exists
                fixed = dns_fix(name)
                yield manifest.error(
                    "storage/missing-claim",
                    f"{ps.path}.volumes[{i}].persistentVolumeClaim.claimName",
                    f"volume {volume.get('name')!r} names claim {name!r}, which is not a "
                    "valid object name (lowercase letters, digits, '-' and '.'): no claim "
                    "can have it",
                    f"did you mean {fixed!r}?"
                    if fixed in claims.get(ns, ())
                    else (f"claim names are lowercase: {fixed!r}"),
                )
                continue
            guess = guesses.suggest(ns, name)
            elsewhere = [n for n, names in sorted(claims.items()) if name in names]
            if guess:
                hint = f"did you mean {guess!r}?"
            elif elsewhere:
                hint = (
                    f"claim {name!r} is in namespace {elsewhere[0]!r}; a pod can only "
                    f"use claims of its own namespace ({ns!r})"
                )
            else:
                hint = "add the PersistentVolumeClaim to the app, or fix claimName"
            report = manifest.error if complete else manifest.warning
            where = (
                f"namespace {ns!r} of the app"
                if complete
                else f"namespace {ns!r} among the files checked nor in the declared cluster"
            )
            yield report(
                "storage/missing-claim",
                f"{ps.path}.volumes[{i}].persistentVolumeClaim.claimName",
                f"volume {volume.get('name')!r} names claim {name!r}, which is not in {where}",
                hint,
            )


def _valid_name(name: str) -> bool:
    try:
        check_dns_subdomain(name)
    except ValueError:
        return False
    return True


@rule("storage/access-mode-unsupported", "a PV asks for an access mode its plugin cannot serve")
def access_mode_unsupported(ctx: RuleContext) -> Iterator[Finding]:
    """ "Access modes must be supported by the storage resource provider": an EBS or GCE disk
    attaches to one node (ReadWriteOnce), a hostPath or local volume lives on one node, and
    ReadWriteOncePod works only with CSI. The API server accepts any mode, the claim binds,
    and the pods fail when a second node attaches or the kubelet refuses the mode. csi and
    flexVolume modes depend on the driver and are not judged."""
    for m in ctx.of_kind(_PV):
        spec = _spec(m)
        modes = spec.get("accessModes")
        if not isinstance(modes, list):
            continue
        for key in pv_sources(spec):
            bad = unsupported_access_modes(key, [str(x) for x in modes])
            shared = [b for b in bad if b in ("ReadOnlyMany", "ReadWriteMany")]
            if shared and key == "hostPath":
                # the API accepts it and the kubelet does not enforce modes on a hostPath:
                # every pod on the node that has the path can share it, pods elsewhere see
                # another node's directory
                yield m.warning(
                    "storage/access-mode-unsupported",
                    "spec.accessModes",
                    f"PV {m.name!r} is a hostPath volume with {', '.join(shared)}: only pods on "
                    "the node that has the path share it; pods on other nodes see that node's "
                    "own directory",
                    "pin the pods to that node (nodeAffinity), or use ReadWriteOnce; for "
                    "storage shared across nodes use nfs or a CSI driver",
                )
                bad = [b for b in bad if b not in shared]
            if bad:
                yield m.error(
                    "storage/access-mode-unsupported",
                    "spec.accessModes",
                    f"PV {m.name!r} is a {key} volume, which does not support {', '.join(bad)}",
                    access_mode_hint(key, bad),
                )


@rule("storage/recycle-unsupported", "Recycle on a plugin that cannot recycle")
def recycle_unsupported(ctx: RuleContext) -> Iterator[Finding]:
    """Only nfs and hostPath volumes can be recycled (scrubbed with ``rm -rf`` and offered
    again); for any other plugin the PV turns Failed when its claim is deleted ("no volume
    plugin matched"). Validation also rejects Recycle for a hostPath of ``/``."""
    for m in ctx.of_kind(_PV):
        spec = _spec(m)
        if spec.get("persistentVolumeReclaimPolicy") != "Recycle":
            continue
        for key in pv_sources(spec):
            path = spec[key].get("path") if key == "hostPath" else None
            problem = recycle_problem(key, str(path) if path is not None else None)
            if problem:
                yield m.error(
                    "storage/recycle-unsupported",
                    "spec.persistentVolumeReclaimPolicy",
                    f"PV {m.name!r}: {problem}",
                    "use Retain (or Delete where the plugin deletes)",
                )


@rule("storage/recycle-deprecated", "the deprecated Recycle reclaim policy")
def recycle_deprecated(ctx: RuleContext) -> Iterator[Finding]:
    """The Recycle reclaim policy is deprecated: the Kubernetes docs recommend dynamic
    provisioning instead. A recycled volume is scrubbed with ``rm -rf`` by a recycler pod and
    handed to the next claim, with no way to keep what the last one wrote."""
    for m in ctx.of_kind(_PV):
        if _spec(m).get("persistentVolumeReclaimPolicy") == "Recycle":
            yield m.warning(
                "storage/recycle-deprecated",
                "spec.persistentVolumeReclaimPolicy",
                f"PV {m.name!r} uses the deprecated Recycle reclaim policy",
                "use Retain (clean up by hand) or a StorageClass with reclaimPolicy Delete "
                "(a fresh volume per claim)",
            )


@rule("storage/mount-options-unsupported", "mountOptions on a PV whose plugin takes none")
def mount_options_unsupported(ctx: RuleContext) -> Iterator[Finding]:
    """The kubelet refuses to mount a PV with ``mountOptions`` when its plugin does not take
    mount options ("mount options are not supported for this volume type"); the pod stays
    in ContainerCreating. The API server does not check this."""
    for m in ctx.of_kind(_PV):
        spec = _spec(m)
        if not spec.get("mountOptions"):
            continue
        for key in pv_sources(spec):
            if mount_options_supported(key) is False:
                yield m.error(
                    "storage/mount-options-unsupported",
                    "spec.mountOptions",
                    f"PV {m.name!r} is a {key} volume, which takes no mount options: the "
                    "kubelet will refuse to mount it",
                    "drop spec.mountOptions",
                )


@rule("storage/claim-data-source", "a claim's dataSource and dataSourceRef disagree")
def claim_data_source(ctx: RuleContext) -> Iterator[Finding]:
    """The API server rejects a claim whose ``dataSource`` and ``dataSourceRef`` are both set
    but differ, a ``dataSource`` next to a cross-namespace ``dataSourceRef``, and a data
    source of the core group that is not a PersistentVolumeClaim (a VolumeSnapshot needs
    ``apiGroup: snapshot.storage.k8s.io``)."""
    for m in ctx.of_kind(_PVC):
        for path, message, hint in data_source_problems(_spec(m)):
            yield m.error("storage/claim-data-source", path, f"claim {m.name!r}: {message}", hint)


@rule("storage/delete-unsupported", "reclaim policy Delete on a plugin that cannot delete")
def delete_unsupported(ctx: RuleContext) -> Iterator[Finding]:
    """With ``Delete``, deleting the claim makes Kubernetes delete the volume through the
    plugin's deleter. Plugins without one (nfs, iscsi, fc, local...) leave the PV ``Failed``
    ("no deletable volume plugin matched") and the data in place; the hostPath deleter only
    removes paths under ``/tmp`` (it exists for tests)."""
    for m in ctx.of_kind(_PV):
        spec = _spec(m)
        if spec.get("persistentVolumeReclaimPolicy") != "Delete":
            continue
        for key in pv_sources(spec):
            facts = CATALOG.get(key)
            if facts is None or facts.delete:
                continue
            path = str(spec[key].get("path", "")) if key == "hostPath" else ""
            if key == "hostPath" and path.startswith("/tmp/") and len(path) > len("/tmp/"):
                continue
            yield m.warning(
                "storage/delete-unsupported",
                "spec.persistentVolumeReclaimPolicy",
                f"PV {m.name!r} is a {key} volume, which Kubernetes cannot delete: when its "
                "claim goes, the PV turns Failed and the data stays",
                "use Retain and clean up by hand, or provision the volume dynamically through "
                "a StorageClass whose provisioner deletes",
            )


def _consumed_claims(ctx: RuleContext) -> set[tuple[str, str]]:
    """(namespace, claim) for every claim a pod or workload template of the app mounts."""
    used: set[tuple[str, str]] = set()
    for _manifest, ps in ctx.pod_specs():
        volumes = ps.spec.get("volumes")
        for volume in volumes if isinstance(volumes, list) else ():
            source = volume.get("persistentVolumeClaim") if isinstance(volume, dict) else None
            if isinstance(source, dict) and source.get("claimName"):
                used.add((ps.namespace or _DEFAULT_NAMESPACE, str(source["claimName"])))
    return used


@rule("storage/waiting-for-consumer", "a WaitForFirstConsumer claim that no pod of the app uses")
def waiting_for_consumer(ctx: RuleContext) -> Iterator[Finding]:
    """A claim of a ``WaitForFirstConsumer`` class is bound or provisioned only when a pod
    that uses it is scheduled; until then it is Pending ("waiting for first consumer to be
    created before binding"). A claim no pod of the app mounts may be meant for a pod
    elsewhere, so this is a note."""
    used = _consumed_claims(ctx)
    for verdict, manifest in _verdicts(ctx):
        if not verdict.delayed or (verdict.namespace, verdict.name) in used:
            continue
        yield manifest.info(
            "storage/waiting-for-consumer",
            "spec.storageClassName",
            f"claim {verdict.key} waits for its first consumer (StorageClass "
            f"{verdict.storage_class!r} is WaitForFirstConsumer) and no pod of the app uses "
            "it: it stays Pending until one does",
        )


@rule(
    "storage/volume-attributes-class-gate",
    "volumeAttributesClassName while the VolumeAttributesClass gate is off by default",
)
def volume_attributes_class_gate(ctx: RuleContext) -> Iterator[Finding]:
    """``volumeAttributesClassName`` (API field 1.29) needs the ``VolumeAttributesClass``
    feature gate, off by default until 1.34 (alpha 1.29, beta 1.31). While it is off the API
    server silently drops the field from PVs and claims, so the volume gets the driver's
    default attributes (IOPS, throughput) instead of the class written in git."""
    for m in ctx.of_kind(_PV, _PVC):
        name = _spec(m).get("volumeAttributesClassName")
        switched = ctx.cluster.feature_gates.get(_VAC_GATE.name)
        if not name or switched is True:
            continue
        if switched is None and _VAC_GATE.enabled_by_default(m.k8s_version):
            continue
        yield m.warning(
            "storage/volume-attributes-class-gate",
            "spec.volumeAttributesClassName",
            f"{m.kind} {m.name!r} sets volumeAttributesClassName {name!r}, which the API "
            f"server drops unless the {_VAC_GATE.name} feature gate is on (off by default "
            f"before {_VAC_GATE.default_on_in}; target {m.k8s_version})",
            f"make sure the cluster enables --feature-gates={_VAC_GATE.name}=true, serves "
            "the storage.k8s.io VolumeAttributesClass API and declares it (Cluster("
            f"feature_gates={{{_VAC_GATE.name!r}: True}})), or target 1.34 or later",
        )


# -- one claim, many pods ----------------------------------------------------------------------

#: kind -> the field that says how many pods it runs at once (default 1)
_POD_COUNT_FIELDS = {
    "Deployment": "replicas",
    "ReplicaSet": "replicas",
    "ReplicationController": "replicas",
    "StatefulSet": "replicas",
    "Job": "parallelism",
}
_SHARED_MODES = frozenset({"ReadWriteMany", "ReadOnlyMany"})


def _pod_count(m: Manifest, ctx: RuleContext) -> int | None:
    """How many pods of ``m`` run at once; None when it cannot be told (a DaemonSet on a
    cluster whose nodes are not declared runs one on each node)."""
    if m.kind == "DaemonSet":
        nodes = sum(pool.count for pool in ctx.cluster.node_pools)
        return nodes if ctx.cluster.node_pools else None
    if m.kind == "CronJob":
        job = _spec(m).get("jobTemplate")
        spec = job.get("spec") if isinstance(job, dict) else None
        value = spec.get("parallelism", 1) if isinstance(spec, dict) else 1
    elif m.kind in _POD_COUNT_FIELDS:
        value = _spec(m).get(_POD_COUNT_FIELDS[m.kind], 1)
    else:
        value = 1  # a Pod
    return value if isinstance(value, int) and not isinstance(value, bool) else 1


@rule("storage/multi-attach", "a ReadWriteOnce claim mounted by pods that may run on many nodes")
def multi_attach(ctx: RuleContext) -> Iterator[Finding]:
    """A ReadWriteOnce volume attaches to one node. When several pods use the claim (a
    Deployment of 3 replicas, a DaemonSet, two workloads), those the scheduler puts on
    another node stay ``ContainerCreating`` with "Multi-Attach error for volume ... Volume
    is already used by pod(s)". A ReadWriteOncePod claim serves exactly one pod: the others
    stay Pending. Use ReadWriteMany storage, or a StatefulSet's volumeClaimTemplates for a
    volume per pod."""
    claims = {(_ns(m), m.name): m for m in ctx.of_kind(_PVC)}
    users: dict[tuple[str, str], list[tuple[Manifest, str, int | None]]] = {}
    for manifest, ps in ctx.pod_specs():
        if manifest.kind == "PodTemplate":
            continue
        volumes = ps.spec.get("volumes")
        for i, volume in enumerate(volumes if isinstance(volumes, list) else ()):
            source = volume.get("persistentVolumeClaim") if isinstance(volume, dict) else None
            if not isinstance(source, dict) or not source.get("claimName"):
                continue
            key = (ps.namespace or _DEFAULT_NAMESPACE, str(source["claimName"]))
            if key in claims:
                path = f"{ps.path}.volumes[{i}].persistentVolumeClaim.claimName"
                users.setdefault(key, []).append((manifest, path, _pod_count(manifest, ctx)))
    for key, found in users.items():
        claim = claims[key]
        modes = _spec(claim).get("accessModes")
        modes = {str(x) for x in modes} if isinstance(modes, list) else set()
        if not modes or modes & _SHARED_MODES:
            continue
        counts = [n for _, _, n in found]
        if None not in counts and sum(c for c in counts if c is not None) <= 1:
            continue
        who = ", ".join(
            f"{m.kind} {m.name!r} ({'one per node' if n is None else n})" for m, _, n in found
        )
        for manifest, path, _count in found:
            if _RWOP in modes:
                yield manifest.error(
                    "storage/multi-attach",
                    path,
                    f"claim {key[1]!r} is ReadWriteOncePod, which one pod may use, and it is "
                    f"mounted by {who}: every pod but one stays Pending",
                    "give each pod its own claim (a StatefulSet's volumeClaimTemplates), or run "
                    "one pod",
                )
            else:
                yield manifest.warning(
                    "storage/multi-attach",
                    path,
                    f"claim {key[1]!r} is ReadWriteOnce (one node) and is mounted by {who}: "
                    "pods scheduled on another node fail with 'Multi-Attach error'",
                    "use a ReadWriteMany class (NFS, EFS, Azure Files, CephFS), give each pod "
                    "its own claim (a StatefulSet's volumeClaimTemplates), or run one replica",
                )
