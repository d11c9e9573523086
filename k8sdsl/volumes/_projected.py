"""The projected volume: several sources (secret, configMap, downwardAPI, serviceAccountToken,
clusterTrustBundle, podCertificate) in one directory.

Each projection is its own value, so an entry of ``sources`` sets exactly one kind (the
notes' sample, flattened, reads as if one entry held secret, downwardAPI and configMap).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any, ClassVar, Self, TypeAlias, get_args

from pydantic import Field, SerializerFunctionWrapHandler, model_serializer, model_validator
from pydantic_core import PydanticCustomError

from k8sdsl.core._model import K8sModel
from k8sdsl.core._selectors import LabelSelector
from k8sdsl.core._types import DnsSubdomain, FileMode, NonEmptyStr, RelativePath
from k8sdsl.volumes._enums import PodCertificateKeyType
from k8sdsl.volumes._refs import DownwardApiVolumeFile, Items
from k8sdsl.volumes._sources import VolumeSourceBase
from k8sdsl.volumes._tagged import NonEmpty, tagged_union


class ProjectionBase(K8sModel):
    """What every projection has: its key in a ``sources`` entry."""

    k8s_key: ClassVar[str] = ""


class SecretProjection(ProjectionBase):
    """A Secret's keys (``secret``). The Secret is named by ``name`` here, not
    ``secretName`` as in a secret volume. ``items`` unset projects every key; ``optional``
    unset is False."""

    k8s_key: ClassVar[str] = "secret"
    k8s_type = "SecretProjection"

    name: DnsSubdomain
    items: Items | None = None
    optional: bool | None = None


class ConfigMapProjection(ProjectionBase):
    """A ConfigMap's keys (``configMap``). ``items`` unset projects every key; ``optional``
    unset is False."""

    k8s_key: ClassVar[str] = "configMap"
    k8s_type = "ConfigMapProjection"

    name: DnsSubdomain
    items: Items | None = None
    optional: bool | None = None


class DownwardApiProjection(ProjectionBase):
    """Pod fields and container resources (``downwardAPI``)."""

    k8s_key: ClassVar[str] = "downwardAPI"
    k8s_type = "DownwardAPIProjection"

    items: Annotated[tuple[DownwardApiVolumeFile, ...], NonEmpty]


class ServiceAccountTokenProjection(ProjectionBase):
    """A bound service-account token the kubelet refreshes (``serviceAccountToken``).

    ``audience`` unset is the API server's identifier. ``expiration_seconds`` unset is 3600
    (one hour); the API server rejects less than 600. The kubelet rotates the token at 80%
    of its life.
    """

    k8s_key: ClassVar[str] = "serviceAccountToken"
    k8s_type = "ServiceAccountTokenProjection"

    path: RelativePath
    audience: NonEmptyStr | None = None
    expiration_seconds: Annotated[int, Field(ge=600, le=2**32)] | None = None


class ClusterTrustBundleProjection(ProjectionBase):
    """CA certificates from ClusterTrustBundle objects into one file (``clusterTrustBundle``;
    API field 1.29+, gate ``ClusterTrustBundleProjection`` off by default before 1.37).

    Select one bundle by ``name``, or all bundles of ``signer_name`` (narrowed by
    ``label_selector``). ``optional`` unset is False: the pod waits for a bundle.
    """

    k8s_key: ClassVar[str] = "clusterTrustBundle"
    k8s_type = "ClusterTrustBundleProjection"

    path: RelativePath
    name: DnsSubdomain | None = None
    signer_name: NonEmptyStr | None = None
    label_selector: LabelSelector | None = None
    optional: bool | None = None

    @model_validator(mode="after")
    def _name_or_signer(self) -> Self:
        if (self.name is None) == (self.signer_name is None):
            raise PydanticCustomError(
                "one_of",
                "a clusterTrustBundle projection needs exactly one of name and signer_name",
                {"hint": "pass name= for one bundle or signer_name= for a signer's bundles"},
            )
        if self.label_selector is not None and self.signer_name is None:
            raise PydanticCustomError(
                "label_selector",
                "label_selector works only with signer_name",
                {"hint": "drop label_selector, or select by signer_name"},
            )
        return self


class PodCertificateProjection(ProjectionBase):
    """A key and certificate the kubelet requests for the pod (``podCertificate``; API field
    1.34+, gate ``PodCertificateRequest`` off by default).

    Write both into ``credential_bundle_path``, or the key to ``key_path`` and the chain to
    ``certificate_chain_path``. ``max_expiration_seconds`` unset is 86400 (24 hours); the
    API server rejects less than 3600.
    """

    k8s_key: ClassVar[str] = "podCertificate"
    k8s_type = "PodCertificateProjection"

    signer_name: NonEmptyStr
    key_type: PodCertificateKeyType
    max_expiration_seconds: Annotated[int, Field(ge=3600)] | None = None
    credential_bundle_path: RelativePath | None = None
    key_path: RelativePath | None = None
    certificate_chain_path: RelativePath | None = None
    user_annotations: dict[str, str] | None = None

    @model_validator(mode="after")
    def _where_to_write(self) -> Self:
        split = self.key_path is not None or self.certificate_chain_path is not None
        bundle = self.credential_bundle_path is not None
        if bundle == split or (
            split and (self.key_path is None or self.certificate_chain_path is None)
        ):
            raise PydanticCustomError(
                "one_of",
                "a podCertificate projection needs credential_bundle_path, or key_path with "
                "certificate_chain_path",
                {"hint": "pass credential_bundle_path='credentials.pem'"},
            )
        return self


_Projection: TypeAlias = (
    SecretProjection
    | ConfigMapProjection
    | DownwardApiProjection
    | ServiceAccountTokenProjection
    | ClusterTrustBundleProjection
    | PodCertificateProjection
)

if TYPE_CHECKING:
    VolumeProjection: TypeAlias = _Projection
else:
    VolumeProjection = tagged_union(*get_args(_Projection), kind="volume_projection")
# VolumeProjection: one entry of a projected volume's ``sources``, exactly one projection.


class ProjectedVolume(VolumeSourceBase):
    """Several sources projected into one directory (``projected``), always read-only.

    ``default_mode`` unset is ``0o644`` and exists only here, not per source (set ``mode`` on
    single items). Every source must be in the pod's namespace.

    ``ProjectedVolume(sources=[SecretProjection(name="app"), ConfigMapProjection(...)])``
    """

    k8s_key: ClassVar[str] = "projected"
    k8s_type = "ProjectedVolumeSource"

    sources: Annotated[tuple[VolumeProjection, ...], NonEmpty]
    default_mode: FileMode | None = None

    @classmethod
    def of(cls, *sources: ProjectionBase, default_mode: int | None = None) -> ProjectedVolume:
        """``ProjectedVolume.of(SecretProjection(...), ConfigMapProjection(...))``."""
        return cls(sources=sources, default_mode=default_mode)

    @model_serializer(mode="wrap")
    def _render(self, handler: SerializerFunctionWrapHandler) -> dict[str, Any]:
        out: dict[str, Any] = handler(self)
        # each projection renders under its own key: [{secret: {...}}, {configMap: {...}}]
        out["sources"] = [
            {type(src).k8s_key: body}
            for src, body in zip(self.sources, out["sources"], strict=True)
        ]
        return out
