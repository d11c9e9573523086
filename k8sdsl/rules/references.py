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
from k8sdsl.core._manifest import Manifest
from k8sdsl.core._podspecs import PodSpecRef, pod_specs
from k8sdsl.core._suggest import suggest
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


def _keys(m: Manifest) -> set[str]:
    keys: set[str] = set()
    for field in ("data", "binaryData", "stringData"):
        keys.update(str(k) for k in _d(m.obj.get(field)))
    return keys


@rule("references/missing-object", "a pod names a ConfigMap, Secret or ServiceAccount no one has")
def missing_object(ctx: RuleContext) -> Iterator[Finding]:
    """A pod whose ConfigMap or Secret does not exist stays in CreateContainerConfigError (env)
    or ContainerCreating (volumes); a missing key of an existing one is the same error
    (``couldn't find key x in ConfigMap``). A controller whose ServiceAccount does not exist
    creates no pod (``serviceaccount "x" not found``). Optional references are fine."""
    complete = bool(ctx.settings.get("complete"))
    cluster = ctx.cluster
    names: dict[tuple[str, str | None], list[str]] = {}
    for m in ctx.of_kind("ConfigMap", "Secret", "ServiceAccount"):
        names.setdefault((m.kind, m.namespace), []).append(m.name)
    for manifest in ctx.manifests:
        for ps in pod_specs(manifest):
            for ref in references(ps):
                if ref.optional:
                    continue
                found = ctx.find(ref.kind, ref.name, manifest.namespace)
                declared = cluster.find_object(ref.kind, ref.name, manifest.namespace)
                if found is None and declared is None:
                    where = manifest.namespace or "its namespace"
                    guess = suggest(ref.name, names.get((ref.kind, manifest.namespace), []))
                    text = (
                        f"{ref.kind} {ref.name!r} is not defined in {where} by the app "
                        "or the declared cluster"
                        if complete
                        else f"{ref.kind} {ref.name!r} is not among the files checked nor in "
                        "the declared cluster"
                    )
                    hint = (
                        f"did you mean {guess!r}?"
                        if guess
                        else f"add the {ref.kind}, declare it in the cluster "
                        "(Cluster(objects=[ExistingObject(...)]), --cluster FILE), or mark the "
                        "reference optional"
                    )
                    report = manifest.error if complete else manifest.warning
                    path = f"{ref.path}.name" if ref.key is not None else ref.path
                    yield report("references/missing-object", path, text, hint)
                    continue
                if ref.key is None:
                    continue
                keys = _keys(found) if found is not None else None
                if keys is None and declared is not None and declared.keys is not None:
                    keys = set(declared.keys)
                if keys is not None and ref.key not in keys:
                    guess = suggest(ref.key, sorted(keys))
                    yield manifest.error(
                        "references/missing-key",
                        f"{ref.path}.key",
                        f"{ref.kind} {ref.name!r} has no key {ref.key!r} (it has "
                        f"{', '.join(sorted(keys)) or 'none'})",
                        f"did you mean {guess!r}?" if guess else "name one of its keys",
                    )
