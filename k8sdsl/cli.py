"""The ``k8sdsl`` command: ``k8sdsl check PATH...`` judges YAML someone else wrote."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path

from k8sdsl._yamlread import YamlReadError, read_yaml_file, yaml_files
from k8sdsl.core._findings import Finding, ObjectRef, Report, Severity
from k8sdsl.core._manifest import Manifest
from k8sdsl.core._versions import DEFAULT_VERSION, SUPPORTED_VERSIONS, K8sVersion


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        self.print_usage(sys.stderr)
        print(f"k8sdsl: error: {message}", file=sys.stderr)
        raise SystemExit(2)


def load_manifests(
    paths: Sequence[Path], version: K8sVersion
) -> tuple[list[Manifest], list[Finding], list[str]]:
    """Objects of every file; findings for documents that are not objects; unreadable files."""
    manifests: list[Manifest] = []
    findings: list[Finding] = []
    unreadable: list[str] = []
    for file in yaml_files(list(paths)):
        if not file.exists():
            unreadable.append(f"{file}: no such file or folder")
            continue
        try:
            docs = list(read_yaml_file(file))
        except YamlReadError as exc:
            unreadable.append(str(exc))
            continue
        for doc in docs:
            items = [doc.data]
            if isinstance(doc.data, dict) and doc.data.get("kind") == "List":
                items = list(doc.data.get("items") or [])
            for item in items:
                source = f"{doc.file}:{doc.line}"
                if not isinstance(item, dict) or "kind" not in item or "apiVersion" not in item:
                    findings.append(
                        Finding(
                            Severity.ERROR,
                            "yaml/not-an-object",
                            "this document is not a Kubernetes object (no apiVersion/kind)",
                            ObjectRef(source=source),
                            "",
                            "every document needs apiVersion, kind and metadata.name",
                        )
                    )
                    continue
                manifests.append(Manifest(item, source, version, lines=doc.lines))
    return manifests, findings, unreadable


def check(paths: Sequence[Path], version: K8sVersion) -> tuple[Report, list[str]]:
    """Every schema error and every rule's findings for the objects in ``paths``."""
    from k8sdsl.rules._registry import run_rules
    from k8sdsl.synth import duplicate_findings, schema_check

    manifests, findings, unreadable = load_manifests(paths, version)
    schema, valid = schema_check(manifests)
    findings.extend(schema)
    findings.extend(duplicate_findings(manifests))
    findings.extend(run_rules(manifests, {"k8s_version": version}, well_formed=valid))
    return Report.of(findings), unreadable


def explain_network(paths: Sequence[Path], version: K8sVersion, fmt: str) -> tuple[str, list[str]]:
    """The reachability report (text or JSON) for the objects in ``paths``."""
    from k8sdsl.network._reachability import Reachability

    manifests, _, unreadable = load_manifests(paths, version)
    model = Reachability.from_manifests(manifests)
    if fmt == "json":
        return json.dumps(model.to_dict(), indent=2, sort_keys=True), unreadable
    return model.format(), unreadable


def main(argv: Sequence[str] | None = None) -> int:
    parser = _Parser(prog="k8sdsl", description="Typed, validated Kubernetes manifests.")
    sub = parser.add_subparsers(dest="command", required=True)
    p_check = sub.add_parser(
        "check",
        help="check Kubernetes YAML files against the strict schema and every k8sdsl rule",
        description="Exit 0 when clean, 1 when any error is found, 2 for bad usage or input.",
    )
    p_check.add_argument("paths", nargs="+", type=Path, metavar="PATH")
    p_check.add_argument("--format", choices=("text", "json"), default="text")
    p_check.add_argument(
        "--k8s-version",
        default=DEFAULT_VERSION,
        help=f"target version ({SUPPORTED_VERSIONS[0]} to "
        f"{SUPPORTED_VERSIONS[-1]}; default {DEFAULT_VERSION})",
    )
    p_explain = sub.add_parser(
        "explain",
        help="explain what Kubernetes YAML files mean (network: who may talk to whom)",
        description="Exit 0 after printing, 2 for bad usage or unreadable input.",
    )
    explain_sub = p_explain.add_subparsers(dest="topic", required=True)
    p_network = explain_sub.add_parser(
        "network",
        help="pods, the pod-to-pod port matrix, traffic to and from outside, cluster DNS",
        description="Apply the NetworkPolicies in PATH... to the pods in PATH... with "
        "Kubernetes semantics and print who may connect to whom, on which ports.",
    )
    p_network.add_argument("paths", nargs="+", type=Path, metavar="PATH")
    p_network.add_argument("--format", choices=("text", "json"), default="text")
    p_network.set_defaults(k8s_version=DEFAULT_VERSION)
    from k8sdsl.core._findings import K8sDslError

    args = parser.parse_args(argv)
    try:
        version = K8sVersion.supported(args.k8s_version)
    except K8sDslError as exc:
        print(f"k8sdsl: error: {exc.findings[0].message}; {exc.findings[0].hint}", file=sys.stderr)
        return 2
    if args.command == "check":
        report, unreadable = check(args.paths, version)
        if args.format == "json":
            print(
                json.dumps(
                    {"findings": json.loads(report.to_json()), "unreadable": unreadable},
                    indent=2,
                    sort_keys=True,
                )
            )
        else:
            if report.findings:
                print(report.format())
            for line in unreadable:
                print(f"error[yaml/unreadable] {line}", file=sys.stderr)
        if unreadable:
            return 2
        return 1 if report.has_errors() else 0
    if args.command == "explain" and args.topic == "network":
        text, unreadable = explain_network(args.paths, version, args.format)
        for line in unreadable:
            print(f"error[yaml/unreadable] {line}", file=sys.stderr)
        if unreadable:
            return 2
        print(text)
        return 0
    return 2  # pragma: no cover - argparse requires a command


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
