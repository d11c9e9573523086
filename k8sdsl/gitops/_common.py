"""What the GitOps objects share: an environment's path in the repository."""

from __future__ import annotations

from k8sdsl.core._construct import Construct
from k8sdsl.core._environment import Environment, EnvironmentValues

#: where the output folder sits in the repository unless the app says otherwise
DEFAULT_REPO_PATH = "dist"


def repo_path_of(scope: Construct) -> str:
    """The output folder's path in the repository: the app's ``repo_path``."""
    chart = scope.find_chart()
    return str(getattr(chart, "repo_path", DEFAULT_REPO_PATH) or DEFAULT_REPO_PATH)


def environment_path(scope: Construct, environment: Environment[EnvironmentValues]) -> str:
    """The repository path of ``environment``'s folder: ``dist/prod``."""
    base = repo_path_of(scope).strip("/")
    return (
        f"{base}/{environment.output_folder}" if base and base != "." else environment.output_folder
    )
