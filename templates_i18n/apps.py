from django.apps import AppConfig


class TemplatesI18nConfig(AppConfig):
    name = "templates_i18n"
