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


class AcmeDns(K8sModel):
    """DNS-01 through an `acme-dns <https://github.com/joohoi/acme-dns>`_ server: its URL
    and the Secret key holding the accounts JSON (one registration per domain)."""

    provider_key: ClassVar[str] = "acmeDNS"

    host: NonEmptyStr
    account: SecretKeyRef = Field(serialization_alias="accountSecretRef")


class AkamaiDns(K8sModel):
    """DNS-01 at Akamai Edge DNS: the API client's host and three credentials (EdgeGrid)."""

    provider_key: ClassVar[str] = "akamai"

    service_consumer_domain: NonEmptyStr
    client_token: SecretKeyRef = Field(serialization_alias="clientTokenSecretRef")
    client_secret: SecretKeyRef = Field(serialization_alias="clientSecretSecretRef")
    access_token: SecretKeyRef = Field(serialization_alias="accessTokenSecretRef")


class AzureManagedIdentity(K8sModel):
    """The managed identity (AAD pod or workload identity) AzureDNS authenticates as: give
    its client ID or its resource ID, not both."""

    client_id: NonEmptyStr | None = Field(default=None, serialization_alias="clientID")
    resource_id: NonEmptyStr | None = Field(default=None, serialization_alias="resourceID")
    tenant_id: NonEmptyStr | None = Field(default=None, serialization_alias="tenantID")


class AzureDns(K8sModel):
    """DNS-01 at Azure DNS. Authenticate with a managed identity (``managed_identity``, or
    nothing: the ambient identity), or with a service principal: ``client_id``,
    ``tenant_id`` and ``client_secret`` together. Not both."""

    provider_key: ClassVar[str] = "azureDNS"

    subscription_id: NonEmptyStr = Field(serialization_alias="subscriptionID")
    resource_group_name: NonEmptyStr
    hosted_zone_name: NonEmptyStr | None = None
    environment: (
        Literal["AzurePublicCloud", "AzureChinaCloud", "AzureGermanCloud", "AzureUSGovernmentCloud"]
        | None
    ) = None
    zone_type: Literal["AzurePublicZone", "AzurePrivateZone"] | None = None
    client_id: NonEmptyStr | None = Field(default=None, serialization_alias="clientID")
    tenant_id: NonEmptyStr | None = Field(default=None, serialization_alias="tenantID")
    client_secret: SecretKeyRef | None = Field(
        default=None, serialization_alias="clientSecretSecretRef"
    )
    managed_identity: AzureManagedIdentity | None = None


class CloudDns(K8sModel):
    """DNS-01 at Google Cloud DNS in ``project``; ``service_account`` is the Secret key
    holding a service account's JSON key (None: workload identity, the pod's own)."""

    provider_key: ClassVar[str] = "cloudDNS"

    project: NonEmptyStr
    hosted_zone_name: NonEmptyStr | None = None
    service_account: SecretKeyRef | None = Field(
        default=None, serialization_alias="serviceAccountSecretRef"
    )


class DigitalOceanDns(K8sModel):
    """DNS-01 at DigitalOcean with an API token."""

    provider_key: ClassVar[str] = "digitalocean"

    token: SecretKeyRef = Field(serialization_alias="tokenSecretRef")


#: the TSIG algorithms cert-manager's RFC 2136 solver signs with
TSIG_ALGORITHMS = ("HMACMD5", "HMACSHA1", "HMACSHA256", "HMACSHA512")


class Rfc2136Dns(K8sModel):
    """DNS-01 by RFC 2136 dynamic updates (BIND, PowerDNS, Knot...): the primary
    ``nameserver`` as ``host``, ``host:port``, ``[v6]`` or ``[v6]:port`` (port 53 when
    left out), and a TSIG key (``tsig_key_name`` with ``tsig_secret``, both or neither)."""

    provider_key: ClassVar[str] = "rfc2136"

    nameserver: NonEmptyStr
    tsig_key_name: NonEmptyStr | None = None
    tsig_algorithm: Literal["HMACMD5", "HMACSHA1", "HMACSHA256", "HMACSHA512"] | None = None
    tsig_secret: SecretKeyRef | None = Field(
        default=None, serialization_alias="tsigSecretSecretRef"
    )
    protocol: Literal["TCP", "UDP"] | None = None


class WebhookDns(K8sModel):
    """DNS-01 through an external webhook solver (an APIService of ``group_name``
    answering for ``solver_name``), with its own ``config``."""

    provider_key: ClassVar[str] = "webhook"

    group_name: NonEmptyStr
    solver_name: NonEmptyStr
    config: dict[str, Any] | None = None


Dns01Provider = (
    AcmeDns | AkamaiDns | AzureDns | CloudDns | DigitalOceanDns | Rfc2136Dns | WebhookDns
)

#: every DNS-01 provider key of the pinned Issuer schema (``spec.acme.solvers[].dns01``)
DNS01_PROVIDERS = (
    "acmeDNS",
    "akamai",
    "azureDNS",
    "cloudDNS",
    "cloudflare",
    "digitalocean",
    "rfc2136",
    "route53",
    "webhook",
)


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
    def dns01_at(
        cls,
        provider: Dns01Provider,
        *,
        dns_zones: Sequence[str] = (),
        cname_strategy: Literal["None", "Follow"] | None = None,
    ) -> AcmeSolver:
        """DNS-01 at ``provider`` (:class:`AcmeDns`, :class:`AkamaiDns`, :class:`AzureDns`,
        :class:`CloudDns`, :class:`DigitalOceanDns`, :class:`Rfc2136Dns`,
        :class:`WebhookDns`); ``cname_strategy="Follow"`` follows a CNAME from
        ``_acme-challenge.<name>`` to the zone that answers. The Issuer holding the solver
        is checked as cert-manager's webhook checks it (``tls/acme-dns01``)."""
        body: dict[str, Any] = {provider.provider_key: provider.to_k8s()}
        if cname_strategy is not None:
            body["cnameStrategy"] = cname_strategy
        return cls(dns01=body, dns_zones=tuple(dns_zones))

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


@dataclass(frozen=True)
class SolverProblem:
    """A DNS-01 solver cert-manager's webhook refuses: where (below ``dns01``), why, fix."""

    path: str
    message: str
    hint: str


def _nameserver_problem(value: str) -> str | None:
    """Why cert-manager refuses an RFC 2136 nameserver (Go's ``net.SplitHostPort`` rules:
    a bare IPv6 address has too many colons, it needs brackets), None when it takes it."""
    text = value.strip()
    if text.startswith("["):
        close = text.find("]")
        rest = text[close + 1 :] if close > 0 else None
        if rest is None or (rest and not rest.startswith(":")):
            return "is not host:port (an IPv6 address goes in brackets: [2001:db8::53]:53)"
        host = text[1:close]
    elif text.count(":") > 1:
        return "has too many colons: write an IPv6 nameserver in brackets ([2001:db8::53])"
    else:
        host = text.partition(":")[0]
    if not host:
        return "has no host"
    return None


def _secret_ref_problems(
    provider: str, field: str, ref: Any, *, required: bool = True
) -> list[SolverProblem]:
    if ref is None and not required:
        return []
    ref = ref if isinstance(ref, dict) else {}
    return [
        SolverProblem(
            f"{provider}.{field}.{part}",
            f"{provider}.{field} has no {part}: cert-manager's webhook refuses the Issuer "
            f'("secret {part} is required")',
            f"name the Secret and the key that holds the credential: {field}: "
            "{name: dns-credentials, key: token}",
        )
        for part in ("name", "key")
        if not isinstance(ref.get(part), str) or not ref.get(part)
    ]


def dns01_problems(dns01: Any) -> list[SolverProblem]:
    """What cert-manager's webhook refuses in a solver's ``dns01`` (a manifest dict), beyond
    the CRD schema (which requires only a Secret ref's name): no provider or more than one,
    a Secret ref without its key, Azure's service principal incomplete or mixed with a
    managed identity (and a managed identity by both client and resource ID), Cloudflare
    without exactly one of API key and token (the key with an e-mail), Route 53's access
    key ID given twice, an RFC 2136 nameserver that is not host:port, an unsupported TSIG
    algorithm, a TSIG secret without its key name. Paths are below ``dns01``."""
    if not isinstance(dns01, dict):
        return []
    present = [k for k in DNS01_PROVIDERS if dns01.get(k) is not None]
    found: list[SolverProblem] = []
    if not present:
        return [
            SolverProblem(
                "",
                "no DNS-01 provider configured",
                f"set one of {', '.join(DNS01_PROVIDERS)} (AcmeSolver.dns01_at(...))",
            )
        ]
    if len(present) > 1:
        found.append(
            SolverProblem(
                present[1],
                f"more than one DNS-01 provider ({', '.join(present)}): cert-manager's "
                "webhook refuses the solver",
                "give each provider its own solver, limited by dns_zones",
            )
        )
    for key in present:
        body = dns01[key] if isinstance(dns01[key], dict) else {}
        if key == "acmeDNS":
            found += _secret_ref_problems(key, "accountSecretRef", body.get("accountSecretRef"))
        elif key == "akamai":
            for ref in ("accessTokenSecretRef", "clientSecretSecretRef", "clientTokenSecretRef"):
                found += _secret_ref_problems(key, ref, body.get(ref))
        elif key == "azureDNS":
            found += _azure_problems(body)
        elif key == "cloudDNS":
            found += _secret_ref_problems(
                key, "serviceAccountSecretRef", body.get("serviceAccountSecretRef"), required=False
            )
        elif key == "cloudflare":
            found += _cloudflare_problems(body)
        elif key == "route53":
            if body.get("accessKeyID") and body.get("accessKeyIDSecretRef") is not None:
                found.append(
                    SolverProblem(
                        "route53.accessKeyIDSecretRef",
                        "accessKeyID and accessKeyIDSecretRef cannot both be specified",
                        "keep one: the Secret ref keeps the ID out of the Issuer",
                    )
                )
            found += _secret_ref_problems(
                key, "accessKeyIDSecretRef", body.get("accessKeyIDSecretRef"), required=False
            )
        elif key == "digitalocean":
            found += _secret_ref_problems(key, "tokenSecretRef", body.get("tokenSecretRef"))
        elif key == "rfc2136":
            found += _rfc2136_problems(body)
    return found


def _azure_problems(body: dict[str, Any]) -> list[SolverProblem]:
    found: list[SolverProblem] = []
    identity = body.get("managedIdentity")
    principal = [k for k in ("clientID", "tenantID", "clientSecretSecretRef") if body.get(k)]
    if principal:
        for k in ("clientID", "tenantID", "clientSecretSecretRef"):
            if k not in principal:
                found.append(
                    SolverProblem(
                        f"azureDNS.{k}",
                        f"a service principal needs clientID, tenantID and "
                        f"clientSecretSecretRef together; {k} is missing",
                        f"add {k}, or drop {', '.join(principal)} and use a managed identity",
                    )
                )
        found += _secret_ref_problems(
            "azureDNS",
            "clientSecretSecretRef",
            body.get("clientSecretSecretRef"),
            required=False,
        )
        if identity is not None:
            found.append(
                SolverProblem(
                    "azureDNS.managedIdentity",
                    "managed identity can not be used at the same time as clientID, "
                    "clientSecretSecretRef or tenantID",
                    "authenticate one way: the managed identity, or the service principal",
                )
            )
    elif isinstance(identity, dict) and identity.get("clientID") and identity.get("resourceID"):
        found.append(
            SolverProblem(
                "azureDNS.managedIdentity",
                "managedIdentity.clientID and managedIdentity.resourceID cannot both be given",
                "name the identity by one of them",
            )
        )
    return found


def _cloudflare_problems(body: dict[str, Any]) -> list[SolverProblem]:
    key, token = body.get("apiKeySecretRef"), body.get("apiTokenSecretRef")
    found: list[SolverProblem] = []
    if key is not None and token is not None:
        found.append(
            SolverProblem(
                "cloudflare",
                "apiKeySecretRef and apiTokenSecretRef cannot both be specified",
                "keep the API token (scoped to the zone); drop the global API key",
            )
        )
    if key is None and token is None:
        found.append(
            SolverProblem(
                "cloudflare",
                "apiKeySecretRef or apiTokenSecretRef is required",
                "give an API token: AcmeSolver.dns01_cloudflare(api_token=SecretKeyRef(...))",
            )
        )
    if key is not None and not body.get("email"):
        found.append(
            SolverProblem(
                "cloudflare.email",
                "a global API key needs the account's email",
                "add email, or use an API token instead",
            )
        )
    found += _secret_ref_problems("cloudflare", "apiKeySecretRef", key, required=False)
    found += _secret_ref_problems("cloudflare", "apiTokenSecretRef", token, required=False)
    return found


def _rfc2136_problems(body: dict[str, Any]) -> list[SolverProblem]:
    found: list[SolverProblem] = []
    nameserver = body.get("nameserver")
    if isinstance(nameserver, str) and nameserver.strip():
        why = _nameserver_problem(nameserver)
        if why is not None:
            found.append(
                SolverProblem(
                    "rfc2136.nameserver",
                    f"nameserver {nameserver!r} {why}",
                    "write host:port, where host is an IPv4 address, a bracketed IPv6 "
                    "address or a host name (port 53 when left out)",
                )
            )
    algorithm = body.get("tsigAlgorithm")
    if isinstance(algorithm, str) and algorithm and algorithm.upper() not in TSIG_ALGORITHMS:
        found.append(
            SolverProblem(
                "rfc2136.tsigAlgorithm",
                f"TSIG algorithm {algorithm!r} is not supported",
                f"use one of {', '.join(TSIG_ALGORITHMS)} (HMACSHA256 or HMACSHA512)",
            )
        )
    secret = body.get("tsigSecretSecretRef")
    if body.get("tsigKeyName"):
        found += _secret_ref_problems("rfc2136", "tsigSecretSecretRef", secret)
    elif isinstance(secret, dict) and secret.get("name") and secret.get("key"):
        found.append(
            SolverProblem(
                "rfc2136.tsigKeyName",
                "a TSIG secret without tsigKeyName: the server cannot tell which key signs",
                "add tsigKeyName, the key's name as the DNS server knows it",
            )
        )
    return found


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


def solver_problems(obj: dict[str, Any]) -> list[tuple[str, SolverProblem]]:
    """``(path, problem)`` of :func:`dns01_problems` for each ACME solver of an Issuer or
    ClusterIssuer (a manifest dict), the path from the object's root."""
    acme = obj.get("spec", {}).get("acme") if isinstance(obj.get("spec"), dict) else None
    solvers = acme.get("solvers") if isinstance(acme, dict) else None
    found: list[tuple[str, SolverProblem]] = []
    for i, solver in enumerate(solvers if isinstance(solvers, list) else []):
        if not isinstance(solver, dict) or "dns01" not in solver:
            continue
        base = f"spec.acme.solvers[{i}].dns01"
        for p in dns01_problems(solver["dns01"]):
            found.append((f"{base}.{p.path}" if p.path else base, p))
    return found


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
        problems = [
            Finding(Severity.ERROR, "tls/acme-dns01", p.message, self.ref(), path, p.hint)
            for path, p in solver_problems(self.to_k8s())
        ]
        if problems:
            raise K8sDslError(problems, summary=f"invalid {self.kind} at {self.node.path}")

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
    "DNS01_PROVIDERS",
    "ISSUER_ANNOTATION",
    "LETSENCRYPT_PRODUCTION",
    "LETSENCRYPT_STAGING",
    "MAX_SERVING_DAYS",
    "TSIG_ALGORITHMS",
    "AcmeDns",
    "AcmeIssuer",
    "AcmeSolver",
    "AkamaiDns",
    "AzureDns",
    "AzureManagedIdentity",
    "CaIssuer",
    "Certificate",
    "CertificateProblem",
    "CloudDns",
    "ClusterIssuer",
    "ClusterTrustBundle",
    "DigitalOceanDns",
    "Dns01Provider",
    "Issuer",
    "IssuerRef",
    "KeyAlgorithm",
    "PrivateKey",
    "Rfc2136Dns",
    "SecretKeyRef",
    "SelfSignedIssuer",
    "SolverProblem",
    "WebhookDns",
    "certificate_problems",
    "dns01_problems",
    "go_duration_seconds",
    "solver_problems",
]
