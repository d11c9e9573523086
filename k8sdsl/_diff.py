"""What changes between two sets of manifests (``k8sdsl diff``), riskiest first.

Objects are matched by identity (API group, kind, namespace, name) and compared field by
field: paths like ``spec.template.spec.containers[name=web].image``, list items matched by
``name`` when every item has one, lists of plain values compared whole. Changes that restart
pods, widen access or lose data are flagged, and come first.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

RESTARTS = "restarts pods"
WIDENS = "widens access"
LOSES = "loses data"
#: the order flags are reported in
IMPACTS = (LOSES, WIDENS, RESTARTS)

_POD_TEMPLATE = {
    "Pod": "spec",
    "Deployment": "spec.template",
    "StatefulSet": "spec.template",
    "DaemonSet": "spec.template",
    "ReplicaSet": "spec.template",
    "ReplicationController": "spec.template",
    "Job": "spec.template",
    "CronJob": "spec.jobTemplate.spec.template",
}
_RBAC_ROLES = ("Role", "ClusterRole")
_RBAC_BINDINGS = ("RoleBinding", "ClusterRoleBinding")


class _Missing:
    def __repr__(self) -> str:
        return "(none)"


MISSING: Any = _Missing()


@dataclass(frozen=True, order=True)
class Identity:
    group: str
    kind: str
    namespace: str
    name: str
    #: the file (relative to the folder compared) when the folder holds the object more than
    #: once (dist/ holds one app per file, and variants of an app repeat its objects)
    file: str = ""

    @classmethod
    def of(cls, obj: Mapping[str, Any]) -> Identity:
        api = str(obj.get("apiVersion") or "")
        meta = obj.get("metadata") if isinstance(obj.get("metadata"), Mapping) else {}
        assert isinstance(meta, Mapping)
        return cls(
            api.split("/")[0] if "/" in api else "",
            str(obj.get("kind") or ""),
            str(meta.get("namespace") or ""),
            str(meta.get("name") or ""),
        )

    def describe(self) -> str:
        kind = f"{self.kind}.{self.group}" if self.group else self.kind
        where = f"{self.namespace}/{self.name}" if self.namespace else self.name
        return f"{kind} {where}" + (f" (in {self.file})" if self.file else "")


@dataclass(frozen=True)
class FieldChange:
    path: str
    old: Any
    new: Any

    @property
    def kind(self) -> str:
        if self.old is MISSING:
            return "added"
        if self.new is MISSING:
            return "removed"
        return "changed"

    def describe(self) -> str:
        if self.old is MISSING:
            return f"{self.path}: added {_show(self.new)}"
        if self.new is MISSING:
            return f"{self.path}: removed (was {_show(self.old)})"
        return f"{self.path}: {_show(self.old)} -> {_show(self.new)}"

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {"path": self.path, "change": self.kind}
        if self.old is not MISSING:
            data["old"] = self.old
        if self.new is not MISSING:
            data["new"] = self.new
        return data


def _show(value: Any) -> str:
    """A value as JSON; a long list or mapping shortened (a string never: an image's tag is
    at its end), the full value is in ``--format json``."""
    text = json.dumps(value, sort_keys=True)
    return text if isinstance(value, str) or len(text) <= 120 else text[:117] + "..."


@dataclass(frozen=True, order=True)
class Flag:
    impact: str
    reason: str


@dataclass
class ObjectDiff:
    identity: Identity
    #: ``added``, ``removed`` or ``changed``
    status: str
    changes: list[FieldChange] = field(default_factory=list)
    flags: list[Flag] = field(default_factory=list)

    def sort_key(self) -> tuple[int, Identity]:
        ranks = [IMPACTS.index(f.impact) for f in self.flags]
        return (min(ranks) if ranks else len(IMPACTS), self.identity)

    def to_dict(self) -> dict[str, Any]:
        return {
            "object": self.identity.describe(),
            "group": self.identity.group,
            "kind": self.identity.kind,
            "namespace": self.identity.namespace,
            "name": self.identity.name,
            "status": self.status,
            "flags": [{"impact": f.impact, "reason": f.reason} for f in self.flags],
            "changes": [c.to_dict() for c in self.changes],
        }


@dataclass
class Diff:
    objects: list[ObjectDiff]

    @property
    def changed(self) -> bool:
        return bool(self.objects)

    def flagged(self) -> list[tuple[Flag, ObjectDiff]]:
        rows = [(f, o) for o in self.objects for f in o.flags]
        return sorted(rows, key=lambda r: (IMPACTS.index(r[0].impact), r[1].identity, r[0]))

    def counts(self) -> dict[str, int]:
        out = {"added": 0, "removed": 0, "changed": 0}
        for o in self.objects:
            out[o.status] += 1
        return out

    def summary(self) -> str:
        if not self.objects:
            return "no changes"
        c = self.counts()
        return (
            f"{c['changed']} changed, {c['added']} added, {c['removed']} removed; "
            f"{len(self.flagged())} flagged"
        )

    def to_json(self) -> str:
        data = {
            "changed": self.changed,
            "counts": self.counts(),
            "flagged": [
                {"impact": f.impact, "object": o.identity.describe(), "reason": f.reason}
                for f, o in self.flagged()
            ],
            "objects": [o.to_dict() for o in self.objects],
        }
        return json.dumps(data, indent=2, sort_keys=True)

    def format(self) -> str:
        lines = [self.summary()]
        if flagged := self.flagged():
            lines += ["", "Flagged"]
            width = max(len(f.impact) for f, _ in flagged)
            lines += [
                f"  ! {f.impact:<{width}}  {o.identity.describe()}: {f.reason}" for f, o in flagged
            ]
        if self.objects:
            lines += ["", "Changes"]
        marks = {"added": "+", "removed": "-", "changed": "~"}
        for o in self.objects:
            lines.append(f"  {marks[o.status]} {o.identity.describe()} ({o.status})")
            lines += [f"      {c.describe()}" for c in o.changes]
        return "\n".join(lines)

    def to_markdown(self) -> str:
        lines = ["### k8sdsl diff", "", f"**{self.summary()}**"]
        if flagged := self.flagged():
            lines += ["", "| Impact | Object | Change |", "| --- | --- | --- |"]
            lines += [
                f"| {f.impact} | `{_md(o.identity.describe())}` | {_md(f.reason)} |"
                for f, o in flagged
            ]
        if self.objects:
            lines += ["", f"<details><summary>All changes ({len(self.objects)} objects)</summary>"]
            lines += ["", "```diff"]
            marks = {"added": "+", "removed": "-", "changed": "!"}
            for o in self.objects:
                lines.append(f"{marks[o.status]} {o.identity.describe()} ({o.status})")
                lines += [f"  {c.describe()}" for c in o.changes]
            lines += ["```", "", "</details>"]
        return "\n".join(lines)


def _md(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


# -- field-by-field comparison --------------------------------------------------------------


def _key(path: str, key: str) -> str:
    safe = key.replace("_", "").replace("-", "").isalnum()
    if safe:
        return f"{path}.{key}" if path else key
    return f"{path}[{json.dumps(key)}]"


def _named(items: list[Any]) -> dict[str, Any] | None:
    names = [i.get("name") if isinstance(i, Mapping) else None for i in items]
    if not items or not all(isinstance(n, str) for n in names) or len(set(names)) != len(names):
        return None
    return {str(n): i for n, i in zip(names, items, strict=True)}


def compare(old: Any, new: Any, path: str = "") -> Iterator[FieldChange]:
    """Every difference between ``old`` and ``new``, at the deepest path both share."""
    if old == new:
        return
    if isinstance(old, Mapping) and isinstance(new, Mapping):
        for key in sorted(set(old) | set(new), key=str):
            yield from compare(old.get(key, MISSING), new.get(key, MISSING), _key(path, str(key)))
        return
    if isinstance(old, list) and isinstance(new, list):
        if all(not isinstance(i, Mapping | list) for i in (*old, *new)):
            yield FieldChange(path, old, new)  # verbs, args, ...: compared whole
            return
        a, b = _named(old), _named(new)
        if a is not None and b is not None:
            for name in sorted(set(a) | set(b)):
                yield from compare(
                    a.get(name, MISSING), b.get(name, MISSING), f"{path}[name={name}]"
                )
            return
        for i in range(max(len(old), len(new))):
            yield from compare(
                old[i] if i < len(old) else MISSING,
                new[i] if i < len(new) else MISSING,
                f"{path}[{i}]",
            )
        return
    yield FieldChange(path, old, new)


# -- impact ---------------------------------------------------------------------------------


def _leaves(path: str, value: Any) -> Iterator[tuple[str, Any]]:
    if isinstance(value, Mapping):
        for k, v in value.items():
            yield from _leaves(_key(path, str(k)), v)
    elif isinstance(value, list) and any(isinstance(i, Mapping | list) for i in value):
        named = _named(value)
        if named is not None:
            for name, v in named.items():
                yield from _leaves(f"{path}[name={name}]", v)
        else:
            for i, v in enumerate(value):
                yield from _leaves(f"{path}[{i}]", v)
    else:
        yield path, value


def _last(path: str) -> str:
    return path.rsplit(".", 1)[-1]


def _security_flags(change: FieldChange) -> Iterator[Flag]:
    """Security context weakened anywhere in the change: privileged, privilege escalation,
    runAsNonRoot off, capabilities added, host namespaces, hostPath volumes."""
    if change.new is MISSING:
        if _last(change.path) == "runAsNonRoot" and change.old is True:
            yield Flag(WIDENS, f"{change.path} removed: containers may run as root")
        return
    for path, value in _leaves(change.path, change.new):
        leaf = _last(path)
        if leaf == "privileged" and value is True:
            yield Flag(WIDENS, f"{path}: privileged container")
        elif leaf == "allowPrivilegeEscalation" and value is True:
            yield Flag(WIDENS, f"{path}: privilege escalation allowed")
        elif leaf == "runAsNonRoot" and value is False:
            yield Flag(WIDENS, f"{path}: containers may run as root")
        elif leaf in ("hostNetwork", "hostPID", "hostIPC") and value is True:
            yield Flag(WIDENS, f"{path}: pods share the node's namespace")
        elif path.endswith("capabilities.add"):
            old = set(change.old) if path == change.path and isinstance(change.old, list) else set()
            added = sorted(
                str(v) for v in (value if isinstance(value, list) else []) if v not in old
            )
            if added:
                yield Flag(WIDENS, f"{path}: capabilities {', '.join(added)} added")
        elif ".hostPath." in f"{path}." and leaf == "path" and change.old is MISSING:
            yield Flag(WIDENS, f"{path}: a hostPath volume mounts the node's {value}")
        elif change.old is MISSING and leaf == "hostPath" and not isinstance(value, Mapping):
            yield Flag(WIDENS, f"{path}: a hostPath volume")


def _widened_list(change: FieldChange) -> list[str]:
    old = change.old if isinstance(change.old, list) else []
    new = change.new if isinstance(change.new, list) else []
    return sorted({str(v) for v in new} - {str(v) for v in old})


def _rbac_flags(kind: str, change: FieldChange) -> Iterator[Flag]:
    if kind in _RBAC_ROLES and change.path.startswith("rules"):
        if change.kind == "added" and change.path.count(".") == 0:
            yield Flag(WIDENS, f"{change.path}: a rule added")
        elif change.new is not MISSING and (added := _widened_list(change)):
            yield Flag(WIDENS, f"{change.path}: {', '.join(added)} added")
        elif change.kind == "removed" and _last(change.path) == "resourceNames":
            yield Flag(WIDENS, f"{change.path}: removed, the rule covers every name")
    elif kind in _RBAC_BINDINGS:
        if change.path.startswith("subjects") and change.kind == "added":
            yield Flag(WIDENS, f"{change.path}: a subject added")
        elif change.path.startswith("subjects") and change.kind == "changed":
            yield Flag(WIDENS, f"{change.path}: a subject changed")
        elif change.path.startswith("roleRef"):
            yield Flag(WIDENS, f"{change.path}: the binding grants another role")


def _network_policy_flags(change: FieldChange) -> Iterator[Flag]:
    """A NetworkPolicy's change that may let more traffic through: a direction no longer
    isolated, other pods selected, a rule, peer or port added, a rule's ``from``/``to``/
    ``ports`` removed (the rule then allows every peer or port), a rule's peer or port edited."""
    p, last = change.path, _last(change.path)
    if p.startswith("spec.policyTypes"):
        old = {str(v) for v in change.old} if isinstance(change.old, list) else set()
        new = {str(v) for v in change.new} if isinstance(change.new, list) else set()
        if old - new:
            yield Flag(WIDENS, f"{p}: no longer isolates {', '.join(sorted(old - new))}")
    elif p.startswith("spec.podSelector"):
        yield Flag(WIDENS, f"{p}: the policy selects other pods (those it selected lose it)")
    elif p.startswith(("spec.ingress", "spec.egress")):
        if change.kind == "added" and last not in ("from", "to", "ports"):
            yield Flag(WIDENS, f"{p}: added, more traffic allowed")
        elif change.kind == "removed" and last in ("from", "to", "ports"):
            what = {"from": "source", "to": "destination", "ports": "port"}[last]
            yield Flag(WIDENS, f"{p}: removed, the rule allows every {what}")
        elif change.kind == "changed":
            yield Flag(WIDENS, f"{p}: a rule's peer or port changed")


def _data_flags(kind: str, change: FieldChange) -> Iterator[Flag]:
    if kind == "PersistentVolume" and change.path == "spec.persistentVolumeReclaimPolicy":
        if change.new == "Delete":
            yield Flag(LOSES, f'{change.path}: {_show(change.old)} -> "Delete"')
    if kind == "StatefulSet":
        if change.path.startswith("spec.volumeClaimTemplates") and change.kind == "removed":
            if change.path.count(".") == 1:
                yield Flag(LOSES, f"{change.path}: claim template removed")
        if change.path.startswith("spec.persistentVolumeClaimRetentionPolicy"):
            for path, value in _leaves(change.path, change.new):
                if value == "Delete":
                    yield Flag(LOSES, f"{path}: claims are deleted with the pods")


def _removed_flags(identity: Identity, obj: Mapping[str, Any]) -> list[Flag]:
    if identity.kind in ("PersistentVolumeClaim", "PersistentVolume"):
        return [Flag(LOSES, f"{identity.kind} removed")]
    if identity.kind == "NetworkPolicy":
        return [Flag(WIDENS, "NetworkPolicy removed: the pods it isolated are open to its traffic")]
    if identity.kind == "StatefulSet" and obj.get("spec", {}).get("volumeClaimTemplates"):
        return [Flag(LOSES, "StatefulSet with claim templates removed")]
    return []


def _added_flags(identity: Identity, obj: Mapping[str, Any]) -> list[Flag]:
    flags: list[Flag] = []
    if identity.kind in _RBAC_ROLES + _RBAC_BINDINGS:
        flags.append(Flag(WIDENS, f"{identity.kind} added"))
    template = _POD_TEMPLATE.get(identity.kind)
    if template is not None:
        flags += _security_flags(FieldChange(template, MISSING, _at(obj, template)))
    if identity.kind == "PersistentVolume":
        policy = _at(obj, "spec.persistentVolumeReclaimPolicy")
        if policy == "Delete":
            flags.append(Flag(LOSES, 'spec.persistentVolumeReclaimPolicy: "Delete"'))
    return flags


def _at(obj: Any, path: str) -> Any:
    for key in path.split("."):
        obj = obj.get(key) if isinstance(obj, Mapping) else None
    return obj


def _used_configs(objects: Iterable[Mapping[str, Any]]) -> set[tuple[str, str, str]]:
    """(kind, namespace, name) of every ConfigMap and Secret a pod template names."""
    used: set[tuple[str, str, str]] = set()
    for obj in objects:
        template = _POD_TEMPLATE.get(str(obj.get("kind")))
        if template is None:
            continue
        spec = _at(obj, template if obj.get("kind") == "Pod" else f"{template}.spec")
        ns = str(_at(obj, "metadata.namespace") or "")
        for path, value in _leaves("", spec):
            if not isinstance(value, str):
                continue
            if path.endswith(("configMap.name", "configMapKeyRef.name", "configMapRef.name")):
                used.add(("ConfigMap", ns, value))
            elif path.endswith(("secret.secretName", "secretKeyRef.name", "secretRef.name")):
                used.add(("Secret", ns, value))
            elif ".projected.sources[" in path and path.endswith("secret.name"):
                used.add(("Secret", ns, value))
    return used


#: an object and the file it is in (relative to the folder compared)
Source = tuple[Mapping[str, Any], str]


def _shared(*sides: list[Source]) -> set[Identity]:
    """Identities some side holds in more than one file: told apart by file on both sides."""
    out: set[Identity] = set()
    for side in sides:
        files: dict[Identity, set[str]] = {}
        for obj, file in side:
            files.setdefault(Identity.of(obj), set()).add(file)
        out.update(i for i, f in files.items() if len(f) > 1)
    return out


def _index(objects: list[Source], shared: set[Identity]) -> dict[Identity, Mapping[str, Any]]:
    """Objects by identity, by file too for ``shared`` identities (within one file a later
    object of the same identity replaces the earlier, as in kubectl)."""
    out: dict[Identity, Mapping[str, Any]] = {}
    for obj, file in objects:
        identity = Identity.of(obj)
        if identity in shared:
            identity = dataclasses.replace(identity, file=file)
        out[identity] = obj
    return out


def diff_objects(
    old: Iterable[Mapping[str, Any] | Source], new: Iterable[Mapping[str, Any] | Source]
) -> Diff:
    """The objects added, removed and changed from ``old`` to ``new`` (objects, or (object,
    file) pairs), flagged first."""
    old_items, new_items = [_source(i) for i in old], [_source(i) for i in new]
    shared = _shared(old_items, new_items)
    a, b = _index(old_items, shared), _index(new_items, shared)
    used = _used_configs([*a.values(), *b.values()])
    out: list[ObjectDiff] = []
    for identity in sorted(set(a) | set(b)):
        if identity not in b:
            out.append(ObjectDiff(identity, "removed", flags=_removed_flags(identity, a[identity])))
            continue
        if identity not in a:
            out.append(ObjectDiff(identity, "added", flags=_added_flags(identity, b[identity])))
            continue
        changes = list(compare(a[identity], b[identity]))
        if not changes:
            continue
        flags: list[Flag] = []
        template = _POD_TEMPLATE.get(identity.kind)
        for change in changes:
            if template is not None and (
                change.path == template or change.path.startswith(f"{template}.")
            ):
                flags.append(Flag(RESTARTS, f"{change.path} changed: the pods are replaced"))
            if identity.kind in ("ConfigMap", "Secret") and change.path.split(".")[0].split("[")[
                0
            ] in ("data", "stringData", "binaryData"):
                if (identity.kind, identity.namespace, identity.name) in used:
                    flags.append(
                        Flag(
                            RESTARTS,
                            f"{change.path} changed: pods using it see new data "
                            "(environment variables only after a restart)",
                        )
                    )
            flags += _security_flags(change)
            flags += _rbac_flags(identity.kind, change)
            if identity.kind == "NetworkPolicy":
                flags += _network_policy_flags(change)
            flags += _data_flags(identity.kind, change)
        out.append(ObjectDiff(identity, "changed", changes, _dedupe(flags)))
    out.sort(key=ObjectDiff.sort_key)
    return Diff(out)


def _source(item: Mapping[str, Any] | Source) -> Source:
    return item if isinstance(item, tuple) else (item, "")


def _dedupe(flags: list[Flag]) -> list[Flag]:
    """One restart flag per object (the first path), every other flag once, by impact."""
    seen: set[Flag] = set()
    out: list[Flag] = []
    restart = False
    for f in flags:
        if f in seen or (f.impact == RESTARTS and restart):
            continue
        restart = restart or f.impact == RESTARTS
        seen.add(f)
        out.append(f)
    return sorted(out, key=lambda f: IMPACTS.index(f.impact))
