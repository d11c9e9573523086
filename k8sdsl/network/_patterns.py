"""The course notes' network policies as named constructs.

Each pattern is a :class:`NetworkPolicy` with its ``policyTypes`` written out, so none of
them carries the notes' trap: the "allow all outgoing traffic" sample has no
``policyTypes``, and Kubernetes then adds ``Ingress`` on its own and denies every
incoming connection to the pods it selects.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from k8sdsl.core._construct import Construct
from k8sdsl.core._dns import CLUSTER_DNS_NAMESPACE
from k8sdsl.core._findings import Finding, K8sDslError, ObjectRef, Severity
from k8sdsl.core._selectors import LabelSelector
from k8sdsl.network._network_policy import NetworkPolicy
from k8sdsl.network._policy import (
    EgressRule,
    IngressRule,
    LabelsOrSelector,
    NetworkPolicyPeer,
    NetworkPolicyPort,
    PolicyDirection,
    PolicyType,
)


def _everything(selector: LabelsOrSelector | None) -> LabelsOrSelector:
    return LabelSelector.everything() if selector is None else selector


class DefaultDenyPolicy(NetworkPolicy):
    """Isolate pods and allow nothing: the notes' "default isolation" policies.

    ``direction`` is ``PolicyDirection.BOTH`` by default (the notes' "stop all traffic");
    ``INGRESS`` is the notes' "default-deny" and ``EGRESS`` its "deny outgoing traffic".
    ``pod_selector`` defaults to every pod of the namespace (``podSelector: {}``).

    Denying egress also cuts the pods off from cluster DNS: call ``.allow_dns()`` (or add
    an :class:`AllowDnsEgressPolicy`), or ``network/dns-egress-blocked`` stops the synth.
    """

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        direction: PolicyDirection | str = PolicyDirection.BOTH,
        pod_selector: LabelsOrSelector | None = None,
        name: str | None = None,
        namespace: str | None = None,
        labels: Mapping[str, str] | None = None,
        annotations: Mapping[str, str] | None = None,
    ) -> None:
        try:
            self.direction = PolicyDirection(direction)
        except ValueError:
            raise K8sDslError(
                [
                    Finding(
                        Severity.ERROR,
                        "value/enum",
                        f"direction {direction!r} is not a PolicyDirection",
                        ObjectRef(kind=type(self).__name__, name=id, source=_path(scope, id)),
                        "direction",
                        "use PolicyDirection.INGRESS, .EGRESS or .BOTH "
                        "('Ingress', 'Egress' or 'both')",
                    )
                ],
                summary=f"invalid {type(self).__name__}",
            ) from None
        super().__init__(
            scope,
            id,
            pod_selector=_everything(pod_selector),
            policy_types=self.direction.policy_types,
            name=name,
            namespace=namespace,
            labels=labels,
            annotations=annotations,
        )


class AllowAllIngressPolicy(NetworkPolicy):
    """Allow every incoming connection to the selected pods (``ingress: [{}]``).

    The notes' "explicitly allow all traffic". Policies add up, so this overrides any
    ingress isolation of the same pods, a default deny included. ``pod_selector``
    defaults to every pod of the namespace.
    """

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        pod_selector: LabelsOrSelector | None = None,
        name: str | None = None,
        namespace: str | None = None,
        labels: Mapping[str, str] | None = None,
        annotations: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(
            scope,
            id,
            pod_selector=_everything(pod_selector),
            ingress=[IngressRule.allow_all()],
            policy_types=[PolicyType.INGRESS],
            name=name,
            namespace=namespace,
            labels=labels,
            annotations=annotations,
        )


class AllowAllEgressPolicy(NetworkPolicy):
    """Allow every outgoing connection from the selected pods (``egress: [{}]``).

    The notes' "explicitly allow all outgoing traffic", with ``policyTypes: [Egress]``
    written out: the notes' sample leaves it out, so Kubernetes adds ``Ingress`` and the
    sample silently denies all incoming traffic. ``pod_selector`` defaults to every pod.
    """

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        pod_selector: LabelsOrSelector | None = None,
        name: str | None = None,
        namespace: str | None = None,
        labels: Mapping[str, str] | None = None,
        annotations: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(
            scope,
            id,
            pod_selector=_everything(pod_selector),
            egress=[EgressRule.allow_all()],
            policy_types=[PolicyType.EGRESS],
            name=name,
            namespace=namespace,
            labels=labels,
            annotations=annotations,
        )


class AllowDnsEgressPolicy(NetworkPolicy):
    """Let the selected pods (default: all) query cluster DNS, and nothing else.

    Egress on UDP and TCP 53 to ``k8s-app=kube-dns`` pods in ``kube-system`` (both
    overridable with ``dns_namespace``/``dns_labels``). Pair it with a
    ``DefaultDenyPolicy`` that denies egress.
    """

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        pod_selector: LabelsOrSelector | None = None,
        dns_namespace: str = CLUSTER_DNS_NAMESPACE,
        dns_labels: Mapping[str, str] | None = None,
        name: str | None = None,
        namespace: str | None = None,
        labels: Mapping[str, str] | None = None,
        annotations: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(
            scope,
            id,
            pod_selector=_everything(pod_selector),
            egress=[],
            name=name,
            namespace=namespace,
            labels=labels,
            annotations=annotations,
        )
        self.allow_dns(namespace=dns_namespace, labels=dns_labels)


class DatabaseAccessPolicy(NetworkPolicy):
    """The notes' network policy example, with every part a parameter.

    The database pods (``db_labels``, default ``role=db``) accept ``port`` (TCP 6379) from
    ``client_cidr`` minus ``client_cidr_except`` (``172.17.0.0/16`` minus
    ``172.17.1.0/24``), from every pod in namespaces labelled ``client_namespace_labels``
    (``project=myproject``) and from pods of their own namespace labelled
    ``client_pod_labels`` (``role=frontend``). They may connect to ``egress_cidr``
    (``10.0.0.0/24``) on TCP ``egress_port`` (5978).

    ``allow_dns`` is ``True`` by default: the notes' policy restricts egress to one
    CIDR, which leaves the database unable to resolve any name; ``allow_dns=False``
    renders the notes' policy exactly.
    """

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        db_labels: LabelsOrSelector | None = None,
        port: int | str = 6379,
        client_cidr: str | None = "172.17.0.0/16",
        client_cidr_except: Iterable[str] = ("172.17.1.0/24",),
        client_namespace_labels: LabelsOrSelector | None = None,
        client_pod_labels: LabelsOrSelector | None = None,
        egress_cidr: str | None = "10.0.0.0/24",
        egress_port: int | str = 5978,
        allow_dns: bool = True,
        name: str | None = None,
        namespace: str | None = None,
        labels: Mapping[str, str] | None = None,
        annotations: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(
            scope,
            id,
            pod_selector=db_labels if db_labels is not None else {"role": "db"},
            ingress=[],
            egress=[],
            name=name,
            namespace=namespace,
            labels=labels,
            annotations=annotations,
        )
        with self._values():
            peers: list[NetworkPolicyPeer] = []
            if client_cidr is not None:
                peers.append(
                    NetworkPolicyPeer.ip_block(cidr=client_cidr, except_=client_cidr_except)
                )
            peers.append(
                NetworkPolicyPeer.namespace(
                    client_namespace_labels
                    if client_namespace_labels is not None
                    else {"project": "myproject"}
                )
            )
            peers.append(
                NetworkPolicyPeer.pods(
                    client_pod_labels if client_pod_labels is not None else {"role": "frontend"}
                )
            )
            self.add_ingress(IngressRule(from_=tuple(peers), ports=(NetworkPolicyPort.tcp(port),)))
            if egress_cidr is not None:
                self.add_egress(
                    EgressRule(
                        to=(NetworkPolicyPeer.ip_block(cidr=egress_cidr),),
                        ports=(NetworkPolicyPort.tcp(egress_port),),
                    )
                )
        if allow_dns:
            self.allow_dns()


__all__ = [
    "AllowAllEgressPolicy",
    "AllowAllIngressPolicy",
    "AllowDnsEgressPolicy",
    "DatabaseAccessPolicy",
    "DefaultDenyPolicy",
]


def _path(scope: Construct, id: str) -> str:
    return f"{scope.node.path}/{id}" if scope.node.path else id
