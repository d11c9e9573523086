"""cert-manager (``cert-manager.io/v1``): Issuers, ClusterIssuers and Certificates, so an
app's certificates are requested in git and made in the cluster, never committed.

Validated against cert-manager's CRD schemas pinned in ``k8sdsl/crd_schemas`` (v1.21.1);
what the CRDs do not say is the ``tls/...`` rules (``k8sdsl/rules/tls.py``): a key too
small, a serving certificate longer than 397 days, ``renewBefore`` not under
``duration``, an issuer that exists nowhere, an Ingress host the certificate does not name.

Secure defaults: an ECDSA P-256 key rotated at every renewal (``rotationPolicy: Always``,
cert-manager's default from 1.18); nothing else is defaulted (cert-manager's own duration
is 90 days, renewal at two thirds).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, ClassVar, Literal

from pydantic import Field

from k8sdsl.core._construct import Construct, Resource
from k8sdsl.core._findings import Finding, K8sDslError, Severity
from k8sdsl.core._model import K8sModel
from k8sdsl.core._types import DnsSubdomain, NonEmptyStr

#: Let's Encrypt's production and staging ACME directories
LETSENCRYPT_PRODUCTION = "https://acme-v02.api.letsencrypt.org/directory"
LETSENCRYPT_STAGING = "https://acme-staging-v02.api.letsencrypt.org/directory"
#: the annotations with which cert-manager's ingress-shim makes a Certificate for an Ingress
CLUSTER_ISSUER_ANNOTATION = "cert-manager.io/cluster-issuer"
ISSUER_ANNOTATION = "cert-manager.io/issuer"

#: CA/Browser Forum baseline requirements: a publicly trusted TLS server certificate lives
#: at most 398 days; browsers (Apple, Chrome) refuse longer ones since 2020
MAX_SERVING_DAYS = 397
#: the smallest keys worth having (NIST SP 800-57: RSA 2048 is the floor, ECDSA P-256)
MIN_RSA_BITS = 2048
MIN_ECDSA_BITS = 256


class SecretKeyRef(K8sModel):
    """A key of a Secret in the issuer's namespace (cert-manager's ``SecretKeySelector``;
    for a ClusterIssuer the cert-manager namespace)."""

    name: DnsSubdomain
    key: NonEmptyStr


class AcmeSolver(K8sModel):
    """One ACME challenge solver: HTTP-01 through an Ingress, or DNS-01 at a DNS provider.
    Use the factories. ``dns_zones`` limits the solver to names in those zones."""

    http01: dict[str, Any] | None = None
    dns01: dict[str, Any] | None = None
    dns_zones: tuple[str, ...] = ()

    @classmethod
    def http01_ingress(
        cls, *, ingress_class_name: str | None = None, dns_zones: Sequence[str] = ()
    ) -> AcmeSolver:
        """Answer HTTP-01 challenges with a temporary Ingress of ``ingress_class_name``."""
        ingress: dict[str, Any] = {}
        if ingress_class_name is not None:
            ingress["ingressClassName"] = ingress_class_name
        return cls(http01={"ingress": ingress}, dns_zones=tuple(dns_zones))

    @classmethod
    def dns01_cloudflare(
        cls, *, api_token: SecretKeyRef, dns_zones: Sequence[str] = ()
    ) -> AcmeSolver:
        """DNS-01 at Cloudflare with an API token (needed for wildcard names)."""
        return cls(
            dns01={"cloudflare": {"apiTokenSecretRef": api_token.to_k8s()}},
            dns_zones=tuple(dns_zones),
        )

    @classmethod
    def dns01_route53(
        cls, *, region: str, hosted_zone_id: str | None = None, dns_zones: Sequence[str] = ()
    ) -> AcmeSolver:
        """DNS-01 at AWS Route 53 (credentials from the pod's IAM role)."""
        body: dict[str, Any] = {"region": region}
        if hosted_zone_id is not None:
            body["hostedZoneID"] = hosted_zone_id
        return cls(dns01={"route53": body}, dns_zones=tuple(dns_zones))

    def to_k8s(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        if self.dns_zones:
            out["selector"] = {"dnsZones": list(self.dns_zones)}
        if self.http01 is not None:
            out["http01"] = self.http01
        if self.dns01 is not None:
            out["dns01"] = self.dns01
        return out


class AcmeIssuer(K8sModel):
    """An ACME issuer (Let's Encrypt): the account's e-mail, the directory, the Secret
    that keeps the account key (cert-manager makes it in the cluster) and the solvers."""

    email: NonEmptyStr
    private_key_secret_name: DnsSubdomain
    solvers: tuple[AcmeSolver, ...] = Field(min_length=1)
    server: NonEmptyStr = LETSENCRYPT_PRODUCTION

    def to_k8s(self) -> dict[str, Any]:
        return {
            "acme": {
                "email": self.email,
                "server": self.server,
                "privateKeySecretRef": {"name": self.private_key_secret_name},
                "solvers": [s.to_k8s() for s in self.solvers],
            }
        }


class CaIssuer(K8sModel):
    """Sign with a CA whose certificate and key are in a ``kubernetes.io/tls`` Secret made
    in the cluster (by a self-signed Certificate, say), never in git."""

    secret_name: DnsSubdomain

    def to_k8s(self) -> dict[str, Any]:
        return {"ca": {"secretName": self.secret_name}}


class SelfSignedIssuer(K8sModel):
    """Each certificate signs itself: for bootstrapping a CA Certificate."""

    def to_k8s(self) -> dict[str, Any]:
        return {"selfSigned": {}}


IssuerConfig = AcmeIssuer | CaIssuer | SelfSignedIssuer


class Issuer(Resource):
    """A cert-manager ``Issuer``: signs Certificates of its own namespace."""

    api_version: ClassVar[str] = "cert-manager.io/v1"
    kind: ClassVar[str] = "Issuer"

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        config: IssuerConfig,
        name: str | None = None,
        namespace: str | None = None,
        labels: dict[str, str] | None = None,
    ) -> None:
        super().__init__(scope, id, name=name, namespace=namespace, labels=labels)
        self.config = config

    def _body(self) -> dict[str, Any]:
        return {"spec": self.config.to_k8s()}


class ClusterIssuer(Issuer):
    """A cert-manager ``ClusterIssuer`` (cluster-scoped): signs Certificates of every
    namespace; its Secrets live in cert-manager's namespace."""

    kind: ClassVar[str] = "ClusterIssuer"


@dataclass(frozen=True)
class IssuerRef:
    """An issuer named by name and kind (one made outside the app: declare it in the
    cluster's ``objects`` so ``tls/missing-issuer`` knows it exists)."""

    name: str
    kind: Literal["Issuer", "ClusterIssuer"] = "ClusterIssuer"

    def to_k8s(self) -> dict[str, Any]:
        return {"name": self.name, "kind": self.kind, "group": "cert-manager.io"}


class KeyAlgorithm(StrEnum):
    RSA = "RSA"
    ECDSA = "ECDSA"
    ED25519 = "Ed25519"


class PrivateKey(K8sModel):
    """The certificate's key, made by cert-manager in the cluster: ECDSA P-256 by default,
    a new one at each renewal."""

    algorithm: KeyAlgorithm = KeyAlgorithm.ECDSA
    size: int | None = 256
    rotation_policy: Literal["Always", "Never"] = "Always"

    @classmethod
    def rsa(cls, size: int = 2048) -> PrivateKey:
        return cls(algorithm=KeyAlgorithm.RSA, size=size)

    @classmethod
    def ed25519(cls) -> PrivateKey:
        return cls(algorithm=KeyAlgorithm.ED25519, size=None)


_GO_DURATION = re.compile(r"(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)")
_UNIT_SECONDS = {"ns": 1e-9, "us": 1e-6, "µs": 1e-6, "ms": 1e-3, "s": 1, "m": 60, "h": 3600}


def go_duration_seconds(value: object) -> float | None:
    """Seconds of a Go duration (``2160h``, ``720h30m``); None when it is not one."""
    if not isinstance(value, str) or not value:
        return None
    pos, total = 0, 0.0
    for match in _GO_DURATION.finditer(value):
        if match.start() != pos:
            return None
        total += float(match.group(1)) * _UNIT_SECONDS[match.group(2)]
        pos = match.end()
    return total if pos == len(value) else None


@dataclass(frozen=True)
class CertificateProblem:
    severity: Severity
    code: str
    path: str
    message: str
    hint: str


def certificate_problems(obj: dict[str, Any]) -> list[CertificateProblem]:
    """What is weak or wrong in a cert-manager Certificate (a manifest dict) beyond its
    schema: an RSA key under 2048 bits or an ECDSA key under 256 (``tls/weak-key``), a
    serving certificate (not a CA) longer than 397 days (``tls/long-validity``, a warning),
    ``renewBefore`` at or over ``duration`` (``tls/renew-before``: cert-manager would renew
    in a loop)."""
    spec = obj.get("spec")
    if not isinstance(spec, dict):
        return []
    found: list[CertificateProblem] = []
    key = spec.get("privateKey")
    if isinstance(key, dict):
        algorithm, size = key.get("algorithm", "RSA"), key.get("size")
        if isinstance(size, int) and not isinstance(size, bool):
            floor = {"RSA": MIN_RSA_BITS, "ECDSA": MIN_ECDSA_BITS}.get(str(algorithm))
            if floor is not None and size < floor:
                found.append(
                    CertificateProblem(
                        Severity.ERROR,
                        "tls/weak-key",
                        f"a {algorithm} key of {size} bits is too small (at least {floor})",
                        "spec.privateKey.size",
                        "use ECDSA 256 (the default of PrivateKey()) or RSA 2048 and up",
                    )
                )
    duration = go_duration_seconds(spec.get("duration"))
    renew = go_duration_seconds(spec.get("renewBefore"))
    if duration is not None and spec.get("isCA") is not True:
        days = duration / 86400
        if days > MAX_SERVING_DAYS:
            found.append(
                CertificateProblem(
                    Severity.WARNING,
                    "tls/long-validity",
                    f"duration {spec.get('duration')} is {days:.0f} days: browsers refuse a "
                    f"TLS server certificate valid for more than {MAX_SERVING_DAYS} days",
                    "spec.duration",
                    "use 2160h (90 days, cert-manager's default) and let cert-manager renew",
                )
            )
    if renew is not None and renew >= (duration if duration is not None else 90 * 86400):
        found.append(
            CertificateProblem(
                Severity.ERROR,
                "tls/renew-before",
                f"renewBefore {spec.get('renewBefore')} is not shorter than the duration "
                f"{spec.get('duration') or '2160h (the default)'}: the certificate is due for "
                "renewal as soon as it is issued",
                "spec.renewBefore",
                "renew at about a third of the duration before expiry (720h of 2160h)",
            )
        )
    return found


class Certificate(Resource):
    """A cert-manager ``Certificate``: cert-manager keeps a ``kubernetes.io/tls`` Secret
    ``secret_name`` with a key and a certificate for ``dns_names``/``ip_addresses``,
    signed by ``issuer`` (an :class:`Issuer`/:class:`ClusterIssuer` construct, or an
    :class:`IssuerRef` to one made outside the app). ``duration``/``renew_before`` are Go
    durations (``2160h``). Give it to ``IngressTls.from_certificate`` to serve an Ingress.
    """

    api_version: ClassVar[str] = "cert-manager.io/v1"
    kind: ClassVar[str] = "Certificate"

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        secret_name: str,
        issuer: Issuer | IssuerRef,
        dns_names: Sequence[str] = (),
        ip_addresses: Sequence[str] = (),
        common_name: str | None = None,
        duration: str | None = None,
        renew_before: str | None = None,
        private_key: PrivateKey | None = None,
        usages: Sequence[str] = (),
        is_ca: bool = False,
        name: str | None = None,
        namespace: str | None = None,
        labels: dict[str, str] | None = None,
    ) -> None:
        super().__init__(scope, id, name=name, namespace=namespace, labels=labels)
        self.secret_name = secret_name
        self.issuer = issuer
        self.dns_names = tuple(dns_names)
        self.ip_addresses = tuple(ip_addresses)
        self.common_name = common_name
        self.duration = duration
        self.renew_before = renew_before
        self.private_key = private_key if private_key is not None else PrivateKey()
        self.usages = tuple(usages)
        self.is_ca = is_ca
        problems: list[Finding] = []
        if not self.dns_names and not self.ip_addresses and common_name is None:
            problems.append(
                Finding(
                    Severity.ERROR,
                    "tls/certificate-names",
                    "a Certificate needs the names it is for",
                    self.ref(),
                    "spec.dnsNames",
                    "pass dns_names=['shop.example.com']",
                )
            )
        for p in certificate_problems(self.to_k8s()):
            if p.severity is Severity.ERROR:
                problems.append(Finding(p.severity, p.code, p.message, self.ref(), p.path, p.hint))
        if problems:
            raise K8sDslError(problems, summary=f"invalid Certificate at {self.node.path}")

    @property
    def issuer_ref(self) -> dict[str, Any]:
        if isinstance(self.issuer, Issuer):
            return {"name": self.issuer.name, "kind": self.issuer.kind, "group": "cert-manager.io"}
        return self.issuer.to_k8s()

    def _body(self) -> dict[str, Any]:
        spec: dict[str, Any] = {"secretName": self.secret_name, "issuerRef": self.issuer_ref}
        if self.common_name is not None:
            spec["commonName"] = self.common_name
        if self.dns_names:
            spec["dnsNames"] = list(self.dns_names)
        if self.ip_addresses:
            spec["ipAddresses"] = list(self.ip_addresses)
        if self.duration is not None:
            spec["duration"] = self.duration
        if self.renew_before is not None:
            spec["renewBefore"] = self.renew_before
        spec["privateKey"] = self.private_key.to_k8s()
        if self.usages:
            spec["usages"] = list(self.usages)
        if self.is_ca:
            spec["isCA"] = True
        return {"spec": spec}


class ClusterTrustBundle(Resource):
    """A ``ClusterTrustBundle`` (cluster-scoped): CA certificates (PEM) that pods can mount
    with a projected ``clusterTrustBundle`` source (:class:`ClusterTrustBundleProjection`).
    Its apiVersion follows the target: ``certificates.k8s.io/v1`` from 1.37,
    ``v1beta1`` from 1.33, ``v1alpha1`` before (beta and alpha APIs are off unless the API
    server's ``--runtime-config`` turns them on). A bundle without a signer name; bundles
    linked to a signer (named ``<signer>:<suffix>``) are not built here."""

    api_version: ClassVar[str] = "certificates.k8s.io/v1beta1"
    kind: ClassVar[str] = "ClusterTrustBundle"

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        trust_bundle: str,
        name: str | None = None,
        labels: dict[str, str] | None = None,
    ) -> None:
        super().__init__(scope, id, name=name, labels=labels)
        version = self.k8s_version
        self.api_version = (  # type: ignore[misc]
            "certificates.k8s.io/v1"
            if version >= "1.37"
            else "certificates.k8s.io/v1beta1"
            if version >= "1.33"
            else "certificates.k8s.io/v1alpha1"
        )
        self.trust_bundle = trust_bundle
        problems: list[Finding] = []
        if "-----BEGIN CERTIFICATE-----" not in trust_bundle or "PRIVATE KEY" in trust_bundle:
            problems.append(
                Finding(
                    Severity.ERROR,
                    "tls/trust-bundle",
                    "trustBundle must be PEM CERTIFICATE blocks only (no keys)",
                    self.ref(),
                    "spec.trustBundle",
                    "pass the CA certificate's PEM text (ca.crt)",
                )
            )
        if problems:
            raise K8sDslError(problems, summary=f"invalid ClusterTrustBundle at {self.node.path}")

    def _body(self) -> dict[str, Any]:
        return {"spec": {"trustBundle": self.trust_bundle}}


__all__ = [
    "CLUSTER_ISSUER_ANNOTATION",
    "ISSUER_ANNOTATION",
    "LETSENCRYPT_PRODUCTION",
    "LETSENCRYPT_STAGING",
    "MAX_SERVING_DAYS",
    "AcmeIssuer",
    "AcmeSolver",
    "CaIssuer",
    "Certificate",
    "CertificateProblem",
    "ClusterIssuer",
    "ClusterTrustBundle",
    "Issuer",
    "IssuerRef",
    "KeyAlgorithm",
    "PrivateKey",
    "SecretKeyRef",
    "SelfSignedIssuer",
    "certificate_problems",
    "go_duration_seconds",
]
