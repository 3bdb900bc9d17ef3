from django.apps import AppConfig


class ForumConfig(AppConfig):
    name = "community.forum"
    label = "forum"
    verbose_name = "Forum"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from django.db.models.signals import post_migrate

        from community.forum.permissions import on_post_migrate

        post_migrate.connect(on_post_migrate, dispatch_uid="forum_moderators_setup")
