"""``python -m ncpm`` is the ``ncpm`` command."""

from ncpm.cli import main

main()
