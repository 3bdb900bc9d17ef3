"""The calendar URLs, at /calendar/ (paths given out by `events.calendar_links`)."""

from django.contrib.auth import views as auth_views
from django.urls import path, re_path, reverse_lazy

from community.forms import MemberSignInForm
from events import views

app_name = "events"

urlpatterns = [
    path("events.ics", views.events_feed, name="events_feed"),
    re_path(r"^topics/(?P<slug>[^/]+)\.ics$", views.topic_feed, name="topic_feed"),
    re_path(r"^events/(?P<slug>[^/]+)\.ics$", views.event_feed, name="event_feed"),
    re_path(
        r"^members/(?P<token>[^/]+)/events/(?P<slug>[^/]+)\.ics$", views.member_event_feed, name="member_event_feed"
    ),
    # Anything after members/ (slashes, dots, 10 KB) reaches the view, so every bad link gets the same answer.
    re_path(r"^members/(?P<token>[\s\S]*)\.ics$", views.member_feed, name="member_feed"),
    path("subscription/", views.subscription, name="subscription"),
    path(
        "login/",  # the URL members have bookmarked; everything else calls it sign-in
        # Members sign in by email, with the rules and lockout of the GraphQL `login` mutation; staff use the admin's.
        auth_views.LoginView.as_view(
            template_name="events/calendar_sign_in.html",
            authentication_form=MemberSignInForm,
            redirect_authenticated_user=True,
            next_page=reverse_lazy("events:subscription"),
        ),
        name="calendar_sign_in",
    ),
]
