"""``python -m k8sdsl`` is the ``k8sdsl`` command."""

from k8sdsl.cli import console_main

console_main()
