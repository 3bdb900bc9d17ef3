from django.apps import AppConfig
from django.db.models.signals import post_migrate


class PagesConfig(AppConfig):
    name = "pages"
    verbose_name = "Program pages"

    def ready(self):
        from cms import content_version
        from pages.editorial import on_post_migrate
        from pages.models import Person, Topic

        post_migrate.connect(on_post_migrate, dispatch_uid="pages_editorial_setup")
        # Snippets every content answer shows (cached responses key on the content version).
        content_version.track_model(Topic)
        content_version.track_model(Person)
