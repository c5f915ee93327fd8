"""The desk's settings plus one bare JSON view (``/bench/bare/``): the ceiling the load runs compare against."""

from seller_desk.settings import *  # noqa: F403

ROOT_URLCONF = "bench.urls"
