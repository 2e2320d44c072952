"""``python -m appwarden`` runs the command line."""

import sys

from appwarden.launch import main  # the console script's launcher: `scan` may go to the scan daemon

sys.exit(main())
