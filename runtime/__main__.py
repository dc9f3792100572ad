"""``python -m runtime`` is the ``jixiao`` command."""

from runtime.cli import main

raise SystemExit(main())
