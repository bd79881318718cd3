from django.apps import AppConfig


class QiportalConfig(AppConfig):
    name = "qiportal"
    verbose_name = "Organisation and people"
