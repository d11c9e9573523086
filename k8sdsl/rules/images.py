"""Image rules, from the course notes' "securing images": know exactly what runs, and only
from registries you trust.

* ``images/invalid-reference`` (error): the kubelet cannot pull it (``InvalidImageName``).
* ``images/tag`` : no tag or ``latest`` means what runs changes without a change in git, and
  a rollback cannot bring the old bytes back. Error in a SecurePod, warning elsewhere.
* ``images/digest`` (warning): a tag can be re-pushed; only a digest names fixed bytes.
* ``images/registry`` (error): with ``App(allowed_registries=[...])``, an image from any
  other registry.
* ``images/pull-secret`` (warning): ``imagePullSecrets`` naming a Secret the app does not
  define; it may be created outside the app, otherwise the pull fails with 401.

Exemptions ``image-tag`` and ``image-digest`` turn the first two into info findings.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from k8sdsl.core._findings import Finding
from k8sdsl.core._images import ImageReference, ImageReferenceError
from k8sdsl.core._manifest import Manifest
from k8sdsl.core._podspecs import PodSpecRef
from k8sdsl.rules._registry import RuleContext, rule
from k8sdsl.rules.references import _secret_makers
from k8sdsl.security._exemptions import PROFILE_ANNOTATION, Control, exemption_reason


def _images(ctx: RuleContext) -> Iterator[tuple[Manifest, PodSpecRef, str, dict[str, Any]]]:
    for m, ref in ctx.pod_specs():
        # read leniently: YAML given to ``k8sdsl check`` may hold a map where a list belongs
        for key in ("containers", "initContainers", "ephemeralContainers"):
            items = ref.spec.get(key)
            for i, c in enumerate(items if isinstance(items, list) else []):
                if isinstance(c, dict) and isinstance(c.get("image"), str):
                    yield m, ref, f"{ref.path}.{key}[{i}]", c


def _references(ctx: RuleContext) -> Iterator[tuple[Manifest, str, str]]:
    """Every image reference of the pods, with its field: containers' ``image`` and image
    volumes' ``image.reference`` (an OCI image or artifact the kubelet pulls the same way)."""
    for m, _ref, path, c in _images(ctx):
        yield m, f"{path}.image", c["image"]
    for m, ref in ctx.pod_specs():
        volumes = ref.spec.get("volumes")
        for i, volume in enumerate(volumes if isinstance(volumes, list) else []):
            source = volume.get("image") if isinstance(volume, dict) else None
            if isinstance(source, dict) and isinstance(source.get("reference"), str):
                yield m, f"{ref.path}.volumes[{i}].image.reference", source["reference"]


def _parsed(image: str) -> ImageReference | None:
    try:
        return ImageReference.parse(image)
    except ImageReferenceError:
        return None


def _secure(m: Manifest, ref: PodSpecRef) -> bool:
    return bool(ref.annotations.get(PROFILE_ANNOTATION) or m.annotations.get(PROFILE_ANNOTATION))


@rule("images/invalid-reference", "image references parse")
def invalid_reference(ctx: RuleContext) -> Iterable[Finding]:
    """The kubelet refuses a reference that does not parse (``InvalidImageName``), and the
    pod never starts; uppercase repository names are the usual cause."""
    for m, path, image in _references(ctx):
        try:
            ImageReference.parse(image)
        except ImageReferenceError as exc:
            yield m.error(
                "images/invalid-reference", path, f"{image!r} is not an image reference", exc.hint
            )


@rule("images/tag", "images name a fixed tag or a digest, never latest or nothing")
def tag(ctx: RuleContext) -> Iterable[Finding]:
    """``image: nginx`` and ``nginx:latest`` run whatever was pushed last: two nodes can run
    different code, and a rollback does not roll back. Kubernetes also pulls such images on
    every start (``imagePullPolicy`` defaults to Always), so a registry outage stops pods."""
    for m, ref, path, c in _images(ctx):
        parsed = _parsed(c["image"])
        if parsed is None or not parsed.floating:
            continue
        what = "has no tag" if parsed.tag is None else "uses the latest tag"
        reason = exemption_reason(Control.IMAGE_TAG, m.annotations, ref.annotations)
        message = f"image {c['image']!r} {what}: what runs can change without a change in git"
        if reason is not None:
            yield m.info(
                "images/tag", f"{path}.image", f"exempted from image-tag: {reason}; {message}"
            )
        elif _secure(m, ref):
            yield m.error(
                "images/tag",
                f"{path}.image",
                f"{message} (SecurePod)",
                "name a version tag, e.g. 'nginx:1.27.3', or pin by digest",
            )
        else:
            yield m.warning(
                "images/tag",
                f"{path}.image",
                message,
                "name a version tag, e.g. 'nginx:1.27.3', or pin by digest",
            )


@rule("images/digest", "images are pinned by digest")
def digest(ctx: RuleContext) -> Iterable[Finding]:
    """A tag is a movable pointer: whoever can push to the registry can change what a tag
    means, and nodes that pulled at different times run different bytes. A digest
    (``@sha256:...``) names exactly one image (checkov CKV_K8S_43)."""
    for m, ref, path, c in _images(ctx):
        parsed = _parsed(c["image"])
        if parsed is None or parsed.pinned or parsed.floating:
            continue  # floating images are reported by images/tag already
        reason = exemption_reason(Control.IMAGE_DIGEST, m.annotations, ref.annotations)
        message = f"image {c['image']!r} is not pinned by digest"
        if reason is not None:
            yield m.info(
                "images/digest", f"{path}.image", f"exempted from image-digest: {reason}; {message}"
            )
        else:
            yield m.warning(
                "images/digest",
                f"{path}.image",
                message,
                f"append the digest: '{c['image']}@sha256:<digest>' (crane digest "
                "or docker buildx imagetools inspect prints it)",
            )


@rule("images/registry", "images come from the app's allowed registries")
def registry(ctx: RuleContext) -> Iterable[Finding]:
    """The notes: "ensure only authorized images are used; use private registries to store
    approved images". With ``App(allowed_registries=[...])`` any other source is an error.
    Docker Hub names without a registry (``nginx``) come from ``docker.io``."""
    declared = ctx.cluster.allowed_registries
    allowed = list(declared) if declared is not None else ctx.settings.get("allowed_registries")
    if not allowed:
        return
    for m, path, image in _references(ctx):
        parsed = _parsed(image)
        if parsed is None or parsed.from_registry(allowed):
            continue
        yield m.error(
            "images/registry",
            path,
            f"image {image!r} comes from {parsed.registry}, which is not an "
            f"allowed registry ({', '.join(allowed)})",
            f"mirror it into {allowed[0]} and use that reference",
        )


@rule("images/pull-secret", "imagePullSecrets name Secrets the app defines")
def pull_secret(ctx: RuleContext) -> Iterable[Finding]:
    """A pull secret that does not exist in the pod's namespace makes private pulls fail
    with 401 (ErrImagePull). It may be created outside the app (by a secrets operator), so
    this is a warning. A Secret that an ExternalSecret or a SealedSecret of the app makes
    counts as defined."""
    secrets = {(m.namespace, m.name) for m in ctx.of_kind("Secret")}
    secrets |= set(_secret_makers(ctx))  # made by an ExternalSecret or a SealedSecret
    for m, ref in ctx.pod_specs():
        entries = ref.spec.get("imagePullSecrets")
        for i, entry in enumerate(entries if isinstance(entries, list) else []):
            name = entry.get("name") if isinstance(entry, dict) else None
            if not isinstance(name, str) or not name or (ref.namespace, name) in secrets:
                continue
            if ctx.cluster.has_object("Secret", name, ref.namespace):
                continue
            yield m.warning(
                "images/pull-secret",
                f"{ref.path}.imagePullSecrets[{i}].name",
                f"imagePullSecrets names Secret {name!r}, which the app does not define"
                + (f" in namespace {ref.namespace!r}" if ref.namespace else ""),
                "create it in the app, or make sure it is created outside it before the pods start",
            )


__all__: list[str] = []
