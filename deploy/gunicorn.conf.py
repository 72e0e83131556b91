"""gunicorn's settings for Keyworker: `gunicorn --config deploy/gunicorn.conf.py` (see docs/deployment.md).

Everything that differs between installations comes from the environment, as the application's own settings do.
"""

import os

wsgi_app = "config.wsgi:application"

# Behind a reverse proxy on the same machine; in a container, KEYWORKER_BIND=0.0.0.0:8000.
bind = [b for b in os.environ.get("KEYWORKER_BIND", "127.0.0.1:8000").split(",") if b]
# Pages are short and database-bound: a few synchronous processes per CPU. Two CPUs: 5.
workers = int(os.environ.get("KEYWORKER_WEB_WORKERS", str(2 * (os.cpu_count() or 1) + 1)))
worker_class = "sync"
# A page that takes longer than this is stopped (an import or a PDF runs in the background worker, not here).
timeout = int(os.environ.get("KEYWORKER_WEB_TIMEOUT", "60"))
graceful_timeout = 30
keepalive = 5
# A process is replaced after this many requests (with some jitter, so not all at once): memory stays flat.
max_requests = 1000
max_requests_jitter = 100
# The proxy's address, whose X-Forwarded-Proto gunicorn believes (Django trusts it with KEYWORKER_PROXY_COUNT).
forwarded_allow_ips = os.environ.get("KEYWORKER_FORWARDED_ALLOW_IPS", "127.0.0.1,::1")
# A request line or header larger than these is refused before Django sees it.
limit_request_line = 8190
limit_request_fields = 100
# No control socket (gunicorn 24+ would make one in the user's home): systemd's signals reload and stop it.
control_socket_disable = True

# One access line per request comes from Django (logger keyworker.access, with the request id); gunicorn writes
# only its own messages (workers starting, timeouts), to standard error, in the same format as the application.
accesslog = None
errorlog = "-"
loglevel = os.environ.get("KEYWORKER_LOG_LEVEL", "info").lower()
if os.environ.get("KEYWORKER_LOG_FORMAT", "json" if os.environ.get("KEYWORKER_ENV") == "production" else "text") == "json":
    logconfig_dict = {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {
            "json": {
                "()": "pythonjsonlogger.json.JsonFormatter",
                "fmt": "%(asctime)s %(levelname)s %(name)s %(message)s",
                "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
                "datefmt": "%Y-%m-%dT%H:%M:%S%z",
            },
        },
        "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "json", "stream": "ext://sys.stderr"}},
        "loggers": {
            "gunicorn.error": {"handlers": ["console"], "level": loglevel.upper(), "propagate": False},
            # A logging configuration turns gunicorn's access lines on; Django's (keyworker.access) are the ones kept.
            "gunicorn.access": {"handlers": [], "level": "CRITICAL", "propagate": False},
        },
    }
