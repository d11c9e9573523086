"""The network apps: they synthesize cleanly, pass the strict schema of every supported
version, and their reachability is what their docstrings promise."""

from __future__ import annotations

from typing import Any

from apps import dns_probe, network_policies
from k8sdsl import App
from k8sdsl.network import Reachability
from tests.conftest import assert_schema_valid


def built(module: Any) -> App:
    app = App()
    module.build(app)
    return app


def test_network_policies_app(yaml_snapshot: Any) -> None:
    app = built(network_policies)
    report = app.check()
    assert report.findings == ()
    objects = [m.obj for m in app.manifests()]
    assert objects == yaml_snapshot
    assert_schema_valid(objects)


def test_network_policies_app_reachability() -> None:
    net = Reachability.of(built(network_policies))
    db = net.pod("db", namespace="netpol-demo")
    frontend = net.pod("frontend", namespace="netpol-demo")
    client = net.pod("client", namespace="netpol-clients")
    static = net.pod("static", namespace="netpol-egress")
    assert net.check(frontend, db, port=6379)
    assert net.check(client, db, port=6379)  # its namespace is labelled project=myproject
    assert not net.check(static, db, port=6379)  # egress denied in netpol-egress
    assert net.check("172.17.3.4", db, port=6379)
    assert not net.check("172.17.1.5", db, port=6379)
    assert net.check(db, "10.0.0.7", port=5978)
    assert not net.check(db, "8.8.8.8", port=5978)
    assert not net.check(frontend, client, port=80)  # default isolation of netpol-clients
    assert net.check("198.51.100.1", frontend, port=8080)  # allow-all ingress
    assert net.check(frontend, "198.51.100.1", port=443)  # allow-all egress
    assert not net.check(db, frontend, port=8080)
    assert all(net.dns_access(p) == (True, True) for p in net.pods)


def test_dns_probe_app(yaml_snapshot: Any) -> None:
    app = built(dns_probe)
    assert app.check().findings == ()
    objects = [m.obj for m in app.manifests()]
    assert objects == yaml_snapshot
    assert_schema_valid(objects)
    net = Reachability.of(app)
    probe = net.pod("dns-probe", namespace="dns-probe")
    target = net.pod("dns-target", namespace="dns-probe")
    assert net.dns_access(probe) == (True, True)
    assert net.allowed_ports(probe, target).describe() == "TCP 8080"
    assert not net.check(probe, "1.1.1.1", port=53, protocol="UDP")
