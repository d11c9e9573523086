"""App and Chart, and synth: gather every object, run every rule, validate every object
against the official strict schema, then replace the output folder atomically, or write
nothing and raise one :class:`K8sDslError` with every finding."""

from __future__ import annotations

import functools
import json
import os
import pickle
import re
import shutil
import sys
import tempfile
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from k8sdsl._cdk8s_bridge import (
    foreign_objects,
    make_api_object,
    make_cdk8s_app,
    make_cdk8s_chart,
    prepare_cdk8s_app,
    prepare_cdk8s_synth,
    render_api_object,
)
from k8sdsl._crd_schema import custom_kind_namespaced, register_crd
from k8sdsl._layout import kustomization, resource_file_names
from k8sdsl._pipeline import (
    _CORRECTIONS,
    check_manifests,
    cross_checks,
    own_checks,
    rule_settings,
)
from k8sdsl.core._cluster import Cluster
from k8sdsl.core._config_file import ConfigFile, TextFile
from k8sdsl.core._construct import ChartScope, Construct, Resource
from k8sdsl.core._environment import Environment, OutputLayout
from k8sdsl.core._findings import Finding, K8sDslError, ObjectRef, Report, Severity
from k8sdsl.core._kinds import is_namespaced
from k8sdsl.core._manifest import Manifest
from k8sdsl.core._output import PlannedOutput
from k8sdsl.core._shard import SHARD_ENV, parse_shard, shard_index
from k8sdsl.core._types import check_dns_label, check_label_key, check_label_value
from k8sdsl.core._versions import DEFAULT_VERSION, K8sVersion
from k8sdsl.core._yaml import PartSharer, dump_documents, order_object, sort_like_cdk8s

if TYPE_CHECKING:
    import cdk8s


class App(Construct):
    """The root of an app: the target Kubernetes version, the output folder and the charts.

    ``App(k8s_version="1.33")`` drives schema validation, deprecations and removals. The
    output folder is ``outdir``, else the one ``cdk8s synth`` asks for (see
    :func:`resolve_outdir`: ``k8sdsl.output`` of ``cdk8s.yaml`` when the CLI writes to its
    scratch ``output``, else ``$CDK8S_OUTDIR``), else ``dist``.
    """

    def __init__(
        self,
        *,
        k8s_version: str = DEFAULT_VERSION,
        outdir: str | os.PathLike[str] | None = None,
        allowed_registries: Sequence[str] | None = None,
        cluster_domain: str | None = None,
        cluster: Cluster | None = None,
        repo_path: str = "dist",
    ) -> None:
        super().__init__(None, "")
        #: where the output folder sits in the GitOps repository (the paths Argo CD and Flux
        #: objects sync, and the ``gitops/*`` rules check, start with it)
        self.repo_path = repo_path
        self.k8s_version = K8sVersion.supported(k8s_version)
        self.outdir, self.cli_scratch = resolve_outdir(outdir)
        # the CRDs `cdk8s import` reads (cdk8s.yaml `imports:`) validate their custom resources
        register_cdk8s_imports(CDK8S_CONFIG)
        if self.outdir.exists() and not self.outdir.is_dir():
            # synth replaces the output folder as a whole: it must never replace a file
            raise K8sDslError(
                [
                    Finding(
                        Severity.ERROR,
                        "synth/outdir-not-a-folder",
                        f"the output folder {str(self.outdir)!r} is an existing file",
                        ObjectRef(kind="App"),
                        "outdir",
                        "give outdir= a folder (it is created, or replaced with the output)",
                    )
                ],
                summary="invalid App",
            )
        cluster = cluster if cluster is not None else Cluster()
        # the shorthand arguments override the declared cluster's fields
        changes: dict[str, Any] = {}
        if allowed_registries is not None:
            changes["allowed_registries"] = allowed_registries
        if cluster_domain is not None:
            changes["cluster_domain"] = cluster_domain
        if changes:
            cluster = Cluster.model_validate(cluster.model_dump(exclude_unset=True) | changes)
        #: what lives outside the app: StorageClasses, CSI drivers, existing objects...
        self.cluster = cluster
        self.allowed_registries = cluster.allowed_registries
        self.cluster_domain = cluster.cluster_domain
        self._cdk8s_app: cdk8s.App | None = None
        self._cdk8s_outdir: str | None = None

    @property
    def charts(self) -> list[Chart]:
        return [c for c in self.node.children if isinstance(c, Chart)]

    @property
    def config_files(self) -> list[ConfigFile]:
        """Every :class:`ConfigFile` of the app (in the app or in a chart), in creation order."""
        return [c for c in self.node.walk() if isinstance(c, ConfigFile)]

    def _config_manifests(self) -> list[tuple[ConfigFile, Manifest]]:
        """Each configuration file's documents (a policy file: one per line, whose source is
        ``<construct path>:<line>``)."""
        out = []
        for cf in self.config_files:
            chart = cf.find_chart()
            chart_id = chart.node.id if chart is not None else ""
            docs = cf.documents()
            for i, doc in enumerate(docs):
                # line 1 of every file is the version header
                source = f"{cf.node.path}:{i + 2}" if cf.json_lines else cf.node.path
                out.append((cf, Manifest(order_object(doc), source, cf.k8s_version, chart_id, cf)))
        return out

    @property
    def cdk8s_app(self) -> cdk8s.App:
        """The cdk8s ``App`` twin, created on first use (starts the node process)."""
        if self._cdk8s_app is None:
            self._cdk8s_outdir = tempfile.mkdtemp(prefix="k8sdsl-cdk8s-")
            self._cdk8s_app = make_cdk8s_app(self, self._cdk8s_outdir)
        return self._cdk8s_app

    def settings(self) -> dict[str, Any]:
        # the app is the whole input: a reference to nothing in it dangles
        return rule_settings(self.cluster, self.k8s_version, complete=True)

    # -- synth ------------------------------------------------------------------------------

    def manifests(self) -> list[Manifest]:
        """Every object of every chart, in chart order then creation order, then the
        documents of the configuration files (:attr:`config_files`)."""
        per_chart, problems = self._gather()
        if problems:
            raise K8sDslError(problems, summary="cdk8s could not render the app")
        return [m for _, ms in per_chart for m in ms] + [m for _, m in self._config_manifests()]

    def _gather(
        self, charts: Sequence[Chart] | None = None
    ) -> tuple[list[tuple[Chart, list[Manifest]]], list[Finding]]:
        """Each chart's objects (of ``charts``, default every chart), and the findings of
        cdk8s constructs that cdk8s refused."""
        per_chart: list[tuple[Chart, list[Manifest]]] = []
        problems: dict[Finding, None] = {}
        render, found = self._prepare_cdk8s()
        problems.update(dict.fromkeys(found))
        # the objects of a fleet repeat their parts: one copy of each (memory, not output),
        # chart by chart, so only one chart's unshared copies are alive at a time
        sharer = PartSharer()
        for chart in self.charts if charts is None else charts:
            manifests, found = chart._gather(render_foreign=render)
            sharer.share(m.obj for m in manifests)
            per_chart.append((chart, manifests))
            problems.update(dict.fromkeys(found))
        return per_chart, list(problems)

    def _prepare_cdk8s(self) -> tuple[bool, list[Finding]]:
        """cdk8s's app-wide steps, once: whether foreign objects can be rendered, and why not."""
        if self._cdk8s_app is None:
            return True, []
        return prepare_cdk8s_app(self)

    def check(self, manifests: list[Manifest] | None = None) -> Report:
        """Run every rule and the strict schema over every object; write nothing."""
        problems: list[Finding] = []
        plan: _Placement | None = None
        if manifests is None:
            per_chart, problems = self._gather()
            configs = self._config_manifests()
            plan = self._place(per_chart, configs)
            manifests = [m for _, ms in per_chart for m in ms]
            manifests += [m for _, m in configs] + [m for _, m in plan.kustomizations]
        return self._check(manifests, problems, plan)

    def _check(
        self, manifests: list[Manifest], problems: list[Finding], plan: _Placement | None = None
    ) -> Report:
        settings = self.settings()
        if plan is not None:
            settings["output"] = plan.planned(self.repo_path)
        return check_manifests(manifests, settings, problems)

    def _place(
        self,
        per_chart: Sequence[tuple[Chart, list[Manifest]]],
        configs: Sequence[tuple[ConfigFile, Manifest]] = (),
    ) -> _Placement:
        """Which file each object goes to (the charts' layouts), and the kustomizations."""
        plan = _Placement()
        kustomize_folders: dict[str, None] = {}
        by_folder: dict[str, list[str]] = {}
        for chart, ms in per_chart:
            folder = chart.folder
            if chart.layout is OutputLayout.CHART_FILE:
                path = _join(folder, f"{chart.node.id}.k8s.yaml")
                plan.add(path, chart, ms)
                if ms:
                    by_folder.setdefault(folder, []).append(f"{chart.node.id}.k8s.yaml")
                continue
            if chart.layout is OutputLayout.KUSTOMIZE:
                kustomize_folders[folder] = None
            for m, name in zip(ms, resource_file_names([m.obj for m in ms]), strict=True):
                plan.add(_join(folder, chart.node.id, name), chart, [m])
                by_folder.setdefault(folder, []).append(f"{chart.node.id}/{name}")
        for cf, m in configs:
            plan.file_of_source[m.source] = cf.path
            plan.files[cf.path] = None
        for folder in kustomize_folders:
            path = _join(folder, "kustomization.yaml")
            doc = kustomization(folder.replace("/", "-") or "output", by_folder.get(folder, []))
            m = Manifest(doc, path, self.k8s_version)
            plan.kustomizations.append((path, m))
            plan.file_of_source[path] = path
            plan.files[path] = None
        return plan

    def synth_yaml(self, *, shard: tuple[int, int] | None = None) -> dict[str, str]:
        """File name -> YAML text, after every check passed (raises otherwise): a
        ``<chart-id>.k8s.yaml`` per chart and each configuration file at its path.

        ``shard=(I, N)``: only the files of the I-th of N shards (see :meth:`synth`)."""
        return dict(self._synth_files(shard))

    def _synth_files(
        self, shard: tuple[int, int] | None = None, jobs: int | str | None = 1
    ) -> Mapping[str, str]:
        """:meth:`synth_yaml`'s files, the charts' texts made as they are read."""
        if shard is not None:
            return self._shard_yaml(*shard)
        workers = synth_jobs(jobs, lambda: sum(len(c.resources()) for c in self.charts))
        if workers > 1 and self._cdk8s_app is None:
            report, plan, configs = self._parallel_report(workers)
        else:
            per_chart, problems = self._gather()
            configs = self._config_manifests()
            plan = self._place(per_chart, configs)
            manifests = [m for _, ms in per_chart for m in ms] + [m for _, m in configs]
            manifests += [m for _, m in plan.kustomizations]
            report = self._check(manifests, problems, plan)
        if report.has_errors():
            raise K8sDslError(report, summary="synth failed: nothing was written")
        self.last_report = report
        files = self._chart_texts(plan)
        return files | config_file_texts(configs) | plan.kustomization_texts() | self._text_files()

    def _parallel_report(
        self, jobs: int
    ) -> tuple[Report, _Placement, list[tuple[ConfigFile, Manifest]]]:
        """The serial synth's report, with each chart's rendering and its objects' own
        checks (strict schema, per-object rules) split over ``jobs`` processes: ``jobs - 1``
        forked workers and this one, each taking every ``jobs``-th chart. The workers send
        back plain objects and findings; the rules across objects then run here over every
        object. Not used while a cdk8s app exists (its node process cannot be forked)."""
        global _FORKED
        import multiprocessing

        charts = self.charts
        settings = self.settings()
        _FORKED = (charts, settings)
        try:
            with multiprocessing.get_context("fork").Pool(jobs - 1) as pool:
                pending = pool.starmap_async(_render_and_check, [(w, jobs) for w in range(1, jobs)])
                own = _render_and_check(0, jobs)
                results = [own, *pending.get()]
        finally:
            _FORKED = None
        per_chart: list[tuple[Chart, list[Manifest]]] = []
        problems: list[Finding] = []
        findings: list[Finding] = []
        valid_ids: set[int] = set()
        for i, chart in enumerate(charts):
            shared = results[i % jobs]
            objects, corrections, passed = shared.charts[i // jobs]
            by_path = {r.node.path: r for r in chart.resources()}
            ms = [
                Manifest(obj, source, chart.k8s_version, chart.node.id, by_path.get(source))
                for obj, source in objects
            ]
            for j, corrected in corrections.items():
                ms[j].cache[_CORRECTIONS] = corrected
            valid_ids.update(id(ms[j]) for j in passed)
            per_chart.append((chart, ms))
        for result in results:
            problems += result.problems
            findings += result.findings
        configs = self._config_manifests()
        plan = self._place(per_chart, configs)
        settings["output"] = plan.planned(self.repo_path)
        extra = [m for _, m in configs] + [m for _, m in plan.kustomizations]
        found, passed_extra = own_checks(extra, settings)
        findings += found
        valid_ids.update(id(m) for m in passed_extra)
        manifests = [m for _, ms in per_chart for m in ms] + extra
        valid = [m for m in manifests if id(m) in valid_ids]
        findings += cross_checks(manifests, settings, valid)
        return Report.of([*dict.fromkeys(problems), *findings]), plan, configs

    def _chart_texts(self, plan: _Placement) -> LazyTexts:
        """Each chart file's YAML, made when it is read: a fleet's output is written one
        file at a time, never held in memory whole."""
        drivers = self.cluster.csi_drivers

        def text(chart: Chart, ms: list[Manifest]) -> str:
            if not ms:
                return ""
            return version_header(chart.k8s_version, drivers) + dump_documents([m.obj for m in ms])

        return LazyTexts(
            {path: functools.partial(text, chart, ms) for path, (chart, ms) in plan.objects.items()}
        )

    def shard_charts(self, index: int, count: int) -> list[Chart]:
        """The charts of shard ``index`` of ``count``: a stable hash of each chart's id, so
        a chart keeps its shard when others are added or removed."""
        return [c for c in self.charts if shard_index(c.node.id, count) == index]

    def _shard_yaml(self, index: int, count: int) -> Mapping[str, str]:
        """The files of one shard: its charts' files, checked by the strict schema and the
        rules that judge one object at a time; shard 1 also writes the app's own files
        (configuration files, text files, kustomizations, which list every chart's files).
        The rules across objects need every chart: they run in a final job over the merged
        output (``k8sdsl check --cross-only``), and a note says so."""
        charts = self.shard_charts(index, count)
        per_chart, problems = self._gather(charts)
        first = index == 1
        configs = self._config_manifests() if first else []
        plan = self._place(per_chart, configs)
        kustomizations: list[tuple[str, Manifest]] = []
        kustomization_texts: dict[str, str] = {}
        if first and any(c.layout is OutputLayout.KUSTOMIZE for c in self.charts):
            # a kustomization lists the files of every chart in its folder
            whole = self._place(self._gather()[0], configs)
            kustomizations = whole.kustomizations
            kustomization_texts = whole.kustomization_texts()
            for path, _m in kustomizations:
                plan.file_of_source[path] = path
                plan.files[path] = None
        manifests = [m for _, ms in per_chart for m in ms] + [m for _, m in configs]
        manifests += [m for _, m in kustomizations]
        settings = self.settings()
        settings["output"] = plan.planned(self.repo_path)
        found, _valid = own_checks(manifests, settings)
        findings = [*problems, *found]
        findings.append(
            Finding(
                Severity.INFO,
                "app/shard",
                f"shard {index}/{count}: {len(charts)} of {len(self.charts)} chart(s), checked "
                "with the strict schema and the rules that judge one object at a time; the "
                "rules across objects (references, selectors, claims, policies, duplicates) "
                "were not run",
                ObjectRef(source=self.node.path or "App"),
                hint="merge every shard's output into one folder, then run "
                "'k8sdsl check --cross-only <folder>' in a final job",
            )
        )
        report = Report.of(findings)
        if report.has_errors():
            raise K8sDslError(report, summary="synth failed: nothing was written")
        self.last_report = report
        files = self._chart_texts(plan)
        if not first:
            return files
        return files | config_file_texts(configs) | kustomization_texts | self._text_files()

    def _text_files(self) -> dict[str, str]:
        """Path -> text of every :class:`TextFile` (inputs of other tools, written verbatim)."""
        return {t.path: t.text for t in self.node.walk() if isinstance(t, TextFile)}

    def synth(
        self,
        *,
        via_cdk8s: bool = False,
        shard: tuple[int, int] | None = None,
        jobs: int | str | None = None,
    ) -> Report:
        """Check everything, then replace the output folder atomically.

        On any error nothing is written and :class:`K8sDslError` lists every finding.
        Warnings and notes are returned (and printed to stderr by ``python -m apps``).

        k8sdsl writes its objects itself (no node round trip per object). With
        ``via_cdk8s=True`` every object becomes a cdk8s ``ApiObject`` and cdk8s's own
        ``App.synth`` writes the files: slower, byte-identical (a test holds them equal).

        ``shard=(I, N)`` (or ``K8SDSL_SHARD=I/N`` in the environment, which ``cdk8s synth``
        passes on): write only the I-th of N shards of the charts, for a CI job matrix. The
        shards' outputs together are the whole synth's, file for file and byte for byte; the
        rules across objects run in a final ``k8sdsl check --cross-only`` job over them.

        ``jobs`` (or ``K8SDSL_JOBS`` in the environment; default 1): processes for each
        object's own checks (the strict schema and the per-object rules), ``"auto"`` for one
        per core from 10,000 objects up. The report and the files are the serial synth's;
        the forked workers add their own memory, which is why the default is serial.
        """
        if shard is None:
            shard = shard_from_environment()
        if shard is not None and via_cdk8s:
            raise K8sDslError(
                [
                    Finding(
                        Severity.ERROR,
                        "app/shard",
                        "a sharded synth writes its files itself; via_cdk8s=True writes every "
                        "chart through cdk8s",
                        ObjectRef(source=self.node.path or "App"),
                        hint=f"drop via_cdk8s=True, or unset {SHARD_ENV}",
                    )
                ],
                summary="synth failed: nothing was written",
            )
        files: Mapping[str, str]
        if shard is not None or not via_cdk8s:
            files = self._synth_files(shard, jobs)
        else:
            for chart in self.charts:
                chart.cdk8s_chart  # noqa: B018 - an empty chart still gets its (empty) file
                # materialize every object in cdk8s
                own = [res.api_object for res in chart.resources()]
                prepare_cdk8s_synth(chart, own)
            report = self.check()
            if report.has_errors():
                raise K8sDslError(report, summary="synth failed: nothing was written")
            self.last_report = report
            outdir = Path(self._cdk8s_outdir or "")
            self.cdk8s_app.synth()
            charts = {f"{c.node.id}.k8s.yaml": c for c in self.charts}
            files = {}
            for p in sorted(outdir.glob("*.k8s.yaml")):
                text = p.read_text(encoding="utf-8")
                owner = charts.get(p.name)
                drivers = self.cluster.csi_drivers
                header = version_header(owner.k8s_version, drivers) if owner else ""
                if owner is None or owner.placed_by_default:
                    files[p.name] = header + text if text else text
                    continue
                # the owner's own layout: cdk8s's documents, one per object, in its order
                docs = re.split(r"(?m)^---\n", text) if text else []
                ms = owner.manifests()
                if owner.layout is OutputLayout.CHART_FILE:
                    files[_join(owner.folder, p.name)] = header + text if text else text
                    continue
                names = resource_file_names([m.obj for m in ms])
                for doc, name in zip(docs, names, strict=True):
                    files[_join(owner.folder, owner.node.id, name)] = header + doc
            shutil.rmtree(outdir, ignore_errors=True)
            per_chart, _ = self._gather()
            configs = self._config_manifests()
            files |= config_file_texts(configs)
            files |= self._place(per_chart, configs).kustomization_texts()
            files |= self._text_files()
        write_atomically(self.outdir, files)
        if self.cli_scratch is not None:
            # the CLI lists (and its validation plugins read) the files in its own output
            # folder: give it a copy of what was written (read back, not made again)
            write_atomically(self.cli_scratch, FolderTexts(self.outdir, list(files)))
        return self.last_report


class Chart(ChartScope):
    """A group of objects written to one file, ``<id>.k8s.yaml``.

    ``namespace`` is stamped onto namespaced objects that set none, and never onto
    cluster-scoped ones (PersistentVolume, StorageClass, ClusterRole...). ``labels`` go on
    every object. ``k8s_version`` overrides the app's target for this chart.
    """

    def __init__(
        self,
        app: App,
        id: str,
        *,
        namespace: str | None = None,
        labels: Mapping[str, str] | None = None,
        k8s_version: str | None = None,
        environment: Environment[Any] | None = None,
        layout: OutputLayout | str | None = None,
    ) -> None:
        super().__init__(app, id)
        self.app = app
        #: the environment this chart belongs to (its namespace, labels, folder and layout)
        self.environment = environment
        if namespace is None and environment is not None:
            namespace = environment.namespace
        self.namespace = namespace
        # the id names the output file (<id>.k8s.yaml), as cdk8s's Names.toDnsLabel does
        env_labels = environment.object_labels() if environment is not None else {}
        self.labels = {**env_labels, **dict(labels or {})}
        self.layout = _layout_of(
            id, layout if layout is not None else environment.layout if environment else None
        )
        #: the chart's folder inside the output folder ("" for the top)
        self.folder = environment.output_folder if environment is not None else ""
        self.k8s_version = K8sVersion.supported(k8s_version) if k8s_version else app.k8s_version
        self._cdk8s_chart: cdk8s.Chart | None = None
        problems = []
        for fn, value, path in [
            (check_dns_label, id, "id"),
            *([(check_dns_label, namespace, "namespace")] if namespace is not None else []),
            *[(check_label_key, k, f"labels[{k!r}]") for k in self.labels],
            *[(check_label_value, v, f"labels[{k!r}]") for k, v in self.labels.items()],
        ]:
            try:
                fn(value)
            except Exception as exc:
                ctx = getattr(exc, "context", None) or {}
                problems.append(
                    Finding(
                        Severity.ERROR,
                        "chart/invalid",
                        f"{value!r}: {exc}",
                        ObjectRef(kind="Chart", source=id),
                        path,
                        str(ctx.get("hint", "")),
                    )
                )
        if problems:
            raise K8sDslError(problems, summary=f"invalid Chart {id!r}")

    @property
    def allowed_registries(self) -> Sequence[str] | None:
        return self.app.allowed_registries

    @property
    def repo_path(self) -> str:
        """Where the app's output folder sits in the repository (``App(repo_path=...)``)."""
        return self.app.repo_path

    @property
    def placed_by_default(self) -> bool:
        """Whether the chart is written as ``<id>.k8s.yaml`` at the top of the output."""
        return self.layout is OutputLayout.CHART_FILE and not self.folder

    def make_api_object(self, resource: Resource) -> cdk8s.ApiObject:
        return make_api_object(self, resource)

    @property
    def cdk8s_chart(self) -> cdk8s.Chart:
        """The scope for cdk8s and cdk8s-plus constructs that live in this chart.

        ``kplus.Deployment(chart.cdk8s_chart, "web", ...)``: their objects are written to this
        chart's file, after k8sdsl's own, and checked by the same rules and schema.
        """
        if self._cdk8s_chart is None:
            self._cdk8s_chart = make_cdk8s_chart(self)
        return self._cdk8s_chart

    def resources(self) -> list[Resource]:
        return [c for c in self.node.walk() if isinstance(c, Resource)]

    def manifests(self) -> list[Manifest]:
        """This chart's objects: k8sdsl's in creation order, then those of cdk8s constructs
        in its ``cdk8s_chart`` in the order cdk8s writes them."""
        render, problems = self.app._prepare_cdk8s()
        manifests, found = self._gather(render_foreign=render)
        problems += found
        if problems:
            raise K8sDslError(problems, summary=f"cdk8s could not render chart {self.node.id!r}")
        return manifests

    def _gather(self, *, render_foreign: bool = True) -> tuple[list[Manifest], list[Finding]]:
        out: list[Manifest] = []
        problems: list[Finding] = []
        own: set[int] = set()
        for res in self.resources():
            if res._api_object is not None:
                own.add(id(res._api_object))
                obj, found = render_api_object(res)
                problems += found
                if obj is None:
                    continue
                obj = self._stamp(obj)
            else:
                obj = order_object(res.to_k8s())
            out.append(Manifest(obj, res.node.path, self.k8s_version, self.node.id, res))
        if self._cdk8s_chart is not None and render_foreign:
            foreign, found = foreign_objects(self, own)
            problems += found
            for path, obj in foreign:
                out.append(Manifest(self._stamp(obj), path, self.k8s_version, self.node.id))
        return out, problems

    def _stamp(self, obj: dict[str, Any]) -> dict[str, Any]:
        """Give a cdk8s-rendered object the chart namespace, if its kind is namespaced."""
        kind = str(obj.get("kind", ""))
        meta = obj.get("metadata")
        # a custom kind's scope is its CRD's, where one is registered or pinned
        namespaced = custom_kind_namespaced(str(obj.get("apiVersion", "")), kind)
        if namespaced is None:
            namespaced = is_namespaced(kind)
        if self.namespace and namespaced and isinstance(meta, dict):
            if "namespace" not in meta:
                obj = dict(obj)
                obj["metadata"] = sort_like_cdk8s({**meta, "namespace": self.namespace})
        return obj


#: the cdk8s CLI's configuration file, read from the folder it runs the app in
CDK8S_CONFIG = "cdk8s.yaml"


def resolve_outdir(
    outdir: str | os.PathLike[str] | None, config: str | os.PathLike[str] = CDK8S_CONFIG
) -> tuple[Path, Path | None]:
    """The output folder, and the CLI's scratch folder to mirror it into (or ``None``).

    ``cdk8s synth`` deletes its output folder before it runs the app, so a failed app would
    leave no output at all. A project keeps its output safe by naming a scratch folder as the
    CLI's ``output`` and the real one as ``k8sdsl.output`` in ``cdk8s.yaml``::

        output: .k8sdsl-synth   # the CLI empties this one
        k8sdsl:
          output: dist          # k8sdsl replaces this one atomically, only after success

    When the CLI runs the app with ``$CDK8S_OUTDIR`` equal to that scratch ``output``, synth
    writes ``k8sdsl.output`` (and a copy into the scratch folder, which the CLI lists). An
    explicit ``cdk8s synth --output DIR`` is obeyed: DIR is written (the CLI has already
    emptied it). Without the CLI, ``outdir=`` or ``dist``.
    """
    if outdir:
        return Path(outdir), None
    cli_out = os.environ.get("CDK8S_OUTDIR")
    if not cli_out:
        return Path("dist"), None
    settings = _cdk8s_output_settings(Path(config))
    if settings is not None:
        scratch, real = settings
        if os.path.abspath(cli_out) == os.path.abspath(scratch):
            return Path(real), Path(cli_out)
    return Path(cli_out), None


def _cdk8s_output_settings(config: Path) -> tuple[str, str] | None:
    """``(output, k8sdsl.output)`` of ``cdk8s.yaml``, or ``None`` when it names no
    ``k8sdsl.output``; a setting that would lose the output is an error."""
    import yaml

    try:
        data = yaml.safe_load(config.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError):
        return None  # the CLI read it already; without it there is nothing to resolve
    block = data.get("k8sdsl") if isinstance(data, dict) else None
    if block is None:
        return None
    real = block.get("output") if isinstance(block, dict) else None
    scratch = data.get("output", "dist")
    problem = None
    if not isinstance(real, str) or not real:
        problem = f"k8sdsl.output is {real!r}, not a folder name"
    elif not isinstance(scratch, str) or os.path.abspath(scratch) == os.path.abspath(real):
        problem = f"output and k8sdsl.output are both {real!r}: the CLI would empty it"
    if problem is not None:
        raise K8sDslError(
            [
                Finding(
                    Severity.ERROR,
                    "synth/cdk8s-config",
                    f"{config}: {problem}",
                    ObjectRef(kind="App", source=str(config)),
                    "k8sdsl.output",
                    "set `output: .k8sdsl-synth` (the CLI's scratch folder) and "
                    "`k8sdsl: {output: dist}` (the folder k8sdsl writes)",
                )
            ],
            summary="invalid cdk8s.yaml",
        )
    return str(scratch), str(real)


def register_cdk8s_imports(config: str | os.PathLike[str] = CDK8S_CONFIG) -> list[tuple[str, str]]:
    """Register (:func:`~k8sdsl.register_crd`) every local CRD file that ``cdk8s.yaml`` lists
    under ``imports:`` (``crds/widget.yaml``, or ``prefix:=crds/widget.yaml``), the files
    ``cdk8s import`` turns into typed classes; URLs, ``k8s`` and ``helm:`` entries are left
    to the CLI. Returns the (apiVersion, kind) pairs registered."""
    import yaml

    try:
        data = yaml.safe_load(Path(config).read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError):
        return []
    imports = data.get("imports") if isinstance(data, dict) else None
    if not isinstance(imports, list):
        return []
    found: list[tuple[str, str]] = []
    base = Path(config).parent
    for entry in imports:
        if not isinstance(entry, str):
            continue
        target = entry.split(":=", 1)[1] if ":=" in entry else entry
        if "://" in target or not target.endswith((".yaml", ".yml", ".json")):
            continue
        path = base / target
        if path.is_file():
            found += register_crd(path)
    return found


def _join(*parts: str) -> str:
    return "/".join(p for p in parts if p)


def _layout_of(chart_id: str, layout: OutputLayout | str | None) -> OutputLayout:
    if layout is None:
        return OutputLayout.CHART_FILE
    try:
        return OutputLayout(layout)
    except ValueError:
        raise K8sDslError(
            [
                Finding(
                    Severity.ERROR,
                    "chart/invalid",
                    f"{layout!r} is not an output layout",
                    ObjectRef(kind="Chart", source=chart_id),
                    "layout",
                    f"use one of {', '.join(repr(x.value) for x in OutputLayout)}",
                )
            ],
            summary=f"invalid Chart {chart_id!r}",
        ) from None


class _Placement:
    """Where synth writes each object: path -> (chart, its objects), the kustomizations, and
    what the path rules see of it (:class:`PlannedOutput`)."""

    def __init__(self) -> None:
        self.objects: dict[str, tuple[Chart, list[Manifest]]] = {}
        self.files: dict[str, None] = {}
        self.file_of_source: dict[str, str] = {}
        self.kustomizations: list[tuple[str, Manifest]] = []

    def add(self, path: str, chart: Chart, ms: list[Manifest]) -> None:
        self.objects[path] = (chart, ms)
        self.files[path] = None
        for m in ms:
            self.file_of_source[m.source] = path

    def planned(self, repo_path: str) -> PlannedOutput:
        return PlannedOutput(repo_path, frozenset(self.files), dict(self.file_of_source))

    def kustomization_texts(self) -> dict[str, str]:
        return {path: dump_documents([m.obj]) for path, m in self.kustomizations}


#: the first line of every file synth writes: the chart's target version and the CSI drivers
#: the app's declared cluster has, which ``k8sdsl check`` reads back (a comment, so kubectl,
#: Argo CD and Flux ignore it)
VERSION_HEADER = re.compile(
    r"^# k8sdsl: k8s-version=(\d+\.\d+)(?: csi-drivers=([a-z0-9.,-]+))?\s*$"
)


def version_header(version: K8sVersion, csi_drivers: Sequence[str] = ()) -> str:
    drivers = f" csi-drivers={','.join(sorted(csi_drivers))}" if csi_drivers else ""
    return f"# k8sdsl: k8s-version={version}{drivers}\n"


def config_file_texts(configs: Sequence[tuple[ConfigFile, Manifest]]) -> dict[str, str]:
    """Path -> text of each configuration file: the version header, then its document as
    YAML, or (a policy file) one JSON object a line."""
    texts: dict[str, str] = {}
    for cf, m in configs:
        if cf.path not in texts:
            texts[cf.path] = version_header(m.k8s_version)
        if cf.json_lines:
            texts[cf.path] += json.dumps(m.obj, ensure_ascii=False) + "\n"
        else:
            texts[cf.path] += dump_documents([m.obj])
    return texts


class LazyTexts(Mapping[str, str]):
    """Path -> text, each text made by its function when it is read (and not kept)."""

    def __init__(self, makers: Mapping[str, Callable[[], str]]) -> None:
        self._makers = dict(makers)

    def __getitem__(self, path: str) -> str:
        return self._makers[path]()

    def __iter__(self) -> Iterator[str]:
        return iter(self._makers)

    def __len__(self) -> int:
        return len(self._makers)

    def __or__(self, other: Mapping[str, str]) -> LazyTexts:
        merged = dict(self._makers)
        for path in other:
            merged[path] = functools.partial(other.__getitem__, path)
        return LazyTexts(merged)


class FolderTexts(LazyTexts):
    """The texts of ``paths`` under ``folder``, read from disk as they are read."""

    def __init__(self, folder: Path, paths: Sequence[str]) -> None:
        super().__init__({p: functools.partial(_read_exactly, folder / p) for p in paths})


def _read_exactly(path: Path) -> str:
    # newline="": a "\r" inside a YAML string stays a "\r"
    with open(path, encoding="utf-8", newline="") as fh:
        return fh.read()


def write_atomically(outdir: Path, files: Mapping[str, str]) -> None:
    """Replace ``outdir`` with exactly ``files``, or leave it as it was.

    The new folder is written beside the old one and swapped in with renames, so a reader
    (or a crash) never sees half an output.
    """
    outdir = Path(outdir)
    parent = outdir.resolve().parent
    parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{outdir.name}.new-", dir=parent))
    old: Path | None = None
    swapped = False
    try:
        for name in sorted(files):
            if "/" in name:  # a configuration file in a folder of the output
                (staging / name).parent.mkdir(parents=True, exist_ok=True)
            text = files[name]  # made now (LazyTexts): one file's text at a time
            with open(staging / name, "w", encoding="utf-8", newline="\n") as fh:
                fh.write(text)
        os.chmod(staging, 0o755)
        if outdir.exists():
            old = Path(tempfile.mkdtemp(prefix=f".{outdir.name}.old-", dir=parent))
            os.rmdir(old)
            os.replace(outdir, old)
        os.replace(staging, outdir)
        swapped = True
    except BaseException:
        # interrupted (Ctrl-C, a full disk) after the old folder moved aside: put it back
        if old is not None and old.exists() and not outdir.exists():
            os.replace(old, outdir)
        shutil.rmtree(staging, ignore_errors=True)
        raise
    if swapped and old is not None:
        shutil.rmtree(old, ignore_errors=True)


#: the charts and settings the forked workers of a parallel synth read (set just before they
#: start: a fork inherits them, nothing is pickled on the way in)
_FORKED: tuple[list[Chart], dict[str, Any]] | None = None


@dataclass
class _Rendered:
    """What one worker of a parallel synth sends back: per chart, its objects (plain dicts
    with their sources), the schema's typo corrections and the objects the schema passed
    (by position); the findings of those checks; cdk8s's refusals."""

    charts: list[tuple[list[tuple[dict[str, Any], str]], dict[int, Any], list[int]]]
    findings: list[Finding]
    problems: list[Finding]


def _render_and_check(worker: int, jobs: int) -> _Rendered:
    try:
        return _render_and_check_share(worker, jobs)
    except Exception as exc:
        # the error goes back to the synth's process: one that cannot make the trip (an
        # exception whose class does not unpickle) would leave the pool waiting for ever
        try:
            pickle.loads(pickle.dumps(exc))
        except Exception:  # noqa: BLE001 - replaced by one that travels
            raise RuntimeError(f"{type(exc).__name__}: {exc}") from None
        raise


def _render_and_check_share(worker: int, jobs: int) -> _Rendered:
    assert _FORKED is not None
    charts, settings = _FORKED
    sharer = PartSharer()
    mine: list[list[Manifest]] = []
    problems: list[Finding] = []
    for chart in charts[worker::jobs]:
        ms, found = chart._gather()
        sharer.share(m.obj for m in ms)
        mine.append(ms)
        problems += found
    everything = [m for ms in mine for m in ms]
    findings, valid = own_checks(everything, settings)
    passed = {id(m) for m in valid}
    out = []
    for ms in mine:
        corrections = {
            j: m.cache[_CORRECTIONS] for j, m in enumerate(ms) if _CORRECTIONS in m.cache
        }
        out.append(
            (
                [(m.obj, m.source) for m in ms],
                corrections,
                [j for j, m in enumerate(ms) if id(m) in passed],
            )
        )
    return _Rendered(out, findings, problems)


#: the environment variable for :meth:`App.synth`'s ``jobs``
JOBS_ENV = "K8SDSL_JOBS"
#: below this many objects ``jobs="auto"`` stays serial: starting workers costs more
PARALLEL_FROM = 10_000


def synth_jobs(jobs: int | str | None, objects: int | Callable[[], int]) -> int:
    """The processes a synth of ``objects`` uses: ``jobs`` (an int, ``"auto"``), else
    ``K8SDSL_JOBS``, else 1. A value that is neither is a :class:`K8sDslError`. ``objects``
    may be a function: it is only counted for ``"auto"``."""
    given: int | str = jobs if jobs is not None else os.environ.get(JOBS_ENV, "").strip() or 1
    where = "App.synth(jobs=...)" if jobs is not None else JOBS_ENV
    value: int | None = None
    if isinstance(given, str) and given.isdigit():
        value = int(given)
    elif isinstance(given, int) and not isinstance(given, bool):
        value = given
    if given == "auto":
        if (objects() if callable(objects) else objects) < PARALLEL_FROM:
            return 1
        return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else 1
    if value is None or value < 1:
        raise K8sDslError(
            [
                Finding(
                    Severity.ERROR,
                    "app/jobs",
                    f"{where}: the number of processes must be a number >= 1 or 'auto', "
                    f"not {given!r}",
                    ObjectRef(source=where),
                    hint=f"pass synth(jobs=2) or set {JOBS_ENV}=2 (or auto); unset, a synth "
                    "is serial",
                )
            ],
            summary="synth failed: nothing was written",
        )
    return value


def shard_from_environment() -> tuple[int, int] | None:
    """``K8SDSL_SHARD=I/N`` as ``(I, N)``; None when unset or empty. A malformed value is a
    :class:`K8sDslError` naming the variable and the form."""
    text = os.environ.get(SHARD_ENV, "").strip()
    if not text:
        return None
    try:
        return parse_shard(text, what=SHARD_ENV)
    except ValueError as exc:
        raise K8sDslError(
            [
                Finding(
                    Severity.ERROR,
                    "app/shard",
                    str(exc),
                    ObjectRef(source=SHARD_ENV),
                    hint=f"set {SHARD_ENV}=I/N, such as 2/4, or unset it for the whole app",
                )
            ],
            summary="synth failed: nothing was written",
        ) from None


def run_main(app: App) -> int:
    """Synthesize ``app`` as a program: findings to stderr, exit status 0 or 1."""
    try:
        report = app.synth()
    except K8sDslError as exc:
        print(str(exc), file=sys.stderr)
        return 1
    except OSError as exc:
        print(
            f"synth failed: cannot write {app.outdir}: {exc.strerror or exc}; "
            "nothing was written\n"
            f"    hint: make sure {app.outdir.parent} is a writable folder "
            "(the output folder comes from outdir=, cdk8s.yaml's k8sdsl.output, "
            "$CDK8S_OUTDIR or 'dist')",
            file=sys.stderr,
        )
        return 1
    if report.findings:
        print(report.format(), file=sys.stderr)
    return 0
