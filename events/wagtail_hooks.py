"""Admin wiring: the "Training events" listing editors work from, and the members' private calendar links staff
issue, rotate and revoke.

The link itself is a credential, so the admin never shows it: members see theirs on /calendar/subscription/ (or
through GraphQL `viewer.calendarUrl`). Creating a link for a member who has one replaces it (the old one answers
410 Gone); editing a link offers "replace" or "revoke".
"""

from datetime import timedelta

from django import forms
from django.contrib.auth import get_user_model
from django.db.models import Case, F, IntegerField, Value, When
from django.urls import reverse
from django.utils import timezone
from django_filters import ChoiceFilter, ModelMultipleChoiceFilter
from wagtail import hooks
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.ui.components import Component
from wagtail.admin.ui.tables import Column, DateColumn
from wagtail.admin.ui.tables.pages import BulkActionsColumn, PageStatusColumn, PageTitleColumn
from wagtail.admin.views import generic
from wagtail.admin.views.pages.listing import IndexView, PageFilterSet
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.admin.viewsets.pages import PageListingViewSet

from events import services
from events.models import CalendarToken, DeliveryMode, EventIndexPage, EventStatus, TrainingEventPage
from events.selectors import upcoming_q
from pages.models import Topic

# --- the training events listing ---------------------------------------------------------------------------------


def next_session(sessions: list, now):
    """The first session not yet over, if any."""
    return next((session for session in sessions if session.end >= now), None)


def next_session_label(event: TrainingEventPage) -> str:
    """The next session still to come (in the event's own time zone), or the last one for a past event."""
    sessions = event.sessions()
    if not sessions:
        return "No sessions"
    upcoming = next_session(sessions, timezone.now())
    label = local_time_label((upcoming or sessions[-1]).start, event)
    return label if upcoming else f"{label} (past)"


def local_time_label(instant, event: TrainingEventPage) -> str:
    """In the event's own zone, named: the admin's templates would convert to the server's zone."""
    local = instant.astimezone(event.zone)
    return f"{local:%a %b %-d, %Y, %-I:%M %p} {local.tzname()}"


class TrainingEventFilterSet(PageFilterSet):
    when = ChoiceFilter(
        label="When",
        choices=[("upcoming", "Upcoming"), ("past", "Past")],
        empty_label="Any time",
        method="filter_when",
        widget=forms.RadioSelect,
    )
    event_status = ChoiceFilter(field_name="status", label="Event status", choices=EventStatus.choices)
    delivery_mode = ChoiceFilter(label="Delivery", choices=DeliveryMode.choices)
    topics = ModelMultipleChoiceFilter(
        label="Topic", queryset=Topic.objects.order_by("name"), widget=forms.CheckboxSelectMultiple
    )

    class Meta:
        model = TrainingEventPage
        fields = []

    def filter_when(self, queryset, name, value):
        return queryset.filter(upcoming_q()) if value == "upcoming" else queryset.exclude(upcoming_q())


class TrainingEventIndexView(IndexView):
    """Soonest upcoming first, then past events newest first: the order an editor plans in."""

    default_ordering = "next_session"

    def get_valid_orderings(self):
        return [*super().get_valid_orderings(), "next_session"]

    def get_base_queryset(self):
        return super().get_base_queryset().prefetch_related("skipped_dates", "session_changes")

    def order_queryset(self, queryset):
        if self.ordering != "next_session" or self.is_searching:
            return super().order_queryset(queryset)
        # A repeating event counts as upcoming until its rule runs out (as in the API); its first session orders it.
        past = Case(When(upcoming_q(), then=Value(0)), default=Value(1), output_field=IntegerField())
        return queryset.annotate(is_past=past).order_by(
            "is_past", Case(When(is_past=0, then=F("start"))).asc(), F("start").desc()
        )


class TrainingEventListingViewSet(PageListingViewSet):
    model = TrainingEventPage
    index_view_class = TrainingEventIndexView
    filterset_class = TrainingEventFilterSet
    icon = "date"
    menu_label = "Training events"
    menu_order = 110
    add_to_admin_menu = True
    columns = [
        BulkActionsColumn("bulk_actions"),
        PageTitleColumn("title", label="Title", sort_key="title", classname="title"),
        Column("next_session", label="Next session", accessor=next_session_label, sort_key="next_session"),
        Column("delivery_mode", label="Delivery", accessor="get_delivery_mode_display", width="12%"),
        Column("event_status", label="Event status", accessor="get_status_display", sort_key="status", width="12%"),
        PageStatusColumn("status", label="Page status", sort_key="live", width="12%"),
        DateColumn("latest_revision_created_at", label="Updated", sort_key="latest_revision_created_at", width="12%"),
    ]


@hooks.register("register_admin_viewset")
def register_training_event_listing():
    return TrainingEventListingViewSet("training_events")


# --- the dashboard: what is coming up ------------------------------------------------------------------------------


class UpcomingEventsPanel(Component):
    """Sessions in the next 30 days, drafts included (so an editor sees what still needs publishing), and the
    quickest way to add an event."""

    name = "upcoming_events"
    template_name = "events/dashboard/upcoming_events.html"
    order = 150
    days = 30
    limit = 12

    def get_context_data(self, parent_context):
        user = parent_context["request"].user
        now = timezone.now()
        horizon = now + timedelta(days=self.days)
        candidates = (
            TrainingEventPage.objects.filter(start__lt=horizon)
            .filter(upcoming_q(now))
            .prefetch_related("skipped_dates", "session_changes")
            .order_by("start")[:200]  # bounded: a dashboard, not a report
        )
        rows = []
        for event in candidates:
            session = next_session(event.sessions(), now)
            if session and session.start < horizon:
                rows.append((session.start, event, local_time_label(session.start, event)))
        rows.sort(key=lambda row: row[0])
        index = EventIndexPage.objects.first()
        can_add = index is not None and index.permissions_for_user(user).can_add_subpage()
        return {
            "rows": [(event, local) for _, event, local in rows[: self.limit]],
            "heading": f"Coming up in the next {self.days} days",
            "days": self.days,
            "add_url": reverse("wagtailadmin_pages:add_subpage", args=[index.pk]) if can_add else None,
            "listing_url": reverse("training_events:index") + "?when=upcoming",
        }


@hooks.register("construct_homepage_panels")
def add_upcoming_events_panel(request, panels):
    panels.append(UpcomingEventsPanel())


# --- members' calendar links -------------------------------------------------------------------------------------


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
