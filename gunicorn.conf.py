"""gunicorn settings for the services mode and production (read from the environment).

    gunicorn seller_desk.wsgi -c gunicorn.conf.py

``kill -HUP <master pid>`` reloads gracefully: new workers start with the new code, old ones finish
their requests within ``GUNICORN_GRACEFUL_TIMEOUT``. A request running past ``GUNICORN_TIMEOUT``
seconds has its worker killed and replaced.
"""

import multiprocessing
import os

bind = os.environ.get(
    "GUNICORN_BIND", f"{os.environ.get('HOST', '127.0.0.1')}:{os.environ.get('PORT', '8000')}"
)
workers = int(
    os.environ.get("GUNICORN_WORKERS")
    or os.environ.get("WEB_CONCURRENCY")
    or min(4, multiprocessing.cpu_count() * 2 + 1)
)
threads = int(os.environ.get("GUNICORN_THREADS", "4"))
worker_class = "gthread"
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = int(os.environ.get("GUNICORN_GRACEFUL_TIMEOUT", "30"))
keepalive = int(os.environ.get("GUNICORN_KEEPALIVE", "5"))
# Recycle workers for bounded memory, but rarely: a new worker spends 2–5 s of CPU building the language detector
# (post_worker_init), so recycling every 2,000 requests cost 1–2.5 ms a request and stalled the benchmarks.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "20000"))
max_requests_jitter = int(os.environ.get("GUNICORN_MAX_REQUESTS_JITTER", "2000"))
limit_request_line = 8190
limit_request_field_size = 8190
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
accesslog = None  # the desk writes its own JSON access line with the request id (seller_desk/logging.py)
errorlog = "-"
loglevel = os.environ.get("LOG_LEVEL", "info").lower()
preload_app = False  # each worker imports the app itself, so HUP picks up new code


def post_worker_init(worker):
    """Build the language detector before the worker's first request: building it takes 2–5 s, which the first
    buyer message of every worker would otherwise wait for (the ingress p99 in docs/benchmarks.md); then freeze
    what the worker has built so far out of the garbage collector's way."""
    import gc

    from templates_i18n.languages import detect_language

    detect_language("Where is my parcel?")
    # What the worker built at start (the app, its modules, the detector: ~130,000 objects) never becomes garbage;
    # frozen, the collector's full passes skip it instead of walking it (a 70–80 ms pause every ~1,500 ingress
    # requests in bench/profile_ingress.py, in whichever request triggered it: issue 14's p99).
    gc.collect()
    gc.freeze()
