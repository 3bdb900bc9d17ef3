"""Admin "Resource Center → Failed emails": notifications that failed for good or are being retried, with the error
in plain words, and a button to send one again; a dashboard panel says when any have failed.

Seen by holders of `community.view_notification` (superusers have it), resent by holders of
`community.resend_notification`. Never shows an email's body: it can carry members-only words (a staff reply to an
agency), and what staff need to act is who, what kind, when and why it failed.
"""

import django_filters
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.template.loader import render_to_string
from django.urls import path, reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.functional import cached_property
from django.views.generic import TemplateView
from wagtail.admin.filters import WagtailFilterSet
from wagtail.admin.ui.components import Component
from wagtail.admin.ui.tables import Column, StatusTagColumn, TitleColumn
from wagtail.admin.views import generic
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.admin.widgets.button import HeaderButton
from wagtail.permission_policies import ModelPermissionPolicy
from wagtail.permissions import register_permission_policy

from community import notifications
from community.models import Notification, person_name

VIEW_PERMISSION = "community.view_notification"
RESEND_PERMISSION = "community.resend_notification"


class ViewOnlyPolicy(ModelPermissionPolicy):
    """Notifications are written by the code that sends them: staff look and resend, never add, edit or delete."""

    def user_has_permission(self, user, action):
        return action == "view" and super().user_has_permission(user, action)

    def user_has_any_permission(self, user, actions):
        return "view" in actions and self.user_has_permission(user, "view")


register_permission_policy(Notification, ViewOnlyPolicy(Notification), exact_class=True)


def can_resend(user) -> bool:
    return user.is_active and user.has_perm(RESEND_PERMISSION)


def state_of(notification: Notification) -> str:
    return "retrying" if notifications.is_retrying(notification) else notification.get_status_display()


def next_retry(notification: Notification) -> str:
    if not notifications.is_retrying(notification):
        return "—"
    return date_format(timezone.localtime(notification.next_attempt_at), "DATETIME_FORMAT")


def recipient(notification: Notification) -> str:
    user = notification.recipient
    return f"{person_name(user)} <{user.email}>"


class NotificationFilterSet(WagtailFilterSet):
    state = django_filters.ChoiceFilter(
        label="Status",
        choices=[("failed", "Failed (retries exhausted)"), ("retrying", "Retrying")],
        method="filter_state",
        empty_label="Failed or retrying",
    )

    def filter_state(self, queryset, name, value):
        if value == "failed":
            return queryset.filter(status=Notification.Status.FAILED)
        if value == "retrying":
            return queryset.filter(status=Notification.Status.PENDING)
        return queryset

    class Meta:
        model = Notification
        fields = ["state", "kind"]


class NotificationIndexView(generic.IndexView):
    def get_base_queryset(self):
        return notifications.needing_attention().select_related("recipient").order_by("-created_at", "-pk")


class NotificationInspectView(generic.InspectView):
    def get_fields(self):
        return ["recipient", "kind", "subject", "status", "attempts", "created_at", "next_attempt_at", "last_error"]

    def get_field_label(self, field_name, field):
        labels = {"next_attempt_at": "Next retry", "last_error": "Technical detail"}
        return labels.get(field_name) or super().get_field_label(field_name, field)

    def get_field_display_value(self, field_name, field):
        notification = self.object
        if field_name == "recipient":
            return recipient(notification)
        if field_name == "status":
            return f"{state_of(notification)}: {notifications.error_in_plain_words(notification.last_error)}"
        if field_name == "next_attempt_at":
            return next_retry(notification)
        if field_name == "created_at":
            return date_format(timezone.localtime(notification.created_at), "DATETIME_FORMAT")
        return super().get_field_display_value(field_name, field) or "—"

    @cached_property
    def header_buttons(self):
        buttons = list(super().header_buttons)
        if can_resend(self.request.user) and (
            self.object.status == Notification.Status.FAILED or notifications.is_retrying(self.object)
        ):
            buttons.append(
                HeaderButton("Send again", url=reverse("notifications:resend", args=[self.object.pk]), icon_name="mail")
            )
        return buttons


class ResendView(WagtailAdminTemplateMixin, TemplateView):
    """Confirm (GET), then queue the email again (POST) through `notifications.notification_resend`."""

    template_name = "community/notification_resend.html"
    page_title = "Send the email again"
    header_icon = "mail"

    def dispatch(self, request, *args, **kwargs):
        if not can_resend(request.user):
            raise PermissionDenied
        self.object = get_object_or_404(Notification.objects.select_related("recipient"), pk=kwargs["pk"])
        return super().dispatch(request, *args, **kwargs)

    def get_page_subtitle(self):
        return self.object.subject

    def get_context_data(self, **kwargs):
        back = reverse("notifications:inspect", args=[self.object.pk])
        return super().get_context_data(notification=self.object, recipient=recipient(self.object), back_url=back)

    def post(self, request, *args, **kwargs):
        try:
            notifications.notification_resend(notification_id=self.object.pk)
        except notifications.NotResendable as refusal:
            messages.error(request, str(refusal))
            return redirect("notifications:inspect", self.object.pk)
        messages.success(request, f"Queued again for {recipient(self.object)}: it is sent within a minute or so.")
        return redirect("notifications:index")


class NotificationViewSet(ModelViewSet):
    model = Notification
    icon = "mail"
    menu_label = "Failed emails"
    name = "notifications"
    index_view_class = NotificationIndexView
    inspect_view_class = NotificationInspectView
    inspect_view_enabled = True
    copy_view_enabled = False
    form_fields = ["subject"]  # required by ModelViewSet; ViewOnlyPolicy never lets anyone edit
    filterset_class = NotificationFilterSet
    list_display = [
        TitleColumn("subject", label="Subject", url_name="notifications:inspect"),
        Column("recipient", label="Recipient", accessor=recipient),
        "kind",
        StatusTagColumn("state", label="Status", accessor=state_of, primary=notifications.is_retrying),
        "attempts",
        Column("error", label="Last error", accessor=lambda n: notifications.error_in_plain_words(n.last_error)),
        Column("next_retry", label="Next retry", accessor=next_retry),
    ]
    search_fields = ["subject", "recipient__email", "recipient__last_name"]

    def get_urlpatterns(self):
        return [*super().get_urlpatterns(), path("<int:pk>/resend/", ResendView.as_view(), name="resend")]


class FailedNotificationsPanel(Component):
    """A dashboard hint, shown only while any email has failed for good."""

    name = "failed_notifications"
    order = 40

    def __init__(self, failed: int):
        self.failed = failed

    def render_html(self, parent_context=None):
        url = reverse("notifications:index") + "?state=failed"
        return render_to_string("community/failed_notifications_panel.html", {"failed": self.failed, "url": url})


def failed_notifications_panel(user) -> FailedNotificationsPanel | None:
    if not user.has_perm(VIEW_PERMISSION):
        return None
    failed = Notification.objects.filter(status=Notification.Status.FAILED).count()
    return FailedNotificationsPanel(failed) if failed else None
