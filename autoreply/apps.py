from django.apps import AppConfig


class AutoreplyConfig(AppConfig):
    name = "autoreply"
