"""The app definitions: one module per topic of the course notes.

Each module defines ``build(app: App) -> None``, which adds its chart(s). ``python -m apps``
(what ``cdk8s synth`` runs) builds them all into one App and synthesizes it.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable
from types import ModuleType

from k8sdsl import App, Cluster, K8sDslError
from k8sdsl._cdk8s_bridge import is_jsii_error, jsii_error_findings
from k8sdsl.core import Finding
from k8sdsl.core._arguments import argument_error_finding


def app_modules() -> list[ModuleType]:
    """Every app module in this package, in name order (so output order is stable)."""
    names = sorted(m.name for m in pkgutil.iter_modules(__path__) if not m.name.startswith("_"))
    return [importlib.import_module(f"{__name__}.{n}") for n in names]


def _line_in(module: ModuleType, exc: BaseException) -> str:
    """``file:line`` of the last frame of ``exc`` inside ``module`` (its name if none)."""
    where = module.__name__
    tb = exc.__traceback__
    while tb is not None:
        if tb.tb_frame.f_code.co_filename == module.__file__:
            where = f"{module.__file__}:{tb.tb_lineno}"
        tb = tb.tb_next
    return where


def build_app(**kwargs: object) -> App:
    """One App with every app module's charts in it.

    A module whose definitions are invalid stops at its first bad construct (as Python
    does), but every other module is still built, so one run reports the errors of all.
    """
    modules = app_modules()
    if "cluster" not in kwargs:
        # a module declares what it expects the cluster to have in its CLUSTER: the objects,
        # CSI drivers, IngressClasses and default StorageClass of all of them
        declared = [getattr(m, "CLUSTER", None) for m in modules]
        clusters = [c for c in declared if isinstance(c, Cluster)]
        objects = [o for c in clusters for o in c.objects]
        drivers = sorted({d for c in clusters for d in c.csi_drivers})
        classes = sorted({i for c in clusters for i in c.ingress_classes})
        default_class = next(
            (c.default_storage_class for c in clusters if c.default_storage_class), None
        )
        kwargs["cluster"] = Cluster(
            objects=objects,
            csi_drivers=drivers,
            ingress_classes=classes,
            default_storage_class=default_class,
        )
    app = App(**kwargs)  # type: ignore[arg-type]
    problems: list[Finding] = []
    for module in modules:
        build: Callable[[App], None] = module.build
        try:
            build(app)
        except K8sDslError as exc:
            problems.extend(exc.findings)
        except TypeError as exc:
            # a mistyped or missing argument of a k8sdsl construct or value
            finding = argument_error_finding(exc, _line_in(module, exc))
            if finding is None:
                raise
            problems.append(finding)
        except Exception as exc:
            # a cdk8s or cdk8s-plus construct refused its properties: report the line of the
            # app definition, not node's stack trace
            if not is_jsii_error(exc):
                raise
            problems.extend(jsii_error_findings(exc, _line_in(module, exc)))
    if problems:
        raise K8sDslError(
            problems, summary="synth failed: the app definitions have errors; nothing was written"
        )
    return app
