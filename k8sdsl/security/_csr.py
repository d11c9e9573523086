"""``CertificateSigningRequest`` (``certificates.k8s.io/v1``): a certificate requested from
the cluster's signers instead of minted into the repository.

The built-in signers and what each accepts (Kubernetes docs, "Certificate Signing
Requests", and kube-controller-manager's signer, ``pkg/controller/certificates/signer``
with the checks of ``pkg/apis/certificates/v1/helpers.go``):

- ``kubernetes.io/kube-apiserver-client``: client certificates the API server honours;
  usages must include ``client auth`` and nothing beyond ``digital signature``,
  ``key encipherment``, ``client auth``; any subject. Never auto-approved.
- ``kubernetes.io/kube-apiserver-client-kubelet``: a kubelet's client certificate;
  subject exactly ``CN=system:node:<name>``, ``O=system:nodes``, no SANs at all; usages
  ``client auth``, ``digital signature`` and optionally ``key encipherment``.
- ``kubernetes.io/kubelet-serving``: a kubelet's serving certificate; the same subject,
  DNS and IP SANs only (no email or URI), usages ``server auth``, ``digital signature``
  and optionally ``key encipherment``.
- ``kubernetes.io/legacy-unknown``: refused by the v1 API (only v1beta1 took it).
- a custom signer: a domain-prefixed path (``example.com/my-signer``).

``expirationSeconds`` is at least 600 (the API server refuses less). The request is a PEM
``CERTIFICATE REQUEST``; the construct also takes DER (and writes PEM).
"""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, ClassVar

from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding
from cryptography.x509.oid import NameOID

from k8sdsl.core._construct import Construct, Resource
from k8sdsl.core._findings import Finding, K8sDslError, Severity
from k8sdsl.security._pki import KeyUsage

#: the API server refuses a shorter ``spec.expirationSeconds`` (10 minutes)
MIN_EXPIRATION_SECONDS = 600


class Signer(StrEnum):
    """The signers built into Kubernetes (``spec.signerName``)."""

    KUBE_APISERVER_CLIENT = "kubernetes.io/kube-apiserver-client"
    KUBE_APISERVER_CLIENT_KUBELET = "kubernetes.io/kube-apiserver-client-kubelet"
    KUBELET_SERVING = "kubernetes.io/kubelet-serving"
    LEGACY_UNKNOWN = "kubernetes.io/legacy-unknown"


@dataclass(frozen=True)
class SignerRules:
    """What a built-in signer signs: usages required and allowed, the subject and SANs."""

    required: frozenset[str]
    allowed: frozenset[str]
    #: CN ``system:node:<name>`` and O exactly ``system:nodes``
    node_subject: bool
    #: "none": no SANs; "dns-ip": DNS names and IPs only; "any"
    sans: str


_DS, _KE = KeyUsage.DIGITAL_SIGNATURE.value, KeyUsage.KEY_ENCIPHERMENT.value
SIGNER_RULES: dict[str, SignerRules] = {
    Signer.KUBE_APISERVER_CLIENT.value: SignerRules(
        frozenset({"client auth"}), frozenset({_DS, _KE, "client auth"}), False, "any"
    ),
    Signer.KUBE_APISERVER_CLIENT_KUBELET.value: SignerRules(
        frozenset({_DS, "client auth"}), frozenset({_DS, _KE, "client auth"}), True, "none"
    ),
    Signer.KUBELET_SERVING.value: SignerRules(
        frozenset({_DS, "server auth"}), frozenset({_DS, _KE, "server auth"}), True, "dns-ip"
    ),
}

_SIGNER_NAME = re.compile(
    r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)+(/[-A-Za-z0-9_.~%]+)+$"
)
_NODE_PREFIX = "system:node:"


@dataclass(frozen=True)
class CsrProblem:
    code: str
    path: str
    message: str
    hint: str


def decode_request(data: bytes) -> x509.CertificateSigningRequest:
    """A PKCS#10 request from PEM or DER bytes (raises ValueError)."""
    if data.lstrip().startswith(b"-----BEGIN"):
        return x509.load_pem_x509_csr(data)
    return x509.load_der_x509_csr(data)


def request_pem(request: bytes | str | x509.CertificateSigningRequest) -> bytes:
    """PEM of a request given as a cryptography object, PEM (text or bytes) or DER."""
    if isinstance(request, x509.CertificateSigningRequest):
        return request.public_bytes(Encoding.PEM)
    data = request.encode("ascii") if isinstance(request, str) else request
    return decode_request(data).public_bytes(Encoding.PEM)


def signer_name_problem(signer: object) -> CsrProblem | None:
    if signer == Signer.LEGACY_UNKNOWN.value:
        return CsrProblem(
            "tls/csr-signer",
            "spec.signerName",
            "kubernetes.io/legacy-unknown is refused by certificates.k8s.io/v1 (only the "
            "removed v1beta1 API took it) and no built-in controller signs for it",
            "use kubernetes.io/kube-apiserver-client for a client certificate, "
            "kubernetes.io/kubelet-serving for a kubelet's serving one, or your own signer",
        )
    if not isinstance(signer, str) or not _SIGNER_NAME.match(signer):
        return CsrProblem(
            "tls/csr-signer",
            "spec.signerName",
            f"signerName {signer!r} is not a domain-prefixed path",
            "write it as <domain>/<name>: kubernetes.io/kube-apiserver-client, "
            "example.com/my-signer",
        )
    return None


def _subject_values(csr: x509.CertificateSigningRequest, oid: x509.ObjectIdentifier) -> list[str]:
    return [str(a.value) for a in csr.subject.get_attributes_for_oid(oid)]


def request_problems(
    csr: x509.CertificateSigningRequest, rules: SignerRules, signer: str
) -> list[CsrProblem]:
    """The request's subject and SANs against the signer's rules."""
    found: list[CsrProblem] = []
    if not csr.is_signature_valid:
        found.append(
            CsrProblem(
                "tls/csr-request",
                "spec.request",
                "the request's signature does not verify against its public key",
                "generate the request again with the key it is for",
            )
        )
    if rules.node_subject:
        cns = _subject_values(csr, NameOID.COMMON_NAME)
        orgs = _subject_values(csr, NameOID.ORGANIZATION_NAME)
        if len(cns) != 1 or not cns[0].startswith(_NODE_PREFIX) or cns[0] == _NODE_PREFIX:
            found.append(
                CsrProblem(
                    "tls/csr-subject",
                    "spec.request",
                    f"{signer} signs only CN=system:node:<node name>; the request has CN={cns}",
                    "set the subject to CN=system:node:<node name>, O=system:nodes",
                )
            )
        if orgs != ["system:nodes"]:
            found.append(
                CsrProblem(
                    "tls/csr-subject",
                    "spec.request",
                    f"{signer} signs only O=system:nodes exactly; the request has O={orgs}",
                    "set the organization to system:nodes, and only that",
                )
            )
    try:
        sans = csr.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    except x509.ExtensionNotFound:
        sans = None
    if sans is not None and rules.sans == "none" and len(list(sans)) > 0:
        found.append(
            CsrProblem(
                "tls/csr-sans",
                "spec.request",
                f"{signer} refuses a request with subject alternative names "
                f"({', '.join(_san_text(n) for n in sans)})",
                "drop the subjectAltName extension: a kubelet's client certificate names "
                "the node in its CN only",
            )
        )
    if sans is not None and rules.sans == "dns-ip":
        other = [n for n in sans if not isinstance(n, (x509.DNSName, x509.IPAddress))]
        if other:
            found.append(
                CsrProblem(
                    "tls/csr-sans",
                    "spec.request",
                    f"{signer} signs DNS and IP SANs only; the request has "
                    f"{', '.join(_san_text(n) for n in other)}",
                    "keep the node's DNS names and IP addresses, drop email and URI SANs",
                )
            )
    return found


def _san_text(name: x509.GeneralName) -> str:
    kind = {
        x509.DNSName: "DNS",
        x509.IPAddress: "IP",
        x509.RFC822Name: "email",
        x509.UniformResourceIdentifier: "URI",
    }.get(type(name), type(name).__name__)
    return f"{kind}:{name.value}"


def csr_problems(obj: dict[str, Any]) -> list[CsrProblem]:
    """Everything the API server or the named built-in signer refuses in a
    CertificateSigningRequest (a manifest dict): the signer name, usages the signer
    forbids or requires, ``expirationSeconds`` under 600, and the request itself (base64
    PEM, a valid signature, the subject and SANs the signer takes)."""
    spec = obj.get("spec")
    if not isinstance(spec, dict):
        return []
    found: list[CsrProblem] = []
    signer = spec.get("signerName")
    problem = signer_name_problem(signer)
    if problem is not None:
        return [problem]
    assert isinstance(signer, str)
    rules = SIGNER_RULES.get(signer)
    usages = spec.get("usages")
    if rules is not None and isinstance(usages, list):
        given = {u for u in usages if isinstance(u, str)}
        forbidden = sorted(given - rules.allowed)
        missing = sorted(rules.required - given)
        if forbidden:
            found.append(
                CsrProblem(
                    "tls/csr-usages",
                    "spec.usages",
                    f"{signer} does not sign usages {forbidden}",
                    f"use only {sorted(rules.allowed)}",
                )
            )
        if missing:
            found.append(
                CsrProblem(
                    "tls/csr-usages",
                    "spec.usages",
                    f"{signer} needs usages {missing}",
                    f"add {missing}",
                )
            )
    expiration = spec.get("expirationSeconds")
    if isinstance(expiration, int) and not isinstance(expiration, bool):
        if expiration < MIN_EXPIRATION_SECONDS:
            found.append(
                CsrProblem(
                    "tls/csr-expiration",
                    "spec.expirationSeconds",
                    f"expirationSeconds {expiration} is under {MIN_EXPIRATION_SECONDS}: the "
                    "API server refuses a certificate of less than 10 minutes",
                    f"ask for {MIN_EXPIRATION_SECONDS} seconds or more (a day is 86400)",
                )
            )
    request = spec.get("request")
    if isinstance(request, str):
        try:
            data = base64.b64decode(request, validate=True)
        except (binascii.Error, ValueError):
            data = None
        if data is None or not data.lstrip().startswith(b"-----BEGIN CERTIFICATE REQUEST"):
            found.append(
                CsrProblem(
                    "tls/csr-request",
                    "spec.request",
                    "spec.request is not a base64-encoded PEM CERTIFICATE REQUEST",
                    "base64 the PEM file: base64 -w0 < server.csr (DER must be converted "
                    "with openssl req -inform DER -outform PEM first)",
                )
            )
        else:
            try:
                csr = x509.load_pem_x509_csr(data)
            except ValueError as exc:
                found.append(
                    CsrProblem(
                        "tls/csr-request",
                        "spec.request",
                        f"spec.request does not parse as PKCS#10: {exc}",
                        "generate it with openssl req -new or cryptography",
                    )
                )
            else:
                found += request_problems(
                    csr, rules or SignerRules(frozenset(), frozenset(), False, "any"), signer
                )
    return found


class CertificateSigningRequest(Resource):
    """A ``CertificateSigningRequest`` (cluster-scoped). ``request`` is the PKCS#10
    request (PEM text or bytes, DER bytes, or a cryptography object; written as base64
    PEM); ``signer_name`` a :class:`Signer` or a custom ``domain/path``; ``usages`` are
    :class:`KeyUsage` values; ``expiration_seconds`` at least 600 (unset: the signer's
    default, a year for kube-controller-manager's ``--cluster-signing-duration``).

    Checked as built by the same checker the ``tls/csr`` rule runs on YAML: the signer's
    usages, its subject rules for the parsed request, the SANs it takes.
    """

    api_version: ClassVar[str] = "certificates.k8s.io/v1"
    kind: ClassVar[str] = "CertificateSigningRequest"

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        request: bytes | str | x509.CertificateSigningRequest,
        signer_name: Signer | str,
        usages: Sequence[KeyUsage | str],
        expiration_seconds: int | None = None,
        name: str | None = None,
        labels: dict[str, str] | None = None,
        annotations: dict[str, str] | None = None,
    ) -> None:
        super().__init__(scope, id, name=name, labels=labels, annotations=annotations)
        try:
            pem = request_pem(request)
        except ValueError as exc:
            raise K8sDslError(
                [
                    Finding(
                        Severity.ERROR,
                        "tls/csr-request",
                        f"the request does not parse as a PEM or DER PKCS#10 request: {exc}",
                        self.ref(),
                        "spec.request",
                        "pass the bytes of the .csr file openssl req -new wrote",
                    )
                ],
                summary=f"invalid CertificateSigningRequest at {self.node.path}",
            ) from None
        self.request = pem
        self.signer_name = str(signer_name)
        self.usages = tuple(str(u) for u in usages)
        self.expiration_seconds = expiration_seconds
        problems = csr_problems(self.to_k8s())
        if problems:
            raise K8sDslError(
                [
                    Finding(Severity.ERROR, p.code, p.message, self.ref(), p.path, p.hint)
                    for p in problems
                ],
                summary=f"invalid CertificateSigningRequest at {self.node.path}",
            )

    def _body(self) -> dict[str, Any]:
        spec: dict[str, Any] = {
            "request": base64.b64encode(self.request).decode("ascii"),
            "signerName": self.signer_name,
            "usages": list(self.usages),
        }
        if self.expiration_seconds is not None:
            spec["expirationSeconds"] = self.expiration_seconds
        return {"spec": spec}


__all__ = [
    "MIN_EXPIRATION_SECONDS",
    "SIGNER_RULES",
    "CertificateSigningRequest",
    "CsrProblem",
    "Signer",
    "SignerRules",
    "csr_problems",
    "decode_request",
    "request_pem",
]
