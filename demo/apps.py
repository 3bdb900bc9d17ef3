from django.apps import AppConfig


class DemoConfig(AppConfig):
    """The demo site (`manage.py seed_demo`): content, logins, member directory and forum from the program. It is
    the one app that imports every other, and no app imports it."""

    name = "demo"
    verbose_name = "Demo content"
