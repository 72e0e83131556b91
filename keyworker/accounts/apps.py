from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "keyworker.accounts"
    label = "accounts"
