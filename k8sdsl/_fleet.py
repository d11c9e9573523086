"""``k8sdsl check`` at fleet size: the work of each file apart from the work across files.

Each file's work (reading it, the strict schema of its objects, the rules that judge one
object at a time: ``scope="object"``) depends on that file alone, so it can run in a pool of
worker processes (``--jobs``), on another machine (``--shard I/N``), or not at all when a
cache holds its result (``--cache DIR``). The rules that look across objects (``scope="set"``)
and the duplicate-object check run once, over every object, in the parent (or in the final
``--cross-only`` job of a sharded CI run). Every path merges the files' results in file
order, so serial, parallel and cached runs print byte-identical reports.
"""

from __future__ import annotations

import gc
import hashlib
import json
import os
import pickle
import re
import sys
import tempfile
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from k8sdsl._crd_schema import registered_crds
from k8sdsl._pipeline import (
    duplicate_findings,
    read_through_typos,
    rule_settings,
    schema_check,
)
from k8sdsl._yamlread import (
    JSON_LINES_SUFFIX,
    SKIPPED_FOLDERS,
    YamlDocument,
    YamlReadError,
    read_json_lines_file,
    read_yaml_file,
    read_yaml_text,
    yaml_files,
)
from k8sdsl.core._cluster import Cluster
from k8sdsl.core._findings import Finding, ObjectRef, Report, Severity
from k8sdsl.core._manifest import Manifest
from k8sdsl.core._shard import shard_index
from k8sdsl.core._versions import SUPPORTED_VERSIONS, K8sVersion
from k8sdsl.rules._registry import RuleContext, run_rules
from k8sdsl.rules.cni import CNI_FILE_SUFFIXES, check_cni_file, looks_like_cni

STDIN = Path("-")

#: below this many bytes of input, ``--jobs auto`` stays serial: starting workers and
#: sending the objects back costs more than it saves (about 1,500 objects)
PARALLEL_FROM_BYTES = 1_000_000
#: batches per worker: small enough to even out the load, large enough that a batch's
#: objects of one kind are many (compiling a kind's schema pays off from COMPILE_AT)
_BATCHES_PER_JOB = 8


# --- reading files --------------------------------------------------------------------


def load_manifests(
    paths: Sequence[Path], version: K8sVersion, *, strict: bool = False, pinned: bool = True
) -> tuple[list[Manifest], list[Finding], list[str]]:
    """Objects of every file; findings for documents that are not objects; unreadable files.

    Unless the version is ``pinned`` (given on the command line), a file whose first line is
    synth's version header (``# k8sdsl: k8s-version=1.30``) is judged for that version.
    ``-`` reads standard input. A document that is not a Kubernetes object at all (a
    ``values.yaml``, a CI workflow) is skipped with a note, or is an error with ``strict``."""
    manifests: list[Manifest] = []
    findings: list[Finding] = []
    unreadable = empty_folders(paths)
    for file in manifest_files(paths):
        got, problems, bad = read_file(file, version, strict=strict, pinned=pinned)
        manifests += got
        findings += problems
        unreadable += bad
    return manifests, findings, unreadable


def empty_folders(paths: Sequence[Path], found: Sequence[Path] = ()) -> list[str]:
    """A message for each folder named that holds nothing ``check`` reads. ``found``: files
    already listed from ``paths``; a folder holding one of them is not scanned again."""
    return [
        f"{path}: no .yaml, .yml, .json, .conflist or .conf files in this folder"
        for path in paths
        if path.is_dir()
        and not any(f.is_relative_to(path) for f in found)
        # a file reached first through another path is listed once: look again
        and next(yaml_files([path]), None) is None
        and next(cni_files([path]), None) is None
    ]


def manifest_files(paths: Sequence[Path]) -> Iterator[Path]:
    """The files of manifests in ``paths``, in order (CNI configurations are read apart)."""
    for file in yaml_files(list(paths)):
        if file.suffix not in CNI_FILE_SUFFIXES:
            yield file


def read_file(
    file: Path, version: K8sVersion, *, strict: bool = False, pinned: bool = True
) -> tuple[list[Manifest], list[Finding], list[str]]:
    """The objects of one file (``-``: standard input), the findings of documents that are
    not objects, and the file's message when it cannot be read."""
    manifests: list[Manifest] = []
    findings: list[Finding] = []
    if file == STDIN:
        try:
            docs = list(read_yaml_text(sys.stdin.read(), "-"))
        except YamlReadError as exc:
            return [], [], [str(exc)]
        for doc in docs:
            _document_manifests(doc, version, manifests, findings, strict=strict)
        return manifests, findings, []
    if not file.exists():
        return [], [], [f"{file}: no such file or folder"]
    if not file.is_file():  # a FIFO or device (/dev/zero) would never end
        return [], [], [f"{file}: not a regular file"]
    try:
        if file.suffix == JSON_LINES_SUFFIX:
            docs = list(read_json_lines_file(file))
        else:
            docs = list(read_yaml_file(file))
    except YamlReadError as exc:
        return [], [], [str(exc)]
    file_version = version if pinned else _recorded_version(file) or version
    if not docs:
        findings.append(
            Finding(
                Severity.WARNING,
                "yaml/no-objects",
                "the file holds no Kubernetes objects (it is empty or only comments)",
                ObjectRef(source=str(file)),
                "",
                "remove the file, or check that it is the one you meant",
            )
        )
    for doc in docs:
        _document_manifests(doc, file_version, manifests, findings, strict=strict)
    return manifests, findings, []


def cni_files(paths: Sequence[Path]) -> Iterator[Path]:
    """CNI configuration files: ``.conflist``/``.conf`` files named, and under folders named
    every ``.conflist`` and each ``.conf`` that is a JSON object with ``cniVersion`` (a
    repository's other ``.conf`` files, nginx's or supervisord's, are not CNI's)."""
    seen: set[Path] = set()
    for p in paths:
        if p.is_dir():
            found = sorted(
                f
                for f in p.rglob("*")
                if f.suffix in CNI_FILE_SUFFIXES
                and f.is_file()
                and not any(
                    part.startswith(".") or part in SKIPPED_FOLDERS
                    for part in f.relative_to(p).parts[:-1]
                )
                and (f.suffix == ".conflist" or looks_like_cni(f))
            )
        elif p.suffix in CNI_FILE_SUFFIXES:
            found = [p]
        else:
            found = []
        for f in found:
            key = f.resolve() if f.exists() else f
            if key not in seen:
                seen.add(key)
                yield f


def cni_file_findings(paths: Sequence[Path], cluster: Cluster) -> tuple[list[Finding], list[str]]:
    """The findings of every CNI configuration file in ``paths``; unreadable files."""
    findings: list[Finding] = []
    unreadable: list[str] = []
    for file in cni_files(paths):
        got, bad = _cni_file(file, cluster)
        findings += got
        unreadable += bad
    return findings, unreadable


def _cni_file(file: Path, cluster: Cluster) -> tuple[list[Finding], list[str]]:
    if not file.exists():
        return [], [f"{file}: no such file or folder"]
    if not file.is_file():
        return [], [f"{file}: not a regular file"]
    try:
        return check_cni_file(file, cluster), []
    except YamlReadError as exc:
        return [], [str(exc)]


def _recorded_version(file: Path) -> K8sVersion | None:
    """The target version synth recorded on the first line of the file, if any."""
    match = _recorded_header(file)
    if match is None or match.group(1) not in SUPPORTED_VERSIONS:
        return None
    return K8sVersion(match.group(1))


def recorded_csi_drivers(
    paths: Sequence[Path], *, listed: Sequence[Path] | None = None
) -> set[str]:
    """The CSI drivers synth recorded in the headers of the files: the app's declared
    cluster had them, so its in-tree volumes are judged as served by CSI migration.
    ``listed``: the files of ``paths`` (:func:`yaml_files`), when already listed."""
    drivers: set[str] = set()
    for file in yaml_files(list(paths)) if listed is None else listed:
        if file == STDIN or file.suffix in CNI_FILE_SUFFIXES or not file.is_file():
            continue  # a FIFO or device would block or never end
        match = _recorded_header(file)
        if match is not None and match.group(2):
            drivers.update(match.group(2).split(","))
    return drivers


def _recorded_header(file: Path) -> re.Match[str] | None:
    from k8sdsl.synth import VERSION_HEADER

    try:
        with open(file, encoding="utf-8") as fh:
            return VERSION_HEADER.match(fh.readline(300))
    except (OSError, UnicodeDecodeError):
        return None


_LIST_ITEM = re.compile(r"^items\[(\d+)\]")


def _document_manifests(
    doc: YamlDocument,
    version: K8sVersion,
    manifests: list[Manifest],
    findings: list[Finding],
    *,
    strict: bool = False,
) -> None:
    """The objects of one document: the document itself, or the items of a List (kubectl
    applies the items of ``kind: List`` and of any ``<Kind>List`` one by one)."""
    data = doc.data
    # (object, JSON path prefix of the object inside the document, its first line)
    items: list[tuple[Any, str, int]] = [(data, "", doc.line)]
    if isinstance(data, dict) and isinstance(data.get("kind"), str):
        kind, raw = data["kind"], data.get("items")
        if kind.endswith("List") and isinstance(raw, list):
            items = [
                (item, f"items[{i}].", doc.lines.get(f"items[{i}]", doc.line))
                for i, item in enumerate(raw)
            ]
        elif kind == "List":
            findings.append(
                Finding(
                    Severity.ERROR,
                    "yaml/invalid-list",
                    f"the items of a List must be a list of objects, not {type(raw).__name__}",
                    ObjectRef(kind="List", source=f"{doc.file}:{doc.lines.get('items', doc.line)}"),
                    "items",
                    "write items: [{apiVersion: ..., kind: ..., metadata: ...}, ...]",
                )
            )
            return
    by_item: dict[str, Manifest] = {}
    for item, prefix, line in items:
        source = f"{doc.file}:{line}"
        if not isinstance(item, dict) or "kind" not in item or "apiVersion" not in item:
            half = isinstance(item, dict) and ("kind" in item or "apiVersion" in item)
            if not (strict or half or prefix):
                # not Kubernetes at all: a folder scan of a repository meets these
                findings.append(
                    Finding(
                        Severity.INFO,
                        "yaml/not-kubernetes",
                        "skipped: this document is not a Kubernetes object (no apiVersion "
                        "and kind)",
                        ObjectRef(source=source),
                        "",
                        "pass --strict to make such documents errors",
                    )
                )
                continue
            findings.append(
                Finding(
                    Severity.ERROR,
                    "yaml/not-an-object",
                    "this document is not a Kubernetes object (no apiVersion/kind)",
                    ObjectRef(source=source),
                    prefix.rstrip("."),
                    "every document needs apiVersion, kind and metadata.name",
                )
            )
            continue
        manifest = Manifest(item, source, version, lines=doc.lines, line_prefix=prefix)
        by_item[prefix] = manifest
        manifests.append(manifest)
    for dup in doc.duplicates:
        match = _LIST_ITEM.match(dup.path)
        prefix = f"{match.group(0)}." if match and "" not in by_item else ""
        owner = by_item.get(prefix)
        path = dup.path[len(prefix) :]
        obj = owner.ref() if owner is not None else ObjectRef()
        key = path.rsplit(".", 1)[-1]
        findings.append(
            Finding(
                Severity.ERROR,
                "yaml/duplicate-key",
                f"{key!r} is given twice in one mapping (lines {dup.first_line} and {dup.line}): "
                "YAML readers silently keep the last one, and kubectl refuses the file",
                ObjectRef(
                    obj.api_version, obj.kind, obj.name, obj.namespace, f"{doc.file}:{dup.line}"
                ),
                path,
                f"keep one {key!r} (merge the two if both hold something you need)",
            )
        )


# --- one file's work --------------------------------------------------------------------


@dataclass
class FileResult:
    """What one file gives, apart from the rules across files: its objects (as read, with
    the schema's typo corrections in their cache), which of them passed the strict schema,
    its findings (reading, schema, the per-object rules) and its unreadable message."""

    manifests: list[Manifest] = field(default_factory=list)
    valid: list[int] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    unreadable: list[str] = field(default_factory=list)
    #: whether this came from the cache (not stored in it)
    cached: bool = False


@dataclass(frozen=True)
class _Unit:
    """One file to check: manifests, or (``cni``) a CNI configuration file."""

    path: Path
    cni: bool = False


@dataclass(frozen=True)
class _Options:
    version: K8sVersion
    strict: bool
    pinned: bool
    settings: dict[str, Any]
    cluster: Cluster
    #: whether to run the per-object rules (not in a ``--cross-only`` run)
    object_rules: bool = True


def _check_batch(units: Sequence[_Unit], options: _Options) -> list[FileResult]:
    """The files' work, in order. The batch's objects are counted together, so the strict
    schema compiles a kind's validator when the batch has many of it (as a whole run
    would)."""
    results: list[FileResult] = []
    for unit in units:
        if unit.cni:
            if options.object_rules:
                got, bad = _cni_file(unit.path, options.cluster)
                results.append(FileResult(findings=got, unreadable=bad))
            else:
                results.append(FileResult())
            continue
        manifests, problems, bad = read_file(
            unit.path, options.version, strict=options.strict, pinned=options.pinned
        )
        results.append(FileResult(manifests, [], problems, bad))
    counts = Counter(
        (str(m.k8s_version), m.api_version, m.kind) for r in results for m in r.manifests
    )
    for result in results:
        if not result.manifests:
            continue
        schema, valid = schema_check(result.manifests, counts=counts)
        chosen = {id(m) for m in valid}
        result.valid = [i for i, m in enumerate(result.manifests) if id(m) in chosen]
        result.findings += schema
        if options.object_rules:
            result.findings += run_rules(
                read_through_typos(result.manifests),
                options.settings,
                well_formed=valid,
                scope="object",
            )
    for result in results:
        for m in result.manifests:
            # derived facts the rules cached are rebuilt where they are needed; only the
            # schema's corrections travel (to the parent, into the cache)
            m.cache = {k: v for k, v in m.cache.items() if k == _CORRECTIONS}
    return results


_CORRECTIONS = "k8sdsl.schema.corrections"


# --- the run -----------------------------------------------------------------------------


@dataclass
class CheckStats:
    """How a run went: files read and judged, files whose result came from the cache."""

    files: int = 0
    checked: int = 0
    cached: int = 0
    objects: int = 0
    jobs: int = 1
    shard: tuple[int, int] | None = None
    cross_only: bool = False

    def format(self) -> str:
        parts = [
            f"{self.files} file(s)",
            f"{self.checked} checked",
            f"{self.cached} from the cache",
            f"{self.objects} object(s)",
            f"jobs {self.jobs}",
        ]
        if self.shard is not None:
            parts.append(f"shard {self.shard[0]}/{self.shard[1]}")
        if self.cross_only:
            parts.append("cross-object rules only")
        return "k8sdsl: " + ", ".join(parts)


def shard_of(path: Path, count: int) -> int:
    """The shard (1..count) of a file: a stable hash of its path as given, so a file keeps
    its shard (and its cache entry's job) when others are added or removed."""
    return shard_index(path.as_posix(), count)


def resolve_jobs(jobs: int | None, units: Sequence[_Unit]) -> int:
    """``--jobs``: the number given, or (``None``: auto) serial for small inputs and one
    worker per core for large ones."""
    if jobs is not None:
        return max(1, jobs)
    # the cores this process may run on (a CI container's share), not the machine's
    cores = (
        len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
    )
    if cores == 1:
        return 1
    size = 0
    for unit in units:
        try:
            size += unit.path.stat().st_size if unit.path != STDIN else 0
        except OSError:
            continue
        if size >= PARALLEL_FROM_BYTES:
            return cores
    return 1


def check_files(
    paths: Sequence[Path],
    version: K8sVersion,
    *,
    cluster: Cluster | None = None,
    strict: bool = False,
    pinned: bool = True,
    complete: bool = False,
    profile: str | None = None,
    jobs: int | None = 1,
    shard: tuple[int, int] | None = None,
    cross_only: bool = False,
    cache_dir: Path | None = None,
) -> tuple[Report, list[str], CheckStats]:
    """Every finding for the files in ``paths`` (``k8sdsl check``), the unreadable inputs,
    and how the run went.

    ``jobs``: worker processes for the files' work (``None``: auto). ``shard=(i, n)``: only
    the files of shard ``i`` of ``n``, and only their own findings: the rules across objects
    are left to a ``cross_only`` run over every file, which reports nothing else.
    ``cache_dir``: reuse each unchanged file's result (see :func:`cache_key`)."""
    if shard is not None and cross_only:
        raise ValueError("--shard and --cross-only are separate jobs; give one of them")
    cluster = cluster if cluster is not None else Cluster()
    listed = list(yaml_files(list(paths)))  # one walk of the folders serves every use
    recorded = recorded_csi_drivers(paths, listed=listed) - set(cluster.csi_drivers)
    if recorded:
        declared = cluster.model_dump(exclude_unset=True)
        declared["csi_drivers"] = sorted({*cluster.csi_drivers, *recorded})
        cluster = Cluster.model_validate(declared)
    settings = rule_settings(cluster, version, complete=complete, profile=profile)
    options = _Options(version, strict, pinned, settings, cluster, object_rules=not cross_only)
    cni = list(cni_files(paths))
    units = [_Unit(f) for f in listed if f.suffix not in CNI_FILE_SUFFIXES]
    units += [_Unit(f, cni=True) for f in cni]
    if shard is not None:
        units = [u for u in units if shard_of(u.path, shard[1]) == shard[0]]
    stats = CheckStats(files=len(units), shard=shard, cross_only=cross_only)
    collecting = gc.isenabled()
    # the objects of a fleet are millions of long-lived containers: the cyclic collector
    # would walk them again and again for garbage they do not make (a third of a run)
    gc.disable()
    try:
        stats.jobs = resolve_jobs(jobs, units)
        results = _file_results(units, options, stats.jobs, cache_dir, stats)
        findings: list[Finding] = []
        unreadable = empty_folders(paths, [*listed, *cni]) if shard is None or shard[0] == 1 else []
        manifests: list[Manifest] = []
        well_formed: list[Manifest] = []
        failed: set[str] = set()
        for result in results:
            unreadable += result.unreadable
            manifests += result.manifests
            well_formed += (result.manifests[i] for i in result.valid)
            if cross_only:
                continue
            for f in result.findings:
                if f.code == "internal/rule-failed":
                    # a rule that fails on several files is one bug: report it once
                    if f.message in failed:
                        continue
                    failed.add(f.message)
                findings.append(f)
        stats.objects = len(manifests)
        if shard is None:
            findings += _set_rule_findings(
                read_through_typos(manifests), settings, well_formed, stats.jobs
            )
            findings += duplicate_findings(manifests)
        return Report.of(findings), unreadable, stats
    finally:
        if collecting:
            gc.enable()


def _file_results(
    units: Sequence[_Unit],
    options: _Options,
    jobs: int,
    cache_dir: Path | None,
    stats: CheckStats,
) -> list[FileResult]:
    """Each file's result, in order: from the cache where it holds one, else computed (in
    worker processes when ``jobs`` says so), and stored in the cache."""
    results: list[FileResult | None] = [None] * len(units)
    keys: list[str | None] = [None] * len(units)
    if cache_dir is not None:
        for i, unit in enumerate(units):
            keys[i] = cache_key(unit, options)
            results[i] = _cache_read(cache_dir, keys[i])
    todo = [i for i, r in enumerate(results) if r is None]
    stats.cached = len(units) - len(todo)
    stats.checked = len(todo)
    workers = min(jobs, max(1, len(todo)))
    if any(units[i].path == STDIN for i in todo):
        workers = 1  # standard input is this process's
    computed: list[FileResult] = []
    if workers == 1:
        computed = _check_batch([units[i] for i in todo], options)
    else:
        computed = _in_workers([units[i] for i in todo], options, workers)
    for i, result in zip(todo, computed, strict=True):
        results[i] = result
        key = keys[i]
        if cache_dir is not None and key is not None:
            _cache_write(cache_dir, key, result)
    return [r if r is not None else FileResult() for r in results]


def _in_workers(units: Sequence[_Unit], options: _Options, workers: int) -> list[FileResult]:
    size = max(1, -(-len(units) // (workers * _BATCHES_PER_JOB)))
    batches = [list(units[i : i + size]) for i in range(0, len(units), size)]
    if _can_fork():
        return [r for batch in _spread(batches, options, workers) for r in batch]
    # a process with other threads (a test runner's) forks unsafely: fresh workers
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
        return [
            r for batch in pool.map(_check_batch, batches, [options] * len(batches)) for r in batch
        ]


#: what forked workers read: set before they are forked, so each starts with it (the
#: objects copied on write, never pickled)
_SPREAD: tuple[Sequence[Any], Any, Any, Any] | None = None


def _spread(tasks: Sequence[Any], options: Any, workers: int) -> list[Any]:
    """``_run_task(task, options)`` for every task, in task order, by this process and
    ``workers - 1`` forked ones. Each takes the next task not yet taken (the tasks differ
    in size), and this process's own results are never pickled."""
    global _SPREAD
    import multiprocessing

    context = multiprocessing.get_context("fork")
    taken = context.Value("i", 0)
    queue: Any = context.Queue()
    _SPREAD = (tasks, options, taken, queue)
    try:
        procs = [context.Process(target=_spread_worker, daemon=True) for _ in range(workers - 1)]
        for proc in procs:
            proc.start()
    finally:
        _SPREAD = None
    import queue as queues

    results: dict[int, Any] = {}

    def receive(i: int, ok: bool, value: Any) -> None:
        if not ok:
            raise RuntimeError(f"a worker process of k8sdsl check failed: {value}")
        results[i] = value

    for i in _take(taken, len(tasks)):
        results[i] = _run_task(tasks[i], options)
        # take in what the workers have sent so far: their results are read while they
        # still work (a worker whose pipe is full waits for the reader), not all at the end
        while True:
            try:
                receive(*queue.get_nowait())
            except queues.Empty:
                break
    idle = 0
    while len(results) < len(tasks):
        try:
            receive(*queue.get(timeout=1))
        except queues.Empty:
            idle += 1
            if idle > 2 and not any(p.is_alive() for p in procs):
                raise RuntimeError("a worker process of k8sdsl check died") from None
    for proc in procs:
        proc.join()
    return [results[i] for i in range(len(tasks))]


def _take(taken: Any, count: int) -> Iterator[int]:
    while True:
        with taken.get_lock():
            i = taken.value
            taken.value += 1
        if i >= count:
            return
        yield i


def _spread_worker() -> None:
    assert _SPREAD is not None, "forked without the tasks"
    tasks, options, taken, queue = _SPREAD
    for i in _take(taken, len(tasks)):
        try:
            queue.put((i, True, _run_task(tasks[i], options)))
        except BaseException as exc:  # noqa: BLE001 - the parent raises it
            queue.put((i, False, f"{type(exc).__name__}: {exc}"))
            return


def _run_task(task: Any, options: Any) -> Any:
    if isinstance(options, _Options):
        return _check_batch(task, options)
    context, well_formed = options
    return run_rules(
        context.manifests,
        context.settings,
        task,
        well_formed=well_formed,
        scope="set",
        context=context,
    )


def _set_rule_findings(
    manifests: Sequence[Manifest],
    settings: dict[str, Any],
    well_formed: Sequence[Manifest],
    workers: int,
) -> list[Finding]:
    """The findings of the rules across objects, in rule order (as one ``run_rules``
    gives them). With several ``workers`` (and a process that can fork), the topics' rules
    run in this process and forked ones that inherit every object; each topic's rules stay
    together, so the models they share (the reachability model, the pod-security
    evaluation) are built once."""
    if workers == 1 or not _can_fork():
        return run_rules(manifests, settings, well_formed=well_formed, scope="set")
    from k8sdsl.rules._registry import registered_rules

    topics: dict[str, list[str]] = {}
    for info in registered_rules():  # sorted by id: a topic's rules are contiguous
        if info.scope == "set":
            topics.setdefault(info.topic, []).append(info.id)
    # the topics that build a model over every object go first, so the processes finish
    # together on the small ones (the longest first is within 4/3 of the best split)
    order = sorted(topics, key=lambda t: (t not in _HEAVY_TOPICS, _HEAVY_TOPICS.get(t, 0), t))
    # one context for every topic: its index of the objects by kind and its list of pod
    # specs are built here once, and each forked process inherits them
    context = RuleContext(manifests, settings)
    context.of_kind("Pod")  # each call builds its memo before it returns
    context.pod_specs()
    parts = _spread([topics[t] for t in order], (context, well_formed), workers)
    by_topic = dict(zip(order, parts, strict=True))
    return [f for t in topics for f in by_topic[t]]


#: the set-rule topics that cost most over a fleet, most first: the pod-security evaluation
#: of every pod, the reachability model, the PV binder, the reference index, workloads
_HEAVY_TOPICS = {"pod-security": 0, "network": 1, "storage": 2, "references": 3, "workloads": 4}


def _can_fork() -> bool:
    """Fork starts workers with what this process has loaded (rules, schemas, objects);
    only safe in a process without other threads."""
    return sys.platform != "win32" and _single_threaded()


def _single_threaded() -> bool:
    import threading

    return threading.active_count() == 1


# --- the cache ----------------------------------------------------------------------------

#: bump when the cached FileResult's shape changes
_CACHE_FORMAT = "1"


def ruleset_version() -> str:
    """A digest of the k8sdsl code that judges objects (every module of the package, the
    pinned schemas and the schema package's version): any change to a rule, a schema or
    the reader gives another digest, so no result of older code is reused."""
    return _ruleset_digest(str(Path(__file__).resolve().parent))


_DIGESTS: dict[str, str] = {}


def _ruleset_digest(root: str) -> str:
    if root in _DIGESTS:
        return _DIGESTS[root]
    import kubernetes_validate

    h = hashlib.sha256(f"{_CACHE_FORMAT}|{kubernetes_validate.__version__}".encode())
    base = Path(root)
    for f in sorted(base.rglob("*")):
        if f.suffix in (".py", ".json") and f.is_file() and "__pycache__" not in f.parts:
            h.update(f.relative_to(base).as_posix().encode())
            h.update(hashlib.sha256(f.read_bytes()).digest())
    _DIGESTS[root] = h.hexdigest()
    return _DIGESTS[root]


def _registered_crds_digest() -> str:
    """What the registered CRDs validate with: a changed ``--crd`` file is a new key."""
    h = hashlib.sha256()
    for crd in registered_crds():
        h.update(f"{crd.api_version}\0{crd.kind}\0{crd.namespaced}\0".encode())
        h.update(json.dumps(crd.validator.schema, sort_keys=True, default=str).encode())
    return h.hexdigest()


def cache_key(unit: _Unit, options: _Options) -> str | None:
    """The cache key of one file's result: its path as given and its content, the rule set
    (:func:`ruleset_version`) and everything the result depends on besides (the target
    version, ``--strict``, ``--complete``, ``--profile``, the declared cluster, the CRDs
    registered with ``--crd`` or :func:`~k8sdsl.register_crd`). ``None``
    for standard input or a file that cannot be read (checked every time)."""
    if unit.path == STDIN:
        return None
    try:
        content = unit.path.read_bytes() if unit.path.is_file() else None
    except OSError:
        return None
    if content is None:
        return None
    settings = options.settings
    h = hashlib.sha256()
    for part in (
        ruleset_version(),
        str(options.version),
        options.pinned,
        options.strict,
        options.object_rules,
        unit.cni,
        settings.get("complete"),
        settings.get("profile"),
        options.cluster.model_dump_json(exclude_unset=False),
        _registered_crds_digest(),
        unit.path.as_posix(),
    ):
        h.update(repr(part).encode("utf-8", "surrogateescape"))
        h.update(b"\0")
    h.update(hashlib.sha256(content).digest())
    return h.hexdigest()


def _cache_read(cache_dir: Path, key: str | None) -> FileResult | None:
    if key is None:
        return None
    try:
        with open(cache_dir / key[:2] / f"{key}.pickle", "rb") as fh:
            result = pickle.load(fh)
    except (OSError, EOFError, pickle.UnpicklingError, AttributeError, ImportError, TypeError):
        return None
    if not isinstance(result, FileResult):
        return None
    result.cached = True
    return result


def _cache_write(cache_dir: Path, key: str, result: FileResult) -> None:
    folder = cache_dir / key[:2]
    try:
        folder.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=folder, suffix=".tmp")
        with os.fdopen(fd, "wb") as fh:
            pickle.dump(result, fh, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp, folder / f"{key}.pickle")
    except OSError:
        pass  # a read-only cache only costs the work next run
