"""What a pod's Secret references accept besides a name: anything that makes or is a Secret
(an ``ExternalSecret``, a ``SealedSecret``, a Secret declared in the cluster), so the name a
pod mounts is the one the object produces and cannot be misspelt.

The constructs live in higher layers (``k8sdsl.security``) and the values that take them in
lower ones (``k8sdsl.volumes``); both name this shape instead of each other. The key check
is the one the ``references/missing-key`` rule runs on YAML.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Protocol, runtime_checkable

from k8sdsl.core._findings import Finding, K8sDslError, ObjectRef, Severity
from k8sdsl.core._suggest import suggest


@dataclass(frozen=True, slots=True)
class SecretRef:
    """The Secret an object is or produces: its name, and its keys when they are known
    (``None``: the keys come from outside, such as an ExternalSecret's ``dataFrom``)."""

    name: str
    keys: frozenset[str] | None = None
    #: where it comes from, for messages ("made by ExternalSecret 'shop-db'")
    made_by: str = "declared in the cluster"


@runtime_checkable
class SecretSource(Protocol):
    """An object that is or makes a Secret: ``ExternalSecret``, ``SealedSecret``, or an
    ``ExistingObject`` of kind Secret declared in the cluster."""

    def as_secret_ref(self) -> SecretRef: ...


def secret_name(secret: str | SecretSource) -> str:
    """The Secret name of a reference given as a name or as a :class:`SecretSource`."""
    return secret.as_secret_ref().name if isinstance(secret, SecretSource) else secret


def missing_key_problem(owner: str, key: str, keys: Iterable[str]) -> tuple[str, str] | None:
    """(message, hint) when ``key`` is not among the ``keys`` of ``owner`` (a ConfigMap or
    Secret, as the message names it: ``Secret 'db'``): the pod stays in
    ``CreateContainerConfigError`` (``couldn't find key``)."""
    known = sorted(set(keys))
    if key in known:
        return None
    guess = suggest(key, known)
    return (
        f"{owner} has no key {key!r} (it has {', '.join(known) or 'none'})",
        f"did you mean {guess!r}?" if guess else "name one of its keys",
    )


def check_secret_key(secret: str | SecretSource, key: str, *, where: str) -> None:
    """Raise ``references/missing-key`` when ``secret`` is a source whose keys are known and
    ``key`` is not one of them (a plain name is judged at synth)."""
    if not isinstance(secret, SecretSource):
        return
    ref = secret.as_secret_ref()
    if ref.keys is None:
        return
    problem = missing_key_problem(f"Secret {ref.name!r} ({ref.made_by})", key, ref.keys)
    if problem is not None:
        raise K8sDslError(
            [
                Finding(
                    Severity.ERROR,
                    "references/missing-key",
                    problem[0],
                    ObjectRef(kind="Secret", name=ref.name),
                    where,
                    problem[1],
                )
            ],
            summary=f"invalid Secret reference to {ref.name!r}",
        )


__all__ = ["SecretRef", "SecretSource", "check_secret_key", "missing_key_problem", "secret_name"]
