"""Gunicorn settings read from the working directory (``gunicorn seller_desk.wsgi`` picks this file up).

Each worker builds the language detector before its first request: building it takes 2–5 s, which the first buyer
message of every worker would otherwise wait for (the ingress p99 in docs/benchmarks.md).
"""


def post_worker_init(worker):
    from templates_i18n.languages import detect_language

    detect_language("Where is my parcel?")
