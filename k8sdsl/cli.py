"""The ``k8sdsl`` command: ``k8sdsl check PATH...`` judges YAML someone else wrote."""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

from k8sdsl._crd_schema import register_crd

# the readers of files live in k8sdsl._fleet; the other subcommands read them here too
from k8sdsl._fleet import STDIN as STDIN
from k8sdsl._fleet import _document_manifests as _document_manifests
from k8sdsl._fleet import check_files, load_manifests, recorded_csi_drivers
from k8sdsl._yamlread import YamlReadError as YamlReadError
from k8sdsl._yamlread import read_yaml_text as read_yaml_text
from k8sdsl.core._cluster import Cluster
from k8sdsl.core._findings import Finding as Finding
from k8sdsl.core._findings import Report
from k8sdsl.core._manifest import Manifest as Manifest
from k8sdsl.core._shard import parse_shard
from k8sdsl.core._versions import DEFAULT_VERSION, SUPPORTED_VERSIONS, K8sVersion

_recorded_csi_drivers = recorded_csi_drivers

if TYPE_CHECKING:
    from k8sdsl._explain_pod import PodLife


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


def explain_pod(
    paths: Sequence[Path],
    version: K8sVersion,
    target: str,
    *,
    cluster: Cluster | None = None,
    pinned: bool = True,
) -> tuple[PodLife, list[str]]:
    """The life of the pods of ``target`` (``NAMESPACE/NAME``) by the objects in ``paths``,
    which are the whole app (what lives outside it is declared in ``cluster``); raises
    :class:`K8sDslError` when no workload has that name."""
    from k8sdsl._explain_pod import explain_pod as explain
    from k8sdsl._pipeline import check_manifests, rule_settings

    cluster = cluster if cluster is not None else Cluster()
    recorded = _recorded_csi_drivers(paths) - set(cluster.csi_drivers)
    if recorded:
        declared = cluster.model_dump(exclude_unset=True)
        declared["csi_drivers"] = sorted({*cluster.csi_drivers, *recorded})
        cluster = Cluster.model_validate(declared)
    manifests, problems, unreadable = load_manifests(paths, version, pinned=pinned)
    settings = rule_settings(cluster, version, complete=True)
    findings = check_manifests(manifests, settings, problems).findings
    return explain(manifests, target, cluster=cluster, findings=findings), unreadable


def _graph_command(
    paths: Sequence[Path], version: K8sVersion, output: Path, *, network: bool
) -> int:
    """``k8sdsl graph``: write the picture; 2 when input is unreadable or the format unknown."""
    from k8sdsl._graph import GraphError, build_graph, render

    manifests, _, unreadable = load_manifests(paths, version)
    for line in unreadable:
        print(f"error[yaml/unreadable] {line}", file=sys.stderr)
    if unreadable:
        return 2
    graph = build_graph(manifests, network=network)
    try:
        text = render(graph, ".dot" if output == STDIN else output.suffix)
    except GraphError as exc:
        print(f"k8sdsl: error: {exc}", file=sys.stderr)
        return 2
    if output == STDIN:
        sys.stdout.write(text)
    else:
        output.write_text(text, encoding="utf-8")
    return 0


def _git_objects(ref: str, path: Path, version: K8sVersion) -> list[Any]:
    """The objects of the YAML files under ``path`` as git holds them at ``ref``."""
    import subprocess

    def git(*cmd: str) -> str:
        done = subprocess.run(
            ["git", *cmd], capture_output=True, text=True, check=False, cwd=Path.cwd()
        )
        if done.returncode != 0:
            raise YamlReadError(f"git {' '.join(cmd)}", done.stderr.strip() or "git failed")
        return done.stdout

    git("rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}")
    names = git("ls-tree", "-r", "--full-name", "--name-only", ref, "--", str(path)).splitlines()
    manifests: list[Manifest] = []
    findings: list[Finding] = []
    for name in sorted(names):
        if Path(name).suffix not in (".yaml", ".yml", ".json"):
            continue
        text = git("show", f"{ref}:{name}")
        for doc in read_yaml_text(text, f"{ref}:{name}"):
            _document_manifests(doc, version, manifests, findings)
    root = git("ls-tree", "--full-name", "--name-only", ref, "--", str(path)).strip()
    return [(m.obj, _relative(m.source.split(":", 1)[1], root)) for m in manifests]


def _relative(file: str, root: str) -> str:
    """``file`` (a manifest's source without its line) relative to the folder compared."""
    name = file.rsplit(":", 1)[0]
    if root and name.startswith(f"{root}/"):
        return name[len(root) + 1 :]
    return Path(name).name if name == root else name


def _folder_objects(path: Path, version: K8sVersion) -> tuple[list[Any], list[str]]:
    manifests, _, unreadable = load_manifests([path], version)
    root = str(path) if path.is_dir() else ""
    return [(m.obj, _relative(m.source, root)) for m in manifests], unreadable


def _diff_command(paths: Sequence[Path], version: K8sVersion, ref: str | None, fmt: str) -> int:
    """``k8sdsl diff``: 0 no change, 1 changes, 2 bad usage or unreadable input."""
    from k8sdsl._diff import diff_objects

    if ref is None and len(paths) != 2:
        print("k8sdsl: error: diff needs OLD and NEW (or --git REF [PATH])", file=sys.stderr)
        return 2
    if ref is not None and len(paths) > 1:
        print("k8sdsl: error: diff --git REF takes one PATH (default dist)", file=sys.stderr)
        return 2
    unreadable: list[str] = []
    sides: list[list[Any]] = []
    if ref is not None:
        path = paths[0] if paths else Path("dist")
        try:
            sides.append(_git_objects(ref, path, version))
        except YamlReadError as exc:
            unreadable.append(str(exc))
        current = path
    else:
        objects, bad = _folder_objects(paths[0], version)
        unreadable += bad
        sides.append(objects)
        current = paths[1]
    objects, bad = _folder_objects(current, version)
    unreadable += bad
    sides.append(objects)
    for line in unreadable:
        print(f"error[yaml/unreadable] {line}", file=sys.stderr)
    if unreadable:
        return 2
    result = diff_objects(sides[0], sides[1])
    if fmt == "json":
        print(result.to_json())
    elif fmt == "markdown":
        print(result.to_markdown())
    else:
        print(result.format())
    return 1 if result.changed else 0


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


def console_main() -> NoReturn:
    """The installed ``k8sdsl`` command and ``python -m k8sdsl``: :func:`main`, then out
    without tearing the heap down. A check of a fleet holds millions of small objects, and
    freeing them one by one at interpreter exit adds a few tenths of a second to every CI
    run. So the exit handlers run (temporary folders, a jsii runtime), the streams are
    flushed, and the process ends; with a thread still running it exits the usual way."""
    import atexit
    import threading

    code = main()
    if threading.active_count() > 1:
        sys.exit(code)
    atexit._run_exitfuncs()
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (BrokenPipeError, ValueError):
            code = code or 1  # the reader went away, or the stream was closed
    os._exit(code)


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
        "--crd",
        type=Path,
        action="append",
        default=[],
        metavar="FILE",
        help="a CustomResourceDefinition file (repeatable): its custom resources are "
        "validated against its openAPIV3Schema; see docs/crds.md",
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
        "who may do what; pod: where the cluster would stop a workload's pods)",
        description="Exit 0 after printing, 2 for bad usage or unreadable input (pod: 1 when "
        "a stage fails; rbac --as: 1 when the subject may not).",
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
    p_pod = explain_sub.add_parser(
        "pod",
        help="the life of a workload's pods, stage by stage, and what would stop them",
        description="Follow the pods of a Pod or workload through admission, scheduling, "
        "container creation, start, readiness and traffic, by the findings of every rule over "
        "PATH... (the whole app: declare what lives outside it with --cluster). Each problem "
        "names the status the cluster would show and the kubectl command that confirms it. "
        "Exit 0 when the pods would run, 1 when a stage fails, 2 for bad usage or input.",
    )
    p_pod.add_argument(
        "target",
        metavar="NAMESPACE/NAME",
        help="the Pod or workload (Deployment, StatefulSet, DaemonSet, ReplicaSet, Job, "
        "CronJob); NAMESPACE/KIND/NAME when two kinds share the name",
    )
    p_pod.add_argument("paths", nargs="+", type=Path, metavar="PATH")
    p_pod.add_argument("--format", choices=("text", "json"), default="text")
    p_pod.add_argument(
        "--cluster",
        type=Path,
        metavar="FILE",
        help="YAML file declaring what the cluster has (see docs/checking.md)",
    )
    p_pod.add_argument(
        "--k8s-version",
        default=None,
        help=f"target version (default: the version recorded in each file, else {DEFAULT_VERSION})",
    )
    p_pod.set_defaults(allowed_registries=None, cluster_domain=None)
    p_init = sub.add_parser(
        "init",
        help="a new GitOps repository: an app in two environments, make synth and make test",
        description="Write a new repository into DIR: main.py with one app in two "
        "environments (dev, prod) in the kustomize layout and an Argo CD Application for "
        "each, pyproject.toml pinning this k8sdsl, cdk8s.yaml, package.json with its lock for "
        "the cdk8s CLI, a Makefile (make synth, make test), a test, a GitHub Actions workflow "
        "and a pre-commit config; then synthesize its dist/ once. Exit 0 when written, 2 when "
        "DIR is not empty (without --force) or the name is not a DNS label.",
    )
    p_init.add_argument("dir", type=Path, metavar="DIR")
    p_init.add_argument(
        "--name", help="the app's name, a DNS label (default: the name of DIR)", default=None
    )
    p_init.add_argument(
        "--force", action="store_true", help="write into DIR even when it is not empty"
    )
    p_init.set_defaults(k8s_version=DEFAULT_VERSION)

    # explain tls: the names each certificate must carry (k8sdsl/_explain_tls.py)
    def parse_node(text: str) -> Any:  # imported when the flag is given
        from k8sdsl._explain_tls import parse_node as parse

        return parse(text)

    p_tls = explain_sub.add_parser(
        "tls",
        help="the names and IPs each cluster certificate must carry, and which certificate "
        "serves each Ingress host and Service",
        description="Compute the cluster's certificates (CA, API server, kubelets, "
        "front-proxy, etcd) from the declared cluster and print each one's subject, usages, "
        "DNS names and IPs; with PATH..., which Secret and certificate serve each Ingress TLS "
        "host and each Service. Exit 0 when every name is served, 1 when a host is not "
        "covered or a SAN list has a problem, 2 for bad usage or input.",
    )
    p_tls.add_argument("paths", nargs="*", type=Path, metavar="PATH")
    p_tls.add_argument("--format", choices=("text", "json"), default="text")
    p_tls.add_argument(
        "--cluster",
        type=Path,
        metavar="FILE",
        help="YAML file declaring the cluster (clusterDomain, network.serviceCidrs, "
        "apiServerAddresses; see docs/checking.md)",
    )
    p_tls.add_argument(
        "--cluster-domain", metavar="DOMAIN", help="the cluster domain (overrides --cluster's)"
    )
    for flag, what in (("--control-plane", "a control-plane"), ("--worker", "a worker")):
        p_tls.add_argument(
            flag,
            action="append",
            type=parse_node,
            default=[],
            metavar="NAME=ADDR,...",
            help=f"{what} node and the addresses it is reached at (repeat for each)",
        )
    p_tls.add_argument("--k8s-version", default=None, help="target version of the files")
    p_tls.set_defaults(allowed_registries=None)
    p_graph = sub.add_parser(
        "graph",
        help="draw the objects and their references (and with --network who may reach whom)",
        description="Write a picture of the objects in PATH... and their references: SVG "
        "(needs Graphviz's dot), DOT or Mermaid, by the output file's suffix. Exit 0 when "
        "written, 2 for bad usage or unreadable input.",
    )
    p_graph.add_argument("paths", nargs="+", type=Path, metavar="PATH")
    p_graph.add_argument(
        "--output",
        "-o",
        type=Path,
        required=True,
        metavar="FILE",
        help="FILE.svg, FILE.dot or FILE.mmd (Mermaid); - writes DOT to standard output",
    )
    p_graph.add_argument(
        "--network",
        action="store_true",
        help="add the traffic the NetworkPolicies allow between workloads",
    )
    p_graph.set_defaults(k8s_version=DEFAULT_VERSION)
    p_diff = sub.add_parser(
        "diff",
        help="objects added, removed and changed between two dist folders (or a git ref and "
        "the working tree), riskiest first",
        description="Compare the objects of OLD and NEW (files or folders) field by field, "
        "or with --git REF the objects of PATH (default dist) at REF with the working tree. "
        "Changes that restart pods, widen access or lose data come first. Exit 0 when "
        "nothing changed, 1 when something did, 2 for bad usage or unreadable input.",
    )
    p_diff.add_argument("paths", nargs="*", type=Path, metavar="PATH", help="OLD NEW, or PATH")
    p_diff.add_argument("--git", metavar="REF", help="compare PATH at this git ref (HEAD, main)")
    p_diff.add_argument("--format", choices=("text", "markdown", "json"), default="text")
    p_diff.set_defaults(k8s_version=DEFAULT_VERSION)
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
            for crd in args.crd:
                register_crd(crd)
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
    if args.command == "explain" and args.topic == "pod":
        try:
            cluster = _declared_cluster(args)
            life, unreadable = explain_pod(
                args.paths, version, args.target, cluster=cluster, pinned=pinned
            )
        except K8sDslError as exc:
            print(exc.report.format(), file=sys.stderr)
            return 2
        for line in unreadable:
            print(f"error[yaml/unreadable] {line}", file=sys.stderr)
        if unreadable:
            return 2
        print(life.to_json() if args.format == "json" else life.format())
        return 0 if life.runs else 1
    if args.command == "init":
        from k8sdsl._init import InitError, init_repo

        try:
            made = init_repo(args.dir, name=args.name, force=args.force)
        except InitError as exc:
            print(f"k8sdsl: error: {exc}", file=sys.stderr)
            return 2
        print(f"wrote {len(made.files)} files into {made.root}:")
        for rel in made.files:
            print(f"  {rel}")
        print(f"next: cd {made.root} && make synth && make test")
        return 0
    if args.command == "explain" and args.topic == "tls":
        from k8sdsl._explain_tls import explain_tls

        try:
            cluster = _declared_cluster(args)
        except K8sDslError as exc:
            print(exc.report.format(), file=sys.stderr)
            return 2
        manifests, _, unreadable = load_manifests(args.paths, version, pinned=pinned)
        for line in unreadable:
            print(f"error[yaml/unreadable] {line}", file=sys.stderr)
        if unreadable:
            return 2
        tls = explain_tls(
            cluster,
            manifests if args.paths else None,
            control_plane=args.control_plane,
            workers=args.worker,
        )
        print(tls.to_json() if args.format == "json" else tls.format())
        return 0 if tls.clean else 1
    if args.command == "graph":
        return _graph_command(args.paths, version, args.output, network=args.network)
    if args.command == "diff":
        return _diff_command(args.paths, version, args.git, args.format)
    return 2  # pragma: no cover - argparse requires a command


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
