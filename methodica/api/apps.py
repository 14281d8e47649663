from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "methodica.api"
    label = "api"
    verbose_name = "API"
