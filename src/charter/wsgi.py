import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "charter.settings")
application = get_wsgi_application()

# A web process starts once and then serves requests for hours: everything loaded at start is
# taken out of the garbage collector's way (see charter.core.heap).
from charter.core.heap import settle  # noqa: E402

settle()
