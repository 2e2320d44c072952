"""WSGI entry point (``gunicorn appwarden.platform.wsgi``)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "appwarden.platform.settings")
application = get_wsgi_application()
