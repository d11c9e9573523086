"""The ``NetworkPolicy`` resource: typed peers and ports, explicit ``policyTypes``."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, ClassVar

from k8sdsl.core._construct import Construct, Resource
from k8sdsl.core._dns import CLUSTER_DNS_NAMESPACE
from k8sdsl.core._findings import Finding, K8sDslError, ObjectRef, Severity, ValueInputError
from k8sdsl.core._selectors import LabelSelector
from k8sdsl.network._policy import (
    EgressRule,
    IngressRule,
    LabelsOrSelector,
    PolicyType,
)


def _as_selector(value: LabelsOrSelector) -> LabelSelector:
    if isinstance(value, LabelSelector):
        return value
    return LabelSelector.of(dict(value))


class NetworkPolicy(Resource):
    """A ``networking.k8s.io/v1`` NetworkPolicy.

    ``pod_selector`` picks the pods the policy isolates (``{}`` or ``LabelSelector.everything()``:
    every pod of the namespace). ``ingress``/``egress`` are the allow rules: policies only
    ever add permissions, and a pod becomes isolated in a direction as soon as any policy
    selects it for that direction.

    ``policy_types`` defaults to the directions you gave rules for: ``ingress=[]`` means
    "isolate ingress, allow nothing". It is always written out, because Kubernetes'
    own default (``Ingress``, plus ``Egress`` when there are egress rules) silently denies
    all ingress to pods of an egress-only policy. Rules for a direction missing from an
    explicit ``policy_types`` would be ignored by Kubernetes, so they are an error here.
    """

    api_version: ClassVar[str] = "networking.k8s.io/v1"
    kind: ClassVar[str] = "NetworkPolicy"

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        pod_selector: LabelsOrSelector,
        ingress: Iterable[IngressRule] | None = None,
        egress: Iterable[EgressRule] | None = None,
        policy_types: Iterable[PolicyType | str] | None = None,
        name: str | None = None,
        namespace: str | None = None,
        labels: Mapping[str, str] | None = None,
        annotations: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(
            scope, id, name=name, namespace=namespace, labels=labels, annotations=annotations
        )
        with self._values():
            self.pod_selector: LabelSelector = _as_selector(pod_selector)
            self.ingress: list[IngressRule] | None = (
                [_rule(IngressRule, r) for r in ingress] if ingress is not None else None
            )
            self.egress: list[EgressRule] | None = (
                [_rule(EgressRule, r) for r in egress] if egress is not None else None
            )
        self.policy_types: tuple[PolicyType, ...] = self._resolve_types(policy_types)

    def _resolve_types(self, given: Iterable[PolicyType | str] | None) -> tuple[PolicyType, ...]:
        if given is None:
            derived = tuple(
                t
                for t, rules in (
                    (PolicyType.INGRESS, self.ingress),
                    (PolicyType.EGRESS, self.egress),
                )
                if rules is not None
            )
            if not derived:
                raise self._error(
                    "network/no-direction",
                    "spec.policyTypes",
                    "the policy has no ingress or egress rules and no policy_types, so it "
                    "is unclear which direction it isolates",
                    "pass ingress=[...] and/or egress=[...] (an empty list denies that "
                    "direction), or use DefaultDenyPolicy",
                )
            return derived
        types: list[PolicyType] = []
        for item in given:
            try:
                value = PolicyType(item)
            except ValueError:
                raise self._error(
                    "network/policy-type",
                    "spec.policyTypes",
                    f"{item!r} is not a policy type",
                    "use PolicyType.INGRESS or PolicyType.EGRESS",
                ) from None
            if value not in types:
                types.append(value)
        if not types:
            raise self._error(
                "network/no-direction",
                "spec.policyTypes",
                "policy_types is empty",
                "list Ingress, Egress or both",
            )
        for kind, rules in ((PolicyType.INGRESS, self.ingress), (PolicyType.EGRESS, self.egress)):
            if rules and kind not in types:
                raise self._error(
                    "network/ignored-rules",
                    f"spec.{kind.value.lower()}",
                    f"{kind.value.lower()} rules are given but policy_types lacks {kind.value}: "
                    "Kubernetes would ignore them",
                    f"add PolicyType.{kind.name} to policy_types, or drop the rules",
                )
        return tuple(sorted(types, key=lambda t: t is PolicyType.EGRESS))

    def _error(self, code: str, path: str, message: str, hint: str) -> K8sDslError:
        finding = Finding(Severity.ERROR, code, message, self.ref(), path, hint)
        return K8sDslError([finding], summary=f"invalid NetworkPolicy at {self.node.path}")

    # -- adding rules -----------------------------------------------------------------------

    def add_ingress(self, rule: IngressRule) -> NetworkPolicy:
        """Allow one more kind of incoming traffic (the policy must isolate ingress)."""
        self._require(PolicyType.INGRESS, "add_ingress")
        self.ingress = [*(self.ingress or []), rule]
        return self

    def add_egress(self, rule: EgressRule) -> NetworkPolicy:
        """Allow one more kind of outgoing traffic (the policy must isolate egress)."""
        self._require(PolicyType.EGRESS, "add_egress")
        self.egress = [*(self.egress or []), rule]
        return self

    def allow_dns(
        self,
        *,
        namespace: str = CLUSTER_DNS_NAMESPACE,
        labels: Mapping[str, str] | None = None,
    ) -> NetworkPolicy:
        """Let the selected pods reach cluster DNS: UDP and TCP 53 to ``k8s-app=kube-dns``
        in ``kube-system`` (both overridable).

        A pod whose egress is isolated cannot resolve any name, not even Services in its own
        namespace, until some policy allows this; ``network/dns-egress-blocked`` reports it.
        """
        self._require(PolicyType.EGRESS, "allow_dns")
        with self._values():
            rule = EgressRule.cluster_dns(namespace=namespace, labels=labels)
        if rule not in (self.egress or []):
            self.egress = [*(self.egress or []), rule]
        return self

    def _require(self, kind: PolicyType, method: str) -> None:
        if kind not in self.policy_types:
            raise self._error(
                "network/ignored-rules",
                f"spec.{kind.value.lower()}",
                f"{method}() on a policy that does not isolate {kind.value.lower()}: the rule "
                "would be ignored (and adding the direction would deny everything else)",
                f"call it on a policy with PolicyType.{kind.name}, or create one",
            )

    # -- rendering --------------------------------------------------------------------------

    def _body(self) -> dict[str, Any]:
        spec: dict[str, Any] = {
            "podSelector": self.pod_selector.to_k8s(),
            "policyTypes": [t.value for t in self.policy_types],
        }
        if self.ingress:
            spec["ingress"] = [r.to_k8s() for r in self.ingress]
        if self.egress:
            spec["egress"] = [r.to_k8s() for r in self.egress]
        return {"spec": spec}


def _rule(cls: type[Any], value: Any) -> Any:
    if isinstance(value, cls):
        return value
    if isinstance(value, Mapping):
        return cls(**value)
    raise ValueInputError(
        [
            Finding(
                Severity.ERROR,
                "value/rule-type",
                f"expected {cls.__name__}, got {type(value).__name__}",
                ObjectRef(kind=cls.__name__, source="k8sdsl.network"),
                "",
                f"build it with {cls.__name__}(...)",
            )
        ],
        summary=f"invalid {cls.__name__}",
    )


__all__ = ["NetworkPolicy"]
