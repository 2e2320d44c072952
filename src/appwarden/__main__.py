"""``python -m appwarden`` runs the command line."""

import sys

from appwarden.cli import main

sys.exit(main())
