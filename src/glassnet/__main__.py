"""``python -m glassnet`` runs the command-line interface."""
import sys

from glassnet.cli import main  # Ctrl-C until main runs: glassnet/__init__.py's start guard

sys.exit(main())
