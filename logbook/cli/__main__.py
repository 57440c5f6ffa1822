"""``python -m logbook.cli``: the ``logbook`` command."""

from logbook.cli.main import main

raise SystemExit(main())
