"""The three-tier shop: the course notes' pieces put together as a real service.

- ``web`` (the storefront): a Deployment spread over zones, scaled by a
  HorizontalPodAutoscaler on CPU, kept available through node drains by a
  PodDisruptionBudget, and served by an Ingress with TLS for ``shop.example.com``.
- ``api``: a Deployment running as its own least-privilege ServiceAccount (no API token in
  its pods: it never calls the API server), reading the database password from a mounted
  Secret (never an environment variable) that an ExternalSecret copies from the platform's
  secret store.
- ``postgres``: a StatefulSet with a claim per pod (``volumeClaimTemplates``), a headless
  Service, and pod anti-affinity so two replicas never share a node.
- ``backup``: a nightly CronJob that dumps the database.

The namespace denies all ingress by default; NetworkPolicies then let the ingress
controller reach ``web``, ``web`` reach ``api`` and only ``api``, ``backup`` and the other
PostgreSQL replica (streaming replication) reach PostgreSQL on 5432. The Secrets are made
in the cluster: the TLS certificate by cert-manager (declared in ``CLUSTER``), the database
password by the External Secrets Operator from the platform's ClusterSecretStore (the
``ExternalSecret`` here says only where it lives): no secret value is in git.
"""

from __future__ import annotations

from k8sdsl import App, Chart, Cluster, ExistingObject, Namespace
from k8sdsl.network import (
    DefaultDenyPolicy,
    Ingress,
    IngressBackend,
    IngressHostRule,
    IngressPath,
    IngressRule,
    IngressTls,
    NetworkPolicy,
    NetworkPolicyPort,
    Peer,
    PolicyType,
)
from k8sdsl.security import ExternalSecret, ExternalSecretData, SecretStoreRef, ServiceAccount
from k8sdsl.volumes import Volume
from k8sdsl.workloads import (
    Affinity,
    ContainerPort,
    CronJob,
    Deployment,
    HorizontalPodAutoscaler,
    Metric,
    PodDisruptionBudget,
    Probe,
    ResourceRequirements,
    SecurePodTemplate,
    StatefulSet,
    TopologySpreadConstraint,
    VolumeClaimTemplate,
)

NAMESPACE = "shop"
HOST = "shop.example.com"
_DIGEST = "@sha256:5d0da3dc976460b72c77d94c8a1ad043720b0416bfc16c52c45d4847e53fadb6"
WEB_IMAGE = "registry.example.com/shop/web:2.3.1" + _DIGEST
API_IMAGE = "registry.example.com/shop/api:2.3.1" + _DIGEST
POSTGRES_IMAGE = "registry.example.com/mirror/postgres:16.4" + _DIGEST

#: the platform's store of secrets, which the External Secrets Operator reads
SECRET_STORE = "platform-vault"

#: what the shop expects the cluster to have: its TLS Secret (never in git), the secret
#: store, the ingress controller's class and a default StorageClass for the database's claims
CLUSTER = Cluster(
    objects=[
        ExistingObject(kind="Secret", name="shop-tls", namespace=NAMESPACE),
        ExistingObject(kind="ClusterSecretStore", name=SECRET_STORE),
    ],
    ingress_classes=["nginx"],
    default_storage_class="standard",
)


def _resources(cpu: str, memory: str) -> ResourceRequirements:
    return ResourceRequirements.of(cpu=cpu, memory=memory, memory_limit=memory)


def build(app: App) -> None:
    chart = Chart(app, "shop", namespace=NAMESPACE, labels={"app.kubernetes.io/part-of": "shop"})
    Namespace(
        chart,
        NAMESPACE,
        labels={
            "pod-security.kubernetes.io/enforce": "restricted",
            "pod-security.kubernetes.io/enforce-version": f"v{chart.k8s_version}",
        },
    )
    # the database password: copied from the secret store into the Secret shop-db
    db_secret = ExternalSecret(
        chart,
        "shop-db",
        store=SecretStoreRef.cluster(SECRET_STORE),
        data=[ExternalSecretData.of("password", key="shop/postgres", property="password")],
    )
    db_password = Volume.secret(
        "db-password", secret_name=db_secret, items={"password": "password"}
    )
    tmp = Volume.empty_dir("tmp")

    # -- the database --------------------------------------------------------------------
    data = VolumeClaimTemplate.of("data", storage="20Gi")
    postgres = StatefulSet(
        chart,
        "postgres",
        replicas=2,
        volume_claim_templates=[data],
        template=SecurePodTemplate(
            image=POSTGRES_IMAGE,
            ports=[ContainerPort.tcp(5432, name="postgres")],
            resources=_resources("500m", "1Gi"),
            mounts=[
                data.mount("/var/lib/postgresql/data"),
                db_password.mount("/run/secrets/db", read_only=True),
                Volume.empty_dir("run").mount("/var/run/postgresql"),
                tmp.mount("/tmp"),
            ],
            affinity=Affinity.one_per_node({"app.kubernetes.io/name": "postgres"}),
        ),
    )
    postgres.headless_service()

    # -- the API ---------------------------------------------------------------------------
    api_account = ServiceAccount(chart, "api-account", name="api")
    api = Deployment(
        chart,
        "api",
        replicas=2,
        template=SecurePodTemplate(
            image=API_IMAGE,
            ports=[ContainerPort.tcp(8080, name="http")],
            resources=_resources("250m", "256Mi"),
            service_account=api_account,
            liveness_probe=Probe.http(path="/healthz", port="http"),
            readiness_probe=Probe.http(path="/ready", port="http"),
            mounts=[db_password.mount("/run/secrets/db", read_only=True), tmp.mount("/tmp")],
        ),
    )
    api.expose(port=8080, port_name="http")

    # -- the storefront -------------------------------------------------------------------
    web_labels = {"app.kubernetes.io/name": "web"}
    web = Deployment(
        chart,
        "web",
        template=SecurePodTemplate(
            image=WEB_IMAGE,
            ports=[ContainerPort.tcp(8080, name="http")],
            resources=_resources("200m", "128Mi"),
            liveness_probe=Probe.http(path="/healthz", port="http"),
            readiness_probe=Probe.http(path="/ready", port="http"),
            mounts=[tmp.mount("/tmp")],
            topology_spread_constraints=[TopologySpreadConstraint.spread_over_zones(web_labels)],
        ),
    )
    web_service = web.expose(port=80, port_name="http")
    HorizontalPodAutoscaler(
        chart, "web-hpa", name="web", scale_target=web, min_replicas=3, max_replicas=10,
        metrics=[Metric.cpu(utilization=70)],
    )  # fmt: skip
    PodDisruptionBudget.for_workload(web, max_unavailable=1)
    backend = IngressBackend.service(web_service, port="http")
    rules = [IngressHostRule(host=HOST, paths=[IngressPath(backend=backend)])]
    Ingress(
        chart,
        "storefront",
        ingress_class_name="nginx",
        rules=rules,
        tls=[IngressTls.for_rules(rules, secret_name="shop-tls")],
    )

    # -- the nightly backup ---------------------------------------------------------------
    CronJob(
        chart,
        "backup",
        schedule="30 2 * * *",
        time_zone="Etc/UTC",
        template=SecurePodTemplate(
            image=POSTGRES_IMAGE,
            labels={"app.kubernetes.io/name": "backup"},
            command=["pg_dumpall", "--host=postgres", "--file=/backup/shop.sql"],
            resources=_resources("100m", "256Mi"),
            mounts=[
                db_password.mount("/run/secrets/db", read_only=True),
                Volume.empty_dir("backup").mount("/backup"),
            ],
        ),
    )

    # -- who may talk to whom --------------------------------------------------------------
    DefaultDenyPolicy(chart, "default-deny", direction=PolicyType.INGRESS)
    NetworkPolicy(
        chart,
        "web-from-ingress",
        pod_selector=web.selector,
        ingress=[
            IngressRule(
                from_=[Peer.namespace({"kubernetes.io/metadata.name": "ingress-nginx"})],
                ports=[NetworkPolicyPort.tcp("http")],
            )
        ],
    )
    NetworkPolicy(
        chart,
        "api-from-web",
        pod_selector=api.selector,
        ingress=[
            IngressRule(from_=[Peer.pods(web.selector)], ports=[NetworkPolicyPort.tcp("http")])
        ],
    )
    NetworkPolicy(
        chart,
        "postgres-from-api",
        pod_selector=postgres.selector,
        ingress=[
            IngressRule(
                from_=[
                    Peer.pods(api.selector),
                    Peer.pods({"app.kubernetes.io/name": "backup"}),
                    # the standby streams the write-ahead log from the primary
                    Peer.pods(postgres.selector),
                ],
                ports=[NetworkPolicyPort.tcp(5432)],
            )
        ],
    )
