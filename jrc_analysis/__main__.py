"""``python -m jrc_analysis`` runs the ``jrc`` command line."""
from jrc_analysis.cli import main

raise SystemExit(main())
