import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "seller_desk.settings")

app = Celery("seller_desk")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

from seller_desk.logging import connect_celery_signals  # noqa: E402

connect_celery_signals()
