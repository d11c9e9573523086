"""Environments: one app definition, several environments (dev, staging, prod), each with
its own typed values, its own namespace and its own folder of the output.

An :class:`Environment` is a value. A chart made with ``Chart(app, id, environment=env)``
takes the environment's namespace, folder and output layout, and labels every object with
the environment's name, and production ones with ``k8sdsl.io/production: "true"``: the
mark the ``environments/*`` rules read, in synth and in ``k8sdsl check`` alike.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Generic, TypeVar

from pydantic import Field

from k8sdsl.core._model import K8sModel
from k8sdsl.core._types import DnsLabel, RelativePath

#: the label on every object of an environment's charts: the environment's name
ENVIRONMENT_LABEL = "k8sdsl.io/environment"
#: the label that marks an object as production (``"true"``): the ``environments/*`` rules
#: hold such objects to the production minimums; hand-written YAML sets it the same way
PRODUCTION_LABEL = "k8sdsl.io/production"
#: environment names that are production unless ``production=False`` says otherwise
PRODUCTION_NAMES = frozenset({"prod", "production"})


class OutputLayout(StrEnum):
    """How a chart's objects are laid out in the output folder.

    * ``CHART_FILE`` (the default): one ``<chart>.k8s.yaml`` holding every object.
    * ``RESOURCE_FILES``: one file per object, ``<chart>/<kind>-<name>.yaml`` (lowercase; the
      namespace, then the API group, are added to the name only where two objects would
      share a file).
    * ``KUSTOMIZE``: the files of ``RESOURCE_FILES`` plus a ``kustomization.yaml`` in the
      folder (the environment's folder) listing every file of every chart in it, so
      ``kubectl apply -k`` or an Argo CD/Flux path applies exactly that set.
    """

    CHART_FILE = "chart-file"
    RESOURCE_FILES = "resource-files"
    KUSTOMIZE = "kustomize"


class EnvironmentValues(K8sModel):
    """The typed values that differ between environments. Subclass it with your fields
    (replicas, hosts, resources, image tags...): pydantic checks each environment's values
    (frozen, unknown fields refused), and the app definition reads them back typed."""


V = TypeVar("V", bound=EnvironmentValues)


class Environment(K8sModel, Generic[V]):
    """One environment of an app: its name, whether it is production, its namespace, its
    folder of the output and layout, and its typed ``values``.

    ``production`` defaults to true for the names ``prod`` and ``production``, else false;
    ``folder`` defaults to the name (``dist/<name>/``); ``namespace`` is stamped on the
    namespaced objects of the environment's charts (default: the chart's own).
    """

    name: DnsLabel
    values: V
    production: bool | None = None
    namespace: DnsLabel | None = None
    folder: RelativePath | None = None
    layout: OutputLayout = OutputLayout.CHART_FILE
    #: labels for every object of the environment (on top of the environment label)
    labels: dict[str, str] = Field(default_factory=dict)

    @property
    def is_production(self) -> bool:
        """Whether the environment is production (its objects get :data:`PRODUCTION_LABEL`)."""
        return self.production if self.production is not None else self.name in PRODUCTION_NAMES

    @property
    def output_folder(self) -> str:
        """The environment's folder inside the output folder (POSIX, no trailing slash)."""
        return (self.folder or self.name).strip("/")

    def object_labels(self) -> dict[str, str]:
        """The labels every object of the environment gets."""
        out = {**self.labels, ENVIRONMENT_LABEL: self.name}
        if self.is_production:
            out[PRODUCTION_LABEL] = "true"
        return out
