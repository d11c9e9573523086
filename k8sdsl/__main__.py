"""``python -m k8sdsl`` is the ``k8sdsl`` command."""

import sys

from k8sdsl.cli import main

sys.exit(main())
