"""gunicorn settings for BackCare (`make serve`; docs/DEPLOY.md).

Every value can be changed through the environment without editing this file. The app
servers keep no state of their own: the database holds the data, Redis (REDIS_URL) the
throttle counts, so any number of them can run side by side.
"""

import gc
import multiprocessing

# The same typed helpers as the app's settings: a blank value means "not set", a bad one
# stops the server at once with the variable's name.
from backcare.settings import env_bool, env_int, env_str

wsgi_app = "backcare.wsgi:application"

# Behind a proxy on the same host keep the default; on a private network use 0.0.0.0:8000.
bind = env_str("GUNICORN_BIND", "127.0.0.1:8000")
# The usual rule for synchronous workers: two per core, plus one.
workers = env_int("GUNICORN_WORKERS", multiprocessing.cpu_count() * 2 + 1)
# A stuck request is killed after this many seconds; the API's requests take milliseconds.
timeout = env_int("GUNICORN_TIMEOUT", 30)
graceful_timeout = env_int("GUNICORN_GRACEFUL_TIMEOUT", 30)
# Long enough for a proxy or balancer that reuses connections (theirs is usually 60 s+).
keepalive = env_int("GUNICORN_KEEPALIVE", 5)
# Recycle workers now and then so a slow leak can never take a server down. The jitter is
# half the limit: workers start together and share requests evenly, so with a jitter of 10%
# all of them were replaced within seconds of each other, each importing Django again, and
# the server stalled for a second or more (issue 28, bench/NOTES.md).
max_requests = env_int("GUNICORN_MAX_REQUESTS", 2000)
max_requests_jitter = env_int("GUNICORN_MAX_REQUESTS_JITTER", max_requests // 2)
# The app is imported once, in the master, before the workers are forked: a replacement
# worker is ready in milliseconds instead of spending a second or more of CPU importing
# Django and the app while the others wait for the cores. No connection is opened at import
# (Django connects on a request's first query), so nothing is shared across the fork. Code
# changes need a restart (systemd), not a HUP.
preload_app = env_bool("GUNICORN_PRELOAD_APP", True)
# What the master holds when it forks a worker (Django, the app, its settings and
# translations: about 80,000 objects) is moved out of the garbage collector's reach first.
# Each worker's full collections then walk only what the worker made itself, instead of
# walking, and writing the collector's marks into, every page it shares with the master:
# after a fork each worker's first full collections copied those pages and took tens of
# milliseconds of CPU each, five workers at about the same moment (issue 28, bench/NOTES.md).
# Nothing is lost: those objects live as long as the process does anyway.
gc_freeze = env_bool("GUNICORN_GC_FREEZE", True)

# Only the proxy talks to gunicorn; trust its X-Forwarded-* headers (default: this host only).
forwarded_allow_ips = env_str("FORWARDED_ALLOW_IPS", "127.0.0.1,::1")
# No runtime control socket (gunicornc): restarts go through systemd, and two instances on
# one host would otherwise fight over the same socket path.
control_socket_disable = True

# Access log to stdout, error log to stderr. In JSON mode quiz.logs.JsonFormatter writes
# one object a line with the method, the path (never the query string), the status, the
# duration and the request id; the text format below leaves the query string out too.
accesslog = "-"
errorlog = "-"
loglevel = env_str("LOG_LEVEL", "info").lower()
access_log_format = '"%(m)s %(U)s" %(s)s %(B)s %(M)sms id=%({x-request-id}o)s'

if env_str("LOG_FORMAT", "text" if env_bool("DEBUG", False) else "json") == "json":
    logconfig_dict = {
        "formatters": {"json": {"()": "quiz.logs.JsonFormatter"}},
        "handlers": {
            "console": {"class": "logging.StreamHandler", "formatter": "json", "stream": "ext://sys.stdout"},
            "error_console": {"class": "logging.StreamHandler", "formatter": "json", "stream": "ext://sys.stderr"},
        },
        # Django's own root handler would print each gunicorn line a second time.
        "loggers": {
            "gunicorn.error": {"level": loglevel.upper(), "handlers": ["error_console"], "propagate": False},
            "gunicorn.access": {"level": "INFO", "handlers": ["console"], "propagate": False},
        },
    }


def pre_fork(server, worker):
    """In the master, just before each worker is forked."""
    if gc_freeze:
        gc.freeze()
