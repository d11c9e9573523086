"""Secrets without secret values in git: ``ExternalSecret`` (external-secrets.io/v1, the
External Secrets Operator copies values from a secret store into a Secret) and
``SealedSecret`` (bitnami.com/v1alpha1, values encrypted with the cluster controller's
public key by ``kubeseal``; only that controller can decrypt them).

Both are custom resources validated against their CRD schemas pinned in
``k8sdsl/crd_schemas`` (see its README for the releases). Each is a
:class:`~k8sdsl.core.SecretSource`: pods reference the Secret it makes by passing the
construct (``Volume.secret("db", secret_name=db)``, ``EnvVar.from_secret(..., secret=db,
key="password")``, ``EnvFromSource.secret(db)``), so the name cannot be misspelt and a key
it does not produce is an error at the user's line.

The checks of the values are the ones the ``secret/*`` and ``references/*`` rules run on
YAML (:func:`sealed_value_problem`, :func:`refresh_interval_problem`).
"""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Mapping, Sequence
from enum import StrEnum
from typing import Any, ClassVar, Self

from pydantic import model_validator
from pydantic_core import PydanticCustomError

from k8sdsl.core._config_data import config_key_ok
from k8sdsl.core._construct import Construct, Resource
from k8sdsl.core._findings import Finding, K8sDslError, Severity
from k8sdsl.core._model import K8sModel
from k8sdsl.core._secret_source import SecretRef
from k8sdsl.core._types import ConfigKey, DnsSubdomain, NonEmptyStr

#: a Go duration as the operator parses ``refreshInterval`` (``1h``, ``15m30s``, ``0s``)
_DURATION = re.compile(r"^(0|([0-9]+(\.[0-9]+)?(ns|us|µs|ms|s|m|h))+)$")

#: the annotations that widen a SealedSecret's sealing scope (sealed-secrets' own keys)
SEALED_NAMESPACE_WIDE = "sealedsecrets.bitnami.com/namespace-wide"
SEALED_CLUSTER_WIDE = "sealedsecrets.bitnami.com/cluster-wide"


def refresh_interval_problem(value: object) -> tuple[str, str] | None:
    """(message, hint) when ``refreshInterval`` is not a Go duration."""
    if isinstance(value, str) and _DURATION.match(value):
        return None
    return (
        f"refreshInterval {value!r} is not a duration (such as '1h', '15m', '0s')",
        "write a Go duration: '1h' refreshes hourly, '0s' fetches once",
    )


def sealed_value_problem(key: str, value: object) -> tuple[str, str] | None:
    """(message, hint) when an ``encryptedData`` value is not what ``kubeseal`` writes:
    base64 of a 2-byte length, the RSA-OAEP-encrypted session key of that length, then the
    AES-GCM ciphertext. A base64-encoded plain value (what a Secret's ``data`` holds) fails
    this, so a password pasted in by mistake is caught before it reaches git."""
    hint = (
        f"seal it: kubectl create secret generic ... --from-literal={key}=... --dry-run=client "
        "-o yaml | kubeseal -o yaml, and copy its encryptedData"
    )
    if not isinstance(value, str) or not value:
        return f"encryptedData[{key!r}] is empty or not a string", hint
    try:
        raw = base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        return f"encryptedData[{key!r}] is not base64: it is no kubeseal output", hint
    # the session key is encrypted with an RSA key of 2048 bits or more: 256 bytes or more
    length = int.from_bytes(raw[:2], "big") if len(raw) >= 2 else 0
    if length < 256 or len(raw) <= 2 + length:
        return (
            f"encryptedData[{key!r}] is base64 but not a sealed value (kubeseal writes a "
            "2-byte length, an RSA-encrypted session key and the ciphertext): it may be the "
            "plain value, base64-encoded, which anyone can read from git",
            hint,
        )
    return None


class SecretStoreKind(StrEnum):
    """A store of one namespace (``SecretStore``) or of every namespace
    (``ClusterSecretStore``, cluster-scoped)."""

    SECRET_STORE = "SecretStore"
    CLUSTER_SECRET_STORE = "ClusterSecretStore"


class SecretStoreRef(K8sModel):
    """The store an ExternalSecret reads from, by kind and name: ``SecretStoreRef.of("vault")``
    (a SecretStore of the ExternalSecret's namespace) or ``SecretStoreRef.cluster("vault")``
    (a ClusterSecretStore). The store is made by the platform (with its credentials); declare
    it in the cluster (``ExistingObject(kind="ClusterSecretStore", name="vault")``) and the
    ``references/missing-secret-store`` rule finds a misspelt one."""

    name: DnsSubdomain
    kind: SecretStoreKind = SecretStoreKind.SECRET_STORE

    @classmethod
    def of(cls, name: str, /) -> SecretStoreRef:
        return cls(name=name, kind=SecretStoreKind.SECRET_STORE)

    @classmethod
    def cluster(cls, name: str, /) -> SecretStoreRef:
        return cls(name=name, kind=SecretStoreKind.CLUSTER_SECRET_STORE)

    def to_k8s(self) -> dict[str, Any]:
        return {"kind": self.kind.value, "name": self.name}  # kind written even when default


class RemoteRef(K8sModel):
    """Where a value lives in the store: ``key`` (a path or a secret's name), the JSON
    ``property`` in it, a ``version``."""

    k8s_type = "ExternalSecretDataRemoteRef"

    key: NonEmptyStr
    property: NonEmptyStr | None = None
    version: NonEmptyStr | None = None


class ExternalSecretData(K8sModel):
    """One key of the Secret: ``ExternalSecretData.of("password", key="shop/db",
    property="password")``."""

    secret_key: ConfigKey
    remote_ref: RemoteRef

    @classmethod
    def of(
        cls,
        secret_key: str,
        /,
        *,
        key: str,
        property: str | None = None,
        version: str | None = None,
    ) -> ExternalSecretData:
        return cls(
            secret_key=secret_key,
            remote_ref=RemoteRef(key=key, property=property, version=version),
        )


class FindName(K8sModel):
    regexp: NonEmptyStr


class FindRef(K8sModel):
    """Every secret of the store under ``path`` whose name matches ``name`` or that has
    ``tags``."""

    k8s_type = "ExternalSecretFind"

    path: NonEmptyStr | None = None
    name: FindName | None = None
    tags: dict[str, str] | None = None


class ExternalSecretDataFrom(K8sModel):
    """Many keys at once: ``ExternalSecretDataFrom.extract("shop/db")`` (every property of
    one secret) or ``ExternalSecretDataFrom.find(path="shop/", name_regexp="^db-")``. The
    Secret's keys are then known only to the store, so key references are not checked."""

    extract: RemoteRef | None = None
    find: FindRef | None = None

    @model_validator(mode="after")
    def _one(self) -> Self:
        if (self.extract is None) == (self.find is None):
            raise PydanticCustomError(
                "data_from",
                "a dataFrom entry is an extract or a find, exactly one",
                {"hint": "use ExternalSecretDataFrom.extract(...) or .find(...)"},
            )
        return self

    @classmethod
    def of_extract(
        cls, key: str, /, *, property: str | None = None, version: str | None = None
    ) -> ExternalSecretDataFrom:
        return cls(extract=RemoteRef(key=key, property=property, version=version))

    @classmethod
    def of_find(
        cls,
        *,
        path: str | None = None,
        name_regexp: str | None = None,
        tags: Mapping[str, str] | None = None,
    ) -> ExternalSecretDataFrom:
        name = FindName(regexp=name_regexp) if name_regexp is not None else None
        return cls(find=FindRef(path=path, name=name, tags=dict(tags) if tags else None))


class CreationPolicy(StrEnum):
    """Who owns the Secret: ``Owner`` (the operator makes it and deletes it with the
    ExternalSecret), ``Orphan`` (makes it, keeps it), ``Merge`` (adds keys to a Secret that
    exists), ``CreateOrMerge``, ``None`` (makes nothing)."""

    OWNER = "Owner"
    ORPHAN = "Orphan"
    MERGE = "Merge"
    CREATE_OR_MERGE = "CreateOrMerge"
    NONE = "None"


class DeletionPolicy(StrEnum):
    """What happens to the Secret's keys when they vanish from the store: ``Retain`` (the
    default: keep them), ``Delete``, ``Merge``."""

    DELETE = "Delete"
    MERGE = "Merge"
    RETAIN = "Retain"


class _ExternalSecretSpec(K8sModel):
    secret_store_ref: SecretStoreRef
    refresh_interval: str
    data: tuple[ExternalSecretData, ...] | None = None
    data_from: tuple[ExternalSecretDataFrom, ...] | None = None
    creation_policy: CreationPolicy | None = None
    deletion_policy: DeletionPolicy | None = None
    target_name: DnsSubdomain | None = None

    @model_validator(mode="after")
    def _valid(self) -> Self:
        problem = refresh_interval_problem(self.refresh_interval)
        if problem is not None:
            raise PydanticCustomError("refresh_interval", problem[0], {"hint": problem[1]})
        if not self.data and not self.data_from:
            raise PydanticCustomError(
                "external_secret_data",
                "an ExternalSecret needs data or data_from (the operator refuses neither)",
                {"hint": "pass data=[ExternalSecretData.of('password', key='shop/db')]"},
            )
        keys = [d.secret_key for d in self.data or ()]
        twice = sorted({k for k in keys if keys.count(k) > 1})
        if twice:
            raise PydanticCustomError(
                "external_secret_data",
                "secret key(s) {keys} are written twice",
                {"keys": ", ".join(twice), "hint": "give each data entry its own secret_key"},
            )
        owned = self.creation_policy in (None, CreationPolicy.OWNER, CreationPolicy.ORPHAN)
        if self.deletion_policy is DeletionPolicy.DELETE and not owned:
            raise PydanticCustomError(
                "external_secret_policy",
                "deletion_policy Delete needs a Secret the operator owns (creation_policy Owner)",
                {"hint": "drop deletion_policy, or use creation_policy=CreationPolicy.OWNER"},
            )
        if (
            self.deletion_policy is DeletionPolicy.MERGE
            and self.creation_policy is CreationPolicy.NONE
        ):
            raise PydanticCustomError(
                "external_secret_policy",
                "deletion_policy Merge with creation_policy None: there is no Secret to merge",
                {"hint": "drop one of them"},
            )
        return self


class ExternalSecret(Resource):
    """An ExternalSecret (``external-secrets.io/v1``): the operator reads ``data`` (one key
    each) and ``data_from`` (many) from ``store`` and writes them into the Secret
    ``secret_name`` (unset: this object's name), refreshing every ``refresh_interval``
    (default ``1h``, written out). ``creation_policy`` and ``deletion_policy`` unset are the
    operator's ``Owner`` and ``Retain``. No value is in the manifest: only where it lives.

    Pass it where a pod names a Secret (``Volume.secret(..., secret_name=es)``,
    ``EnvVar.from_secret(..., secret=es, key=...)``, ``EnvFromSource.secret(es)``)."""

    api_version: ClassVar[str] = "external-secrets.io/v1"
    kind: ClassVar[str] = "ExternalSecret"

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        store: SecretStoreRef,
        data: Sequence[ExternalSecretData] | None = None,
        data_from: Sequence[ExternalSecretDataFrom] | None = None,
        secret_name: str | None = None,
        refresh_interval: str = "1h",
        creation_policy: CreationPolicy | None = None,
        deletion_policy: DeletionPolicy | None = None,
        name: str | None = None,
        namespace: str | None = None,
        labels: Mapping[str, str] | None = None,
        annotations: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(
            scope, id, name=name, namespace=namespace, labels=labels, annotations=annotations
        )
        with self._values():
            self.spec = _ExternalSecretSpec(
                secret_store_ref=store,
                refresh_interval=refresh_interval,
                data=tuple(data) if data is not None else None,
                data_from=tuple(data_from) if data_from is not None else None,
                creation_policy=creation_policy,
                deletion_policy=deletion_policy,
                target_name=secret_name,
            )

    @property
    def secret_name(self) -> str:
        """The Secret the operator writes."""
        return self.spec.target_name or self.name

    @property
    def secret_keys(self) -> frozenset[str] | None:
        """The Secret's keys, when they are all named here (``data`` only, and the operator
        makes the Secret rather than merging into one)."""
        merged = self.spec.creation_policy in (CreationPolicy.MERGE, CreationPolicy.CREATE_OR_MERGE)
        if self.spec.data_from or merged:
            return None
        return frozenset(d.secret_key for d in self.spec.data or ())

    def as_secret_ref(self) -> SecretRef:
        if self.spec.creation_policy is CreationPolicy.NONE:
            raise K8sDslError(
                [
                    Finding(
                        Severity.ERROR,
                        "value/secret-source",
                        f"ExternalSecret {self.name!r} has creation_policy None: it makes no "
                        "Secret for a pod to use",
                        self.ref(),
                        "spec.target.creationPolicy",
                        "drop creation_policy (the operator then owns the Secret)",
                    )
                ],
                summary=f"invalid Secret reference to ExternalSecret at {self.node.path}",
            )
        return SecretRef(
            self.secret_name, self.secret_keys, f"made by ExternalSecret {self.name!r}"
        )

    def _body(self) -> dict[str, Any]:
        spec = self.spec
        target: dict[str, Any] = {"name": self.secret_name}
        if spec.creation_policy is not None:
            target["creationPolicy"] = spec.creation_policy.value
        if spec.deletion_policy is not None:
            target["deletionPolicy"] = spec.deletion_policy.value
        body: dict[str, Any] = {
            "refreshInterval": spec.refresh_interval,
            "secretStoreRef": spec.secret_store_ref.to_k8s(),
            "target": target,
        }
        if spec.data:
            body["data"] = [d.to_k8s() for d in spec.data]
        if spec.data_from:
            body["dataFrom"] = [d.to_k8s() for d in spec.data_from]
        return {"spec": body}


class SealingScope(StrEnum):
    """What the sealed values are bound to: ``strict`` (the default: this name and
    namespace), ``namespace-wide`` (any name in the namespace), ``cluster-wide`` (anywhere).
    It must match the ``--scope`` they were sealed with."""

    STRICT = "strict"
    NAMESPACE_WIDE = "namespace-wide"
    CLUSTER_WIDE = "cluster-wide"


class SealedSecret(Resource):
    """A SealedSecret (``bitnami.com/v1alpha1``): ``encrypted_data`` is ``kubeseal``'s
    output, one sealed value per key; the controller in the cluster decrypts it into a
    Secret of the same name and namespace (a strict-scope value only decrypts there).
    ``secret_type`` (``kubernetes.io/tls``...), ``secret_labels`` and ``secret_annotations``
    go into ``spec.template``, what the Secret gets. A value that is not a sealed value
    (a plain value base64-encoded) is ``secret/sealed-data``.

    Pass it where a pod names a Secret, like an :class:`ExternalSecret`."""

    api_version: ClassVar[str] = "bitnami.com/v1alpha1"
    kind: ClassVar[str] = "SealedSecret"

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        encrypted_data: Mapping[str, str],
        secret_type: str | None = None,
        secret_labels: Mapping[str, str] | None = None,
        secret_annotations: Mapping[str, str] | None = None,
        immutable: bool | None = None,
        sealing_scope: SealingScope = SealingScope.STRICT,
        name: str | None = None,
        namespace: str | None = None,
        labels: Mapping[str, str] | None = None,
        annotations: Mapping[str, str] | None = None,
    ) -> None:
        extra = dict(annotations or {})
        if sealing_scope is SealingScope.NAMESPACE_WIDE:
            extra[SEALED_NAMESPACE_WIDE] = "true"
        elif sealing_scope is SealingScope.CLUSTER_WIDE:
            extra[SEALED_CLUSTER_WIDE] = "true"
        super().__init__(
            scope, id, name=name, namespace=namespace, labels=labels, annotations=extra or None
        )
        findings = []
        if not encrypted_data:
            findings.append(
                Finding(
                    Severity.ERROR,
                    "secret/sealed-data",
                    "a SealedSecret needs encrypted_data (the controller refuses none)",
                    self.ref(),
                    "spec.encryptedData",
                    "pass kubeseal's encryptedData",
                )
            )
        for key, value in sorted(encrypted_data.items()):
            path = f"spec.encryptedData[{key!r}]"
            if not config_key_ok(key):
                findings.append(
                    Finding(
                        Severity.ERROR,
                        "secret/key",
                        f"{key!r} is not a valid Secret key",
                        self.ref(),
                        path,
                        "use letters, digits, '-', '_' and '.' (at most 253 characters)",
                    )
                )
            problem = sealed_value_problem(key, value)
            if problem is not None:
                findings.append(
                    Finding(
                        Severity.ERROR,
                        "secret/sealed-data",
                        problem[0],
                        self.ref(),
                        path,
                        problem[1],
                    )  # fmt: skip
                )
        if findings:
            raise K8sDslError(findings, summary=f"invalid SealedSecret at {self.node.path}")
        self.encrypted_data = dict(sorted(encrypted_data.items()))
        self.secret_type = secret_type
        self.secret_labels = dict(secret_labels or {})
        self.secret_annotations = dict(secret_annotations or {})
        self.immutable = immutable
        self.sealing_scope = sealing_scope

    @property
    def secret_name(self) -> str:
        """The Secret the controller writes: always this object's name (the controller
        sets it whatever ``spec.template.metadata.name`` says)."""
        return self.name

    @property
    def secret_keys(self) -> frozenset[str]:
        return frozenset(self.encrypted_data)

    def as_secret_ref(self) -> SecretRef:
        return SecretRef(self.secret_name, self.secret_keys, f"made by SealedSecret {self.name!r}")

    def _body(self) -> dict[str, Any]:
        template: dict[str, Any] = {}
        metadata: dict[str, Any] = {}
        if self.secret_labels:
            metadata["labels"] = self.secret_labels
        if self.secret_annotations:
            metadata["annotations"] = self.secret_annotations
        if metadata:
            template["metadata"] = metadata
        if self.secret_type is not None:
            template["type"] = self.secret_type
        if self.immutable is not None:
            template["immutable"] = self.immutable
        spec: dict[str, Any] = {"encryptedData": self.encrypted_data}
        if template:
            spec["template"] = template
        return {"spec": spec}


__all__ = [
    "SEALED_CLUSTER_WIDE",
    "SEALED_NAMESPACE_WIDE",
    "CreationPolicy",
    "DeletionPolicy",
    "ExternalSecret",
    "ExternalSecretData",
    "ExternalSecretDataFrom",
    "FindName",
    "FindRef",
    "RemoteRef",
    "SealedSecret",
    "SealingScope",
    "SecretStoreKind",
    "SecretStoreRef",
    "refresh_interval_problem",
    "sealed_value_problem",
]
