"""Admin actions on endpoints and deliveries: test ping, secret rotation, replay since a time, resend one delivery.

Each is a confirmation page (GET) and the action itself (POST), so no link click or prefetch changes anything.
"""

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.views.generic import FormView
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from integrations.webhooks import services
from integrations.webhooks.models import Delivery, Endpoint


class ReplayForm(forms.Form):
    since = forms.DateTimeField(
        label="Replay messages since",
        help_text="Every subscribed message from this time on is sent again, with its original webhook-id.",
    )


class ConfirmActionView(WagtailAdminTemplateMixin, FormView):
    """Base for one action on one object (an endpoint unless `model` says otherwise); subclasses set the texts and
    `perform()`."""

    template_name = "webhooks/confirm_action.html"
    form_class = forms.Form
    model = Endpoint
    header_icon = "link-external"
    page_title = ""
    submit_label = "Confirm"
    confirmation_message = ""
    back_url_name = "webhook_endpoints:edit"

    def dispatch(self, request, *args, **kwargs):
        if not request.user.has_perm(f"webhooks.change_{self.model._meta.model_name}"):
            raise PermissionDenied
        self.object = get_object_or_404(self.model, pk=kwargs["pk"])
        return super().dispatch(request, *args, **kwargs)

    def get_page_subtitle(self):
        return str(self.object)

    def back_url(self) -> str:
        return reverse(self.back_url_name, args=[self.object.pk])

    def get_context_data(self, **kwargs):
        return super().get_context_data(back_url=self.back_url(), **kwargs)

    def form_valid(self, form):
        messages.success(self.request, self.perform(form))
        return redirect(self.back_url())


class EndpointPingView(ConfirmActionView):
    page_title = "Send test ping"
    submit_label = "Send webhook.ping"
    confirmation_message = "Send a signed webhook.ping to this endpoint now? The result shows in the delivery log."

    def perform(self, form) -> str:
        delivery = services.endpoint_ping(endpoint=self.object)
        return f"Ping queued (webhook-id {delivery.message.webhook_id})."


class EndpointRotateSecretView(ConfirmActionView):
    page_title = "Rotate signing secret"
    submit_label = "Rotate secret"
    confirmation_message = (
        "A new secret signs from now on; the current one keeps signing alongside it (a second v1 signature) for "
        "the grace period, so the partner can switch without losing a webhook."
    )

    def perform(self, form) -> str:
        secret = services.endpoint_rotate_secret(endpoint=self.object)
        return f"New secret (give it to the partner; also shown on the endpoint): {secret}"


class EndpointReplayView(ConfirmActionView):
    page_title = "Replay messages"
    submit_label = "Replay"
    form_class = ReplayForm
    confirmation_message = "Queue every message since the time below that this endpoint subscribes to."

    def perform(self, form) -> str:
        count = services.endpoint_replay(endpoint=self.object, since=form.cleaned_data["since"])
        return f"{count} message(s) queued for this endpoint."


class DeliveryResendView(ConfirmActionView):
    model = Delivery
    page_title = "Resend delivery"
    submit_label = "Resend"
    confirmation_message = "Send this message to this endpoint again, with the same webhook-id?"
    back_url_name = "webhook_deliveries:inspect"

    def perform(self, form) -> str:
        services.delivery_resend(delivery=self.object)
        return "Delivery queued again."
