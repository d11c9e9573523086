"""The ``k8sdsl`` command: ``k8sdsl check PATH...`` judges YAML someone else wrote."""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

# the readers of files live in k8sdsl._fleet; the other subcommands read them here too
from k8sdsl._fleet import STDIN as STDIN
from k8sdsl._fleet import _document_manifests as _document_manifests
from k8sdsl._fleet import check_files, load_manifests, parse_shard, recorded_csi_drivers
from k8sdsl._yamlread import YamlReadError as YamlReadError
from k8sdsl._yamlread import read_yaml_text as read_yaml_text
from k8sdsl.core._cluster import Cluster
from k8sdsl.core._findings import Finding as Finding
from k8sdsl.core._findings import Report
from k8sdsl.core._manifest import Manifest as Manifest
from k8sdsl.core._versions import DEFAULT_VERSION, SUPPORTED_VERSIONS, K8sVersion

_recorded_csi_drivers = recorded_csi_drivers


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        self.print_usage(sys.stderr)
        print(f"k8sdsl: error: {message}", file=sys.stderr)
        raise SystemExit(2)


def check(
    paths: Sequence[Path],
    version: K8sVersion,
    *,
    cluster: Cluster | None = None,
    strict: bool = False,
    pinned: bool = True,
    complete: bool = False,
    profile: str | None = None,
) -> tuple[Report, list[str]]:
    """Every schema error and every rule's findings for the objects in ``paths``, against
    the declared ``cluster`` (default: :class:`Cluster`'s documented defaults)."""
    report, unreadable, _ = check_files(
        paths,
        version,
        cluster=cluster,
        strict=strict,
        pinned=pinned,
        complete=complete,
        profile=profile,
    )
    return report, unreadable


def _ci_report(fmt: str, report: Report, unreadable: list[str]) -> str:
    """The findings (and unreadable inputs) as SARIF or GitHub workflow commands."""
    from k8sdsl._report_formats import format_github, format_sarif
    from k8sdsl.rules._registry import load_rules, registered_rules

    if fmt == "github":
        return format_github(report, unreadable)
    load_rules()
    summaries = {r.id: r.summary for r in registered_rules()}
    return format_sarif(report, unreadable, version=_package_version(), rule_summaries=summaries)


def _declared_cluster(args: argparse.Namespace) -> Cluster:
    """``--cluster FILE``, with ``--allowed-registries`` and ``--cluster-domain`` on top;
    raises :class:`K8sDslError` naming the file or flag that is wrong."""
    cluster = Cluster.from_file(args.cluster) if args.cluster else Cluster()
    changes: dict[str, Any] = {}
    if args.allowed_registries is not None:
        changes["allowed_registries"] = [r for r in args.allowed_registries.split(",") if r]
    if args.cluster_domain is not None:
        changes["cluster_domain"] = args.cluster_domain
    if changes:
        # exclude_unset: fields the file left out stay undeclared (rules tell them apart)
        cluster = Cluster.model_validate(cluster.model_dump(exclude_unset=True) | changes)
    return cluster


def _package_version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("k8sdsl")
    except PackageNotFoundError:  # pragma: no cover - run from a source tree
        return "unknown"


def explain_network(paths: Sequence[Path], version: K8sVersion, fmt: str) -> tuple[str, list[str]]:
    """The reachability report (text or JSON) for the objects in ``paths``."""
    from k8sdsl.network._reachability import Reachability

    manifests, _, unreadable = load_manifests(paths, version)
    model = Reachability.from_manifests(manifests)
    if fmt == "json":
        return json.dumps(model.to_dict(), indent=2, sort_keys=True), unreadable
    return model.format(), unreadable


def explain_rbac(
    paths: Sequence[Path],
    version: K8sVersion,
    fmt: str,
    *,
    verb: str,
    resource: str,
    subject: str | None = None,
    namespace: str | None = None,
) -> tuple[str, bool, list[str]]:
    """Who can ``verb`` ``resource`` by the roles and bindings in ``paths`` (or whether
    ``subject`` can): the report, whether anyone (the subject) can, and unreadable files."""
    from k8sdsl.security._rbac_explain import Identity, RbacModel, Request, explain_text

    manifests, _, unreadable = load_manifests(paths, version)
    request = Request.parse(verb, resource, namespace=namespace)
    who = Identity.parse(subject) if subject is not None else None
    grants = RbacModel(manifests).who_can(request, who)
    allowed = any(g.evaluated for g in grants)
    if fmt == "json":
        data = {
            "request": {
                "verb": request.verb,
                "group": request.group,
                "resource": request.resource,
                "namespace": request.namespace,
            },
            "allowed": allowed,
            "grants": [g.to_dict() for g in grants],
        }
        return json.dumps(data, indent=2, sort_keys=True), allowed, unreadable
    return explain_text(request, grants, who), allowed, unreadable


def main(argv: Sequence[str] | None = None) -> int:
    """The ``k8sdsl`` command. Never a traceback: a closed pipe (``k8sdsl check . | head``)
    or Ctrl-C ends it quietly."""
    try:
        return _run(argv)
    except BrokenPipeError:
        # the reader went away: send the rest of our output nowhere, so Python's final flush
        # of stdout does not print a second error
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 1
    except KeyboardInterrupt:
        print("k8sdsl: interrupted", file=sys.stderr)
        return 130


def _run(argv: Sequence[str] | None) -> int:
    parser = _Parser(prog="k8sdsl", description="Typed, validated Kubernetes manifests.")
    parser.add_argument("--version", action="version", version=f"k8sdsl {_package_version()}")
    sub = parser.add_subparsers(dest="command", required=True)
    p_check = sub.add_parser(
        "check",
        help="check Kubernetes YAML files against the strict schema and every k8sdsl rule",
        description="Exit 0 when clean, 1 when any error is found, 2 for bad usage or input.",
    )
    p_check.add_argument(
        "paths", nargs="+", type=Path, metavar="PATH", help="files, folders, or - for stdin"
    )
    p_check.add_argument(
        "--format",
        choices=("text", "json", "sarif", "github"),
        default="text",
        help="text (default); json: findings as data; sarif: SARIF 2.1.0 for code scanning; "
        "github: GitHub Actions workflow commands (annotations on the files' lines)",
    )
    p_check.add_argument(
        "--cluster",
        type=Path,
        metavar="FILE",
        help="YAML file declaring what the cluster has (StorageClasses, CSI drivers, "
        "existing objects, registries, domain); see docs/checking.md",
    )
    p_check.add_argument(
        "--allowed-registries",
        metavar="LIST",
        help="comma-separated registries images may come from (overrides --cluster's)",
    )
    p_check.add_argument(
        "--cluster-domain", metavar="DOMAIN", help="the cluster domain (default cluster.local)"
    )
    p_check.add_argument(
        "--complete",
        action="store_true",
        help="the files are the whole app: a reference to an object none of them (nor the "
        "declared cluster) defines is an error, not a warning",
    )
    p_check.add_argument(
        "--profile",
        choices=("hardened", "restricted", "baseline", "none"),
        default=None,
        help="hold every pod to this Pod Security Standards level: its violations are errors "
        "(hardened: restricted plus SecurePod's hardening: requests and limits, read-only root "
        "filesystem, probes, no Secrets in env, no automounted token, high UIDs; none: no "
        "pod-security findings beyond the namespaces' own labels; default: restricted "
        "violations are warnings)",
    )
    p_check.add_argument(
        "--strict",
        action="store_true",
        help="documents that are not Kubernetes objects are errors (default: skipped, noted)",
    )
    p_check.add_argument(
        "--jobs",
        "-j",
        default="auto",
        metavar="N",
        help="worker processes for the files' own work (reading, schema, per-object rules); "
        "auto (default): serial for small inputs, one per core for large ones",
    )
    p_check.add_argument(
        "--shard",
        metavar="I/N",
        default=None,
        help="check only the I-th of N deterministic shards of the files, with the rules "
        "that judge one object; the rules across objects then need one --cross-only job",
    )
    p_check.add_argument(
        "--cross-only",
        action="store_true",
        help="run only the rules that look across objects (references, selectors, "
        "duplicates) over every file: the final job after the --shard jobs",
    )
    p_check.add_argument(
        "--cache",
        type=Path,
        metavar="DIR",
        default=None,
        help="reuse each unchanged file's results from DIR (keyed by the file's content, "
        "the rule set and the options); the rules across objects always run",
    )
    p_check.add_argument(
        "--verbose",
        action="store_true",
        help="print how the run went to stderr (files checked, from the cache, objects, jobs)",
    )
    p_check.add_argument(
        "--k8s-version",
        default=None,
        help=f"target version ({SUPPORTED_VERSIONS[0]} to "
        f"{SUPPORTED_VERSIONS[-1]}); default: the version k8sdsl's synth recorded in each "
        f"file's first line, else {DEFAULT_VERSION}",
    )
    p_explain = sub.add_parser(
        "explain",
        help="explain what Kubernetes YAML files mean (network: who may talk to whom; rbac: "
        "who may do what)",
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
    p_rbac = explain_sub.add_parser(
        "rbac",
        help="who can do what, by the Roles, ClusterRoles and bindings in the files",
        description="Apply RBAC's authorizer to the roles and bindings in PATH... and print "
        "who may VERB RESOURCE (with --as: whether SUBJECT may; exit 1 when not).",
    )
    p_rbac.add_argument("paths", nargs="+", type=Path, metavar="PATH")
    p_rbac.add_argument(
        "--who-can",
        nargs=2,
        required=True,
        metavar=("VERB", "RESOURCE"),
        help="the request: a verb and a resource as kubectl names it (pods, pods/exec, "
        "deployments.apps)",
    )
    p_rbac.add_argument(
        "--as",
        dest="subject",
        metavar="SUBJECT",
        help="User:NAME, Group:NAME, ServiceAccount:NS:NAME or system:serviceaccount:NS:NAME",
    )
    p_rbac.add_argument(
        "--namespace", "-n", metavar="NS", help="the request's namespace (default: any)"
    )
    p_rbac.add_argument("--format", choices=("text", "json"), default="text")
    p_rbac.set_defaults(k8s_version=DEFAULT_VERSION)
    from k8sdsl.core._findings import K8sDslError

    args = parser.parse_args(argv)
    try:
        pinned = args.k8s_version is not None
        version = K8sVersion.supported(args.k8s_version or DEFAULT_VERSION)
    except K8sDslError as exc:
        print(f"k8sdsl: error: {exc.findings[0].message}; {exc.findings[0].hint}", file=sys.stderr)
        return 2
    if args.command == "check":
        try:
            cluster = _declared_cluster(args)
        except K8sDslError as exc:
            print(exc.report.format(), file=sys.stderr)
            return 2
        try:
            jobs = None if args.jobs == "auto" else int(args.jobs)
            if jobs is not None and jobs < 1:
                raise ValueError
        except ValueError:
            print(
                f"k8sdsl: error: --jobs takes a number >= 1 or auto, not {args.jobs!r}",
                file=sys.stderr,
            )
            return 2
        try:
            shard = parse_shard(args.shard) if args.shard is not None else None
        except ValueError as exc:
            print(f"k8sdsl: error: {exc}", file=sys.stderr)
            return 2
        if shard is not None and args.cross_only:
            print(
                "k8sdsl: error: --shard and --cross-only are separate jobs; give one of them",
                file=sys.stderr,
            )
            return 2
        report, unreadable, stats = check_files(
            args.paths,
            version,
            cluster=cluster,
            strict=args.strict,
            pinned=pinned,
            complete=args.complete,
            profile=args.profile,
            jobs=jobs,
            shard=shard,
            cross_only=args.cross_only,
            cache_dir=args.cache,
        )
        if shard is not None:
            print(
                f"k8sdsl: shard {shard[0]}/{shard[1]}: {stats.files} file(s) checked with the "
                "rules that judge one object; the rules across objects were skipped: run "
                "`k8sdsl check --cross-only` over all files in a final job",
                file=sys.stderr,
            )
        if args.verbose:
            print(stats.format(), file=sys.stderr)
        if args.format == "json":
            print(
                json.dumps(
                    {"findings": json.loads(report.to_json()), "unreadable": unreadable},
                    indent=2,
                    sort_keys=True,
                )
            )
        elif args.format in ("sarif", "github"):
            print(_ci_report(args.format, report, unreadable))
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
    if args.command == "explain" and args.topic == "rbac":
        verb, resource = args.who_can
        text, allowed, unreadable = explain_rbac(
            args.paths,
            version,
            args.format,
            verb=verb,
            resource=resource,
            subject=args.subject,
            namespace=args.namespace,
        )
        for line in unreadable:
            print(f"error[yaml/unreadable] {line}", file=sys.stderr)
        if unreadable:
            return 2
        print(text)
        return 1 if args.subject is not None and not allowed else 0
    return 2  # pragma: no cover - argparse requires a command


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
