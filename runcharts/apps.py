from django.apps import AppConfig


class RunchartsConfig(AppConfig):
    name = "runcharts"
    verbose_name = "Run charts"
