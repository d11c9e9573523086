"""Kubernetes versions k8sdsl targets."""

from __future__ import annotations

import re
from functools import total_ordering

from k8sdsl.core._findings import Finding, K8sDslError, ObjectRef, Severity

SUPPORTED_VERSIONS: tuple[str, ...] = tuple(f"1.{minor}" for minor in range(28, 38))
"""Every target version k8sdsl validates against (official schemas ship for each)."""

DEFAULT_VERSION = "1.35"
"""The default target: a current release with a long support window left."""


@total_ordering
class K8sVersion:
    """A Kubernetes minor version (``1.33``), comparable: ``K8sVersion("1.33") >= "1.31"``."""

    __slots__ = ("major", "minor")
    major: int
    minor: int

    def __init__(self, text: str | K8sVersion) -> None:
        if isinstance(text, K8sVersion):
            self.major, self.minor = text.major, text.minor
            return
        m = re.fullmatch(r"v?(\d+)\.(\d+)(?:\.\d+)?", str(text).strip())
        if not m:
            raise K8sDslError(
                [
                    Finding(
                        Severity.ERROR,
                        "app/k8s-version",
                        f"{text!r} is not a Kubernetes version",
                        ObjectRef(kind="App"),
                        "k8s_version",
                        f"use one of {', '.join(SUPPORTED_VERSIONS)}",
                    )
                ]
            )
        self.major, self.minor = int(m.group(1)), int(m.group(2))

    @classmethod
    def supported(cls, text: str | K8sVersion) -> K8sVersion:
        version = cls(text)
        if str(version) not in SUPPORTED_VERSIONS:
            raise K8sDslError(
                [
                    Finding(
                        Severity.ERROR,
                        "app/k8s-version",
                        f"Kubernetes {version} is not supported",
                        ObjectRef(kind="App"),
                        "k8s_version",
                        f"use one of {', '.join(SUPPORTED_VERSIONS)}",
                    )
                ]
            )
        return version

    def _key(self) -> tuple[int, int]:
        return (self.major, self.minor)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, str):
            other = K8sVersion(other)
        return isinstance(other, K8sVersion) and self._key() == other._key()

    def __lt__(self, other: K8sVersion | str) -> bool:
        return self._key() < K8sVersion(other)._key()

    def __hash__(self) -> int:
        return hash(self._key())

    def __str__(self) -> str:
        return f"{self.major}.{self.minor}"

    def __repr__(self) -> str:
        return f"K8sVersion({str(self)!r})"
