"""The API server's configuration files: structured authentication
(``--authentication-config``), structured authorization (``--authorization-config``) and
admission plugin configuration
(``--admission-control-config-file``) with Pod Security Admission's cluster defaults.

The course notes' chain: TLS, then authentication, then authorization (ABAC, RBAC,
Webhook), then admission. These values write the authorization and admission steps as files,
secure by default: the Node authorizer before RBAC (kubeadm's ``--authorization-mode=Node,RBAC``),
no AlwaysAllow, webhooks with a timeout and an explicit failure policy; and Pod Security
Admission enforcing ``restricted`` in every namespace that does not say otherwise. The
``apiserver/...`` rules (``k8sdsl/rules/control_plane.py``) judge the same documents in
anyone's YAML.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any, ClassVar, Literal

from pydantic import Field

from k8sdsl.core._model import K8sModel
from k8sdsl.core._types import AbsolutePath, DnsSubdomain, Duration, NonEmptyStr


class AuthorizerType(StrEnum):
    """An authorizer of kube-apiserver, as ``--authorization-mode`` names them."""

    #: the kubelets' requests, limited to their own node's pods, secrets and volumes
    NODE = "Node"
    RBAC = "RBAC"
    WEBHOOK = "Webhook"
    #: legacy attribute-based policies from a file (``--authorization-policy-file``)
    ABAC = "ABAC"
    ALWAYS_ALLOW = "AlwaysAllow"
    ALWAYS_DENY = "AlwaysDeny"


class AuthorizerFailurePolicy(StrEnum):
    """What a webhook authorizer's failure (timeout, error, bad answer, failed
    matchCondition) means."""

    #: as if the webhook had no opinion: the next authorizers decide (fails open for a
    #: webhook that exists to deny)
    NO_OPINION = "NoOpinion"
    #: the request is refused, the next authorizers are not asked (fails closed: a webhook
    #: outage refuses every request it would have seen)
    DENY = "Deny"


class WebhookMatchCondition(K8sModel):
    """A CEL expression over the SubjectAccessReview (``request``); the webhook is called
    only when every condition is true (``request.user != 'system:kube-scheduler'``)."""

    k8s_type: ClassVar[str] = "WebhookMatchCondition"

    expression: NonEmptyStr


class WebhookConnectionInfo(K8sModel):
    """How the API server reaches the webhook: a kubeconfig file on the control-plane node."""

    k8s_type: ClassVar[str] = "WebhookConnectionInfo"

    type: Literal["KubeConfigFile"] = "KubeConfigFile"
    kube_config_file: AbsolutePath


class AuthorizationWebhook(K8sModel):
    """A webhook authorizer's settings. ``timeout`` and ``failure_policy`` have no default:
    the API server requires both, and which failure policy is right depends on what the
    webhook is for (see docs/access.md)."""

    k8s_type: ClassVar[str] = "WebhookConfiguration"

    #: at most 30s (the API server refuses more)
    timeout: Duration
    failure_policy: AuthorizerFailurePolicy
    connection_info: WebhookConnectionInfo
    authorized_ttl: Duration = Field(default="5m", serialization_alias="authorizedTTL")
    unauthorized_ttl: Duration = Field(default="30s", serialization_alias="unauthorizedTTL")
    subject_access_review_version: Literal["v1", "v1beta1"] = "v1"
    match_condition_subject_access_review_version: Literal["v1"] = "v1"
    match_conditions: tuple[WebhookMatchCondition, ...] | None = Field(default=None, max_length=64)


class Authorizer(K8sModel):
    """One authorizer of the chain; use the factories."""

    k8s_type: ClassVar[str] = "AuthorizerConfiguration"

    type: AuthorizerType
    name: DnsSubdomain
    webhook: AuthorizationWebhook | None = None

    @classmethod
    def node(cls, name: str = "node") -> Authorizer:
        """The Node authorizer: a kubelet may read only what its own node's pods use."""
        return cls(type=AuthorizerType.NODE, name=name)

    @classmethod
    def rbac(cls, name: str = "rbac") -> Authorizer:
        """RBAC: Roles, ClusterRoles and their bindings."""
        return cls(type=AuthorizerType.RBAC, name=name)

    @classmethod
    def webhook_authorizer(
        cls,
        name: str,
        *,
        kube_config_file: str,
        timeout: str,
        failure_policy: AuthorizerFailurePolicy | str,
        match_conditions: tuple[str, ...] | list[str] = (),
        authorized_ttl: str = "5m",
        unauthorized_ttl: str = "30s",
    ) -> Authorizer:
        """A webhook (a SubjectAccessReview sent to ``kube_config_file``'s server)."""
        return cls(
            type=AuthorizerType.WEBHOOK,
            name=name,
            webhook=AuthorizationWebhook(
                timeout=timeout,
                failure_policy=AuthorizerFailurePolicy(failure_policy),
                connection_info=WebhookConnectionInfo(kube_config_file=kube_config_file),
                authorized_ttl=authorized_ttl,
                unauthorized_ttl=unauthorized_ttl,
                match_conditions=tuple(
                    WebhookMatchCondition(expression=e) for e in match_conditions
                ),
            ),
        )


def _node_and_rbac() -> tuple[Authorizer, ...]:
    return (Authorizer.node(), Authorizer.rbac())


class AuthorizationConfiguration(K8sModel):
    """kube-apiserver's ``--authorization-config`` file (``apiserver.config.k8s.io/v1``,
    read from Kubernetes 1.32; it replaces ``--authorization-mode`` and the webhook flags).

    Default: ``Node`` then ``RBAC``, kubeadm's ``--authorization-mode=Node,RBAC``. The
    authorizers are asked in order; the first that allows or denies decides.
    """

    api_version: ClassVar[str] = "apiserver.config.k8s.io/v1"
    kind: ClassVar[str] = "AuthorizationConfiguration"
    k8s_type: ClassVar[str] = "AuthorizationConfiguration"

    authorizers: tuple[Authorizer, ...] = Field(default_factory=_node_and_rbac, min_length=1)

    def to_k8s(self) -> dict[str, Any]:
        return {"apiVersion": self.api_version, "kind": self.kind, **super().to_k8s()}


#: the API server's health endpoints: what load balancers and kubelet probes ask without
#: credentials
HEALTH_PATHS: tuple[str, ...] = ("/livez", "/readyz", "/healthz")


class AnonymousAuthCondition(K8sModel):
    """A path anonymous requests may ask for (an exact match)."""

    k8s_type: ClassVar[str] = "AnonymousAuthCondition"

    path: AbsolutePath


def _health_conditions() -> tuple[AnonymousAuthCondition, ...]:
    return tuple(AnonymousAuthCondition(path=p) for p in HEALTH_PATHS)


class AnonymousAuthentication(K8sModel):
    """Requests without credentials: allowed, as ``system:anonymous``, only to the paths of
    ``conditions`` (default :data:`HEALTH_PATHS`); ``enabled=False`` refuses them all (then
    health checks need credentials)."""

    k8s_type: ClassVar[str] = "AnonymousAuthConfig"

    enabled: bool = True
    conditions: tuple[AnonymousAuthCondition, ...] | None = Field(
        default_factory=_health_conditions
    )


class PrefixedClaim(K8sModel):
    """A claim (with the prefix put before its value) or a CEL expression over ``claims``."""

    k8s_type: ClassVar[str] = "PrefixedClaimOrExpression"

    claim: NonEmptyStr | None = None
    prefix: str | None = None
    expression: NonEmptyStr | None = None


class ClaimMappings(K8sModel):
    """Which claims become the user's name and groups."""

    k8s_type: ClassVar[str] = "ClaimMappings"

    username: PrefixedClaim
    groups: PrefixedClaim | None = None


class JwtIssuer(K8sModel):
    """The token issuer (an OIDC provider): its URL (``iss``), the audiences (``aud``) a
    token must name, and the CA of its discovery endpoint."""

    k8s_type: ClassVar[str] = "Issuer"

    url: NonEmptyStr
    audiences: tuple[NonEmptyStr, ...] = Field(min_length=1)
    certificate_authority: str | None = None
    discovery_url: str | None = Field(default=None, serialization_alias="discoveryURL")
    audience_match_policy: Literal["MatchAny"] | None = None


class UserValidationRule(K8sModel):
    """A CEL expression over ``user`` that must be true
    (``!user.username.startsWith('system:')``)."""

    k8s_type: ClassVar[str] = "UserValidationRule"

    expression: NonEmptyStr
    message: str | None = None


class JwtAuthenticator(K8sModel):
    """One JWT (OIDC) authenticator."""

    k8s_type: ClassVar[str] = "JWTAuthenticator"

    issuer: JwtIssuer
    claim_mappings: ClaimMappings
    user_validation_rules: tuple[UserValidationRule, ...] | None = None

    @classmethod
    def oidc(
        cls,
        url: str,
        *,
        audiences: tuple[str, ...] | list[str],
        username_claim: str = "sub",
        groups_claim: str | None = "groups",
        prefix: str = "oidc:",
        certificate_authority: str | None = None,
    ) -> JwtAuthenticator:
        """An OIDC provider's tokens: the user is ``<prefix><username_claim>`` and the groups
        ``<prefix><group>``, so the provider cannot name ``system:`` users or groups
        (``system:masters`` is cluster-admin)."""
        return cls(
            issuer=JwtIssuer(
                url=url, audiences=tuple(audiences), certificate_authority=certificate_authority
            ),
            claim_mappings=ClaimMappings(
                username=PrefixedClaim(claim=username_claim, prefix=prefix),
                groups=PrefixedClaim(claim=groups_claim, prefix=prefix) if groups_claim else None,
            ),
        )


class AuthenticationConfiguration(K8sModel):
    """kube-apiserver's ``--authentication-config`` file (``apiserver.config.k8s.io/v1beta1``,
    read from Kubernetes 1.30; ``anonymous`` from 1.32; v1 from 1.34): JWT (OIDC)
    authenticators, and anonymous requests limited to the health endpoints by default.
    Client certificates and service-account tokens stay configured by their flags."""

    api_version: ClassVar[str] = "apiserver.config.k8s.io/v1beta1"
    kind: ClassVar[str] = "AuthenticationConfiguration"
    k8s_type: ClassVar[str] = "AuthenticationConfiguration"

    jwt: tuple[JwtAuthenticator, ...] | None = None
    anonymous: AnonymousAuthentication = Field(default_factory=AnonymousAuthentication)

    def to_k8s(self) -> dict[str, Any]:
        return {"apiVersion": self.api_version, "kind": self.kind, **super().to_k8s()}


class PodSecurityLevel(StrEnum):
    """A Pod Security Standards level, as Pod Security Admission names it."""

    PRIVILEGED = "privileged"
    BASELINE = "baseline"
    RESTRICTED = "restricted"


class PodSecurityDefaults(K8sModel):
    """The levels for namespaces without ``pod-security.kubernetes.io/*`` labels."""

    k8s_type: ClassVar[str] = "PodSecurityDefaults"

    enforce: PodSecurityLevel = PodSecurityLevel.RESTRICTED
    enforce_version: str = Field(default="latest", serialization_alias="enforce-version")
    audit: PodSecurityLevel = PodSecurityLevel.RESTRICTED
    audit_version: str = Field(default="latest", serialization_alias="audit-version")
    warn: PodSecurityLevel = PodSecurityLevel.RESTRICTED
    warn_version: str = Field(default="latest", serialization_alias="warn-version")


def _system_namespaces() -> tuple[str, ...]:
    return ("kube-system",)


class PodSecurityExemptions(K8sModel):
    """Requests Pod Security Admission does not judge at all."""

    k8s_type: ClassVar[str] = "PodSecurityExemptions"

    usernames: tuple[NonEmptyStr, ...] | None = None
    #: kube-system by default: kube-proxy, the CNI's DaemonSet and the control plane's own
    #: pods need host namespaces and privileges
    namespaces: tuple[DnsSubdomain, ...] = Field(default_factory=_system_namespaces)
    runtime_classes: tuple[NonEmptyStr, ...] | None = None


class PodSecurityConfiguration(K8sModel):
    """The PodSecurity admission plugin's configuration
    (``pod-security.admission.config.k8s.io/v1``): enforce, audit and warn ``restricted``
    by default, ``kube-system`` exempt. A namespace label still overrides the default for
    its namespace."""

    api_version: ClassVar[str] = "pod-security.admission.config.k8s.io/v1"
    kind: ClassVar[str] = "PodSecurityConfiguration"
    k8s_type: ClassVar[str] = "PodSecurityConfiguration"

    defaults: PodSecurityDefaults = Field(default_factory=PodSecurityDefaults)
    exemptions: PodSecurityExemptions = Field(default_factory=PodSecurityExemptions)

    def to_k8s(self) -> dict[str, Any]:
        return {"apiVersion": self.api_version, "kind": self.kind, **super().to_k8s()}


class AdmissionPlugin(K8sModel):
    """One plugin's configuration, embedded (``configuration``) or in a file (``path``)."""

    k8s_type: ClassVar[str] = "AdmissionPluginConfiguration"

    name: NonEmptyStr
    path: AbsolutePath | None = None
    configuration: PodSecurityConfiguration | None = None

    def to_k8s(self) -> dict[str, Any]:
        out: dict[str, Any] = {"name": self.name}
        if self.path is not None:
            out["path"] = self.path
        if self.configuration is not None:
            out["configuration"] = self.configuration.to_k8s()
        return out

    @classmethod
    def pod_security(cls, configuration: PodSecurityConfiguration | None = None) -> AdmissionPlugin:
        """The PodSecurity plugin with ``configuration`` (default: restricted everywhere
        but kube-system) embedded."""
        return cls(name="PodSecurity", configuration=configuration or PodSecurityConfiguration())


def _pod_security_plugin() -> tuple[AdmissionPlugin, ...]:
    return (AdmissionPlugin.pod_security(),)


class AdmissionConfiguration(K8sModel):
    """kube-apiserver's ``--admission-control-config-file`` (``apiserver.config.k8s.io/v1``):
    per-plugin configuration. Default: the PodSecurity plugin with
    :class:`PodSecurityConfiguration`'s defaults."""

    api_version: ClassVar[str] = "apiserver.config.k8s.io/v1"
    kind: ClassVar[str] = "AdmissionConfiguration"
    k8s_type: ClassVar[str] = "AdmissionConfiguration"

    plugins: tuple[AdmissionPlugin, ...] = Field(default_factory=_pod_security_plugin)

    def to_k8s(self) -> dict[str, Any]:
        return {
            "apiVersion": self.api_version,
            "kind": self.kind,
            "plugins": [p.to_k8s() for p in self.plugins],
        }


class WebhookKubeconfig(K8sModel):
    """The kubeconfig kube-apiserver reads to reach an authorization webhook
    (``connectionInfo.kubeConfigFile``): the webhook's server is the cluster, kube-apiserver is
    the user. Every credential is a file on the control-plane node, never inline (the rule
    ``kubeconfig/inline-credentials``), and the server's certificate is checked against
    ``certificate_authority``."""

    api_version: ClassVar[str] = "v1"
    kind: ClassVar[str] = "Config"
    k8s_type: ClassVar[str] = "Config"

    #: the webhook's https:// URL (the path the SubjectAccessReview is POSTed to)
    server: NonEmptyStr
    certificate_authority: AbsolutePath
    client_certificate: AbsolutePath | None = None
    client_key: AbsolutePath | None = None
    token_file: AbsolutePath | None = None
    name: DnsSubdomain = "authorization-webhook"

    def to_k8s(self) -> dict[str, Any]:
        user: dict[str, Any] = {
            "client-certificate": self.client_certificate,
            "client-key": self.client_key,
            "tokenFile": self.token_file,
        }
        return {
            "apiVersion": self.api_version,
            "kind": self.kind,
            "clusters": [
                {
                    "name": self.name,
                    "cluster": {
                        "server": self.server,
                        "certificate-authority": self.certificate_authority,
                    },
                }
            ],
            "users": [{"name": "kube-apiserver", "user": {k: v for k, v in user.items() if v}}],
            "contexts": [
                {"name": self.name, "context": {"cluster": self.name, "user": "kube-apiserver"}}
            ],
            "current-context": self.name,
        }
