"""Container image references: parsed once, so rules and values agree on tag, digest and registry.

The grammar is the distribution reference grammar the container runtimes use
(``[registry[:port]/]path[:tag][@digest]``). A name without a registry is pulled from Docker
Hub (``docker.io``), and a one-part Docker Hub name gets the ``library/`` prefix: ``nginx``
means ``docker.io/library/nginx``. A reference that does not parse fails at pull time with
``InvalidImageName``; k8sdsl rejects it when the value is built.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum
from typing import Annotated

from pydantic import AfterValidator
from pydantic_core import PydanticCustomError

DEFAULT_REGISTRY = "docker.io"
"""Where a name without a registry is pulled from."""

#: busybox 1.36.1 (the multi-arch index), pinned by tag and digest: the probes
#: (``ClusterDnsProbe``, ``SecurityContextProbe``) run ``nslookup``, ``wget``, ``httpd``,
#: ``id``, ``stat`` and ``awk`` from this one small image.
BUSYBOX_IMAGE = (
    "docker.io/library/busybox:1.36.1"
    "@sha256:73aaf090f3d85aa34ee199857f03fa3a95c8ede2ffd4cc2cdb5b94e566b11662"
)

_COMPONENT = r"[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*"
_DOMAIN_PART = r"(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])"
_DOMAIN = rf"(?:{_DOMAIN_PART}(?:\.{_DOMAIN_PART})*|\[[0-9a-fA-F:.]+\])(?::[0-9]+)?"
_TAG = r"[\w][\w.-]{0,127}"
_DIGEST = r"[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}"
_REFERENCE = re.compile(
    rf"^(?P<name>(?:(?P<domain>{_DOMAIN})/)?(?P<path>{_COMPONENT}(?:/{_COMPONENT})*))"
    rf"(?::(?P<tag>{_TAG}))?(?:@(?P<digest>{_DIGEST}))?$"
)
_SHA256 = re.compile(r"^sha256:[0-9a-f]{64}$")


class PullPolicy(StrEnum):
    """When the kubelet pulls an image: a container's ``imagePullPolicy`` and an image
    volume's ``pullPolicy`` (one enum for both).

    Unset means ``ALWAYS`` for a ``:latest`` tag or no tag, otherwise ``IF_NOT_PRESENT``.
    """

    ALWAYS = "Always"
    IF_NOT_PRESENT = "IfNotPresent"
    NEVER = "Never"


#: deprecated alias of :class:`PullPolicy` (the same class), kept for existing code
ImagePullPolicy = PullPolicy


@dataclass(frozen=True, slots=True)
class ImageReference:
    """A parsed image reference: ``registry``, ``repository``, ``tag`` and ``digest``.

    ``ImageReference.parse("nginx")`` is registry ``docker.io``, repository
    ``library/nginx``, no tag, no digest.
    """

    text: str
    registry: str
    repository: str
    tag: str | None
    digest: str | None

    @classmethod
    def parse(cls, text: str) -> ImageReference:
        """Parse ``text``; raises :class:`ImageReferenceError` with a fix when it cannot."""
        if cls is not ImageReference:
            return cls._parse(text)
        # once per text and process: every image rule parses every image of a fleet, and
        # a fleet names a few images thousands of times (the value is frozen: shared safely)
        parsed = _PARSED.get(text)
        if parsed is None:
            try:
                parsed = cls._parse(text)
            except ImageReferenceError as exc:
                parsed = exc.hint
            if len(_PARSED) < _PARSED_MAX:
                _PARSED[text] = parsed
        if isinstance(parsed, str):
            raise ImageReferenceError(text, parsed)
        return parsed

    @classmethod
    def _parse(cls, text: str) -> ImageReference:
        m = _REFERENCE.match(text)
        if not m:
            raise ImageReferenceError(text, _hint_for(text))
        domain = m.group("domain")
        path = m.group("path")
        # The first path element is a registry only if it looks like a host: it has a dot or
        # a port, or it is "localhost". Otherwise "team/app" is a Docker Hub repository.
        if domain is not None and not (
            "." in domain or ":" in domain or domain == "localhost" or domain.startswith("[")
        ):
            path = f"{domain}/{path}"
            domain = None
        if domain is not None and domain != domain.lower() and "." not in domain:
            raise ImageReferenceError(text, _hint_for(text))
        registry = domain or DEFAULT_REGISTRY
        if registry == "index.docker.io":
            registry = DEFAULT_REGISTRY
        if registry == DEFAULT_REGISTRY and "/" not in path:
            path = f"library/{path}"
        if len(f"{registry}/{path}") > 255:
            raise ImageReferenceError(text, "the repository name must be at most 255 characters")
        return cls(text, registry, path, m.group("tag"), m.group("digest"))

    @property
    def name(self) -> str:
        """``registry/repository``, the normalized name (``docker.io/library/nginx``)."""
        return f"{self.registry}/{self.repository}"

    @property
    def pinned(self) -> bool:
        """True when the image is pinned by digest: the bytes cannot change under the tag."""
        return self.digest is not None

    @property
    def floating(self) -> bool:
        """True for no tag and no digest, or the ``latest`` tag: what runs can change any day."""
        return self.digest is None and (self.tag is None or self.tag == "latest")

    def from_registry(self, allowed: Iterable[str]) -> bool:
        """True when the image comes from one of ``allowed``.

        An entry is a registry (``registry.example.com``, ``docker.io``) or a registry and a
        repository prefix (``ghcr.io/acme``), matched on whole path elements:
        ``ghcr.io/acme`` allows ``ghcr.io/acme/web`` but not ``ghcr.io/acme-evil/web``.
        """
        for entry in allowed:
            entry = entry.strip().rstrip("/")
            if not entry:
                continue
            if entry == "index.docker.io" or entry.startswith("index.docker.io/"):
                entry = DEFAULT_REGISTRY + entry.removeprefix("index.docker.io")
            if self.name == entry or self.name.startswith(entry + "/"):
                return True
            if "/" not in entry and self.registry == entry:
                return True
        return False


#: text -> parsed reference, or the hint of a text that does not parse
_PARSED: dict[str, ImageReference | str] = {}
_PARSED_MAX = 50_000


class ImageReferenceError(ValueError):
    """A string that is not an image reference, with the nearest fix."""

    def __init__(self, text: str, hint: str) -> None:
        self.text = text
        self.hint = hint
        super().__init__(f"{text!r} is not an image reference; {hint}")


def _hint_for(text: str) -> str:
    stripped = text.strip()
    if not stripped:
        return "name an image, for example 'registry.example.com/team/app:1.4.2'"
    if stripped != text:
        return f"remove the surrounding whitespace: {stripped!r}"
    if any(c.isspace() for c in text):
        return "an image reference has no spaces: [registry/]repository[:tag][@sha256:digest]"
    if "://" in text:
        return f"drop the scheme: {text.split('://', 1)[1]!r}"
    name, sep, rest = text.partition(":")
    if any(c.isupper() for c in name.split("/", 1)[-1]):
        fixed = name.lower() + sep + rest if sep else text.lower()
        return f"repository names are lowercase: {fixed!r}"
    if "@" in text and not re.search(r"@sha256:[0-9a-f]{64}$", text):
        return "a digest is 'sha256:' and 64 lowercase hex digits"
    return "use [registry/]repository[:tag][@sha256:digest], for example 'nginx:1.27.3'"


def check_image(value: str) -> str:
    try:
        ref = ImageReference.parse(value)
    except ImageReferenceError as exc:
        raise PydanticCustomError(
            "image_reference", "is not an image reference", {"hint": exc.hint, "value": value}
        ) from None
    digest = ref.digest
    if digest is not None and digest.startswith("sha256:") and not _SHA256.match(digest):
        raise PydanticCustomError(
            "image_reference",
            "has a malformed sha256 digest",
            {"hint": "a sha256 digest is 64 lowercase hex digits", "value": value},
        )
    return value


Image = Annotated[str, AfterValidator(check_image)]
"""A container image reference, ``[registry/]repository[:tag][@sha256:digest]``."""


__all__ = [
    "BUSYBOX_IMAGE",
    "DEFAULT_REGISTRY",
    "Image",
    "ImagePullPolicy",
    "ImageReference",
    "ImageReferenceError",
    "PullPolicy",
    "check_image",
]
