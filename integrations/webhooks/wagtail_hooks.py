"""Admin: Settings → Webhook endpoints (edit, ping, rotate, replay) and Webhook deliveries (the filterable log)."""

from django.urls import path, reverse
from django.utils.functional import cached_property
from wagtail import hooks
from wagtail.admin.panels import FieldPanel, FieldRowPanel
from wagtail.admin.ui.tables import Column, StatusTagColumn
from wagtail.admin.views import generic
from wagtail.admin.viewsets.base import ViewSetGroup
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.admin.widgets.button import HeaderButton
from wagtail.permission_policies import ModelPermissionPolicy
from wagtail.permissions import register_permission_policy

from integrations.webhooks import views
from integrations.webhooks.models import Delivery, Endpoint


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


class EndpointViewSet(ModelViewSet):
    model = Endpoint
    icon = "link-external"
    menu_label = "Endpoints"
    name = "webhook_endpoints"
    copy_view_enabled = False
    edit_view_class = EndpointEditView
    list_display = ["url", "description", "audience", StatusTagColumn("active", primary=lambda e: e.active)]
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


class DeliveryInspectView(generic.InspectView):
    @cached_property
    def header_buttons(self):
        url = reverse("webhook_deliveries:resend", args=[self.object.pk])
        return [*super().header_buttons, HeaderButton("Resend", url=url, icon_name="rotate")]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["attempts"] = self.object.attempt_log.all()[:20]
        return context


class DeliveryViewSet(ModelViewSet):
    model = Delivery
    icon = "list-ul"
    menu_label = "Delivery log"
    name = "webhook_deliveries"
    inspect_view_enabled = True
    inspect_view_class = DeliveryInspectView
    copy_view_enabled = False
    form_fields = ["status"]  # required by ModelViewSet; LogOnlyPolicy never lets anyone edit
    list_display = [
        Column("message", label="Message", accessor="message"),
        "endpoint",
        "status",
        "attempts",
        "last_error",
        "created_at",
    ]
    list_filter = ["status", "endpoint", "message__type", "created_at"]
    inspect_view_fields = [
        "message",
        "endpoint",
        "status",
        "attempts",
        "next_attempt_at",
        "last_error",
        "created_at",
        "finished_at",
    ]

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
