"""WSGI entry point for application servers (gunicorn tryghed.wsgi)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tryghed.settings")
application = get_wsgi_application()
