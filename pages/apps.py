from django.apps import AppConfig
from django.db.models.signals import post_migrate


class PagesConfig(AppConfig):
    name = "pages"
    verbose_name = "Program pages"

    def ready(self):
        from pages.editorial import on_post_migrate

        post_migrate.connect(on_post_migrate, dispatch_uid="pages_editorial_setup")
