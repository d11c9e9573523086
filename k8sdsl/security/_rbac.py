"""RBAC: Roles and ClusterRoles (what may be done), bindings (who may do it), and grants
that read like intent.

``Role`` and ``RoleBinding`` live in a namespace and grant there; ``ClusterRole`` and
``ClusterRoleBinding`` are cluster-scoped (the chart namespace is never stamped on them). A
RoleBinding may also bind a ClusterRole, granting its rules in the binding's namespace only:
that is how the built-in ``view``, ``edit`` and ``admin`` roles are given to a team.

Every rule is checked against the target version's resources and verbs when it is built, so
``configmap`` or ``lsit`` fails at the user's line with a "did you mean" instead of being
stored by the API server and granting nothing (the same checker judges YAML in
``k8sdsl check``). The security rules (``rbac/wildcard``, ``rbac/escalation``...) run at synth;
a grant that must stay wide carries an :class:`~k8sdsl.security.Exemption` in writing.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from enum import StrEnum
from typing import Any, ClassVar, Protocol, runtime_checkable

from pydantic import Field

from k8sdsl.core._construct import Construct, Resource
from k8sdsl.core._findings import Finding, K8sDslError, ObjectRef, Severity, ValueInputError
from k8sdsl.core._model import K8sModel
from k8sdsl.core._selectors import LabelSelector
from k8sdsl.core._suggest import suggest
from k8sdsl.core._types import DnsLabel, NonEmptyStr
from k8sdsl.core._versions import SUPPORTED_VERSIONS
from k8sdsl.security._exemptions import BINDING_CONTROLS, Exemption, exemption_annotations
from k8sdsl.security._rbac_catalog import (
    AGGREGATE_TO_PREFIX,
    AGGREGATION_TARGETS,
    RBAC_API_VERSION,
    RBAC_GROUP,
    READ_VERBS,
    WRITE_VERBS,
    BuiltinClusterRole,
    rbac_catalog,
)
from k8sdsl.security._rbac_checks import RbacProblem, binding_problems, policy_rule_problems


@runtime_checkable
class SubjectSource(Protocol):
    """What a binding accepts besides a :class:`Subject`: an identity construct that names
    itself as one (``ServiceAccount.as_subject()``)."""

    def as_subject(self) -> Subject: ...


def _resolve(resource: str) -> tuple[str, str]:
    """``deployments.apps`` -> (``apps``, ``deployments``); ``pods/log`` -> (``""``,
    ``pods/log``); a bare name gets the group that serves it (the core group first, as
    kubectl resolves it), looked up in the newest supported version."""
    base, slash, sub = resource.partition("/")
    name, dot, group = base.partition(".")
    if dot:
        return group, f"{name}{slash}{sub}"
    catalog = rbac_catalog(SUPPORTED_VERSIONS[-1])
    groups = catalog.groups_of(name)
    if not groups:
        if name == "*":
            return "*", resource
        every = [r for g in sorted(catalog.groups) for r in catalog.all_resources(g)]
        guess = suggest(resource, every)
        raise ValueInputError(
            [
                Finding(
                    Severity.ERROR,
                    "rbac/unknown-resource",
                    f"{resource!r} is not a resource of Kubernetes (no API group serves it)",
                    ObjectRef(kind="PolicyRule"),
                    "resources",
                    f"did you mean {guess!r}?"
                    if guess
                    else "resources are lowercase plurals ('configmaps'); name a custom "
                    "resource with its group: 'widgets.example.com'",
                )
            ]
        )
    return ("" if "" in groups else groups[0]), resource


class PolicyRule(K8sModel):
    """One rule of a Role or ClusterRole: ``verbs`` on ``resources`` of ``api_groups`` (only
    the objects named in ``resource_names``, when given), or ``verbs`` on
    ``non_resource_urls`` (ClusterRoles only).

    The factories read like intent and fill in the API group:
    ``PolicyRule.read("configmaps", "deployments.apps")``,
    ``PolicyRule.of("pods/log", verbs=["get"])``, ``PolicyRule.non_resource("/healthz")``.
    """

    k8s_type = "PolicyRule"

    api_groups: tuple[str, ...] | None = None
    resources: tuple[NonEmptyStr, ...] | None = None
    verbs: tuple[NonEmptyStr, ...] = Field(min_length=1)
    resource_names: tuple[NonEmptyStr, ...] | None = None
    non_resource_urls: tuple[NonEmptyStr, ...] | None = Field(
        default=None, serialization_alias="nonResourceURLs"
    )

    @classmethod
    def of(
        cls,
        *resources: str,
        verbs: Sequence[str],
        resource_names: Sequence[str] | None = None,
    ) -> PolicyRule:
        """``verbs`` on ``resources``, each a plural (``configmaps``), with its group when it
        is not the one kubectl would pick (``deployments.apps``, ``events.events.k8s.io``)
        and optionally a subresource (``pods/log``). Resources of several groups give one
        rule per group; use :meth:`rules_of` for that."""
        rules = cls.rules_of(*resources, verbs=verbs, resource_names=resource_names)
        if len(rules) != 1:
            groups = ", ".join(repr(r.api_groups[0]) for r in rules if r.api_groups)
            raise ValueInputError(
                [
                    Finding(
                        Severity.ERROR,
                        "rbac/invalid-rule",
                        f"the resources are in {len(rules)} API groups ({groups}): one rule "
                        "names the resources of one group",
                        ObjectRef(kind="PolicyRule"),
                        "resources",
                        "use PolicyRule.rules_of(...), which makes one rule per group",
                    )
                ]
            )
        return rules[0]

    @classmethod
    def rules_of(
        cls,
        *resources: str,
        verbs: Sequence[str],
        resource_names: Sequence[str] | None = None,
    ) -> tuple[PolicyRule, ...]:
        """Like :meth:`of`, one rule per API group, in the order the groups first appear."""
        by_group: dict[str, list[str]] = {}
        for resource in resources:
            group, name = _resolve(resource)
            names = by_group.setdefault(group, [])
            if name not in names:
                names.append(name)
        return tuple(
            cls(
                api_groups=(group,),
                resources=tuple(names),
                verbs=tuple(verbs),
                resource_names=tuple(resource_names) if resource_names else None,
            )
            for group, names in by_group.items()
        )

    @classmethod
    def read(cls, *resources: str, resource_names: Sequence[str] | None = None) -> PolicyRule:
        """``get``, ``list`` and ``watch`` on ``resources`` (of one API group)."""
        return cls.of(*resources, verbs=READ_VERBS, resource_names=resource_names)

    @classmethod
    def write(cls, *resources: str, resource_names: Sequence[str] | None = None) -> PolicyRule:
        """Read plus ``create``, ``update``, ``patch`` and ``delete`` on ``resources`` (not
        ``deletecollection``, which removes every object at once)."""
        return cls.of(*resources, verbs=WRITE_VERBS, resource_names=resource_names)

    @classmethod
    def non_resource(cls, *urls: str, verbs: Sequence[str] = ("get",)) -> PolicyRule:
        """``verbs`` (lowercase HTTP methods) on API server paths such as ``/healthz`` or
        ``/metrics``; ``*`` only at the end. Only a ClusterRole may hold such a rule."""
        return cls(non_resource_urls=tuple(urls), verbs=tuple(verbs))


class SubjectKind(StrEnum):
    USER = "User"
    GROUP = "Group"
    SERVICE_ACCOUNT = "ServiceAccount"


class Subject(K8sModel):
    """Who a binding grants to: ``Subject.user("jane@example.com")``,
    ``Subject.group("team-a-readers")``, ``Subject.service_account("ci", namespace="team-a")``.

    Users and groups are not Kubernetes objects: they are whatever the authenticator says
    (the certificate's CN and O, the OIDC claims). Service accounts are objects in a
    namespace."""

    k8s_type = "Subject"

    kind: SubjectKind
    name: NonEmptyStr
    namespace: DnsLabel | None = None
    api_group: str | None = None

    @classmethod
    def user(cls, name: str, /) -> Subject:
        return cls(kind=SubjectKind.USER, name=name, api_group=RBAC_GROUP)

    @classmethod
    def group(cls, name: str, /) -> Subject:
        return cls(kind=SubjectKind.GROUP, name=name, api_group=RBAC_GROUP)

    @classmethod
    def service_account(cls, name: str, /, *, namespace: str) -> Subject:
        return cls(kind=SubjectKind.SERVICE_ACCOUNT, name=name, namespace=namespace)


class RoleRef(K8sModel):
    """The role a binding grants: ``RoleRef.role("deployer")`` (a Role of the binding's
    namespace) or ``RoleRef.cluster_role("view")``. It cannot change after the binding is
    created: the API server refuses the update, so a changed role means a new binding."""

    k8s_type = "RoleRef"

    api_group: str = RBAC_GROUP
    kind: NonEmptyStr
    name: NonEmptyStr

    @classmethod
    def role(cls, name: str, /) -> RoleRef:
        return cls(kind="Role", name=name)

    @classmethod
    def cluster_role(cls, name: str | BuiltinClusterRole, /) -> RoleRef:
        return cls(kind="ClusterRole", name=str(name))


def _raise(resource: Resource, problems: Iterable[RbacProblem]) -> None:
    findings = [
        Finding(Severity.ERROR, p.code, p.message, resource.ref(), p.path, p.hint) for p in problems
    ]
    if findings:
        raise K8sDslError(
            findings, summary=f"invalid {type(resource).__name__} at {resource.node.path}"
        )


def _with_exemptions(
    annotations: Mapping[str, str] | None, exemptions: Sequence[Exemption]
) -> dict[str, str]:
    return {**dict(annotations or {}), **exemption_annotations(exemptions)}


class _RoleBase(Resource):
    api_version: ClassVar[str] = RBAC_API_VERSION
    rules: tuple[PolicyRule, ...]

    def _rules_k8s(self) -> list[dict[str, Any]]:
        return [r.to_k8s() for r in self.rules]

    def _check_rules(self) -> None:
        _raise(self, policy_rule_problems(self.kind, self._rules_k8s(), str(self.k8s_version)))


class Role(_RoleBase):
    """What may be done in one namespace (``rbac.authorization.k8s.io/v1`` Role).

    ``Role(chart, "config-reader", rules=[PolicyRule.read("configmaps")])``. A Role grants
    nothing until a RoleBinding of its namespace names it. ``exemptions`` record in writing
    why a rule must stay wide (``rbac-wildcard``, ``rbac-secrets``...)."""

    kind: ClassVar[str] = "Role"

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        rules: Sequence[PolicyRule],
        exemptions: Sequence[Exemption] = (),
        name: str | None = None,
        namespace: str | None = None,
        labels: Mapping[str, str] | None = None,
        annotations: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(
            scope,
            id,
            name=name,
            namespace=namespace,
            labels=labels,
            annotations=_with_exemptions(annotations, exemptions),
        )
        self.rules = tuple(rules)
        self._check_rules()

    def _body(self) -> dict[str, Any]:
        return {"rules": self._rules_k8s()}


class ClusterRole(_RoleBase):
    """What may be done in every namespace, on cluster-scoped objects and on non-resource
    URLs (``rbac.authorization.k8s.io/v1`` ClusterRole; cluster-scoped).

    ``aggregate_to=["view", "edit"]`` labels the role so the controller manager adds its rules
    to the built-in ``view`` and ``edit`` roles (how a custom resource's read access reaches
    everyone who can view a namespace). ``aggregate_from=[LabelSelector.of(...)]`` makes this
    an aggregated role: the controller manager fills its rules from every ClusterRole the
    selectors match, and overwrites any rules written here, so the two exclude each other.
    """

    kind: ClassVar[str] = "ClusterRole"

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        rules: Sequence[PolicyRule] = (),
        aggregate_to: Sequence[BuiltinClusterRole | str] = (),
        aggregate_from: Sequence[LabelSelector] | None = None,
        exemptions: Sequence[Exemption] = (),
        name: str | None = None,
        labels: Mapping[str, str] | None = None,
        annotations: Mapping[str, str] | None = None,
    ) -> None:
        targets = [str(t) for t in aggregate_to]
        aggregation = {f"{AGGREGATE_TO_PREFIX}{t}": "true" for t in targets}
        super().__init__(
            scope,
            id,
            name=name,
            labels={**dict(labels or {}), **aggregation},
            annotations=_with_exemptions(annotations, exemptions),
        )
        self.rules = tuple(rules)
        self.aggregate_from = tuple(aggregate_from) if aggregate_from is not None else None
        for i, target in enumerate(targets):
            if target not in AGGREGATION_TARGETS:
                guess = suggest(target, AGGREGATION_TARGETS)
                _raise(
                    self,
                    [
                        RbacProblem(
                            "rbac/aggregate-to",
                            f"metadata.labels (aggregate_to[{i}])",
                            f"{target!r} is not a built-in aggregated role (the built-in "
                            f"ones are {', '.join(AGGREGATION_TARGETS)})",
                            f"did you mean {guess!r}?"
                            if guess
                            else "for a role of your own, set the label it selects with labels=",
                        )
                    ],
                )
        if self.aggregate_from is not None and self.rules:
            _raise(
                self,
                [
                    RbacProblem(
                        "rbac/aggregated-rules",
                        "rules",
                        "an aggregated ClusterRole's rules are written by the controller "
                        "manager from the roles its selectors match: the rules given here "
                        "would be overwritten",
                        "drop rules=, or put them in a ClusterRole with aggregate labels the "
                        "selectors match",
                    )
                ],
            )
        self._check_rules()

    def _body(self) -> dict[str, Any]:
        body: dict[str, Any] = {}
        if self.aggregate_from is not None:
            body["aggregationRule"] = {
                "clusterRoleSelectors": [s.to_k8s() for s in self.aggregate_from]
            }
        if self.rules or self.aggregate_from is None:
            body["rules"] = self._rules_k8s()
        return body


def _subject(value: Subject | SubjectSource) -> Subject:
    if isinstance(value, Subject):
        return value
    return value.as_subject()


class _BindingBase(Resource):
    api_version: ClassVar[str] = RBAC_API_VERSION
    role_ref: RoleRef
    subjects: tuple[Subject, ...]

    def _body(self) -> dict[str, Any]:
        return {
            "roleRef": self.role_ref.to_k8s(),
            "subjects": [s.to_k8s() for s in self.subjects],
        }

    def _check_binding(self) -> None:
        _raise(self, binding_problems(self.kind, self._body()))


def _role_ref(role: Role | ClusterRole | RoleRef | BuiltinClusterRole | str) -> RoleRef:
    if isinstance(role, RoleRef):
        return role
    if isinstance(role, Role):
        return RoleRef.role(role.name)
    if isinstance(role, ClusterRole):
        return RoleRef.cluster_role(role.name)
    return RoleRef.cluster_role(str(role))


class RoleBinding(_BindingBase):
    """Grants a Role, or a ClusterRole's rules, to ``subjects`` in one namespace.

    ``role`` is a Role or ClusterRole construct, a :class:`RoleRef`, or the name of a
    ClusterRole (``"view"``, ``BuiltinClusterRole.EDIT``). A Role construct must be in the
    binding's namespace: a RoleBinding cannot grant a Role of another namespace."""

    kind: ClassVar[str] = "RoleBinding"

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        role: Role | ClusterRole | RoleRef | BuiltinClusterRole | str,
        subjects: Sequence[Subject | SubjectSource],
        exemptions: Sequence[Exemption] = (),
        name: str | None = None,
        namespace: str | None = None,
        labels: Mapping[str, str] | None = None,
        annotations: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(
            scope,
            id,
            name=name,
            namespace=namespace,
            labels=labels,
            annotations=_with_exemptions(annotations, exemptions),
        )
        self.role_ref = _role_ref(role)
        self.subjects = tuple(_subject(s) for s in subjects)
        if isinstance(role, Role) and role.namespace != self.namespace:
            _raise(
                self,
                [
                    RbacProblem(
                        "rbac/invalid-binding",
                        "roleRef",
                        f"Role {role.name!r} is in namespace {role.namespace!r} and this "
                        f"RoleBinding in {self.namespace!r}: a RoleBinding grants only a "
                        "Role of its own namespace",
                        f"create the RoleBinding with namespace={role.namespace!r}",
                    )
                ],
            )
        self._check_binding()


class ClusterRoleBinding(_BindingBase):
    """Grants a ClusterRole to ``subjects`` in every namespace (cluster-scoped).

    Prefer a RoleBinding of the ClusterRole where the grant is for one namespace: a
    ClusterRoleBinding also grants every namespace created later."""

    kind: ClassVar[str] = "ClusterRoleBinding"

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        role: ClusterRole | RoleRef | BuiltinClusterRole | str,
        subjects: Sequence[Subject | SubjectSource],
        exemptions: Sequence[Exemption] = (),
        name: str | None = None,
        labels: Mapping[str, str] | None = None,
        annotations: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(
            scope,
            id,
            name=name,
            labels=labels,
            annotations=_with_exemptions(annotations, exemptions),
        )
        self.role_ref = _role_ref(role)
        self.subjects = tuple(_subject(s) for s in subjects)
        self._check_binding()


class Grant(Construct):
    """Access that reads like intent: a role with exactly these rules and its binding.

    ``Grant(chart, "ci", subject=Subject.group("team-a-ci"), write=["deployments.apps"],
    in_namespace="team-a")`` makes a Role ``ci`` and a RoleBinding ``ci`` in ``team-a``.
    ``read`` gives get/list/watch, ``write`` also create/update/patch/delete; ``rules`` adds
    rules of any shape. ``cluster_role="view"`` binds an existing ClusterRole instead of
    making a role (in the namespace, or everywhere with ``cluster_wide=True``).
    ``cluster_wide=True`` with rules makes a ClusterRole and a ClusterRoleBinding.

    The namespace is ``in_namespace``, else the chart's. ``.role`` is the Role or ClusterRole
    made (None when an existing role is bound), ``.binding`` the binding.
    """

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        subject: Subject | SubjectSource,
        read: Sequence[str] = (),
        write: Sequence[str] = (),
        rules: Sequence[PolicyRule] = (),
        cluster_role: ClusterRole | BuiltinClusterRole | str | None = None,
        in_namespace: str | None = None,
        cluster_wide: bool = False,
        name: str | None = None,
        exemptions: Sequence[Exemption] = (),
    ) -> None:
        super().__init__(scope, id)
        role_name = name or id
        wanted: list[PolicyRule] = []
        with self._values():
            if read:
                wanted.extend(PolicyRule.rules_of(*read, verbs=READ_VERBS))
            if write:
                wanted.extend(PolicyRule.rules_of(*write, verbs=WRITE_VERBS))
        wanted.extend(rules)
        if cluster_role is not None and wanted:
            raise K8sDslError(
                [
                    Finding(
                        Severity.ERROR,
                        "rbac/grant",
                        "a Grant binds an existing ClusterRole or makes a role from read=, "
                        "write= and rules=, not both",
                        self._ref(),
                        "cluster_role",
                        "make two Grants",
                    )
                ]
            )
        if cluster_role is None and not wanted:
            raise K8sDslError(
                [
                    Finding(
                        Severity.ERROR,
                        "rbac/grant",
                        "a Grant with nothing to grant",
                        self._ref(),
                        "read",
                        "pass read=[...], write=[...], rules=[...] or cluster_role=",
                    )
                ]
            )
        if cluster_wide and in_namespace is not None:
            raise K8sDslError(
                [
                    Finding(
                        Severity.ERROR,
                        "rbac/grant",
                        "cluster_wide=True grants in every namespace; in_namespace= names one",
                        self._ref(),
                        "in_namespace",
                        "drop one of them",
                    )
                ]
            )
        binding_controls = {c.value for c in BINDING_CONTROLS}
        on_binding = [e for e in exemptions if e.control.value in binding_controls]
        on_role = [e for e in exemptions if e.control.value not in binding_controls]
        self.role: Role | ClusterRole | None = None
        self.binding: RoleBinding | ClusterRoleBinding
        ref: Role | ClusterRole | BuiltinClusterRole | str
        if cluster_role is not None:
            ref = cluster_role
        elif cluster_wide:
            ref = self.role = ClusterRole(
                self, "role", rules=wanted, name=role_name, exemptions=on_role
            )
        else:
            ref = self.role = Role(
                self,
                "role",
                rules=wanted,
                name=role_name,
                namespace=in_namespace,
                exemptions=on_role,
            )
        if cluster_wide:
            assert not isinstance(ref, Role)
            self.binding = ClusterRoleBinding(
                self,
                "binding",
                role=ref,
                subjects=[subject],
                name=role_name,
                exemptions=on_binding,
            )
        else:
            self.binding = RoleBinding(
                self,
                "binding",
                role=ref,
                subjects=[subject],
                name=role_name,
                namespace=in_namespace,
                exemptions=on_binding,
            )


__all__ = [
    "ClusterRole",
    "ClusterRoleBinding",
    "Grant",
    "PolicyRule",
    "Role",
    "RoleBinding",
    "RoleRef",
    "Subject",
    "SubjectKind",
]
