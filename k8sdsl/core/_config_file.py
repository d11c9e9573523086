"""A configuration file for a node or the control plane (a KubeletConfiguration, the API
server's AuthorizationConfiguration...) that synth writes beside the charts.

These documents are not API objects: ``kubectl apply`` would refuse them. So they go into a
folder of the output (``nodes/general/kubelet-config.yaml``), never beside the
``<chart>.k8s.yaml`` files, where neither ``kubectl apply -f dist/`` nor an Argo CD directory
source (which does not recurse unless told to) picks them up. Synth runs the same rules and
a strict schema over them as over the charts' objects, and writes them all or nothing.
"""

from __future__ import annotations

import re
from typing import Any, Protocol

from k8sdsl.core._construct import Construct
from k8sdsl.core._findings import Finding, K8sDslError, ObjectRef, Severity
from k8sdsl.core._versions import DEFAULT_VERSION, K8sVersion

_SEGMENT = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9._-]*$")
_SUFFIXES = (".yaml", ".yml", ".jsonl")
#: the suffixes of a :class:`TextFile` (inputs of other tools: openssl, cfssl, a shell)
TEXT_SUFFIXES = (".cnf", ".json", ".sh")
#: what a private key's PEM armour starts with (``-----BEGIN RSA PRIVATE KEY-----``...)
PRIVATE_KEY_MARKER = re.compile(r"-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----")


class ConfigDocument(Protocol):
    """A value that renders one configuration document (``apiVersion``, ``kind``, fields)."""

    def to_k8s(self) -> dict[str, Any]: ...


def config_path_problem(path: str, suffixes: tuple[str, ...] = _SUFFIXES) -> str | None:
    """Why ``path`` cannot name a configuration file in the output folder (``None``: it can)."""
    if not isinstance(path, str) or not path:
        return "the path must be a non-empty string"
    parts = path.split("/")
    if path.startswith("/") or any(p in ("", ".", "..") for p in parts):
        return "the path must be relative to the output folder, without '.', '..' or '//'"
    if len(parts) < 2:
        return (
            "a configuration file goes into a folder of the output (nodes/<pool>/..., "
            "control-plane/...), not beside the charts' files that kubectl and Argo CD apply"
        )
    bad = [p for p in parts if not _SEGMENT.match(p)]
    if bad:
        return f"{bad[0]!r} is not a plain file or folder name (letters, digits, '.', '_', '-')"
    if not path.endswith(suffixes):
        if suffixes != _SUFFIXES:
            return f"the file name must end with {', '.join(suffixes)}"
        return "the file name must end with .yaml or .yml (.jsonl for a policy file)"
    return None


def _error(code: str, message: str, where: str, path: str, hint: str) -> K8sDslError:
    return K8sDslError(
        [
            Finding(
                Severity.ERROR,
                code,
                message,
                ObjectRef(kind="ConfigFile", source=where),
                path,
                hint,
            )
        ],
        summary=f"invalid ConfigFile {where}",
    )


class ConfigFile(Construct):
    """One configuration document, written by synth to ``path`` below the output folder.

    ``ConfigFile(app, "kubelet-general", path="nodes/general/kubelet-config.yaml",
    document=KubeletConfiguration())``. The scope is the App or a Chart (the chart's target
    version then judges the document); the file's first line records that version, as the
    charts' files do. The document is checked by every rule and by the schema k8sdsl pins for
    its kind (``k8sdsl/config_schemas``) before anything is written.
    """

    path: str
    document: ConfigDocument

    def __init__(self, scope: Construct, id: str, *, path: str, document: ConfigDocument) -> None:
        # checked before the construct joins the tree, so a refused file leaves no trace
        where = (
            f"{scope.node.path}/{id}"
            if isinstance(scope, Construct) and scope.node.path
            else str(id)
        )
        problem = config_path_problem(path)
        if problem is not None:
            raise _error(
                "config-file/path",
                f"{path!r}: {problem}",
                where,
                "path",
                "use a path such as 'nodes/general/kubelet-config.yaml'",
            )
        lines = callable(getattr(document, "to_k8s_lines", None))
        if path.endswith(".jsonl") != lines:
            raise _error(
                "config-file/path",
                f"{path!r}: "
                + (
                    "a policy file (one JSON object a line) is written to a .jsonl path"
                    if lines
                    else "a .jsonl path holds a policy file (AbacPolicyFile), one object a line"
                ),
                where,
                "path",
                "use .jsonl for an AbacPolicyFile, .yaml for any other document",
            )
        if not callable(getattr(document, "to_k8s", None)):
            raise _error(
                "config-file/document",
                f"{type(document).__name__} is not a configuration document",
                where,
                "document",
                "give a value such as KubeletConfiguration(...)",
            )
        if isinstance(scope, Construct):
            root = scope
            while root.node.scope is not None:
                root = root.node.scope
            for other in root.node.walk():
                if isinstance(other, (ConfigFile, TextFile)) and other.path == path:
                    raise _error(
                        "config-file/duplicate-path",
                        f"{path!r} is already written by {other.node.path}",
                        where,
                        "path",
                        "give each configuration file its own path",
                    )
        super().__init__(scope, id)
        self.path = path
        self.document = document

    @property
    def k8s_version(self) -> K8sVersion:
        """The target version: the chart's when the file is in a chart, else the app's."""
        node: Construct | None = self.node.scope
        while node is not None:
            version = getattr(node, "k8s_version", None)
            if isinstance(version, K8sVersion):
                return version
            node = node.node.scope
        return K8sVersion(DEFAULT_VERSION)

    @property
    def json_lines(self) -> bool:
        """Whether the file holds one JSON object a line (an ABAC policy file)."""
        return self.path.endswith(".jsonl")

    def to_k8s(self) -> dict[str, Any]:
        """The document as a dict (``apiVersion`` and ``kind`` first when written)."""
        return self.document.to_k8s()

    def documents(self) -> list[dict[str, Any]]:
        """What the file holds: its one document, or each line of a policy file."""
        if self.json_lines:
            return list(self.document.to_k8s_lines())  # type: ignore[attr-defined]
        return [self.document.to_k8s()]


class TextFile(Construct):
    """A file for another tool (an openssl config, a cfssl CSR JSON, a shell script), written
    by synth verbatim to ``path`` below the output folder (``pki/apiserver-openssl.cnf``).

    Not a Kubernetes object nor a configuration document: rules and schemas do not read it,
    so what writes one checks its content itself (:class:`k8sdsl.security.ClusterPki` checks
    its SAN lists). A private key is refused (``config-file/private-key``): keys are made
    where they are used, never committed.
    """

    path: str
    text: str

    def __init__(self, scope: Construct, id: str, *, path: str, text: str) -> None:
        where = (
            f"{scope.node.path}/{id}"
            if isinstance(scope, Construct) and scope.node.path
            else str(id)
        )
        problem = config_path_problem(path, TEXT_SUFFIXES)
        if problem is not None:
            raise _error(
                "config-file/path",
                f"{path!r}: {problem}",
                where,
                "path",
                "use a path such as 'pki/apiserver-openssl.cnf'",
            )
        if PRIVATE_KEY_MARKER.search(text):
            raise _error(
                "config-file/private-key",
                f"{path!r} holds a private key: the output folder is committed to git",
                where,
                "text",
                "write the key on the machine that uses it (openssl genpkey, easyrsa, "
                "kubeadm) and commit only requests and public certificates",
            )
        if isinstance(scope, Construct):
            root = scope
            while root.node.scope is not None:
                root = root.node.scope
            for other in root.node.walk():
                if isinstance(other, (ConfigFile, TextFile)) and other.path == path:
                    raise _error(
                        "config-file/duplicate-path",
                        f"{path!r} is already written by {other.node.path}",
                        where,
                        "path",
                        "give each file its own path",
                    )
        super().__init__(scope, id)
        self.path = path
        self.text = text if text.endswith("\n") else text + "\n"
