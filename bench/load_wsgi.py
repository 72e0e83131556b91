"""The WSGI application as bench_load.py serves it: Django with WhiteNoise in front for the collected static files
(BENCH_STATIC_ROOT), as a production server serves them."""

import os

from whitenoise import WhiteNoise

from config.wsgi import application as django_application

application = WhiteNoise(django_application, root=os.environ["BENCH_STATIC_ROOT"], prefix="static/", max_age=3600)
