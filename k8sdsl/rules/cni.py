"""CNI rules: the network configuration a node reads, where ``k8sdsl check`` meets it.

CNI configuration reaches a node two ways, and both are judged by the one checker
(:func:`k8sdsl.network.check_cni_config`, the one :class:`k8sdsl.network.CniConfigList`
runs when it is built):

- inside a ConfigMap that an installer DaemonSet copies into ``/etc/cni/net.d`` (Flannel's
  ``kube-flannel-cfg`` key ``cni-conf.json``, or any key ending in ``.conflist``/``.conf``):
  the rule ``cni/config`` reports at the ConfigMap's key (``data.cni-conf.json``), the JSON
  path inside the value leading the message;
- as a standalone ``.conflist``/``.conf`` file given to ``k8sdsl check``. Such a file is not
  a Kubernetes object (no apiVersion, kind or metadata), so it does not go through the
  schema or the object rules: :func:`check_cni_file` is called by the CLI's reader, and its
  findings point at the file and the line of the JSON path (``10-flannel.conflist:12``),
  under the kind ``CniConfigList``.

Either way the declared cluster's ranges take part: a host-local range inside the service
range is an error (``cni/range-overlap``), and, once the cluster declares its network, one
outside the pod CIDR is a warning (``cni/outside-pod-cidr``).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from k8sdsl._yamlread import YamlReadError, read_yaml_text
from k8sdsl.core._cluster import Cluster
from k8sdsl.core._findings import Finding, ObjectRef, Severity
from k8sdsl.network._cni_catalog import CNI_CATALOG, cni_plugin, suggest_cni_plugin
from k8sdsl.network._cni_check import (
    CniProblem,
    check_cni_config,
    parse_cni_text,
    pod_cidr_problems,
)
from k8sdsl.network._flannel_check import FLANNEL_NET_CONF_KEY, check_flannel_net_conf
from k8sdsl.rules._registry import RuleContext, rule

#: file name endings of CNI configuration (libcni's ConfFiles: ``.conf``, ``.conflist``,
#: ``.json``; k8sdsl reads ``.json`` files as manifests)
CNI_FILE_SUFFIXES = (".conflist", ".conf")
#: the key of Flannel's ConfigMap (kube-flannel.yml, ``kube-flannel-cfg``) its init
#: container copies to ``/etc/cni/net.d/10-flannel.conflist``
FLANNEL_CNI_KEY = "cni-conf.json"


def is_cni_key(key: str) -> bool:
    """Whether a ConfigMap key holds CNI configuration."""
    return key == FLANNEL_CNI_KEY or key.endswith(CNI_FILE_SUFFIXES)


def network_declared(cluster: Cluster) -> bool:
    """Whether the cluster declares its network (else its ranges are kubeadm's defaults,
    which the pod-CIDR comparison must not assume)."""
    return "network" in cluster.model_fields_set


def cni_text_problems(text: str, cluster: Cluster) -> list[CniProblem]:
    """Every problem of one CNI configuration given as text, against ``cluster``."""
    data, unreadable = parse_cni_text(text)
    if unreadable is not None:
        return [unreadable]
    problems = check_cni_config(data, service_cidrs=cluster.network.service_cidrs)
    if network_declared(cluster):
        problems += pod_cidr_problems(data, cluster.network.pod_cidrs)
    return problems


@rule("cni/config", "CNI configuration in ConfigMaps is valid as the CNI spec says")
def config(ctx: RuleContext) -> Iterator[Finding]:
    """An installer DaemonSet (kube-flannel's ``install-cni`` init container, Calico's
    ``install-cni``) copies the ConfigMap's CNI configuration to ``/etc/cni/net.d`` as is.
    A runtime that cannot use the file skips it; with no usable file the node stays
    NotReady ("cni plugin not initialized"), and a wrong range or chain fails every pod's
    sandbox on that node. Nothing on the API server side checks the value: it is a string."""
    for manifest in ctx.of_kind("ConfigMap"):
        data = manifest.obj.get("data")
        if not isinstance(data, dict):
            continue
        for key, text in data.items():
            if not isinstance(key, str) or not is_cni_key(key) or not isinstance(text, str):
                continue
            for p in cni_text_problems(text, ctx.cluster):
                message = f"{p.path}: {p.message}" if p.path else p.message
                yield manifest.finding(p.severity, p.code, f"data.{key}", message, p.hint)


def check_cni_file(file: Path, cluster: Cluster) -> list[Finding]:
    """The findings of a standalone ``.conflist``/``.conf`` file, each at the line of its
    JSON path. Raises :class:`YamlReadError` for a file that cannot be read."""
    source = str(file)
    try:
        text = file.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        reason = f"cannot read the file: it is not UTF-8 ({exc.reason})"
        raise YamlReadError(source, reason) from None
    except OSError as exc:
        raise YamlReadError(source, f"cannot read the file: {exc.strerror or exc}") from None
    problems = cni_text_problems(text, cluster)
    data, _ = parse_cni_text(text)
    lines = _json_lines(text, source) if data is not None else {}
    name = data.get("name") if isinstance(data, dict) else None
    findings = []
    for p in problems:
        line = p.line if p.line is not None else _line_of(lines, p.path)
        findings.append(
            Finding(
                p.severity,
                p.code,
                p.message,
                ObjectRef(
                    kind="CniConfigList",
                    name=name if isinstance(name, str) else "",
                    source=f"{source}:{line}",
                ),
                p.path,
                p.hint,
            )
        )
    return findings


def looks_like_cni(file: Path) -> bool:
    """Whether a ``.conf`` met in a folder scan is CNI configuration (JSON, an object that
    names ``cniVersion``, even when broken) rather than another tool's ``.conf`` (nginx,
    supervisord)."""
    try:
        text = file.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return False
    return text.lstrip().startswith("{") and '"cniVersion"' in text


def _json_lines(text: str, source: str) -> dict[str, int]:
    # JSON is YAML: the YAML reader's JSON path -> line map serves the file's findings
    try:
        docs = list(read_yaml_text(text, source))
    except YamlReadError:
        return {}
    return docs[0].lines if docs else {}


def _line_of(lines: dict[str, Any], path: str) -> int:
    """The line of ``path``, or of its nearest parent the file spells out (a missing key is
    reported where its object starts), else line 1."""
    while path:
        if path in lines:
            return int(lines[path])
        cut = max(path.rfind("."), path.rfind("["))
        path = path[:cut] if cut > 0 else ""
    return 1


@rule("cni/unknown-plugin", "the declared cluster's CNI plugin is one k8sdsl knows")
def unknown_plugin(ctx: RuleContext) -> Iterator[Finding]:
    """Rules judge what the declared plugin does (``network/policy-not-enforced``) from
    :data:`k8sdsl.network.CNI_CATALOG`; a name the catalog lacks (a typo such as
    ``flanel``) turns those rules off without a word, so it is named here."""
    declared = ctx.cluster.cni
    if declared is None or cni_plugin(declared) is not None:
        return
    guess = suggest_cni_plugin(declared)
    yield Finding(
        Severity.WARNING,
        "cni/unknown-plugin",
        f"the cluster's cni {declared!r} is not in k8sdsl's plugin catalog: rules that depend "
        "on what the plugin enforces are skipped",
        ObjectRef(kind="Cluster", source="cluster.cni"),
        "cni",
        f"did you mean {guess!r}?"
        if guess
        else "known plugins: " + ", ".join(info.name for info in CNI_CATALOG),
    )


@rule("flannel/net-conf", "Flannel's net-conf.json is valid and matches the declared network")
def flannel_net_conf(ctx: RuleContext) -> Iterator[Finding]:
    """flanneld reads ``net-conf.json`` from its ConfigMap at start: invalid JSON or an
    unknown backend type make it exit, so no node gets a pod network (nodes stay NotReady);
    a Network other than the cluster's pod CIDR makes it refuse the node ranges
    kube-controller-manager hands out. Once the cluster declares its network, Network must
    be the pod CIDR and SubnetLen the node mask."""
    declared = network_declared(ctx.cluster)
    network = ctx.cluster.network
    for manifest in ctx.of_kind("ConfigMap"):
        data = manifest.obj.get("data")
        text = data.get(FLANNEL_NET_CONF_KEY) if isinstance(data, dict) else None
        if not isinstance(text, str):
            continue
        for p in check_flannel_net_conf(
            text,
            pod_cidrs=network.pod_cidrs if declared else None,
            node_mask_ipv4=network.node_cidr_mask_size_ipv4 if declared else None,
        ):
            message = f"{p.path}: {p.message}" if p.path else p.message
            yield manifest.finding(
                p.severity, p.code, f"data.{FLANNEL_NET_CONF_KEY}", message, p.hint
            )
