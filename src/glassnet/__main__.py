"""``python -m glassnet`` runs the command-line interface."""
import sys

try:
    from glassnet.cli import main
except KeyboardInterrupt:  # Ctrl-C while the modules load: no traceback
    print("glassnet: interrupted", file=sys.stderr)
    sys.exit(130)

sys.exit(main())
