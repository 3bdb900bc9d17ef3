"""Admin wiring: staff issue, rotate and revoke members' private calendar links.

The link itself is a credential, so the admin never shows it: members see theirs on /calendar/subscription/ (or
through GraphQL `viewer.calendarUrl`). Creating a link for a member who has one replaces it (the old one answers
410 Gone); editing a link offers "replace" or "revoke".
"""

from django import forms
from django.contrib.auth import get_user_model
from wagtail import hooks
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.ui.tables import Column, DateColumn
from wagtail.admin.views import generic
from wagtail.admin.viewsets.model import ModelViewSet

from events import services
from events.models import CalendarToken


class IssueCalendarLinkForm(WagtailAdminModelForm):
    member = forms.ModelChoiceField(
        queryset=get_user_model().objects.filter(is_active=True).order_by("username"),
        help_text="Gives this member a new private calendar link; a link they already have stops working.",
    )

    class Meta:
        model = CalendarToken
        fields = []


class ChangeCalendarLinkForm(WagtailAdminModelForm):
    action = forms.ChoiceField(
        choices=[
            ("rotate", "Replace with a new link (the current one stops working)"),
            ("revoke", "Revoke (the link stops working; the member can create a new one)"),
        ],
        widget=forms.RadioSelect,
    )

    class Meta:
        model = CalendarToken
        fields = []

    def clean(self):
        cleaned_data = super().clean()
        if self.instance.is_revoked:
            raise forms.ValidationError("This link is already revoked.")
        return cleaned_data


class IssueCalendarLinkView(generic.CreateView):
    def save_instance(self):
        return services.calendar_token_rotate(user=self.form.cleaned_data["member"])


class ChangeCalendarLinkView(generic.EditView):
    def save_instance(self):
        member = self.object.user
        if self.form.cleaned_data["action"] == "rotate":
            return services.calendar_token_rotate(user=member)
        services.calendar_token_revoke(user=member)
        self.object.refresh_from_db()
        return self.object


class CalendarTokenViewSet(ModelViewSet):
    model = CalendarToken
    icon = "date"
    menu_label = "Calendar links"
    menu_order = 220
    add_to_admin_menu = True
    add_view_class = IssueCalendarLinkView
    edit_view_class = ChangeCalendarLinkView
    list_display = [
        Column("user", label="Member"),
        Column("is_revoked", label="Revoked"),
        DateColumn("created_at", label="Created"),
        DateColumn("revoked_at", label="Revoked at"),
    ]
    list_filter = ["revoked_at"]
    search_fields = ["user__username", "user__email", "user__last_name"]
    inspect_view_enabled = False

    def get_form_class(self, for_update=False):
        return ChangeCalendarLinkForm if for_update else IssueCalendarLinkForm


@hooks.register("register_admin_viewset")
def register_calendar_token_viewset():
    return CalendarTokenViewSet("calendar_tokens")
