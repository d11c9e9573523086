"""``python -m apps``: build every app definition and synthesize it (what ``cdk8s synth`` runs)."""

import sys

from apps import build_app
from k8sdsl.core import K8sDslError
from k8sdsl.synth import run_main


def main() -> int:
    try:
        app = build_app()
    except K8sDslError as exc:
        print(str(exc), file=sys.stderr)
        return 1
    return run_main(app)


if __name__ == "__main__":
    sys.exit(main())
