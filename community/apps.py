from django.apps import AppConfig


class CommunityConfig(AppConfig):
    """The Online Resource Center's members side: agencies (member directory), member accounts and invitations,
    and the Technical Assistance Center. The discussion forum is its own app (`community.forum`, label `forum`)."""

    name = "community"
    label = "community"
    verbose_name = "Online Resource Center"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from cms import content_version
        from community.models import Agency, AgencyContact, Member

        # The directory and members' answers (cached responses key on the content version).
        for model in (Agency, AgencyContact, Member):
            content_version.track_model(model)
