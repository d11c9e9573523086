"""``k8sdsl explain tls``: the names each certificate must carry, and who serves which name.

Two halves, both read-only:

- the cluster's certificates, from :class:`~k8sdsl.security.ClusterPki` computed from the
  declared cluster (cluster domain, service ranges, API addresses) and the control-plane and
  worker nodes given on the command line: for each certificate its subject, signer, usages,
  DNS names and IPs, with the problems the ``tls/san-list`` rule's checker finds in them;
- for an app (manifests): each Ingress TLS host, the Secret that serves it and what makes
  that Secret (a cert-manager ``Certificate`` by ``spec.secretName``, or cert-manager's
  ingress-shim through the ``cert-manager.io/cluster-issuer``/``issuer`` annotation), whether
  the certificate names the host (the test of ``tls/host-not-covered``: a wildcard covers one
  label), the Services behind the host, and which Services' in-cluster names
  (``NAME.NS.svc.<domain>``) a Certificate names.

Nothing here decides anything the rules do not: an uncovered host carries the code of the
rule that reports it (``tls/host-not-covered``; ``network/ingress-tls-secret`` for a Secret
nothing makes), and ``k8sdsl check`` gives the full finding.
"""

from __future__ import annotations

import argparse
import ipaddress
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from k8sdsl.core._cluster import Cluster
from k8sdsl.core._manifest import Manifest
from k8sdsl.network._ingress import host_matches
from k8sdsl.security._cert_manager import CLUSTER_ISSUER_ANNOTATION, ISSUER_ANNOTATION
from k8sdsl.security._pki import ClusterPki, PkiCertificate, PkiNode, san_list_problems

#: stand-ins for the nodes when none are given: the certificates show where their names go
CONTROL_PLANE_PLACEHOLDER = "<control-plane>"
WORKER_PLACEHOLDER = "<node>"

_NODE_NAME = re.compile(r"^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$")
_CERT_MANAGER_GROUP = "cert-manager.io/"


def parse_node(text: str) -> PkiNode:
    """``NAME`` or ``NAME=ADDR[,ADDR...]`` (IPs or DNS names): a node of the PKI, for
    ``--control-plane``/``--worker``; raises :class:`argparse.ArgumentTypeError`."""
    name, _, rest = text.partition("=")
    addresses = tuple(a.strip() for a in rest.split(",") if a.strip()) if rest else ()
    if not _NODE_NAME.match(name):
        raise argparse.ArgumentTypeError(
            f"node {text!r}: give NAME=ADDR[,ADDR...] with NAME a lowercase host name "
            "(cp-1=10.0.0.10)"
        )
    if "=" in text and not addresses:
        raise argparse.ArgumentTypeError(f"node {text!r}: no address after '='")
    return PkiNode(name, addresses)


def _d(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _l(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _key(namespace: str | None, name: str) -> str:
    return f"{namespace}/{name}" if namespace else name


# -- the cluster's certificates ---------------------------------------------------------


@dataclass(frozen=True)
class ClusterCertificates:
    """The cluster half: the PKI and what the names come from."""

    pki: ClusterPki
    #: whether nodes were given (else the per-node certificates name the placeholders)
    nodes_given: bool

    @classmethod
    def of(
        cls,
        cluster: Cluster,
        *,
        control_plane: Sequence[PkiNode] = (),
        workers: Sequence[PkiNode] = (),
    ) -> ClusterCertificates:
        given = bool(control_plane or workers)
        pki = ClusterPki.of(
            cluster,
            control_plane=list(control_plane) or [PkiNode(CONTROL_PLANE_PLACEHOLDER)],
            workers=list(workers) if given else [PkiNode(WORKER_PLACEHOLDER)],
        )
        return cls(pki, given)

    @property
    def cluster(self) -> Cluster:
        return self.pki.cluster

    def problems(self, cert: PkiCertificate) -> list[tuple[str, str]]:
        """``(code, message)`` of the ``tls/san-*`` checker on the certificate's names."""
        wanted = self.cluster.api_server_service_ip if cert.name == "apiserver" else None
        return [(p.code, p.message) for p in san_list_problems(cert.sans, service_ip=wanted)]

    def unused_ranges(self) -> list[tuple[str, str]]:
        """``(range, first IP)`` of the secondary service ranges: the ``kubernetes``
        Service is single-stack (the primary family), so no client dials those IPs."""
        return [
            (c, str(ipaddress.ip_network(c, strict=False).network_address + 1))
            for c in self.cluster.network.service_cidrs[1:]
        ]

    def to_dict(self) -> dict[str, Any]:
        return {
            "clusterDomain": self.cluster.cluster_domain,
            "serviceCidrs": list(self.cluster.network.service_cidrs),
            "apiServerServiceIp": self.cluster.api_server_service_ip,
            "apiServerAddresses": list(self.cluster.api_server_addresses),
            "nodesGiven": self.nodes_given,
            "secondaryServiceIps": [
                {"cidr": c, "firstIp": ip, "carried": False} for c, ip in self.unused_ranges()
            ],
            "serviceAccountKeyPair": {
                "file": self.pki.service_account.file,
                "algorithm": self.pki.service_account.algorithm,
                "size": self.pki.service_account.size,
            },
            "certificates": [
                {
                    "name": c.name,
                    "file": c.file,
                    "commonName": c.common_name,
                    "organizations": list(c.organizations),
                    "signer": c.signer,
                    "ca": c.is_ca,
                    "usages": [str(u) for u in c.usages],
                    "dnsNames": list(c.dns_names),
                    "ipAddresses": list(c.ip_addresses),
                    "validityDays": c.validity_days,
                    "purpose": c.purpose,
                    "problems": [{"code": k, "message": m} for k, m in self.problems(c)],
                }
                for c in self.pki.certificates
            ],
        }

    def format(self) -> str:
        cluster = self.cluster
        cidrs = cluster.network.service_cidrs
        lines = [
            f"Cluster certificates (cluster domain {cluster.cluster_domain}; service "
            f"range{'s' if len(cidrs) > 1 else ''} {', '.join(cidrs)})",
            f"  the API server's service IP (ClusterIP of kubernetes.default): "
            f"{cluster.api_server_service_ip}",
        ]
        for cidr, ip in self.unused_ranges():
            lines.append(
                f"  {ip} (first IP of {cidr}) is not needed: the kubernetes Service is "
                "single-stack, in the primary range's family"
            )
        if not self.nodes_given:
            lines.append(
                f"  nodes not given: {CONTROL_PLANE_PLACEHOLDER} and {WORKER_PLACEHOLDER} "
                "stand for each node's name and addresses (--control-plane NAME=ADDR,..., "
                "--worker NAME=ADDR,...)"
            )
        for cert in self.pki.certificates:
            lines.append("")
            signed = "self-signed CA" if cert.is_ca else f"signed by {cert.signer}"
            lines.append(f"{cert.name} ({cert.file}.crt): {cert.purpose}")
            subject = f"CN={cert.common_name}" + "".join(f", O={o}" for o in cert.organizations)
            lines.append(f"  subject  {subject}; {signed}; {cert.validity_days} days")
            lines.append(f"  usages   {', '.join(cert.usages)}")
            if cert.dns_names:
                lines.append(f"  DNS      {', '.join(cert.dns_names)}")
            if cert.ip_addresses:
                lines.append(f"  IP       {', '.join(cert.ip_addresses)}")
            for code, message in self.problems(cert):
                lines.append(f"  error[{code}] {message}")
        sa = self.pki.service_account
        lines += [
            "",
            f"service account key pair ({sa.file}.key, {sa.file}.pub): signs and verifies "
            f"service account tokens; {sa.algorithm} {sa.size}, no certificate, no names",
        ]
        return "\n".join(lines)


# -- the app's certificates -------------------------------------------------------------


@dataclass(frozen=True)
class AppCertificate:
    """A certificate the app has made in the cluster: a cert-manager Certificate, or the
    one ingress-shim makes for an annotated Ingress (named after the Secret, for the TLS
    entry's hosts)."""

    namespace: str | None
    name: str
    secret_name: str
    issuer: str
    dns_names: tuple[str, ...]
    ip_addresses: tuple[str, ...]
    #: ``Certificate``, or ``ingress-shim`` for the annotated Ingress's certificate
    made_by: str

    @property
    def label(self) -> str:
        suffix = "" if self.made_by == "Certificate" else f" ({self.made_by})"
        return f"Certificate {_key(self.namespace, self.name)}{suffix}"

    def covers(self, host: str) -> bool:
        return any(host_matches(p, host.lower()) for p in self.dns_names)

    def to_dict(self) -> dict[str, Any]:
        return {
            "namespace": self.namespace,
            "name": self.name,
            "secretName": self.secret_name,
            "issuer": self.issuer,
            "dnsNames": list(self.dns_names),
            "ipAddresses": list(self.ip_addresses),
            "madeBy": self.made_by,
        }


@dataclass(frozen=True)
class ServedHost:
    """One TLS host of an Ingress: the Secret, what makes it, whether it names the host."""

    host: str
    secret_name: str | None
    certificate: AppCertificate | None
    #: True/False when a certificate makes the Secret; None when nothing judged does
    covered: bool | None
    #: the finding code that reports the problem (None: served)
    code: str | None
    #: where the Secret comes from when no certificate makes it
    source: str
    services: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        return {
            "host": self.host,
            "secretName": self.secret_name,
            "certificate": (
                {
                    "namespace": self.certificate.namespace,
                    "name": self.certificate.name,
                    "madeBy": self.certificate.made_by,
                }
                if self.certificate
                else None
            ),
            "covered": self.covered,
            "code": self.code,
            "source": self.source,
            "services": list(self.services),
        }


@dataclass(frozen=True)
class IngressTls:
    namespace: str | None
    name: str
    hosts: tuple[ServedHost, ...]

    def to_dict(self) -> dict[str, Any]:
        return {
            "namespace": self.namespace,
            "name": self.name,
            "hosts": [h.to_dict() for h in self.hosts],
        }


@dataclass(frozen=True)
class ServiceTls:
    """A Service and the TLS names it is reached at: through Ingress hosts, and in the
    cluster at the names of its own that a Certificate carries."""

    namespace: str | None
    name: str
    #: ``(host, Ingress, certificate label or None)``
    ingress_hosts: tuple[tuple[str, str, str | None], ...]
    #: ``(in-cluster name, certificate label)``
    cluster_names: tuple[tuple[str, str], ...]

    def to_dict(self) -> dict[str, Any]:
        return {
            "namespace": self.namespace,
            "name": self.name,
            "ingressHosts": [
                {"host": h, "ingress": i, "certificate": c} for h, i, c in self.ingress_hosts
            ],
            "clusterNames": [{"name": n, "certificate": c} for n, c in self.cluster_names],
        }


@dataclass(frozen=True)
class AppTls:
    certificates: tuple[AppCertificate, ...]
    ingresses: tuple[IngressTls, ...]
    services: tuple[ServiceTls, ...]

    @property
    def problems(self) -> list[tuple[str, str]]:
        """``(code, "Ingress host")`` of every host that is not served right."""
        return [
            (h.code, f"{_key(i.namespace, i.name)} {h.host}")
            for i in self.ingresses
            for h in i.hosts
            if h.code is not None
        ]

    def to_dict(self) -> dict[str, Any]:
        return {
            "certificates": [c.to_dict() for c in self.certificates],
            "ingresses": [i.to_dict() for i in self.ingresses],
            "services": [s.to_dict() for s in self.services],
        }

    def format(self) -> str:
        lines = ["App certificates"]
        for c in self.certificates:
            names = ", ".join([*c.dns_names, *c.ip_addresses]) or "no names"
            lines.append(f"  {c.label} -> Secret {c.secret_name} ({c.issuer}): {names}")
        if not self.certificates:
            lines.append("  none")
        lines += ["", "Ingress TLS hosts"]
        for ing in self.ingresses:
            lines.append(f"  Ingress {_key(ing.namespace, ing.name)}")
            for h in ing.hosts:
                secret = f"Secret {h.secret_name}" if h.secret_name else "no Secret"
                if h.certificate is not None and h.covered:
                    served = f"{secret} <- {h.certificate.label}"
                elif h.certificate is not None:
                    names = ", ".join(h.certificate.dns_names) or "no DNS names"
                    served = f"{secret} <- {h.certificate.label} does NOT name it ({names})"
                else:
                    served = f"{secret}, {h.source}"
                behind = f" -> Service {', '.join(h.services)}" if h.services else ""
                flag = f"  {_severity(h.code)}[{h.code}]" if h.code else ""
                lines.append(f"    {h.host}: {served}{behind}{flag}")
        if not self.ingresses:
            lines.append("  none")
        lines += ["", "Services"]
        plain: list[str] = []
        for s in self.services:
            parts = [
                f"https://{h} via Ingress {i} ({c or 'no certificate names it'})"
                for h, i, c in s.ingress_hosts
            ]
            parts += [f"{n} ({c})" for n, c in s.cluster_names]
            if parts:
                lines.append(f"  {_key(s.namespace, s.name)}: {'; '.join(parts)}")
            else:
                plain.append(_key(s.namespace, s.name))
        if plain:
            lines.append(f"  no TLS name: {', '.join(plain)}")
        if not self.services:
            lines.append("  none")
        return "\n".join(lines)


def _severity(code: str) -> str:
    """As ``k8sdsl check`` reports the code (without ``--complete``)."""
    return "warning" if code == "network/ingress-tls-secret" else "error"


def _certificate(m: Manifest) -> AppCertificate | None:
    spec = _d(m.obj.get("spec"))
    secret = spec.get("secretName")
    if not isinstance(secret, str) or not secret:
        return None
    ref = _d(spec.get("issuerRef"))
    issuer = f"{ref.get('kind') or 'Issuer'} {ref.get('name')}" if ref.get("name") else "no issuer"
    return AppCertificate(
        m.namespace,
        m.name,
        secret,
        issuer,
        tuple(n.lower() for n in _l(spec.get("dnsNames")) if isinstance(n, str)),
        tuple(a for a in _l(spec.get("ipAddresses")) if isinstance(a, str)),
        "Certificate",
    )


def _shim_issuer(m: Manifest) -> str | None:
    for annotation, kind in (
        (CLUSTER_ISSUER_ANNOTATION, "ClusterIssuer"),
        (ISSUER_ANNOTATION, "Issuer"),
    ):
        name = m.annotations.get(annotation)
        if isinstance(name, str) and name:
            return f"{kind} {name}"
    return None


def _backends(spec: dict[str, Any], host: str) -> list[str]:
    """The Services (by name) the Ingress sends ``host`` to: the paths of the rules whose
    host covers it or that have no host, else the default backend."""
    out: list[str] = []
    for rule in _l(spec.get("rules")):
        rule_host = _d(rule).get("host")
        if isinstance(rule_host, str) and not host_matches(rule_host.lower(), host.lower()):
            continue
        for path in _l(_d(_d(rule).get("http")).get("paths")):
            name = _d(_d(_d(path).get("backend")).get("service")).get("name")
            if isinstance(name, str):
                out.append(name)
    default = _d(_d(spec.get("defaultBackend")).get("service")).get("name")
    if not out and isinstance(default, str):
        out.append(default)
    return list(dict.fromkeys(out))


def app_tls(manifests: Sequence[Manifest], cluster: Cluster) -> AppTls:
    """The app half, from the manifests and the declared cluster (its Secrets)."""
    by_secret: dict[tuple[str | None, str], list[AppCertificate]] = {}
    certificates: list[AppCertificate] = []
    secrets: set[tuple[str | None, str]] = set()
    ingresses: list[Manifest] = []
    services: list[Manifest] = []
    for m in manifests:
        if m.kind == "Certificate" and m.api_version.startswith(_CERT_MANAGER_GROUP):
            cert = _certificate(m)
            if cert is not None:
                certificates.append(cert)
                by_secret.setdefault((cert.namespace, cert.secret_name), []).append(cert)
        elif m.kind == "Secret" and m.api_version == "v1":
            secrets.add((m.namespace, m.name))
        elif m.kind in ("ExternalSecret", "SealedSecret"):
            target = _d(_d(m.obj.get("spec")).get("target")).get("name")
            secrets.add((m.namespace, target if isinstance(target, str) else m.name))
        elif m.kind == "Ingress" and m.api_version.startswith("networking.k8s.io/"):
            ingresses.append(m)
        elif m.kind == "Service" and m.api_version == "v1":
            services.append(m)

    served: list[IngressTls] = []
    #: (namespace, Service) -> [(host, Ingress, certificate label)]
    via_ingress: dict[tuple[str | None, str], list[tuple[str, str, str | None]]] = {}
    for m in sorted(ingresses, key=lambda x: (x.namespace or "", x.name)):
        spec = _d(m.obj.get("spec"))
        shim = _shim_issuer(m)
        hosts: list[ServedHost] = []
        for tls in _l(spec.get("tls")):
            secret = _d(tls).get("secretName")
            secret = secret if isinstance(secret, str) and secret else None
            tls_hosts = [h for h in _l(_d(tls).get("hosts")) if isinstance(h, str)]
            made = by_secret.get((m.namespace, secret), []) if secret else []
            if not made and shim is not None and secret is not None:
                made = [
                    AppCertificate(
                        m.namespace,
                        secret,
                        secret,
                        shim,
                        tuple(h.lower() for h in tls_hosts),
                        (),
                        "ingress-shim",
                    )
                ]
                certificates.append(made[0])
            for host in tls_hosts:
                cert = next((c for c in made if c.covers(host)), made[0] if made else None)
                covered: bool | None = cert.covers(host) if cert is not None else None
                code: str | None = None
                if cert is None:
                    if secret is None:
                        source = "none: the controller serves its default certificate"
                    elif (m.namespace, secret) in secrets:
                        source = "in the files (its certificate is not judged)"
                    elif cluster.find_object("Secret", secret, m.namespace) is not None:
                        source = "declared in the cluster (its certificate is not judged)"
                    else:
                        source = "which nothing makes: the controller serves its default one"
                        code = "network/ingress-tls-secret"
                else:
                    source = cert.made_by
                    code = None if covered else "tls/host-not-covered"
                backends = _backends(spec, host)
                for name in backends:
                    via_ingress.setdefault((m.namespace, name), []).append(
                        (host, _key(m.namespace, m.name), cert.label if cert and covered else None)
                    )
                hosts.append(
                    ServedHost(
                        host,
                        secret,
                        cert,
                        covered,
                        code,
                        source,
                        tuple(_key(m.namespace, n) for n in backends),
                    )
                )
        if hosts:
            served.append(IngressTls(m.namespace, m.name, tuple(hosts)))

    # names -> certificates, looked up per Service name (exact, then the one-label wildcard)
    exact: dict[str, list[AppCertificate]] = {}
    for cert in certificates:
        for n in cert.dns_names:
            exact.setdefault(n, []).append(cert)
    service_tls: list[ServiceTls] = []
    domain = cluster.cluster_domain
    for svc in sorted(services, key=lambda x: (x.namespace or "", x.name)):
        ns = svc.namespace or "default"
        names = [
            svc.name,
            f"{svc.name}.{ns}",
            f"{svc.name}.{ns}.svc",
            f"{svc.name}.{ns}.svc.{domain}",
        ]
        found: list[tuple[str, str]] = []
        for n in names:
            wildcard = "*." + n.partition(".")[2] if "." in n else None
            for cert in [*exact.get(n, []), *(exact.get(wildcard, []) if wildcard else [])]:
                if cert.namespace == svc.namespace:
                    found.append((n, cert.label))
        service_tls.append(
            ServiceTls(
                svc.namespace,
                svc.name,
                tuple(via_ingress.get((svc.namespace, svc.name), [])),
                tuple(dict.fromkeys(found)),
            )
        )
    certificates.sort(key=lambda c: (c.namespace or "", c.name, c.made_by))
    return AppTls(tuple(certificates), tuple(served), tuple(service_tls))


@dataclass(frozen=True)
class TlsExplanation:
    """What ``k8sdsl explain tls`` prints: the cluster half, and the app half when
    manifests were given."""

    cluster: ClusterCertificates
    app: AppTls | None

    @property
    def clean(self) -> bool:
        """No SAN problem in the cluster's certificates and every TLS host served."""
        cluster_problems = any(self.cluster.problems(c) for c in self.cluster.pki.certificates)
        return not cluster_problems and not (self.app is not None and self.app.problems)

    def to_json(self) -> str:
        data = {
            "cluster": self.cluster.to_dict(),
            "app": self.app.to_dict() if self.app is not None else None,
        }
        return json.dumps(data, indent=2, sort_keys=True)

    def format(self) -> str:
        parts = [self.cluster.format()]
        if self.app is not None:
            parts.append(self.app.format())
        return "\n\n".join(parts)


def explain_tls(
    cluster: Cluster,
    manifests: Sequence[Manifest] | None = None,
    *,
    control_plane: Sequence[PkiNode] = (),
    workers: Sequence[PkiNode] = (),
) -> TlsExplanation:
    """The cluster's certificates for ``cluster`` (and the nodes), and, with
    ``manifests``, the app's TLS names."""
    return TlsExplanation(
        ClusterCertificates.of(cluster, control_plane=control_plane, workers=workers),
        app_tls(manifests, cluster) if manifests is not None else None,
    )


__all__ = [
    "AppCertificate",
    "AppTls",
    "ClusterCertificates",
    "IngressTls",
    "ServedHost",
    "ServiceTls",
    "TlsExplanation",
    "app_tls",
    "explain_tls",
    "parse_node",
]
