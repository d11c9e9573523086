"""Volume rules: what the API server rejects in pod volumes and mounts but the schema cannot
see, and what the target version's kubelet no longer serves.

Every rule reads dicts (a Pod's ``spec`` or any workload's pod template, and PersistentVolume
specs), so ``k8sdsl check`` gives hand-written YAML the same verdicts. Versions come from the
volume catalog (``k8sdsl.volumes.CATALOG``) and the object's target (``manifest.k8s_version``).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from k8sdsl.core._findings import Finding
from k8sdsl.core._manifest import Manifest
from k8sdsl.core._model import to_camel
from k8sdsl.core._podspecs import PodSpecRef, pod_specs
from k8sdsl.core._suggest import suggest
from k8sdsl.core._versions import K8sVersion
from k8sdsl.rules._registry import RuleContext, rule
from k8sdsl.volumes import (
    CATALOG,
    PERSISTENT_VOLUME_SOURCE_TYPES,
    POD_SOURCE_TYPES,
    PROJECTION_CATALOG,
    FeatureGate,
    VolumeSourceBase,
    VolumeTypeFacts,
    normalize_mount_path,
)

_PV = "PersistentVolume"
#: recursiveReadOnly on a mount: API field from 1.30, gate on by default from 1.31
_RRO_ADDED_IN = K8sVersion("1.30")
_RRO_GATE = FeatureGate("RecursiveReadOnlyMounts", K8sVersion("1.31"))
_GIT_REPO = "gitRepo"
_POD_CLASSES: dict[str, type[VolumeSourceBase]] = {t.k8s_key: t for t in POD_SOURCE_TYPES}
_PV_CLASSES: dict[str, type[VolumeSourceBase]] = {
    t.k8s_key: t for t in PERSISTENT_VOLUME_SOURCE_TYPES
}
_GIT_REPO_HINT = (
    "clone in an init container into an emptyDir instead: volumes: [{name: repo, emptyDir: "
    "{}}]; initContainers: [{name: clone, image: alpine/git:<tag>, args: [clone, --depth=1, "
    "<repository>, /repo], volumeMounts: [{name: repo, mountPath: /repo}]}]; and mount 'repo' "
    "in the app container (in k8sdsl: Volume.empty_dir('repo') mounted by both containers)"
)


# -- walking pods and PVs -----------------------------------------------------------------


def _pod_volumes(ps: PodSpecRef) -> Iterator[tuple[str, dict[str, Any]]]:
    volumes = ps.spec.get("volumes")
    if not isinstance(volumes, list):
        return
    for i, volume in enumerate(volumes):
        if isinstance(volume, dict):
            yield f"{ps.path}.volumes[{i}]", volume


def _source_keys(volume: dict[str, Any]) -> list[str]:
    return [k for k in volume if k in CATALOG]


def _mounts(
    container: dict[str, Any], key: str = "volumeMounts"
) -> Iterator[tuple[int, dict[str, Any]]]:
    mounts = container.get(key)
    if not isinstance(mounts, list):
        return
    for i, mount in enumerate(mounts):
        if isinstance(mount, dict):
            yield i, mount


def _pv_spec(m: Manifest) -> dict[str, Any]:
    spec = m.obj.get("spec")
    return spec if isinstance(spec, dict) else {}


def _sources_in_use(ctx: RuleContext) -> Iterator[tuple[Manifest, str, str, str]]:
    """(manifest, JSON path of the source, key, volume name) for every pod volume source
    and every PersistentVolume source."""
    for manifest in ctx.manifests:
        for ps in pod_specs(manifest):
            for path, volume in _pod_volumes(ps):
                for key in _source_keys(volume):
                    yield manifest, f"{path}.{key}", key, str(volume.get("name", ""))
        if manifest.kind == _PV:
            spec = _pv_spec(manifest)
            for key in spec:
                if key in CATALOG:
                    yield manifest, f"spec.{key}", key, manifest.name


def _what(manifest: Manifest, key: str, name: str) -> str:
    if manifest.kind == _PV:
        return f"PersistentVolume {name!r} uses {key}"
    return f"volume {name!r} uses {key}"


def _volumes_by_name(ps: PodSpecRef) -> dict[str, dict[str, Any]]:
    return {str(v.get("name")): v for _, v in _pod_volumes(ps) if v.get("name") is not None}


def _claim_template_names(ps: PodSpecRef) -> list[str]:
    """The volumeClaimTemplates of a StatefulSet: each becomes a volume of every pod, named
    after the template, so a mount may name one without a spec.volumes entry."""
    if ps.manifest.kind != "StatefulSet":
        return []
    spec = ps.manifest.obj.get("spec")
    templates = spec.get("volumeClaimTemplates") if isinstance(spec, dict) else None
    if not isinstance(templates, list):
        return []
    names = []
    for template in templates:
        meta = template.get("metadata") if isinstance(template, dict) else None
        if isinstance(meta, dict) and isinstance(meta.get("name"), str):
            names.append(meta["name"])
    return names


# -- lifecycle: removed, deprecated, gitRepo, feature gates -------------------------------


@rule("volumes/removed-plugin", "an in-tree volume plugin the target version no longer has")
def removed_plugin(ctx: RuleContext) -> Iterator[Finding]:
    """The API keeps the fields of removed in-tree plugins (``awsElasticBlockStore``,
    ``cephfs``, ``portworxVolume``...), so the API server accepts the object, but the kubelet
    of the target version has no plugin for it: the pod hangs in ContainerCreating ("no
    volume plugin matched") unless CSI migration redirects the type to an installed CSI
    driver. k8sdsl refuses it and names the CSI driver to use."""
    drivers = set(ctx.cluster.csi_drivers)
    for manifest, path, key, name in _sources_in_use(ctx):
        facts = CATALOG[key]
        if key == _GIT_REPO or not facts.is_removed(manifest.k8s_version):
            continue
        if facts.csi_driver and facts.csi_driver in drivers:
            yield manifest.warning(
                "volumes/csi-migration",
                path,
                f"{_what(manifest, key, name)}: the in-tree {key} plugin was removed in "
                f"Kubernetes {facts.removed_in}; the declared cluster serves it through CSI "
                f"migration to {facts.csi_driver!r}",
                f"write a CSI PersistentVolume with driver {facts.csi_driver!r} to depend on "
                "the driver alone",
            )
            continue
        yield manifest.error(
            "volumes/removed-plugin",
            path,
            f"{_what(manifest, key, name)}: the in-tree {key} plugin was removed in Kubernetes "
            f"{facts.removed_in} and the target is {manifest.k8s_version}",
            facts.removal_hint()
            + (
                f"; if the cluster has {facts.csi_driver!r}, declare it "
                "(Cluster(csi_drivers=[...]), k8sdsl check --cluster FILE)"
                if facts.csi_driver
                else ""
            ),
        )


@rule("volumes/deprecated-plugin", "a deprecated in-tree volume plugin")
def deprecated_plugin(ctx: RuleContext) -> Iterator[Finding]:
    """Deprecated in-tree plugins still work in the target version but are scheduled for
    removal (flexVolume has no removal date but no future either); moving to CSI now avoids
    a broken upgrade later."""
    for manifest, path, key, name in _sources_in_use(ctx):
        facts = CATALOG[key]
        version = manifest.k8s_version
        if key == _GIT_REPO or not facts.is_deprecated(version) or facts.is_removed(version):
            continue
        until = f", and removed in {facts.removed_in}" if facts.removed_in else ""
        yield manifest.warning(
            "volumes/deprecated-plugin",
            path,
            f"{_what(manifest, key, name)}: the in-tree {key} plugin is deprecated since "
            f"Kubernetes {facts.deprecated_in}{until}",
            facts.removal_hint(),
        )


@rule("volumes/git-repo", "a gitRepo volume (deprecated; disabled by default from 1.33)")
def git_repo(ctx: RuleContext) -> Iterator[Finding]:
    """gitRepo runs ``git`` as root on the node with the pod's arguments (CVE-2024-10220) and
    is deprecated since 1.11; from 1.33 the ``GitRepoVolumeDriver`` gate is off by default, so
    the pod cannot start. Cloning in an init container into an emptyDir does the same job
    inside the pod's own security context. An error from 1.33, a warning before."""
    facts = CATALOG[_GIT_REPO]
    for manifest, path, key, name in _sources_in_use(ctx):
        if key != _GIT_REPO:
            continue
        if facts.is_removed(manifest.k8s_version):
            yield manifest.error(
                "volumes/git-repo",
                path,
                f"volume {name!r} uses gitRepo, which is disabled by default from Kubernetes "
                f"{facts.removed_in} (target {manifest.k8s_version}): the pod would not start",
                _GIT_REPO_HINT,
            )
        else:
            yield manifest.warning(
                "volumes/git-repo",
                path,
                f"volume {name!r} uses gitRepo, deprecated since {facts.deprecated_in} and "
                f"disabled by default from {facts.removed_in}",
                _GIT_REPO_HINT,
            )


@rule("volumes/feature-gate", "a volume type or projection the target has not (or not on)")
def feature_gate(ctx: RuleContext) -> Iterator[Finding]:
    """``image`` volumes (API field 1.31, gate ``ImageVolume`` on by default from 1.35),
    ``clusterTrustBundle`` projections (1.29, on by default 1.37) and ``podCertificate``
    projections (1.34, off by default) need a feature gate, and so does a mount's
    ``recursiveReadOnly`` (1.30, gate ``RecursiveReadOnlyMounts`` on by default from 1.31).
    Before the field exists the API server drops or rejects it; while the gate is off by
    default the pod fails unless the cluster's administrator turned it on, or, for
    ``recursiveReadOnly``, the API server silently drops the field and the mount is only
    read-only at its top. A gate the declared cluster switches (``Cluster.feature_gates``)
    counts as the cluster has it: on, no warning; off, a warning even where it is on by
    default."""
    gates = ctx.cluster.feature_gates
    for manifest, path, key, name in _sources_in_use(ctx):
        facts = CATALOG[key]
        if facts.removed_in is None:
            yield from _gate(
                manifest,
                path,
                f"volume {name!r} uses {key}",
                facts.added_in,
                facts.feature_gate,
                gates,
            )
    for manifest, ps in ctx.pod_specs():
        for vpath, volume in _pod_volumes(ps):
            projected = volume.get("projected")
            sources = projected.get("sources") if isinstance(projected, dict) else None
            if not isinstance(sources, list):
                continue
            for i, entry in enumerate(sources):
                if not isinstance(entry, dict):
                    continue
                for pkey in entry:
                    pfacts = PROJECTION_CATALOG.get(pkey)
                    if pfacts is None:
                        continue
                    yield from _gate(
                        manifest,
                        f"{vpath}.projected.sources[{i}].{pkey}",
                        f"projected volume {volume.get('name')!r} uses a {pkey} projection",
                        pfacts.added_in,
                        pfacts.feature_gate,
                        gates,
                    )
        for cpath, container in ps.containers():
            for i, mount in _mounts(container):
                rro = mount.get("recursiveReadOnly")
                if rro in (None, "Disabled"):
                    continue
                yield from _gate(
                    manifest,
                    f"{cpath}.volumeMounts[{i}].recursiveReadOnly",
                    f"container {container.get('name')!r} mounts {mount.get('name')!r} with "
                    f"recursiveReadOnly: {rro} (dropped by the API server while the gate is "
                    "off)",
                    _RRO_ADDED_IN,
                    _RRO_GATE,
                    gates,
                )


def _gate(
    manifest: Manifest,
    path: str,
    what: str,
    added_in: Any,
    gate: Any,
    declared: Mapping[str, bool],
) -> Iterator[Finding]:
    version = manifest.k8s_version
    switched = declared.get(gate.name) if gate is not None else None
    if added_in is not None and version < added_in:
        yield manifest.error(
            "volumes/feature-gate",
            path,
            f"{what}, which the API has only from Kubernetes {added_in} (target {version})",
            f"target {added_in} or later (Chart(k8s_version=...)), or use another source",
        )
    elif gate is not None and switched is False:
        yield manifest.warning(
            "volumes/feature-gate",
            path,
            f"{what}, which needs the {gate.name} feature gate: the declared cluster turns it "
            f"off (target {version})",
            f"turn {gate.name} on in the cluster (and in Cluster(feature_gates=...)), or use "
            "another source",
        )
    elif gate is not None and switched is None and not gate.enabled_by_default(version):
        when = (
            f"on by default from {gate.default_on_in}"
            if gate.default_on_in
            else "off by default in every supported version"
        )
        yield manifest.warning(
            "volumes/feature-gate",
            path,
            f"{what}, which needs the {gate.name} feature gate ({when}; target {version})",
            f"make sure the cluster enables --feature-gates={gate.name}=true on the API server "
            "and kubelets and declare it (Cluster(feature_gates={"
            f"{gate.name!r}: True}})), or target a version where it is on by default",
        )


# -- the shape of volumes ------------------------------------------------------------------


@rule("volumes/missing-source", "a pod volume with no source")
def missing_source(ctx: RuleContext) -> Iterator[Finding]:
    """A volume with only a name is silently made an emptyDir by the API server (the API
    calls that deprecated). Fields of a source written without its key (the notes' GCE
    sample, whose ``gcePersistentDisk:`` line was commented out) are an error: the schema
    rejects them and the data would not be where the author thinks."""
    for manifest, ps in ctx.pod_specs():
        for path, volume in _pod_volumes(ps):
            if _source_keys(volume):
                continue
            name = volume.get("name")
            stray = sorted(str(k) for k in volume if k != "name")
            if not stray:
                yield manifest.warning(
                    "volumes/missing-source",
                    path,
                    f"volume {name!r} has no source; the API server makes it an emptyDir",
                    "write emptyDir: {} if a scratch directory is meant, or add the "
                    "source that was left out (Volume.empty_dir(...) in k8sdsl)",
                )
                continue
            owners = _owners_of(stray)
            hint = (
                f"{', '.join(stray)} belong under {' or '.join(owners)}: is that line "
                "missing or commented out?"
                if owners
                else "add the source key (nfs:, persistentVolumeClaim:, emptyDir: ...)"
            )
            yield manifest.error(
                "volumes/missing-source",
                path,
                f"volume {name!r} has no source but has source fields ({', '.join(stray)})",
                hint,
            )


def _field_names(cls: type[VolumeSourceBase]) -> set[str]:
    return {f.serialization_alias or _camel(n) for n, f in cls.model_fields.items()}


def _camel(name: str) -> str:
    return to_camel(name)


def _owners_of(fields: list[str]) -> list[str]:
    """Source keys whose fields include every one of ``fields`` (at most three)."""
    owners = [key for key, cls in _POD_CLASSES.items() if set(fields) <= _field_names(cls)]
    return owners[:3]


@rule("volumes/multiple-sources", "a pod volume with more than one source")
def multiple_sources(ctx: RuleContext) -> Iterator[Finding]:
    """The API server rejects a volume with two sources ("may not specify more than 1 volume
    type"); the schema cannot express it."""
    for manifest, ps in ctx.pod_specs():
        for path, volume in _pod_volumes(ps):
            keys = _source_keys(volume)
            if len(keys) > 1:
                yield manifest.error(
                    "volumes/multiple-sources",
                    path,
                    f"volume {volume.get('name')!r} has {len(keys)} sources "
                    f"({', '.join(keys)}); a volume has exactly one",
                    "split it into one volume per source, or use a projected volume to "
                    "combine secrets, configMaps and downwardAPI in one directory",
                )


# Fields k8sdsl's values require (a volume that projects nothing is never meant) but the API
# server accepts missing or empty: ``downwardAPI: {}`` and ``projected: {sources: []}`` pass
# validation, so ``k8sdsl check`` must not call them rejected.
_REQUIRED_BY_K8SDSL_ONLY = frozenset({("downwardAPI", "items"), ("projected", "sources")})


@rule("volumes/required-field", "a volume source without a field the API server requires")
def required_field(ctx: RuleContext) -> Iterator[Finding]:
    """The API server rejects a source whose required identifier is missing or empty
    (``awsElasticBlockStore.volumeID: Required value``, ``secret.secretName``,
    ``configMap.name``...). The schema lets an empty string through, and YAML turns
    ``volumeID:`` with nothing after it (the notes' EBS sample) into null."""
    for manifest, path, key, _name in _sources_in_use(ctx):
        classes = _PV_CLASSES if manifest.kind == _PV else _POD_CLASSES
        cls = classes.get(key)
        if cls is None:
            continue
        source = _lookup(manifest, path)
        if not isinstance(source, dict):
            source = {}
        for fname, field in cls.model_fields.items():
            if not field.is_required():
                continue
            alias = field.serialization_alias or _camel(fname)
            if (key, alias) in _REQUIRED_BY_K8SDSL_ONLY:
                continue
            value = source.get(alias)
            if value is None or value == "" or value == [] or value == {}:
                state = "missing" if alias not in source else f"empty ({value!r})"
                yield manifest.error(
                    "volumes/required-field",
                    f"{path}.{alias}",
                    f"{key}.{alias} is {state}; the API server requires it",
                    f"set {alias} (in k8sdsl: {cls.__name__}({fname}=...))",
                )


def _lookup(manifest: Manifest, path: str) -> Any:
    node: Any = manifest.obj
    for part in path.replace("]", "").replace("[", ".").split("."):
        if isinstance(node, list):
            node = node[int(part)]
        elif isinstance(node, dict):
            node = node.get(part)
        else:
            return None
    return node


@rule("volumes/duplicate-volume", "two pod volumes with one name")
def duplicate_volume(ctx: RuleContext) -> Iterator[Finding]:
    """Volume names are unique in a pod ("spec.volumes[1].name: Duplicate value"); mounts
    refer to volumes by name, so a duplicate would make them ambiguous."""
    for manifest, ps in ctx.pod_specs():
        first: dict[str, str] = {}
        for path, volume in _pod_volumes(ps):
            name = str(volume.get("name", ""))
            if name in first:
                yield manifest.error(
                    "volumes/duplicate-volume",
                    f"{path}.name",
                    f"volume name {name!r} is already used by {first[name]}",
                    "give each volume its own name",
                )
            else:
                first[name] = path


# -- mounts --------------------------------------------------------------------------------


@rule("volumes/unknown-mount", "a mount or device naming no volume of the pod")
def unknown_mount(ctx: RuleContext) -> Iterator[Finding]:
    """The API server rejects a volumeMount (or volumeDevice) whose name is not a volume of
    the pod ("volumeMounts[0].name: Not found")."""
    for manifest, ps in ctx.pod_specs():
        names = list(_volumes_by_name(ps)) + _claim_template_names(ps)
        for cpath, container in ps.containers():
            for field in ("volumeMounts", "volumeDevices"):
                for i, mount in _mounts(container, field):
                    name = str(mount.get("name", ""))
                    if name in names:
                        continue
                    guess = suggest(name, names)
                    yield manifest.error(
                        "volumes/unknown-mount",
                        f"{cpath}.{field}[{i}].name",
                        f"container {container.get('name')!r} mounts {name!r}, which is not "
                        "a volume of the pod",
                        f"did you mean {guess!r}?"
                        if guess
                        else f"add a volume named {name!r} to spec.volumes (in k8sdsl a Mount "
                        "carries its Volume, so this cannot happen)",
                    )


@rule("volumes/duplicate-mount-path", "two mounts on one path in a container")
def duplicate_mount_path(ctx: RuleContext) -> Iterator[Finding]:
    """Mount paths are unique per container ("mountPath: Invalid value: must be unique");
    ``/data`` and ``/data/`` are the same mount point."""
    for manifest, ps in ctx.pod_specs():
        for cpath, container in ps.containers():
            seen: dict[str, int] = {}
            for i, mount in _mounts(container):
                raw = mount.get("mountPath")
                if not isinstance(raw, str):
                    continue
                key = normalize_mount_path(raw)
                if key in seen:
                    yield manifest.error(
                        "volumes/duplicate-mount-path",
                        f"{cpath}.volumeMounts[{i}].mountPath",
                        f"container {container.get('name')!r} mounts two volumes on "
                        f"{raw!r} (also volumeMounts[{seen[key]}])",
                        "mount each volume on its own path",
                    )
                else:
                    seen[key] = i


@rule("volumes/subpath-conflict", "a mount with both subPath and subPathExpr")
def subpath_conflict(ctx: RuleContext) -> Iterator[Finding]:
    """subPath and subPathExpr are mutually exclusive ("subPathExpr and subPath are mutually
    exclusive")."""
    for manifest, ps in ctx.pod_specs():
        for cpath, container in ps.containers():
            for i, mount in _mounts(container):
                if mount.get("subPath") and mount.get("subPathExpr"):
                    yield manifest.error(
                        "volumes/subpath-conflict",
                        f"{cpath}.volumeMounts[{i}]",
                        f"mount of {mount.get('name')!r} sets both subPath and subPathExpr",
                        "keep subPathExpr if the path uses $(VAR) references, else subPath",
                    )


@rule("volumes/unused-volume", "a pod volume no container mounts")
def unused_volume(ctx: RuleContext) -> Iterator[Finding]:
    """A volume nobody mounts is still set up by the kubelet (a claim bound, a disk attached,
    a Secret fetched) for nothing; usually the mount was forgotten or misnamed."""
    for manifest, ps in ctx.pod_specs():
        used: set[str] = set()
        for _cpath, container in ps.containers():
            for field in ("volumeMounts", "volumeDevices"):
                used.update(str(m.get("name")) for _, m in _mounts(container, field))
        for path, volume in _pod_volumes(ps):
            name = str(volume.get("name", ""))
            if name not in used:
                yield manifest.warning(
                    "volumes/unused-volume",
                    path,
                    f"no container mounts volume {name!r}",
                    "mount it (volume.mount('/path') in k8sdsl) or remove it",
                )


@rule(
    "volumes/bidirectional-unprivileged", "Bidirectional propagation in an unprivileged container"
)
def bidirectional_unprivileged(ctx: RuleContext) -> Iterator[Finding]:
    """The API server accepts ``mountPropagation: Bidirectional`` only in privileged
    containers ("Bidirectional mount propagation is available only to privileged
    containers"), because mounts the container makes reach the host."""
    for manifest, ps in ctx.pod_specs():
        for cpath, container in ps.containers():
            sc = container.get("securityContext")
            privileged = isinstance(sc, dict) and sc.get("privileged") is True
            if privileged:
                continue
            for i, mount in _mounts(container):
                if mount.get("mountPropagation") == "Bidirectional":
                    yield manifest.error(
                        "volumes/bidirectional-unprivileged",
                        f"{cpath}.volumeMounts[{i}].mountPropagation",
                        f"container {container.get('name')!r} mounts "
                        f"{mount.get('name')!r} with Bidirectional propagation but is not "
                        "privileged",
                        "use HostToContainer if the container only needs to see host "
                        "mounts; Bidirectional needs securityContext.privileged: true "
                        "(and a written Pod Security exemption)",
                    )


@rule("volumes/read-only-source", "a mount asking to write to a read-only volume")
def read_only_source(ctx: RuleContext) -> Iterator[Finding]:
    """secret, configMap, downwardAPI, projected and image volumes are always mounted
    read-only, and a source with ``readOnly: true`` forces its mounts read-only: a mount
    saying ``readOnly: false`` promises writes that fail with EROFS at run time."""
    for manifest, ps in ctx.pod_specs():
        volumes = _volumes_by_name(ps)
        for cpath, container in ps.containers():
            for i, mount in _mounts(container):
                if mount.get("readOnly") is not False:
                    continue
                volume = volumes.get(str(mount.get("name")))
                if volume is None:
                    continue
                for key in _source_keys(volume):
                    why = _read_only_reason(CATALOG[key], volume.get(key))
                    if why:
                        yield manifest.error(
                            "volumes/read-only-source",
                            f"{cpath}.volumeMounts[{i}].readOnly",
                            f"container {container.get('name')!r} mounts "
                            f"{mount.get('name')!r} with readOnly: false, but {why}",
                            "drop readOnly: false; to write next to these files, copy "
                            "them into an emptyDir in an init container",
                        )


def _read_only_reason(facts: VolumeTypeFacts, source: Any) -> str:
    if facts.always_read_only:
        return f"{facts.key} volumes are always mounted read-only"
    if isinstance(source, dict) and source.get("readOnly") is True:
        return f"its {facts.key} source sets readOnly: true"
    return ""


@rule("volumes/recursive-read-only", "recursiveReadOnly Enabled without a plain read-only mount")
def recursive_read_only(ctx: RuleContext) -> Iterator[Finding]:
    """``recursiveReadOnly: Enabled`` is valid only with ``readOnly: true`` and no mount
    propagation other than None (API validation), since a recursively read-only mount cannot
    receive propagated mounts."""
    for manifest, ps in ctx.pod_specs():
        for cpath, container in ps.containers():
            for i, mount in _mounts(container):
                if mount.get("recursiveReadOnly") != "Enabled":
                    continue
                if mount.get("readOnly") is not True:
                    yield manifest.error(
                        "volumes/recursive-read-only",
                        f"{cpath}.volumeMounts[{i}].readOnly",
                        f"mount of {mount.get('name')!r} sets recursiveReadOnly: Enabled "
                        "without readOnly: true",
                        "add readOnly: true",
                    )
                if mount.get("mountPropagation") not in (None, "None"):
                    yield manifest.error(
                        "volumes/recursive-read-only",
                        f"{cpath}.volumeMounts[{i}].mountPropagation",
                        f"mount of {mount.get('name')!r} sets recursiveReadOnly: Enabled "
                        f"with mountPropagation {mount.get('mountPropagation')}",
                        "drop mountPropagation, or use recursiveReadOnly: IfPossible",
                    )


@rule("volumes/mount-path-whitespace", "a mount path with whitespace in it")
def mount_path_whitespace(ctx: RuleContext) -> Iterator[Finding]:
    """The API server accepts whitespace in a mount path, but it is nearly always a typo
    (the notes' ``"/projected -volume"``): the app looks for its files elsewhere."""
    for manifest, ps in ctx.pod_specs():
        for cpath, container in ps.containers():
            for i, mount in _mounts(container):
                raw = mount.get("mountPath")
                if isinstance(raw, str) and any(c.isspace() for c in raw):
                    fixed = "".join(raw.split())
                    yield manifest.warning(
                        "volumes/mount-path-whitespace",
                        f"{cpath}.volumeMounts[{i}].mountPath",
                        f"mount path {raw!r} contains whitespace",
                        f"did you mean {fixed!r}?",
                    )


@rule("volumes/image-subpath", "subPath on an image volume before Kubernetes 1.33")
def image_subpath(ctx: RuleContext) -> Iterator[Finding]:
    """Image volumes accept ``subPath``/``subPathExpr`` mounts only from 1.33; earlier the
    API server rejects them."""
    for manifest in ctx.manifests:
        if manifest.k8s_version >= "1.33":
            continue
        for ps in pod_specs(manifest):
            images = {n for n, v in _volumes_by_name(ps).items() if "image" in v}
            for cpath, container in ps.containers():
                for i, mount in _mounts(container):
                    if str(mount.get("name")) in images and (
                        mount.get("subPath") or mount.get("subPathExpr")
                    ):
                        yield manifest.error(
                            "volumes/image-subpath",
                            f"{cpath}.volumeMounts[{i}]",
                            f"image volume {mount.get('name')!r} is mounted with a subPath, "
                            f"which Kubernetes supports from 1.33 (target "
                            f"{manifest.k8s_version})",
                            "mount the whole image volume, or target 1.33 or later",
                        )


@rule("volumes/unbounded-memory", "an in-memory emptyDir without sizeLimit")
def unbounded_memory(ctx: RuleContext) -> Iterator[Finding]:
    """An emptyDir with ``medium: Memory`` is a tmpfs counted against the container's memory;
    without ``sizeLimit`` it may grow to the node's allocatable memory, and a runaway writer
    gets the pod OOM-killed or evicted instead of a clear ENOSPC."""
    for manifest, ps in ctx.pod_specs():
        for path, volume in _pod_volumes(ps):
            empty_dir = volume.get("emptyDir")
            if (
                isinstance(empty_dir, dict)
                and empty_dir.get("medium") == "Memory"
                and empty_dir.get("sizeLimit") is None
            ):
                yield manifest.warning(
                    "volumes/unbounded-memory",
                    f"{path}.emptyDir",
                    f"in-memory emptyDir {volume.get('name')!r} has no sizeLimit",
                    "set sizeLimit (Volume.empty_dir(name, medium=StorageMedium.MEMORY, "
                    "size_limit='64Mi'))",
                )


@rule("volumes/subpath-no-updates", "a subPath mount of a volume that is updated in place")
def subpath_no_updates(ctx: RuleContext) -> Iterator[Finding]:
    """The kubelet updates configMap, secret, downwardAPI and projected volumes when their
    source changes, but a container that mounts one through ``subPath`` keeps the files it
    started with."""
    updated = {"configMap", "secret", "downwardAPI", "projected"}
    for manifest, ps in ctx.pod_specs():
        volumes = _volumes_by_name(ps)
        for cpath, container in ps.containers():
            for i, mount in _mounts(container):
                if not (mount.get("subPath") or mount.get("subPathExpr")):
                    continue
                volume = volumes.get(str(mount.get("name")), {})
                keys = [k for k in _source_keys(volume) if k in updated]
                if keys:
                    yield manifest.info(
                        "volumes/subpath-no-updates",
                        f"{cpath}.volumeMounts[{i}]",
                        f"container {container.get('name')!r} mounts {keys[0]} volume "
                        f"{mount.get('name')!r} through subPath: it will not see updates",
                        "mount the whole volume on a directory if the app should pick up "
                        "changes (or restart the pod on change)",
                    )
