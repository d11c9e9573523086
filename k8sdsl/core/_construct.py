"""The construct tree and the base of every resource.

k8sdsl constructs are plain Python objects in a tree (scope, id, path) shaped like the
``constructs`` library's. Creating a jsii construct costs a round trip to the node process
(about 0.25 ms each, 1 s for a 1,000-app fleet before any YAML is written), so k8sdsl only
creates cdk8s objects on demand: when a chart hosts a foreign cdk8s construct, or when a
resource's ``api_object`` escape hatch is used.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, ClassVar

from pydantic import ValidationError

from k8sdsl.core._findings import Finding, K8sDslError, ObjectRef, Severity, ValueInputError
from k8sdsl.core._guard import guard_class, known_class
from k8sdsl.core._kinds import is_namespaced
from k8sdsl.core._metadata import metadata_problems
from k8sdsl.core._model import value_error_from_pydantic
from k8sdsl.core._versions import DEFAULT_VERSION, K8sVersion

if TYPE_CHECKING:
    import cdk8s


class Node:
    """Tree bookkeeping of a construct: its id, scope, children and path."""

    __slots__ = ("host", "id", "scope", "children", "_by_id")

    def __init__(self, host: Construct, scope: Construct | None, id: str) -> None:
        self.host = host
        self.id = id
        self.scope = scope
        self.children: list[Construct] = []
        # id -> child, so adding the n-th child to a scope costs O(1), not O(n)
        self._by_id: dict[str, Construct] = {}

    @property
    def path(self) -> str:
        parts: list[str] = []
        node: Node | None = self
        while node is not None and node.scope is not None:
            parts.append(node.id)
            node = node.scope.node
        return "/".join(reversed(parts))

    def walk(self) -> Iterator[Construct]:
        """This construct and all below it, depth first, in creation order."""
        stack: list[Construct] = [self.host]
        while stack:
            current = stack.pop()
            yield current
            stack.extend(reversed(current.node.children))

    def find_child(self, id: str) -> Construct | None:
        return self._by_id.get(id)


class Construct:
    """A node of the k8sdsl construct tree (pure Python)."""

    node: Node

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        guard_class(cls)

    def __init__(self, scope: Construct | None, id: str) -> None:
        if scope is not None and not isinstance(scope, Construct):
            raise K8sDslError(
                [
                    Finding(
                        Severity.ERROR,
                        "construct/scope",
                        f"the scope of a {type(self).__name__} must be a construct (a Chart), "
                        f"not {type(scope).__name__} {scope!r}",
                        ObjectRef(kind=type(self).__name__, source=str(id)),
                        "scope",
                        f"create it in a chart: {type(self).__name__}(chart, {id!r}, ...)",
                    )
                ]
            )
        if scope is not None:
            if not isinstance(id, str) or not id or "/" in id:
                raise K8sDslError(
                    [
                        Finding(
                            Severity.ERROR,
                            "construct/id",
                            f"construct id {id!r} must be a non-empty string without '/'",
                            ObjectRef(kind=type(self).__name__, source=scope.node.path),
                            "id",
                        )
                    ]
                )
            if scope.node.find_child(id) is not None:
                where = f"{scope.node.path}/{id}" if scope.node.path else id
                raise K8sDslError(
                    [
                        Finding(
                            Severity.ERROR,
                            "construct/duplicate-id",
                            f"there is already a construct with id {id!r} in this scope",
                            ObjectRef(kind=type(self).__name__, source=where),
                            "id",
                            "give each construct in a scope its own id",
                        )
                    ]
                )
        self.node = Node(self, scope, id)
        if scope is not None:
            scope.node.children.append(self)
            scope.node._by_id[id] = self

    def _ref(self) -> ObjectRef:
        return ObjectRef(kind=type(self).__name__, source=self.node.path)

    @contextmanager
    def _values(self) -> Iterator[None]:
        """Re-raise value errors with this construct's path, so the user sees where."""
        try:
            yield
        except ValueInputError as exc:
            raise K8sDslError(
                [_with_source(f, self.node.path) for f in exc.findings],
                summary=f"invalid {type(self).__name__} at {self.node.path}",
            ) from None
        except ValidationError as exc:  # models built with model_validate
            err = value_error_from_pydantic(type(self), exc)  # type: ignore[arg-type]
            raise K8sDslError(
                [_with_source(f, self.node.path) for f in err.findings],
                summary=f"invalid {type(self).__name__} at {self.node.path}",
            ) from None

    def find_chart(self) -> ChartScope | None:
        """The chart this construct belongs to (``None`` when it has none)."""
        node: Construct | None = self
        while node is not None:
            if isinstance(node, ChartScope):
                return node
            node = node.node.scope
        return None


known_class(Construct, scope=True)


class ChartScope(Construct):
    """What the construct tree knows of a chart: its namespace, labels and target version,
    and how it renders a resource through cdk8s (the ``api_object`` escape hatch).

    ``k8sdsl.Chart`` (in ``k8sdsl.synth``) is the one implementation; core names this base
    so that it needs neither duck typing nor an import of the layers above it.
    """

    namespace: str | None
    labels: dict[str, str]
    k8s_version: K8sVersion

    @property
    def allowed_registries(self) -> Sequence[str] | None:
        """The registries images may come from, as the app's declared cluster says."""
        return None

    def make_api_object(self, resource: Resource) -> cdk8s.ApiObject:
        """``resource`` as a cdk8s ApiObject in this chart's cdk8s chart."""
        raise NotImplementedError


def _article(noun: str) -> str:
    return "an" if noun[:1].upper() in "AEIOU" else "a"


def _child_path(scope: Construct, id: object) -> str:
    return f"{scope.node.path}/{id}" if scope.node.path else str(id)


def _with_source(f: Finding, source: str) -> Finding:
    obj = ObjectRef(f.obj.api_version, f.obj.kind, f.obj.name, f.obj.namespace, source)
    return Finding(f.severity, f.code, f.message, obj, f.path, f.hint)


class Resource(Construct):
    """A construct that renders exactly one Kubernetes object.

    Subclasses set ``api_version`` and ``kind`` and implement ``_body`` (everything but
    ``apiVersion``, ``kind`` and ``metadata``). The object's ``metadata.name`` is explicit:
    the ``name`` argument, or the construct id. No hash suffixes, ever.
    """

    api_version: ClassVar[str] = ""
    kind: ClassVar[str] = ""

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        name: str | None = None,
        namespace: str | None = None,
        labels: Mapping[str, str] | None = None,
        annotations: Mapping[str, str] | None = None,
    ) -> None:
        if isinstance(scope, Construct) and scope.find_chart() is None:
            # only charts are written out: a resource anywhere else would vanish from dist/
            raise K8sDslError(
                [
                    Finding(
                        Severity.ERROR,
                        "construct/outside-chart",
                        f"a {type(self).__name__} must be created in a Chart, "
                        f"not in {_article(type(scope).__name__)} {type(scope).__name__}",
                        ObjectRef(kind=type(self).__name__, source=_child_path(scope, id)),
                        "scope",
                        f"create a chart and put it there: chart = Chart(app, 'name'); "
                        f"{type(self).__name__}(chart, {id!r}, ...)",
                    )
                ],
                summary=f"invalid {type(self).__name__} at {_child_path(scope, id)}",
            )
        super().__init__(scope, id)
        self.name: str = name if name is not None else id
        self._namespace = namespace
        self.labels: dict[str, str] = dict(labels or {})
        self.annotations: dict[str, str] = dict(annotations or {})
        self._api_object: cdk8s.ApiObject | None = None
        problems = self._check_metadata()
        if problems:
            raise K8sDslError(
                problems, summary=f"invalid {type(self).__name__} at {self.node.path}"
            )

    # -- metadata ---------------------------------------------------------------------------

    def _check_metadata(self) -> list[Finding]:
        ref = ObjectRef(self.api_version, self.kind, self.name, self._namespace, self.node.path)
        return [
            Finding(Severity.ERROR, p.code, p.message, ref, p.path, p.hint)
            for p in metadata_problems(
                self.kind, self.name, self._namespace, self.labels, self.annotations
            )
        ]

    @property
    def namespace(self) -> str | None:
        """The object's namespace: its own, else its chart's; never for cluster-scoped kinds."""
        if not is_namespaced(self.kind):
            return None
        if self._namespace is not None:
            return self._namespace
        chart = self.find_chart()
        return getattr(chart, "namespace", None) if chart is not None else None

    @property
    def k8s_version(self) -> K8sVersion:
        chart = self.find_chart()
        if chart is None:
            return K8sVersion(DEFAULT_VERSION)
        return chart.k8s_version

    def metadata(self) -> dict[str, Any]:
        meta: dict[str, Any] = {"name": self.name}
        namespace = self.namespace
        if namespace:
            meta["namespace"] = namespace
        chart = self.find_chart()
        labels = {**(getattr(chart, "labels", None) or {}), **self.labels}
        if labels:
            meta["labels"] = labels
        if self.annotations:
            meta["annotations"] = dict(self.annotations)
        return meta

    # -- rendering --------------------------------------------------------------------------

    def _body(self) -> dict[str, Any]:
        """Everything but apiVersion, kind and metadata (``spec``, ``data``, ...)."""
        return {}

    def to_k8s(self) -> dict[str, Any]:
        """The Kubernetes object. With the escape hatch in use, cdk8s renders it (patches too)."""
        if self._api_object is not None:
            return dict(self._api_object.to_json())
        return {
            "apiVersion": self.api_version,
            "kind": self.kind,
            "metadata": self.metadata(),
            **self._body(),
        }

    @property
    def api_object(self) -> cdk8s.ApiObject:
        """The escape hatch: this object as a cdk8s ``ApiObject`` (for ``add_json_patch``).

        The first access creates the ApiObject in the chart's cdk8s chart; from then on the
        object is rendered by cdk8s, with every patch, and still checked by every rule and by
        the schema at synth.
        """
        if self._api_object is None:
            chart = self.find_chart()
            if chart is None:
                raise K8sDslError(
                    [
                        Finding(
                            Severity.ERROR,
                            "construct/outside-chart",
                            "the api_object escape hatch needs the resource to be in a Chart",
                            self.ref(),
                            "api_object",
                            "create the resource in a Chart: Kind(chart, 'id', ...)",
                        )
                    ]
                )
            self._api_object = chart.make_api_object(self)
        return self._api_object

    def ref(self) -> ObjectRef:
        return ObjectRef(self.api_version, self.kind, self.name, self.namespace, self.node.path)
