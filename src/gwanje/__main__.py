"""`python -m gwanje` runs the command line."""

from gwanje.cli.main import main

raise SystemExit(main())
