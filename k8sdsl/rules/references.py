"""Reference rules: a pod that names a ConfigMap, a Secret, a key or a ServiceAccount that
neither the objects checked nor the declared cluster have.

Such a pod is created and then stalls: ``CreateContainerConfigError`` (a missing ConfigMap
or Secret in env), ``ContainerCreating`` with ``FailedMount`` (in a volume), or the
controller cannot create it at all (``serviceaccount "x" not found``). Where the objects are
the whole app (synth, or ``k8sdsl check --complete``) a dangling reference is an error;
otherwise the object may live in a file not checked, so it is a warning that says so.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, NamedTuple

from k8sdsl.core._findings import Finding
from k8sdsl.core._label_index import LabelIndex
from k8sdsl.core._manifest import Manifest
from k8sdsl.core._podspecs import PodSpecRef, pod_specs
from k8sdsl.core._secret_source import missing_key_problem
from k8sdsl.core._selectors import LabelSelector
from k8sdsl.core._suggest import Suggestions, suggest
from k8sdsl.rules._registry import RuleContext, rule


class Reference(NamedTuple):
    kind: str
    name: str
    path: str
    key: str | None = None
    optional: bool = False


def _d(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _l(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _ref(
    kind: str, name: Any, path: str, key: Any = None, optional: Any = False
) -> list[Reference]:
    if not isinstance(name, str) or not name:
        return []
    return [Reference(kind, name, path, key if isinstance(key, str) else None, optional is True)]


def references(ps: PodSpecRef) -> Iterator[Reference]:
    """Every ConfigMap, Secret and ServiceAccount a pod spec names, with its JSON path."""
    spec, base = ps.spec, ps.path
    for i, volume in enumerate(_l(spec.get("volumes"))):
        v = _d(volume)
        path = f"{base}.volumes[{i}]"
        cm, secret = _d(v.get("configMap")), _d(v.get("secret"))
        yield from _ref(
            "ConfigMap", cm.get("name"), f"{path}.configMap.name", None, cm.get("optional")
        )
        yield from _ref(
            "Secret",
            secret.get("secretName"),
            f"{path}.secret.secretName",
            None,
            secret.get("optional"),
        )
        for j, source in enumerate(_l(_d(v.get("projected")).get("sources"))):
            s = _d(source)
            for kind, key in (("ConfigMap", "configMap"), ("Secret", "secret")):
                part = _d(s.get(key))
                yield from _ref(
                    kind,
                    part.get("name"),
                    f"{path}.projected.sources[{j}].{key}.name",
                    None,
                    part.get("optional"),
                )
    for cpath, container in ps.containers():
        for i, env in enumerate(_l(container.get("env"))):
            source = _d(_d(env).get("valueFrom"))
            for kind, key in (("ConfigMap", "configMapKeyRef"), ("Secret", "secretKeyRef")):
                ref = _d(source.get(key))
                yield from _ref(
                    kind,
                    ref.get("name"),
                    f"{cpath}.env[{i}].valueFrom.{key}",
                    ref.get("key"),
                    ref.get("optional"),
                )
        for i, env_from in enumerate(_l(container.get("envFrom"))):
            e = _d(env_from)
            for kind, key in (("ConfigMap", "configMapRef"), ("Secret", "secretRef")):
                ref = _d(e.get(key))
                yield from _ref(
                    kind,
                    ref.get("name"),
                    f"{cpath}.envFrom[{i}].{key}.name",
                    None,
                    ref.get("optional"),
                )
    for i, secret in enumerate(_l(spec.get("imagePullSecrets"))):
        yield from _ref("Secret", _d(secret).get("name"), f"{base}.imagePullSecrets[{i}].name")
    account = spec.get("serviceAccountName")
    if account != "default":
        yield from _ref("ServiceAccount", account, f"{base}.serviceAccountName")


#: kinds whose controllers create a Secret (Bitnami sealed-secrets, External Secrets)
_SECRET_MAKERS = ("SealedSecret", "ExternalSecret")
_ESO_GROUP = "external-secrets.io/"


def _makes_secret(m: Manifest) -> bool:
    """Whether ``m`` makes a Secret: a SealedSecret, or an ExternalSecret that targets a
    Secret (not a ``target.manifest`` of another kind) and creates it (``creationPolicy``
    other than ``None``)."""
    if m.kind == "SealedSecret":
        return True
    target = _d(_d(m.obj.get("spec")).get("target"))
    return target.get("creationPolicy") != "None" and not target.get("manifest")


def _produced_secret(m: Manifest) -> str:
    """The Secret a SealedSecret or ExternalSecret makes: an ExternalSecret's
    ``spec.target.name``, else its own name. A SealedSecret's is always its own name: the
    controller sets it whatever ``spec.template.metadata.name`` says (``Unseal`` in
    sealed-secrets' sealedsecret_expansion.go)."""
    if m.kind == "ExternalSecret":
        name = _d(_d(m.obj.get("spec")).get("target")).get("name")
        if isinstance(name, str) and name:
            return name
    return m.name


def produced_keys(m: Manifest) -> set[str] | None:
    """The keys of the Secret a SealedSecret or ExternalSecret makes, or ``None`` when the
    manifest does not name them all: an ExternalSecret with ``dataFrom`` (the store's keys),
    a template that renders from elsewhere (``templateFrom``), a ``Merge`` creation policy
    (the Secret has keys of its own); a SealedSecret in the deprecated ``data`` form."""
    spec = _d(m.obj.get("spec"))
    if m.kind == "SealedSecret":
        if spec.get("data"):
            return None
        keys = {str(k) for k in _d(spec.get("encryptedData"))}
        return keys | {str(k) for k in _d(_d(spec.get("template")).get("data"))}
    target = _d(spec.get("target"))
    if spec.get("dataFrom") or target.get("creationPolicy") in ("Merge", "CreateOrMerge"):
        return None
    data_keys = {str(_d(d).get("secretKey")) for d in _l(spec.get("data"))}
    template = target.get("template")
    if not isinstance(template, dict):
        return data_keys
    if template.get("templateFrom"):
        return None
    rendered = {str(k) for k in _d(template.get("data"))}
    if not rendered:
        return data_keys  # a template of metadata or type only keeps the data keys
    return rendered | data_keys if template.get("mergePolicy") == "Merge" else rendered


def _keys(m: Manifest) -> set[str]:
    keys: set[str] = set()
    for field in ("data", "binaryData", "stringData"):
        keys.update(str(k) for k in _d(m.obj.get(field)))
    return keys


def _secret_makers(ctx: RuleContext) -> dict[tuple[str | None, str], Manifest]:
    """(namespace, Secret name) -> the SealedSecret or ExternalSecret that makes it."""

    def compute() -> dict[tuple[str | None, str], Manifest]:
        made: dict[tuple[str | None, str], Manifest] = {}
        for m in ctx.of_kind(*_SECRET_MAKERS):
            if m.kind == "ExternalSecret" and not m.api_version.startswith(_ESO_GROUP):
                continue
            if _makes_secret(m):
                made.setdefault((m.namespace, _produced_secret(m)), m)
        return made

    return ctx.memo("references/secret-makers", compute)


def _sealed_template_names(ctx: RuleContext) -> dict[tuple[str | None, str], Manifest]:
    names: dict[tuple[str | None, str], Manifest] = {}
    for m in ctx.of_kind("SealedSecret"):
        name = _d(_d(_d(m.obj.get("spec")).get("template")).get("metadata")).get("name")
        if isinstance(name, str) and name and name != m.name:
            names.setdefault((m.namespace, name), m)
    return names


@rule("references/missing-object", "a pod names a ConfigMap, Secret or ServiceAccount no one has")
def missing_object(ctx: RuleContext) -> Iterator[Finding]:
    """A pod whose ConfigMap or Secret does not exist stays in CreateContainerConfigError (env)
    or ContainerCreating (volumes); a missing key of an existing one is the same error
    (``couldn't find key x in ConfigMap``). A controller whose ServiceAccount does not exist
    creates no pod (``serviceaccount "x" not found``). Optional references are fine. A Secret
    may also be made in the cluster: by an ExternalSecret (``spec.target.name``, else its
    name; the keys of its ``data`` when it has no ``dataFrom``) or a SealedSecret (its name;
    the keys of its ``encryptedData``)."""
    complete = bool(ctx.settings.get("complete"))
    cluster = ctx.cluster
    names: dict[tuple[str, str | None], list[str]] = {}
    for m in ctx.of_kind("ConfigMap", "Secret", "ServiceAccount"):
        names.setdefault((m.kind, m.namespace), []).append(m.name)
    made = _secret_makers(ctx)
    for (namespace, name), _maker in made.items():
        names.setdefault(("Secret", namespace), []).append(name)
    template_names = _sealed_template_names(ctx)
    guesses = Suggestions(names)
    for manifest, ps in ctx.pod_specs():
        for ref in references(ps):
            if ref.optional:
                continue
            found = ctx.find(ref.kind, ref.name, manifest.namespace)
            declared = cluster.find_object(ref.kind, ref.name, manifest.namespace)
            maker = made.get((manifest.namespace, ref.name)) if ref.kind == "Secret" else None
            if found is None and declared is None and maker is None:
                where = manifest.namespace or "its namespace"
                guess = guesses.suggest((ref.kind, manifest.namespace), ref.name)
                text = (
                    f"{ref.kind} {ref.name!r} is not defined in {where} by the app "
                    "or the declared cluster"
                    if complete
                    else f"{ref.kind} {ref.name!r} is not among the files checked nor in "
                    "the declared cluster"
                )
                sealed = (
                    template_names.get((manifest.namespace, ref.name))
                    if ref.kind == "Secret"
                    else None
                )
                if sealed is not None:
                    hint = (
                        f"SealedSecret {sealed.name!r} sets spec.template.metadata.name "
                        f"{ref.name!r}, which its controller ignores: the Secret is named "
                        f"{sealed.name!r}"
                    )
                elif guess:
                    hint = f"did you mean {guess!r}?"
                else:
                    hint = (
                        f"add the {ref.kind}, declare it in the cluster "
                        "(Cluster(objects=[ExistingObject(...)]), --cluster FILE), or mark "
                        "the reference optional"
                    )
                report = manifest.error if complete else manifest.warning
                path = f"{ref.path}.name" if ref.key is not None else ref.path
                yield report("references/missing-object", path, text, hint)
                continue
            if ref.key is None:
                continue
            keys: set[str] | None = None
            owner = f"{ref.kind} {ref.name!r}"
            if found is not None:
                keys = _keys(found)
            elif declared is not None:
                keys = set(declared.keys) if declared.keys is not None else None
            elif maker is not None:
                keys = produced_keys(maker)
                owner = f"Secret {ref.name!r} (made by {maker.kind} {maker.name!r})"
            if keys is None:
                continue
            problem = missing_key_problem(owner, ref.key, keys)
            if problem is not None:
                yield manifest.error("references/missing-key", f"{ref.path}.key", *problem)


def _store_refs(m: Manifest) -> Iterator[tuple[str, str, str]]:
    """(kind, name, JSON path) of every store an ExternalSecret reads: ``secretStoreRef``
    and the ``sourceRef.storeRef`` of its ``data`` and ``dataFrom`` entries (``kind`` unset
    is ``SecretStore``)."""
    spec = _d(m.obj.get("spec"))
    refs = [("spec.secretStoreRef", _d(spec.get("secretStoreRef")))]
    for field in ("data", "dataFrom"):
        for i, entry in enumerate(_l(spec.get(field))):
            store = _d(_d(_d(entry).get("sourceRef")).get("storeRef"))
            if store:
                refs.append((f"spec.{field}[{i}].sourceRef.storeRef", store))
    for path, ref in refs:
        name = ref.get("name")
        kind = ref.get("kind") or "SecretStore"
        if isinstance(name, str) and name and kind in ("SecretStore", "ClusterSecretStore"):
            yield str(kind), name, path


@rule(
    "references/missing-secret-store",
    "an ExternalSecret reads a SecretStore or ClusterSecretStore no one has",
)
def missing_secret_store(ctx: RuleContext) -> Iterator[Finding]:
    """The External Secrets Operator reads values through the store an ExternalSecret names:
    a ``SecretStore`` of its namespace or a cluster-scoped ``ClusterSecretStore``. When the
    store does not exist the ExternalSecret stays ``SecretSyncedError`` (``could not get
    SecretStore``), its Secret is never made, and the pods that use it stall. Stores are made
    by the platform with their credentials: declare them in the cluster."""
    complete = bool(ctx.settings.get("complete"))
    stores: dict[str, dict[str | None, list[str]]] = {"SecretStore": {}, "ClusterSecretStore": {}}
    for s in ctx.of_kind("SecretStore", "ClusterSecretStore"):
        if s.api_version.startswith(_ESO_GROUP):
            namespace = s.namespace if s.kind == "SecretStore" else None
            stores[s.kind].setdefault(namespace, []).append(s.name)
    store_guesses = {kind: Suggestions(by_ns) for kind, by_ns in stores.items()}
    for m in ctx.of_kind("ExternalSecret"):
        if not m.api_version.startswith(_ESO_GROUP):
            continue
        for kind, name, path in _store_refs(m):
            namespace = m.namespace if kind == "SecretStore" else None
            if name in stores[kind].get(namespace, []):
                continue
            if ctx.cluster.find_object(kind, name, namespace) is not None:
                continue
            guess = store_guesses[kind].suggest(namespace, name)
            declared_kind = next(
                (o.kind for o in ctx.cluster.objects if o.name == name and o.kind != kind), None
            )
            where = f"namespace {namespace!r}" if namespace else "the cluster"
            if guess:
                hint = f"did you mean {guess!r}?"
            elif declared_kind in ("SecretStore", "ClusterSecretStore"):
                hint = (
                    f"the declared cluster has a {declared_kind} {name!r}: set kind: "
                    f"{declared_kind}"
                )
            else:
                hint = (
                    f"declare the {kind} in the cluster (ExistingObject(kind={kind!r}, "
                    f"name={name!r}{', namespace=...' if namespace else ''}), --cluster FILE)"
                )
            text = f"ExternalSecret {m.name!r} reads {kind} {name!r}, which " + (
                f"neither the app nor the declared cluster has in {where}: its Secret is never made"
                if complete
                else f"is not among the files checked nor declared in {where}"
            )
            report = m.error if complete else m.warning
            yield report("references/missing-secret-store", f"{path}.name", text, hint)


# -- Services and the pods they select --------------------------------------------------------

_DEFAULT_NAMESPACE = "default"
#: kinds whose pod templates become pods (a PodTemplate object makes none)
_POD_MAKERS = frozenset(
    {
        "Pod",
        "Deployment",
        "ReplicaSet",
        "ReplicationController",
        "StatefulSet",
        "DaemonSet",
        "Job",
        "CronJob",
    }
)


class PodIndex:
    """Every pod (or pod template) of the objects, in a :class:`LabelIndex` by namespace and
    label, so that the pods a selector picks are found in the time of the answer instead of
    scanning every pod for every Service or budget."""

    def __init__(self, ctx: RuleContext) -> None:
        self.pods: list[PodSpecRef] = [
            ps for m in ctx.manifests if m.kind in _POD_MAKERS for ps in pod_specs(m)
        ]
        self._index: LabelIndex[PodSpecRef] = LabelIndex(
            self.pods,
            namespace=lambda ps: ps.namespace or _DEFAULT_NAMESPACE,
            labels=lambda ps: ps.labels,
        )

    def in_namespace(self, namespace: str | None) -> list[PodSpecRef]:
        return self._index.in_namespace(namespace or _DEFAULT_NAMESPACE)

    def namespaces(self) -> list[str]:
        """The namespaces that hold a pod, in first-seen order."""
        return self._index.namespaces()

    def selected(self, namespace: str | None, selector: dict[str, str]) -> list[PodSpecRef]:
        """The pods of ``namespace`` whose labels include every pair of ``selector`` (an
        empty one selects none: a Service without a selector has no pods)."""
        if not selector:
            return []
        # unvalidated: a Service's selector read from YAML may hold keys no label has
        return self.selecting(namespace, LabelSelector.model_construct(match_labels=selector))

    def selecting(self, namespace: str | None, selector: LabelSelector) -> list[PodSpecRef]:
        """The pods of ``namespace`` that ``selector`` (matchLabels and matchExpressions)
        selects."""
        return self._index.select(namespace or _DEFAULT_NAMESPACE, selector)


def pod_index(ctx: RuleContext) -> PodIndex:
    """The run's pod index, built once and shared by the rules that ask."""
    return ctx.memo("references/pod-index", lambda: PodIndex(ctx))


def _service_selector(m: Manifest) -> dict[str, str] | None:
    """The equality selector of a Service that selects pods (None for ExternalName Services
    and Services without a selector, whose endpoints are managed by hand)."""
    spec = _d(m.obj.get("spec"))
    if spec.get("type") == "ExternalName":
        return None
    selector = spec.get("selector")
    if not isinstance(selector, dict) or not selector:
        return None
    return {str(k): str(v) for k, v in selector.items()}


def _labels_text(pods: list[PodSpecRef]) -> str:
    shown = []
    for ps in pods[:5]:
        labels = ",".join(f"{k}={v}" for k, v in sorted(ps.labels.items())) or "no labels"
        shown.append(f"{ps.manifest.kind} {ps.manifest.name}: {labels}")
    return "; ".join(shown)


@rule("references/service-selects-no-pod", "a Service whose selector matches no pod")
def service_selects_no_pod(ctx: RuleContext) -> Iterator[Finding]:
    """A Service sends traffic only to ready pods of its own namespace whose labels include
    its whole selector. One that matches none (a label typo, another namespace) has no
    endpoints: clients get "connection refused" or time out, and nothing reports why."""
    complete = bool(ctx.settings.get("complete"))
    index = pod_index(ctx)
    for m in ctx.of_kind("Service"):
        selector = _service_selector(m)
        if selector is None or index.selected(m.namespace, selector):
            continue
        shown = ", ".join(f"{k}={v}" for k, v in sorted(selector.items()))
        where = m.namespace or _DEFAULT_NAMESPACE
        others = index.in_namespace(m.namespace)
        hint = (
            f"pods in namespace {where!r} have labels: {_labels_text(others)}"
            if others
            else "a Service selects pods of its own namespace only: add the workload, or set "
            "metadata.namespace to its namespace"
        )
        if complete:
            yield m.error(
                "references/service-selects-no-pod",
                "spec.selector",
                f"Service {m.name!r} selects {shown}, which no pod of the app in namespace "
                f"{where!r} has: it has no endpoints",
                hint,
            )
        else:
            yield m.warning(
                "references/service-selects-no-pod",
                "spec.selector",
                f"Service {m.name!r} selects {shown}, and no pod among the files checked in "
                f"namespace {where!r} has these labels",
                hint + " (or check the files of the pods with it, or pass --complete)",
            )


def _declared_ports(ps: PodSpecRef) -> set[str]:
    names: set[str] = set()
    for _path, container in ps.containers(ephemeral=False):
        for port in _l(container.get("ports")):
            name = _d(port).get("name")
            if isinstance(name, str) and name:
                names.add(name)
    return names


@rule("references/unknown-target-port", "a Service targetPort names a port no pod declares")
def unknown_target_port(ctx: RuleContext) -> Iterator[Finding]:
    """A named ``targetPort`` is looked up in each selected pod's container ports; a pod that
    has no port of that name is left out of the endpoints. When no selected pod declares it,
    the Service has no endpoints for that port. (A numeric targetPort needs no declaration.)"""
    complete = bool(ctx.settings.get("complete"))
    index = pod_index(ctx)
    for m in ctx.of_kind("Service"):
        selector = _service_selector(m)
        pods = index.selected(m.namespace, selector) if selector is not None else []
        if not pods:
            continue  # references/service-selects-no-pod says so
        declared: set[str] = set()
        for ps in pods:
            declared |= _declared_ports(ps)
        for i, port in enumerate(_l(_d(m.obj.get("spec")).get("ports"))):
            target = _d(port).get("targetPort")
            if not isinstance(target, str) or not target or target in declared:
                continue
            if target.isdigit():
                continue  # an int written as a string: the schema judges it
            guess = suggest(target, sorted(declared))
            names = ", ".join(sorted(declared)) or "none"
            hint = (
                f"did you mean {guess!r}?"
                if guess
                else f"name the container port {target!r}, or use a port number"
            )
            text = (
                f"targetPort {target!r} of Service {m.name!r} is a port name that no selected "
                f"container declares (they name: {names})"
            )
            if complete:
                yield m.error(
                    "references/unknown-target-port",
                    f"spec.ports[{i}].targetPort",
                    text + ": the Service has no endpoints for it",
                    hint,
                )
            else:
                yield m.warning(
                    "references/unknown-target-port",
                    f"spec.ports[{i}].targetPort",
                    text + " among the files checked",
                    hint,
                )
