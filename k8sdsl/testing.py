"""Helpers for testing your own app definitions, and the pytest plugin that gives every test
the ``yaml_snapshot`` fixture.

With k8sdsl installed, pytest loads this module as a plugin (the ``pytest11`` entry point
``k8sdsl.testing``); ``-p no:k8sdsl.testing`` turns it off. The helpers are imported as
usual::

    from k8sdsl.testing import assert_findings, synth_objects

    def test_web(yaml_snapshot):
        app = build_app()
        assert synth_objects(app) == yaml_snapshot   # the YAML a reviewer of dist/ reads

    def test_a_pod_naming_a_missing_config_map_is_reported():
        assert_findings([pod], {"references/missing-object"}, complete=True)

The snapshot fixture needs syrupy (``pip install 'k8sdsl[testing]'``); without it the plugin
still loads and the fixture says what is missing. k8sdsl itself is imported on first use,
so loading the plugin costs a pytest run nothing. See docs/testing.md.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any, TypeAlias

import pytest

if TYPE_CHECKING:
    from syrupy.extensions.single_file import SingleFileSnapshotExtension

    from k8sdsl.core._cluster import Cluster
    from k8sdsl.core._construct import Resource
    from k8sdsl.core._findings import Report
    from k8sdsl.synth import App, Chart

    #: what :func:`findings` takes: an app, a chart, a resource, or objects
    Target: TypeAlias = App | Chart | Resource | Iterable[Mapping[str, Any] | Resource]

_SEVERITY_RANK = {"info": 0, "warning": 1, "error": 2}


def synth_yaml(target: App | Chart) -> dict[str, str]:
    """What synth would write, in memory: path in the output folder -> YAML text. A chart:
    only its own files (``<id>.k8s.yaml``, or its folder in the file-per-resource and
    kustomize layouts).

    Every rule and the strict schema run first, over the whole app, exactly as
    ``App.synth()`` does; an error raises :class:`~k8sdsl.K8sDslError` (its ``findings``
    name each problem) and nothing is returned. Nothing is written to disk.
    """
    from k8sdsl.core._environment import OutputLayout
    from k8sdsl.synth import App, Chart

    if isinstance(target, App):
        return target.synth_yaml()
    if not isinstance(target, Chart):
        raise TypeError(f"synth_yaml takes an App or a Chart, not {type(target).__name__}")
    files = target.app.synth_yaml()
    folder = f"{target.folder}/" if target.folder else ""
    if target.layout is OutputLayout.CHART_FILE:
        name = f"{folder}{target.node.id}.k8s.yaml"
        return {name: files[name]}
    prefix = f"{folder}{target.node.id}/"
    return {path: text for path, text in files.items() if path.startswith(prefix)}


def synth_objects(target: App | Chart) -> list[dict[str, Any]]:
    """The objects of :func:`synth_yaml`'s files read back from the YAML, files in path
    order, objects in file order (what ``kubectl apply -f dist/`` would send)."""
    import yaml

    out: list[dict[str, Any]] = []
    for _, text in sorted(synth_yaml(target).items()):
        out.extend(doc for doc in yaml.safe_load_all(text) if isinstance(doc, dict))
    return out


def findings(
    target: Target,
    *,
    k8s_version: str | None = None,
    cluster: Cluster | None = None,
    complete: bool = False,
) -> Report:
    """Every finding for ``target`` (strict schema, every rule, duplicates), writing nothing.

    An app: ``App.check()``, the report synth would act on. A chart, or a resource in a
    chart: the findings of its app whose object is in that chart (rules still look across
    the whole app). Objects (Kubernetes dicts, or resources outside a chart): judged as
    ``k8sdsl check`` judges YAML, against ``k8s_version`` (default 1.35) and the declared
    ``cluster``; ``complete=True`` makes a reference to an object not among them an error
    (``check --complete``), as it is at synth.
    """
    from k8sdsl._pipeline import check_manifests, rule_settings
    from k8sdsl.core._cluster import Cluster
    from k8sdsl.core._construct import Resource
    from k8sdsl.core._findings import Report
    from k8sdsl.core._manifest import Manifest
    from k8sdsl.core._versions import DEFAULT_VERSION, K8sVersion
    from k8sdsl.core._yaml import order_object
    from k8sdsl.synth import App, Chart

    if isinstance(target, App):
        return target.check()
    if isinstance(target, Resource):
        owner = target.find_chart()
        if isinstance(owner, Chart):
            target = owner
    if isinstance(target, Chart):
        prefix = f"{target.node.path}/"
        report = target.app.check()
        return Report.of(f for f in report.findings if f.obj.source.startswith(prefix))
    items = [target] if isinstance(target, (Resource, Mapping)) else list(target)
    version = K8sVersion.supported(k8s_version or DEFAULT_VERSION)
    objects = [o.to_k8s() if isinstance(o, Resource) else dict(o) for o in items]
    manifests = [Manifest(order_object(o), f"[{i}]", version) for i, o in enumerate(objects)]
    settings = rule_settings(cluster or Cluster(), version, complete=complete)
    return check_manifests(manifests, settings)


def assert_findings(
    target: Target,
    expected_codes: Iterable[str],
    *,
    severity: str = "warning",
    **options: Any,
) -> Report:
    """Assert that the codes of the findings for ``target`` at ``severity`` or worse
    (``"error"``, ``"warning"`` or ``"info"``) are exactly ``expected_codes``; returns the
    report, for checks of paths and messages.

    ``assert_findings(app, set())`` asserts a clean app; ``severity="error"`` ignores
    warnings. ``options`` go to :func:`findings` (``cluster=``, ``complete=``,
    ``k8s_version=``). On a mismatch the message lists the missing and the unexpected codes,
    then the whole report.
    """
    if severity not in _SEVERITY_RANK:
        raise ValueError(f"severity {severity!r}: use one of 'error', 'warning', 'info'")
    floor = _SEVERITY_RANK[severity]
    report = findings(target, **options)
    found = {f.code for f in report.findings if _SEVERITY_RANK[f.severity.value] >= floor}
    expected = {expected_codes} if isinstance(expected_codes, str) else set(expected_codes)
    if found != expected:
        raise AssertionError(
            f"finding codes at {severity} or worse differ: "
            f"missing {sorted(expected - found)}, unexpected {sorted(found - expected)}\n"
            + report.format()
        )
    return report


def to_yaml(data: Any) -> str:
    """Objects as the YAML a reviewer of ``dist/`` reads: a dict, a resource, or a list of
    them, each key-ordered like cdk8s, one document each (what ``yaml_snapshot`` stores)."""
    from k8sdsl.core._construct import Resource
    from k8sdsl.core._yaml import dump_documents, order_object

    if isinstance(data, (Resource, Mapping)):
        data = [data]
    docs = [d.to_k8s() if isinstance(d, Resource) else dict(d) for d in data]
    return dump_documents([order_object(d) for d in docs])


@functools.cache
def yaml_snapshot_extension() -> type[SingleFileSnapshotExtension]:
    """The syrupy extension behind ``yaml_snapshot``: a ``.yaml`` file per test, holding
    :func:`to_yaml` of the value (syrupy is imported on first use, so the plugin loads where
    it is not installed)."""
    from syrupy.extensions.single_file import SingleFileSnapshotExtension, WriteMode

    class YamlSnapshot(SingleFileSnapshotExtension):
        """Snapshots stored as the YAML a reviewer of dist/ would read, one file per test."""

        file_extension = "yaml"
        _write_mode = WriteMode.TEXT

        def serialize(self, data: Any, **kwargs: Any) -> str:
            return to_yaml(data)

    return YamlSnapshot


@pytest.fixture
def yaml_snapshot(request: pytest.FixtureRequest) -> Any:
    """``assert objects == yaml_snapshot``: objects (dicts, resources, a list of them, or
    :func:`synth_objects`) pinned as readable YAML in ``__snapshots__/<test file>/<test>.yaml``
    beside the test; ``pytest --snapshot-update`` writes them."""
    try:
        snapshot = request.getfixturevalue("snapshot")
    except pytest.FixtureLookupError:
        pytest.fail(
            "the yaml_snapshot fixture needs syrupy: pip install 'k8sdsl[testing]'",
            pytrace=False,
        )
    return snapshot.use_extension(yaml_snapshot_extension())


__all__ = [
    "assert_findings",
    "findings",
    "synth_objects",
    "synth_yaml",
    "to_yaml",
    "yaml_snapshot",
    "yaml_snapshot_extension",
]
