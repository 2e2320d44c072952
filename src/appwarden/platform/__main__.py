"""``python -m appwarden.platform <django command>``: Django's manage.py for the platform."""

import os
import sys

from django.core.management import execute_from_command_line

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "appwarden.platform.settings")
execute_from_command_line([sys.argv[0], *sys.argv[1:]])
