from django.apps import AppConfig


class CommunityConfig(AppConfig):
    """The Online Resource Center's members side: agencies (member directory), member accounts and invitations,
    and the Technical Assistance Center. The discussion forum is its own app (`community.forum`, label `forum`)."""

    name = "community"
    label = "community"
    verbose_name = "Online Resource Center"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from django.db.models.signals import post_migrate

        from community.permissions import on_post_migrate

        post_migrate.connect(on_post_migrate, dispatch_uid="community_ta_staff_setup")

        from cms import content_version
        from community.models import Agency, AgencyContact, Member

        # The directory and members' answers (cached responses key on the content version).
        for model in (Agency, AgencyContact, Member):
            content_version.track_model(model)
