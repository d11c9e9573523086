"""``ClusterDnsProbe``: the course notes' cluster DNS test as one construct.

The notes test cluster DNS by hand: ``kubectl expose deployment dns-target``, then
``kubectl exec -it busybox -- nslookup dns-target``. The probe is that test as objects a
GitOps tool applies: a ``dns-target`` Deployment and Service, and a Job that looks names up
and fails when DNS fails, so a broken cluster DNS shows up as a failed Job.
"""

from __future__ import annotations

import shlex
from typing import Any

from k8sdsl.core._construct import Construct
from k8sdsl.core._dns import DEFAULT_CLUSTER_DOMAIN, DnsPolicy, service_fqdn
from k8sdsl.core._findings import Finding, K8sDslError, Severity
from k8sdsl.core._images import BUSYBOX_IMAGE
from k8sdsl.network._network_policy import NetworkPolicy
from k8sdsl.network._policy import EgressRule, IngressRule, NetworkPolicyPeer, NetworkPolicyPort
from k8sdsl.volumes import StorageMedium, Volume
from k8sdsl.workloads import ContainerPort, Deployment, Job, SecurePodTemplate
from k8sdsl.workloads._service import Service, ServicePort

_NAME_LABEL = "app.kubernetes.io/name"
_COMPONENT_LABEL = "app.kubernetes.io/component"
_PORT_NAME = "http"


def probe_script(*, lookups: tuple[str, ...], url: str, attempts: int, interval: int) -> str:
    """The shell script of the probe Job: every lookup, then one HTTP request to the target.

    ``set -e`` makes the first failing ``nslookup`` fail the Job. The HTTP request is
    retried (``attempts`` times, ``interval`` seconds apart) because the target may still be
    starting when the Job runs; a DNS answer does not depend on the target being ready.
    """
    lines = ["set -eu"]
    for name in lookups:
        lines.append(f"echo 'nslookup {name}'")
        lines.append(f"nslookup {shlex.quote(name)}")
    lines += [
        f"echo 'GET {url}'",
        "i=0",
        f"until wget -q -T 5 -O /dev/null {shlex.quote(url)}; do",
        "  i=$((i + 1))",
        f'  if [ "$i" -ge {attempts} ]; then echo "no answer from {url}"; exit 1; fi',
        f"  sleep {interval}",
        "done",
        "echo 'cluster DNS works'",
    ]
    return "\n".join(lines) + "\n"


class ClusterDnsProbe(Construct):
    """A ``dns-target`` Deployment and Service, and a Job that checks cluster DNS.

    The Job (``probe_name``, default ``dns-probe``) runs busybox (:data:`BUSYBOX_IMAGE`,
    pinned by tag and digest) and

    1. ``nslookup <target>.<namespace>.svc.<cluster-domain>``: the Service's FQDN;
    2. ``nslookup kubernetes.default.svc.<cluster-domain>``: the API server's Service, the
       notes' ``kubernetes.default``;
    3. ``wget http://<target FQDN>/``: the name leads to a Service that answers.

    Fully qualified names are looked up on purpose: busybox newer than 1.28 mishandles the
    resolver search list for names with a dot (``kubernetes.default`` gives NXDOMAIN even
    when DNS works), and the probe must fail only when DNS fails. Any failed step fails the
    Job (``backoff_limit`` retries, default 3; ``active_deadline_seconds``, default 300).

    The target (``target_name``, default ``dns-target``; one replica) serves HTTP with
    busybox ``httpd`` on container port 8080 (named ``http``) from a 1 MiB in-memory
    emptyDir, behind a ClusterIP Service on port 80. It resolves no names, so it uses
    ``dnsPolicy: Default`` and needs no egress at all.

    Secure by default: both pods are ``SecurePodTemplate`` pods (restricted profile, UID
    10001, read-only root filesystem, no service account token). With
    ``network_policies=True`` (the default) two NetworkPolicies allow exactly what the probe
    needs and isolate everything else, so it works in a namespace that denies by default:
    the probe may only query cluster DNS and reach the target's ``http`` port; the target
    may only be reached by the probe on that port and sends nothing.

    ``namespace`` defaults to the chart's; one of them must be set, because the probe looks
    up the target's fully qualified name. ``cluster_domain`` defaults to the app's
    (``App(cluster_domain=...)``, ``cluster.local`` by default).
    """

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        namespace: str | None = None,
        target_name: str = "dns-target",
        probe_name: str = "dns-probe",
        image: str = BUSYBOX_IMAGE,
        cluster_domain: str | None = None,
        network_policies: bool = True,
        backoff_limit: int = 3,
        active_deadline_seconds: int = 300,
    ) -> None:
        super().__init__(scope, id)

        chart = self.find_chart()
        resolved = namespace if namespace is not None else getattr(chart, "namespace", None)
        if not resolved:
            raise K8sDslError(
                [
                    Finding(
                        Severity.ERROR,
                        "network/probe-namespace",
                        "a ClusterDnsProbe needs a namespace: it looks up its target's "
                        "fully qualified name",
                        self._ref(),
                        "namespace",
                        "pass namespace=... or create the chart with namespace=...",
                    )
                ],
                summary=f"invalid ClusterDnsProbe at {self.node.path}",
            )
        self.namespace: str = resolved
        app = getattr(chart, "app", None)
        domain = cluster_domain or getattr(app, "cluster_domain", None) or DEFAULT_CLUSTER_DOMAIN
        with self._values():
            self.target_fqdn: str = service_fqdn(
                target_name, namespace=resolved, cluster_domain=domain
            )
            self.kubernetes_fqdn: str = service_fqdn(
                "kubernetes", namespace="default", cluster_domain=domain
            )
        self.script: str = probe_script(
            lookups=(self.target_fqdn, self.kubernetes_fqdn),
            url=f"http://{self.target_fqdn}/",
            attempts=12,
            interval=5,
        )
        labels = {_NAME_LABEL: target_name}
        probe_labels = {_NAME_LABEL: probe_name}
        with self._values():
            www = Volume.empty_dir("www", medium=StorageMedium.MEMORY, size_limit="1Mi")
            target_template = SecurePodTemplate(
                image=image,
                container_name="httpd",
                command=(
                    "sh",
                    "-c",
                    "echo ok > /www/index.html && exec httpd -f -v -p 8080 -h /www",
                ),
                ports=(ContainerPort.tcp(8080, name=_PORT_NAME),),
                mounts=(www.mount("/www"),),
                labels={_COMPONENT_LABEL: "dns-target"},
                dns_policy=DnsPolicy.DEFAULT,
            )
            probe_template = SecurePodTemplate(
                image=image,
                container_name="nslookup",
                command=("sh", "-c", self.script),
                labels={_COMPONENT_LABEL: "dns-probe"},
            )
        ns_arg: dict[str, Any] = {"namespace": namespace} if namespace is not None else {}
        self.target = Deployment(
            self,
            "target",
            name=target_name,
            template=target_template,
            replicas=1,
            selector=labels,
            **ns_arg,
        )
        self.service = Service(
            self,
            "service",
            name=target_name,
            selector=labels,
            ports=[ServicePort.tcp(80, target_port=_PORT_NAME, name=_PORT_NAME)],
            **ns_arg,
        )
        self.job = Job(
            self,
            "probe",
            name=probe_name,
            template=probe_template,
            backoff_limit=backoff_limit,
            active_deadline_seconds=active_deadline_seconds,
            **ns_arg,
        )
        self.policies: list[NetworkPolicy] = []
        if network_policies:
            with self._values():
                to_target = EgressRule(
                    to=(NetworkPolicyPeer.pods(labels),),
                    ports=(NetworkPolicyPort.tcp(_PORT_NAME),),
                )
                from_probe = IngressRule(
                    from_=(NetworkPolicyPeer.pods(probe_labels),),
                    ports=(NetworkPolicyPort.tcp(_PORT_NAME),),
                )
            probe_policy = NetworkPolicy(
                self,
                "probe-policy",
                name=probe_name,
                pod_selector=probe_labels,
                ingress=[],
                egress=[to_target],
                **ns_arg,
            ).allow_dns()
            target_policy = NetworkPolicy(
                self,
                "target-policy",
                name=target_name,
                pod_selector=labels,
                ingress=[from_probe],
                egress=[],
                **ns_arg,
            )
            self.policies = [probe_policy, target_policy]


__all__ = ["BUSYBOX_IMAGE", "ClusterDnsProbe", "probe_script"]
