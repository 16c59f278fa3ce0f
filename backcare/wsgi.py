"""
WSGI config for backcare project.

It exposes the WSGI callable as a module-level variable named ``application``.

For more information on this file, see
https://docs.djangoproject.com/en/5.2/howto/deployment/wsgi/
"""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "backcare.settings")

application = get_wsgi_application()

# The URLconf and the translations loaded now, not on each worker's first requests
# (backcare/warmup.py): with gunicorn's preload_app, once in the master for all workers.
from backcare.warmup import warm  # noqa: E402 (after the settings module is chosen)

warm()
