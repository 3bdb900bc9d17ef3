"""Admin: Webhooks → Endpoints (edit, ping, rotate, replay; last success and failure) and Delivery log (what was
sent where, every attempt in plain words, searchable by the `webhook-id` a partner quotes)."""

import json
import re
import uuid

from django.db.models import Max, Q
from django.urls import path, reverse
from django.utils.functional import cached_property
from wagtail import hooks
from wagtail.admin.panels import FieldPanel, FieldRowPanel
from wagtail.admin.ui.tables import Column, DateColumn, StatusTagColumn, TitleColumn
from wagtail.admin.views import generic
from wagtail.admin.viewsets.base import ViewSetGroup
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.admin.widgets.button import HeaderButton
from wagtail.permission_policies import ModelPermissionPolicy
from wagtail.permissions import register_permission_policy

from integrations.webhooks import selectors, views
from integrations.webhooks.models import Delivery, DeliveryStatus, Endpoint
from integrations.webhooks.wording import in_plain_words

WEBHOOK_ID = re.compile(r"(?:msg_)?([0-9a-f]{32})", re.IGNORECASE)


class EndpointEditView(generic.EditView):
    @cached_property
    def header_buttons(self):
        pk = self.object.pk
        return [
            *super().header_buttons,
            HeaderButton("Send test ping", url=reverse("webhook_endpoints:ping", args=[pk]), icon_name="mail"),
            HeaderButton("Rotate secret", url=reverse("webhook_endpoints:rotate", args=[pk]), icon_name="key"),
            HeaderButton("Replay", url=reverse("webhook_endpoints:replay", args=[pk]), icon_name="rotate"),
            HeaderButton(
                "Delivery log", url=reverse("webhook_deliveries:index") + f"?endpoint={pk}", icon_name="list-ul"
            ),
        ]


class EndpointIndexView(generic.IndexView):
    def get_base_queryset(self):
        return (
            super()
            .get_base_queryset()
            .annotate(
                last_success_at=Max(
                    "deliveries__attempt_log__attempted_at", filter=Q(deliveries__attempt_log__succeeded=True)
                ),
                last_failure_at=Max(
                    "deliveries__attempt_log__attempted_at", filter=Q(deliveries__attempt_log__succeeded=False)
                ),
            )
        )


class EndpointViewSet(ModelViewSet):
    model = Endpoint
    icon = "link-external"
    menu_label = "Endpoints"
    name = "webhook_endpoints"
    copy_view_enabled = False
    index_view_class = EndpointIndexView
    edit_view_class = EndpointEditView
    list_display = [
        "url",
        "description",
        "audience",
        StatusTagColumn("active", primary=lambda e: e.active),
        DateColumn("last_success_at", label="Last success"),
        DateColumn("last_failure_at", label="Last failure"),
        DateColumn("failing_since", label="Failing since"),
    ]
    list_filter = ["active", "audience"]
    search_fields = ["url", "description"]
    panels = [
        FieldPanel("url"),
        FieldPanel("description"),
        FieldPanel("event_types"),
        FieldRowPanel([FieldPanel("audience"), FieldPanel("active")]),
        FieldPanel("secret", help_text="Shared with the partner. Use 'Rotate secret' to change it without downtime."),
        FieldPanel("headers"),
        FieldPanel("owner_email"),
    ]

    def get_urlpatterns(self):
        return [
            *super().get_urlpatterns(),
            path("<int:pk>/ping/", views.EndpointPingView.as_view(), name="ping"),
            path("<int:pk>/rotate/", views.EndpointRotateSecretView.as_view(), name="rotate"),
            path("<int:pk>/replay/", views.EndpointReplayView.as_view(), name="replay"),
        ]


class LogOnlyPolicy(ModelPermissionPolicy):
    """The delivery log is written by the worker only: staff may look and resend, never add, edit or delete."""

    def user_has_permission(self, user, action):
        return action not in ("add", "change", "delete") and super().user_has_permission(user, action)

    def user_has_any_permission(self, user, actions):
        return any(self.user_has_permission(user, action) for action in actions)


register_permission_policy(Delivery, LogOnlyPolicy(Delivery), exact_class=True)


def change_summary(delivery: Delivery) -> str:
    """ "event.published: CIT Core Course, Tulsa" rather than "event.published page:42"."""
    title = delivery.message.data.get("title")
    return f"{delivery.message.type}: {title}" if title else str(delivery.message)


def next_retry(delivery: Delivery):
    return delivery.next_attempt_at if delivery.status == DeliveryStatus.PENDING else None


class DeliveryIndexView(generic.IndexView):
    def get_base_queryset(self):
        return super().get_base_queryset().select_related("message", "endpoint")

    def search_queryset(self, queryset):
        """A `webhook-id` (msg_…, as a partner quotes it from its logs) finds that message; other words search the
        change, its title and the endpoint."""
        if not self.is_searching:
            return queryset
        query = self.search_query.strip()
        if quoted := WEBHOOK_ID.fullmatch(query):
            return queryset.filter(message_id=uuid.UUID(quoted[1]))
        return queryset.filter(
            Q(message__type__icontains=query)
            | Q(message__data__title__icontains=query)
            | Q(endpoint__url__icontains=query)
            | Q(endpoint__description__icontains=query)
        )


class DeliveryInspectView(generic.InspectView):
    template_name = "webhooks/delivery_inspect.html"

    @cached_property
    def header_buttons(self):
        url = reverse("webhook_deliveries:resend", args=[self.object.pk])
        return [*super().header_buttons, HeaderButton("Resend", url=url, icon_name="rotate")]

    def get_context_data(self, **kwargs):
        delivery = self.object
        body = selectors.delivery_body(delivery.message, delivery.endpoint.audience)
        page_id = delivery.message.data.get("id") if delivery.message.object_key.startswith("page:") else None
        return super().get_context_data(
            delivery=delivery,
            summary=change_summary(delivery),
            next_retry=next_retry(delivery),
            problem=in_plain_words(delivery.last_error),
            attempts=[(attempt, in_plain_words(attempt.error)) for attempt in delivery.attempt_log.all()[:50]],
            payload=json.dumps(json.loads(body), indent=2, ensure_ascii=False),
            page_edit_url=reverse("wagtailadmin_pages:edit", args=[page_id]) if page_id else None,
            **kwargs,
        )


class DeliveryViewSet(ModelViewSet):
    model = Delivery
    icon = "list-ul"
    menu_label = "Delivery log"
    name = "webhook_deliveries"
    index_view_class = DeliveryIndexView
    inspect_view_enabled = True
    inspect_view_class = DeliveryInspectView
    copy_view_enabled = False
    form_fields = ["status"]  # required by ModelViewSet; LogOnlyPolicy never lets anyone edit
    list_display = [
        # Linked to the delivery's own page: nobody may edit a delivery, so Wagtail would link the title nowhere.
        TitleColumn("change", label="Change", accessor=change_summary, url_name="webhook_deliveries:inspect"),
        Column("endpoint", label="Endpoint", accessor="endpoint"),
        Column("webhook_id", label="webhook-id", accessor="message.webhook_id"),
        StatusTagColumn(
            "status", label="Status", accessor="get_status_display", primary=lambda d: d.status != "failed"
        ),
        Column("attempts", label="Attempts"),
        DateColumn("next_retry", label="Next retry", accessor=next_retry),
        Column("problem", label="Problem", accessor=lambda delivery: in_plain_words(delivery.last_error)),
        DateColumn("created_at", label="Queued"),
    ]
    list_filter = ["status", "endpoint", "message__type", "created_at"]
    search_fields = ["message__type"]  # shows the search box; DeliveryIndexView.search_queryset does the search

    def get_urlpatterns(self):
        return [
            *super().get_urlpatterns(),
            path("<int:pk>/resend/", views.DeliveryResendView.as_view(), name="resend"),
        ]


class WebhooksViewSetGroup(ViewSetGroup):
    menu_label = "Webhooks"
    menu_icon = "link-external"
    items = (EndpointViewSet, DeliveryViewSet)


@hooks.register("register_admin_viewset")
def register_viewset():
    return WebhooksViewSetGroup()
