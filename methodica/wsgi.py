"""WSGI entry point for the web server (gunicorn ``methodica.wsgi``)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "methodica.settings")
application = get_wsgi_application()
