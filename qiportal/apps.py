from django.apps import AppConfig


class QiportalConfig(AppConfig):
    name = "qiportal"
    verbose_name = "Organisation and people"

    def ready(self):
        from qiportal import checks, datacache

        datacache.connect_signals()
        checks.register()
