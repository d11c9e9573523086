"""The cluster's PKI: every certificate a kubeadm-style cluster needs, with the names and
usages computed from the declared cluster, and the inputs people feed to the tools that
make them (kubeadm's ``certSANs``, an openssl config, a cfssl CSR, easyrsa's command line).

The course notes build the API server's certificate with easyrsa, and its SAN list is the
lesson: clients reach the API server as ``kubernetes``, ``kubernetes.default``,
``kubernetes.default.svc``, ``kubernetes.default.svc.<cluster domain>`` (and the notes'
``kubernetes.default.svc.cluster``), at the control-plane addresses and at the first IP of
the service range (the ClusterIP of ``kubernetes.default``, what in-cluster clients dial).
A name missing from the certificate fails TLS verification for the clients that use it.

Certificates only: no private key is ever made or written here (keys are made on the
machine that uses them; ``TextFile`` refuses one).
"""

from __future__ import annotations

import ipaddress
import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from k8sdsl.core._cluster import Cluster
from k8sdsl.core._config_file import ConfigFile, TextFile
from k8sdsl.core._construct import Construct
from k8sdsl.core._findings import Finding, K8sDslError, ObjectRef, Severity

#: kubeadm's validity of leaf certificates (``constants.CertificateValidityPeriod``)
LEAF_VALIDITY_DAYS = 365
#: kubeadm's validity of CA certificates (``constants.CACertificateValidityPeriod``)
CA_VALIDITY_DAYS = 3650


class KeyUsage(StrEnum):
    """A key usage as ``certificates.k8s.io/v1`` writes it (``spec.usages``); the same
    names serve the PKI description. The last ones are extended key usages."""

    SIGNING = "signing"
    DIGITAL_SIGNATURE = "digital signature"
    CONTENT_COMMITMENT = "content commitment"
    KEY_ENCIPHERMENT = "key encipherment"
    KEY_AGREEMENT = "key agreement"
    DATA_ENCIPHERMENT = "data encipherment"
    CERT_SIGN = "cert sign"
    CRL_SIGN = "crl sign"
    ENCIPHER_ONLY = "encipher only"
    DECIPHER_ONLY = "decipher only"
    ANY = "any"
    SERVER_AUTH = "server auth"
    CLIENT_AUTH = "client auth"
    CODE_SIGNING = "code signing"
    EMAIL_PROTECTION = "email protection"
    SMIME = "s/mime"
    IPSEC_END_SYSTEM = "ipsec end system"
    IPSEC_TUNNEL = "ipsec tunnel"
    IPSEC_USER = "ipsec user"
    TIMESTAMPING = "timestamping"
    OCSP_SIGNING = "ocsp signing"
    MICROSOFT_SGC = "microsoft sgc"
    NETSCAPE_SGC = "netscape sgc"


#: KeyUsage -> (openssl keyUsage/extendedKeyUsage name, whether it is an extended usage)
_OPENSSL: dict[KeyUsage, tuple[str, bool]] = {
    KeyUsage.DIGITAL_SIGNATURE: ("digitalSignature", False),
    KeyUsage.CONTENT_COMMITMENT: ("nonRepudiation", False),
    KeyUsage.KEY_ENCIPHERMENT: ("keyEncipherment", False),
    KeyUsage.KEY_AGREEMENT: ("keyAgreement", False),
    KeyUsage.DATA_ENCIPHERMENT: ("dataEncipherment", False),
    KeyUsage.CERT_SIGN: ("keyCertSign", False),
    KeyUsage.CRL_SIGN: ("cRLSign", False),
    KeyUsage.ENCIPHER_ONLY: ("encipherOnly", False),
    KeyUsage.DECIPHER_ONLY: ("decipherOnly", False),
    KeyUsage.SERVER_AUTH: ("serverAuth", True),
    KeyUsage.CLIENT_AUTH: ("clientAuth", True),
    KeyUsage.CODE_SIGNING: ("codeSigning", True),
    KeyUsage.EMAIL_PROTECTION: ("emailProtection", True),
    KeyUsage.TIMESTAMPING: ("timeStamping", True),
    KeyUsage.OCSP_SIGNING: ("OCSPSigning", True),
}

_SERVING = (KeyUsage.DIGITAL_SIGNATURE, KeyUsage.KEY_ENCIPHERMENT, KeyUsage.SERVER_AUTH)
_CLIENT = (KeyUsage.DIGITAL_SIGNATURE, KeyUsage.KEY_ENCIPHERMENT, KeyUsage.CLIENT_AUTH)
_PEER = (
    KeyUsage.DIGITAL_SIGNATURE,
    KeyUsage.KEY_ENCIPHERMENT,
    KeyUsage.SERVER_AUTH,
    KeyUsage.CLIENT_AUTH,
)
_CA = (KeyUsage.DIGITAL_SIGNATURE, KeyUsage.KEY_ENCIPHERMENT, KeyUsage.CERT_SIGN)

#: an unexpanded shell variable: ``$MASTER_IP``, ``${MASTER_IP}``, ``${MASTER-IP}``
SHELL_VARIABLE = re.compile(r"\$\{[^}]*\}|\$[A-Za-z_][A-Za-z0-9_]*")


def is_ip(value: str) -> bool:
    try:
        ipaddress.ip_address(value)
    except ValueError:
        return False
    return True


def normalize_san(value: str) -> str:
    """One spelling per name: IPs compressed (``2001:DB8:0::1`` -> ``2001:db8::1``), DNS
    names lowercased without a trailing dot (names compare case-insensitively)."""
    try:
        return str(ipaddress.ip_address(value))
    except ValueError:
        return value.lower().rstrip(".")


def dedupe_sans(values: Iterable[str]) -> tuple[str, ...]:
    """``values`` normalized, in their first order, each once."""
    return tuple(dict.fromkeys(normalize_san(v) for v in values))


def api_server_dns_names(cluster_domain: str) -> tuple[str, ...]:
    """The names the ``kubernetes`` Service is reached at: ``kubernetes``, ``.default``,
    ``.default.svc`` and ``.default.svc.`` + each leading part of the cluster domain up to
    the whole (``svc.cluster`` and ``svc.cluster.local`` for cluster.local, as the notes list
    them; kubeadm adds only the whole domain, the shorter one is harmless)."""
    labels = cluster_domain.rstrip(".").split(".")
    partial = [".".join(labels[: i + 1]) for i in range(len(labels))]
    return ("kubernetes", "kubernetes.default", "kubernetes.default.svc") + tuple(
        f"kubernetes.default.svc.{p}" for p in partial
    )


@dataclass(frozen=True)
class PkiNode:
    """A machine that gets certificates: its host name and the addresses it is reached at
    (IPs or DNS names)."""

    name: str
    addresses: tuple[str, ...] = ()


@dataclass(frozen=True)
class PkiCertificate:
    """One certificate of the cluster: who it names, what it may do, who signs it.

    ``file`` is its path below the PKI folder as kubeadm names it (``apiserver``,
    ``etcd/server``): ``<file>.crt`` and ``<file>.key`` on the node, never in git."""

    name: str
    file: str
    common_name: str
    usages: tuple[KeyUsage, ...]
    #: the CA that signs it (its ``name``); None for a self-signed CA
    signer: str | None = None
    organizations: tuple[str, ...] = ()
    dns_names: tuple[str, ...] = ()
    ip_addresses: tuple[str, ...] = ()
    is_ca: bool = False
    validity_days: int = LEAF_VALIDITY_DAYS
    #: what the certificate is for (one line)
    purpose: str = ""

    @property
    def sans(self) -> tuple[str, ...]:
        """Every subject alternative name, DNS names then IPs."""
        return self.dns_names + self.ip_addresses

    @property
    def serving(self) -> bool:
        return KeyUsage.SERVER_AUTH in self.usages

    def openssl_config(self) -> str:
        """An ``openssl req -config`` file for this certificate's request: the subject, the
        key usages and, for a certificate with names, ``subjectAltName = @alt_names``."""
        dn = [f"CN = {self.common_name}"] + [
            f"{i}.O = {o}" if len(self.organizations) > 1 else f"O = {o}"
            for i, o in enumerate(self.organizations)
        ]
        basic = "critical, CA:TRUE" if self.is_ca else "critical, CA:FALSE"
        key = [_OPENSSL[u][0] for u in self.usages if u in _OPENSSL and not _OPENSSL[u][1]]
        ext = [_OPENSSL[u][0] for u in self.usages if u in _OPENSSL and _OPENSSL[u][1]]
        lines = [
            f"# the request of {self.name}: {self.purpose}" if self.purpose else "#",
            f"# openssl req -new -key {self.file}.key -config <this file> -out {self.file}.csr",
            "[req]",
            "prompt = no",
            "distinguished_name = dn",
            "req_extensions = v3_req",
            "",
            "[dn]",
            *dn,
            "",
            "[v3_req]",
            f"basicConstraints = {basic}",
            f"keyUsage = critical, {', '.join(key)}",
        ]
        if ext:
            lines.append(f"extendedKeyUsage = {', '.join(ext)}")
        if self.sans:
            lines += ["subjectAltName = @alt_names", "", "[alt_names]"]
            lines += [f"DNS.{i + 1} = {n}" for i, n in enumerate(self.dns_names)]
            lines += [f"IP.{i + 1} = {a}" for i, a in enumerate(self.ip_addresses)]
        return "\n".join(lines) + "\n"

    def cfssl_csr(self) -> dict[str, Any]:
        """cfssl's CSR JSON (``cfssl gencert -config ... -profile ...``): CN, hosts (the
        SANs) and an ECDSA P-256 key, which cfssl generates on the machine that runs it."""
        out: dict[str, Any] = {
            "CN": self.common_name,
            "hosts": list(self.sans),
            "key": {"algo": "ecdsa", "size": 256},
        }
        if self.organizations:
            out["names"] = [{"O": o} for o in self.organizations]
        if self.is_ca:
            out["ca"] = {"expiry": f"{self.validity_days * 24}h"}
        return out


@dataclass(frozen=True)
class ServiceAccountKeyPair:
    """The key pair that signs service account tokens (``sa.key``/``sa.pub``): not a
    certificate, no SANs; kube-apiserver ``--service-account-key-file`` and
    ``--service-account-signing-key-file``, kube-controller-manager
    ``--service-account-private-key-file``."""

    file: str = "sa"
    algorithm: str = "RSA"
    size: int = 2048


@dataclass(frozen=True)
class ClusterPki:
    """Every certificate of a kubeadm-style cluster, computed from the declared cluster.

    >>> pki = ClusterPki.of(Cluster(), control_plane=[PkiNode("cp-1", ("10.0.0.10",))])
    >>> pki.certificate("apiserver").ip_addresses
    ('10.96.0.1', '10.0.0.10')

    The API server's SANs are :func:`api_server_dns_names` of the cluster domain, the
    control-plane nodes' names and addresses, the cluster's ``api_server_addresses`` (a
    load balancer) and the ClusterIP of ``kubernetes.default`` (first address of the
    primary service range; a dual-stack cluster's ``kubernetes`` Service has the primary
    family only), each once. etcd's serving and peer certificates name each control-plane
    node, ``localhost``, 127.0.0.1 and ::1 (as kubeadm's); kubelets get a client
    certificate (``system:node:<name>`` in ``system:nodes``) and a serving certificate for
    their names and addresses.
    """

    cluster: Cluster
    certificates: tuple[PkiCertificate, ...]
    service_account: ServiceAccountKeyPair = field(default_factory=ServiceAccountKeyPair)

    @classmethod
    def of(
        cls,
        cluster: Cluster,
        *,
        control_plane: Sequence[PkiNode],
        workers: Sequence[PkiNode] = (),
        validity_days: int = LEAF_VALIDITY_DAYS,
        ca_validity_days: int = CA_VALIDITY_DAYS,
    ) -> ClusterPki:
        if not control_plane:
            raise ValueError("a cluster PKI needs at least one control-plane node")
        service_ip = cluster.api_server_service_ip
        extra = [a for n in control_plane for a in (n.name, *n.addresses)]
        extra += list(cluster.api_server_addresses)
        names = dedupe_sans(
            [
                *api_server_dns_names(cluster.cluster_domain),
                *([service_ip] if service_ip else []),
                *extra,
            ]
        )

        def leaf(
            name: str,
            file: str,
            cn: str,
            usages: tuple[KeyUsage, ...],
            signer: str,
            purpose: str,
            *,
            sans: Sequence[str] = (),
            orgs: tuple[str, ...] = (),
        ) -> PkiCertificate:
            return PkiCertificate(
                name=name,
                file=file,
                common_name=cn,
                usages=usages,
                signer=signer,
                organizations=orgs,
                dns_names=tuple(s for s in sans if not is_ip(s)),
                ip_addresses=tuple(s for s in sans if is_ip(s)),
                validity_days=validity_days,
                purpose=purpose,
            )

        def ca(name: str, file: str, cn: str, purpose: str) -> PkiCertificate:
            return PkiCertificate(
                name=name,
                file=file,
                common_name=cn,
                usages=_CA,
                is_ca=True,
                validity_days=ca_validity_days,
                purpose=purpose,
            )

        certs = [
            ca("ca", "ca", "kubernetes", "the cluster CA: signs the API server, kubelets, users"),
            leaf(
                "apiserver",
                "apiserver",
                "kube-apiserver",
                _SERVING,
                "ca",
                "the API server's serving certificate",
                sans=names,
            ),
            leaf(
                "apiserver-kubelet-client",
                "apiserver-kubelet-client",
                "kube-apiserver-kubelet-client",
                _CLIENT,
                "ca",
                "the API server as a client of the kubelets (logs, exec)",
                orgs=("kubeadm:cluster-admins",),
            ),
            ca("front-proxy-ca", "front-proxy-ca", "front-proxy-ca", "the aggregation layer CA"),
            leaf(
                "front-proxy-client",
                "front-proxy-client",
                "front-proxy-client",
                _CLIENT,
                "front-proxy-ca",
                "the API server proxying to aggregated API servers",
            ),
            ca("etcd-ca", "etcd/ca", "etcd-ca", "etcd's own CA"),
            leaf(
                "apiserver-etcd-client",
                "apiserver-etcd-client",
                "kube-apiserver-etcd-client",
                _CLIENT,
                "etcd-ca",
                "the API server as etcd's client",
            ),
            leaf(
                "etcd-healthcheck-client",
                "etcd/healthcheck-client",
                "kube-etcd-healthcheck-client",
                _CLIENT,
                "etcd-ca",
                "the liveness probe of etcd",
            ),
        ]
        for node in control_plane:
            etcd_names = dedupe_sans([node.name, "localhost", *node.addresses, "127.0.0.1", "::1"])
            certs += [
                leaf(
                    f"etcd-server-{node.name}",
                    f"etcd/server-{node.name}",
                    node.name,
                    _PEER,
                    "etcd-ca",
                    f"etcd serving clients on {node.name}",
                    sans=etcd_names,
                ),
                leaf(
                    f"etcd-peer-{node.name}",
                    f"etcd/peer-{node.name}",
                    node.name,
                    _PEER,
                    "etcd-ca",
                    f"etcd talking to its peers from {node.name}",
                    sans=etcd_names,
                ),
            ]
        for node in [*control_plane, *workers]:
            certs += [
                leaf(
                    f"kubelet-client-{node.name}",
                    f"kubelet-client-{node.name}",
                    f"system:node:{node.name}",
                    _CLIENT,
                    "ca",
                    f"the kubelet of {node.name} as the API server's client "
                    "(signer kubernetes.io/kube-apiserver-client-kubelet)",
                    orgs=("system:nodes",),
                ),
                leaf(
                    f"kubelet-serving-{node.name}",
                    f"kubelet-serving-{node.name}",
                    f"system:node:{node.name}",
                    _SERVING,
                    "ca",
                    f"the kubelet of {node.name} serving the API server (signer "
                    "kubernetes.io/kubelet-serving)",
                    sans=dedupe_sans([node.name, *node.addresses]),
                    orgs=("system:nodes",),
                ),
            ]
        return cls(cluster, tuple(certs))

    def certificate(self, name: str) -> PkiCertificate:
        for cert in self.certificates:
            if cert.name == name:
                return cert
        names = [c.name for c in self.certificates]
        raise KeyError(f"no certificate {name!r}; the PKI has {names}")

    @property
    def api_server(self) -> PkiCertificate:
        return self.certificate("apiserver")

    def kubeadm_cluster_configuration(self) -> dict[str, Any]:
        """kubeadm's ``ClusterConfiguration`` (``kubeadm.k8s.io/v1beta4``) with the API
        server's SANs as ``apiServer.certSANs`` and the networking that makes the rest
        (kubeadm adds the ``kubernetes`` names, the service IP and the advertise address
        itself; listing them again is harmless and shows the whole list)."""
        network = self.cluster.network
        out: dict[str, Any] = {
            "apiVersion": "kubeadm.k8s.io/v1beta4",
            "kind": "ClusterConfiguration",
            "apiServer": {"certSANs": list(self.api_server.sans)},
            "networking": {
                "dnsDomain": self.cluster.cluster_domain,
                "serviceSubnet": ",".join(network.service_cidrs),
                "podSubnet": ",".join(network.pod_cidrs),
            },
            "certificateValidityPeriod": f"{self.api_server.validity_days * 24}h0m0s",
            "caCertificateValidityPeriod": f"{self.certificate('ca').validity_days * 24}h0m0s",
        }
        if self.cluster.api_server_addresses:
            host = self.cluster.api_server_addresses[0]
            host = f"[{host}]" if is_ip(host) and ":" in host else host
            out["controlPlaneEndpoint"] = f"{host}:6443"
        return out

    def cfssl_csr_json(self, name: str = "apiserver") -> str:
        return json.dumps(self.certificate(name).cfssl_csr(), indent=2) + "\n"

    def easyrsa_commands(self) -> str:
        """The notes' easyrsa session, corrected: a fixed CA name (the notes' CN of
        ``${MASTER-IP}@`date +%s``` is an unset variable with a typo and a timestamp), every
        SAN once (the notes repeat the master IP and leave out the service IP), options
        before the command as easyrsa 3 reads them, and a year's validity (kubeadm's)
        instead of 10,000 days."""
        cert = self.api_server
        sans = ",".join(
            [f"IP:{a}" for a in cert.ip_addresses] + [f"DNS:{n}" for n in cert.dns_names]
        )
        return (
            "#!/bin/sh\n"
            "# The cluster CA and the API server's certificate with easyrsa 3 (the course\n"
            "# notes' steps, corrected). Run it on the control-plane machine: the keys it\n"
            "# makes stay in ./pki/private there and never go into git.\n"
            "set -eu\n"
            "./easyrsa init-pki\n"
            f"./easyrsa --batch --req-cn={self.certificate('ca').common_name}-ca "
            f"--days={self.certificate('ca').validity_days} build-ca nopass\n"
            f'./easyrsa --batch --subject-alt-name="{sans}" --days={cert.validity_days} '
            f"build-server-full {cert.common_name} nopass\n"
            "# the certificate: pki/issued/kube-apiserver.crt, the CA: pki/ca.crt\n"
        )


@dataclass(frozen=True)
class SanProblem:
    """One problem of a SAN list: the entry's index, a finding code, message and fix."""

    index: int | None
    code: str
    message: str
    hint: str


def san_list_problems(
    entries: Sequence[object], *, service_ip: str | None = None
) -> list[SanProblem]:
    """What is wrong with a list of SANs: an entry that is not a string or holds an
    unexpanded shell variable (``${MASTER-IP}``: the certificate would carry the literal
    text, ``tls/san-shell-variable``), an entry named twice (``tls/san-duplicate``, as
    :func:`normalize_san` compares them), and, when ``service_ip`` is given, a list without
    it (``tls/san-missing-service-ip``: in-cluster clients dial ``kubernetes.default`` at
    that IP and fail verification)."""
    problems: list[SanProblem] = []
    seen: dict[str, int] = {}
    for i, entry in enumerate(entries):
        if not isinstance(entry, str):
            continue
        if SHELL_VARIABLE.search(entry):
            problems.append(
                SanProblem(
                    i,
                    "tls/san-shell-variable",
                    f"{entry!r} holds an unexpanded shell variable: the certificate would name "
                    "that text, which no client dials",
                    "write the address itself (or expand the variable before the file is "
                    "written); in the notes' ${MASTER-IP}, '-' even makes it a default value",
                )
            )
            continue
        key = normalize_san(entry)
        if key in seen:
            problems.append(
                SanProblem(
                    i,
                    "tls/san-duplicate",
                    f"{entry!r} is named again (first at [{seen[key]}])",
                    "name each DNS name and IP once",
                )
            )
        else:
            seen[key] = i
    if service_ip is not None and normalize_san(service_ip) not in seen:
        problems.append(
            SanProblem(
                None,
                "tls/san-missing-service-ip",
                f"the API server's service IP {service_ip} (first address of the service "
                "range, the ClusterIP of kubernetes.default) is not among the names",
                f"add IP:{service_ip}: pods reach the API server at it",
            )
        )
    return problems


@dataclass(frozen=True)
class _Document:
    """A rendered configuration document (what :class:`ConfigFile` writes)."""

    body: dict[str, Any]

    def to_k8s(self) -> dict[str, Any]:
        return self.body


class ClusterPkiFiles(Construct):
    """The inputs of the cluster's certificates, written by synth below ``folder`` of the
    output (never a key): ``kubeadm-config.yaml`` (a ClusterConfiguration whose
    ``apiServer.certSANs`` is the API server's SAN list), ``openssl/<cert>.cnf`` and
    ``cfssl/<cert>-csr.json`` for each certificate, and ``easyrsa.sh``, the notes' easyrsa
    session corrected.

    Every SAN list is checked as it is made, with the checker of the ``tls/san-*`` rules
    (duplicates, unexpanded shell variables, the API server's certificate without the
    service IP), so a bad address in ``Cluster.api_server_addresses`` fails here.
    """

    def __init__(self, scope: Construct, id: str, *, pki: ClusterPki, folder: str = "pki") -> None:
        where = f"{scope.node.path}/{id}" if scope.node.path else id
        problems: list[Finding] = []
        service_ip = pki.cluster.api_server_service_ip
        for cert in pki.certificates:
            wanted = service_ip if cert.name == "apiserver" else None
            for p in san_list_problems(cert.sans, service_ip=wanted):
                index = f"[{p.index}]" if p.index is not None else ""
                problems.append(
                    Finding(
                        Severity.ERROR,
                        p.code,
                        f"certificate {cert.name}: {p.message}",
                        ObjectRef(kind="ClusterPki", source=where),
                        f"certificates.{cert.name}.sans{index}",
                        p.hint,
                    )
                )
        if problems:
            raise K8sDslError(problems, summary=f"invalid cluster PKI at {where}")
        super().__init__(scope, id)
        self.pki = pki
        ConfigFile(
            self,
            "kubeadm",
            path=f"{folder}/kubeadm-config.yaml",
            document=_Document(pki.kubeadm_cluster_configuration()),
        )
        for cert in pki.certificates:
            TextFile(
                self,
                f"openssl-{cert.name}",
                path=f"{folder}/openssl/{cert.file}.cnf",
                text=cert.openssl_config(),
            )
            TextFile(
                self,
                f"cfssl-{cert.name}",
                path=f"{folder}/cfssl/{cert.file}-csr.json",
                text=json.dumps(cert.cfssl_csr(), indent=2),
            )
        TextFile(self, "easyrsa", path=f"{folder}/easyrsa.sh", text=pki.easyrsa_commands())


__all__ = [
    "CA_VALIDITY_DAYS",
    "LEAF_VALIDITY_DAYS",
    "ClusterPki",
    "ClusterPkiFiles",
    "KeyUsage",
    "PkiCertificate",
    "PkiNode",
    "SanProblem",
    "ServiceAccountKeyPair",
    "api_server_dns_names",
    "dedupe_sans",
    "normalize_san",
    "san_list_problems",
]
