"""``python -m appwarden`` runs the command line."""

import sys

from appwarden.launch import main  # the console script's launcher

sys.exit(main())
