"""Kubeconfig rules: a client that does not check whom it talks to, or a file that carries
its credentials.

A kubeconfig (``apiVersion: v1``, ``kind: Config``) tells a client (kube-apiserver calling an
authorization webhook, kubectl, a controller) where the server is and who the client is. A
kubeconfig in git must name files on the machine for keys and tokens, never hold them: the
design's "no secrets in git". These rules read any kubeconfig that ``k8sdsl check`` meets,
and the :class:`~k8sdsl.security.WebhookKubeconfig` that k8sdsl writes.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from k8sdsl.core._findings import Finding
from k8sdsl.core._manifest import Manifest
from k8sdsl.rules._registry import RuleContext, rule

#: credentials a kubeconfig may carry inline, and the file field that names them instead
INLINE_CREDENTIALS = {
    "client-key-data": "client-key",
    "token": "tokenFile",
    "password": "an exec plugin or a client certificate",
}


def _kubeconfigs(ctx: RuleContext) -> Iterator[Manifest]:
    for m in ctx.of_kind("Config"):
        if m.api_version == "v1":
            yield m


def _named(m: Manifest, key: str, inner: str) -> Iterator[tuple[str, dict[str, Any]]]:
    items = m.obj.get(key)
    for i, item in enumerate(items if isinstance(items, list) else []):
        body = item.get(inner) if isinstance(item, dict) else None
        if isinstance(body, dict):
            yield f"{key}[{i}].{inner}", body


@rule("kubeconfig/insecure", "a kubeconfig that does not verify the server")
def insecure(ctx: RuleContext) -> Iterator[Finding]:
    """``insecure-skip-tls-verify: true`` or an ``http://`` server: anyone on the path can
    pose as the server (for a webhook: answer every authorization question with "allowed")
    and reads the client's credentials."""
    for m in _kubeconfigs(ctx):
        for path, cluster in _named(m, "clusters", "cluster"):
            if cluster.get("insecure-skip-tls-verify") is True:
                yield m.error(
                    "kubeconfig/insecure",
                    f"{path}.insecure-skip-tls-verify",
                    "the client does not verify the server's certificate",
                    "remove insecure-skip-tls-verify and give certificate-authority (the CA "
                    "that signed the server's certificate)",
                )
            server = cluster.get("server")
            if isinstance(server, str) and server.startswith("http://"):
                yield m.error(
                    "kubeconfig/insecure",
                    f"{path}.server",
                    f"the server {server} is plain HTTP: no server check, credentials in clear",
                    "use the server's https:// address",
                )


@rule("kubeconfig/inline-credentials", "a kubeconfig that carries a key, token or password")
def inline_credentials(ctx: RuleContext) -> Iterator[Finding]:
    """A private key (``client-key-data``), a bearer token or a password inside the file is
    a credential in git and in every copy of dist/. Name a file on the machine instead."""
    for m in _kubeconfigs(ctx):
        for path, user in _named(m, "users", "user"):
            for key, instead in INLINE_CREDENTIALS.items():
                if user.get(key):
                    yield m.error(
                        "kubeconfig/inline-credentials",
                        f"{path}.{key}",
                        f"the kubeconfig carries a credential inline ({key})",
                        f"use {instead} on the machine instead, and keep the secret out of git",
                    )
