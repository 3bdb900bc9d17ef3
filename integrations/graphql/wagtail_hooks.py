"""Admin: Settings → API tokens. Wagtail 8's own token screens (create shows the token once, list, revoke, audit
log), with an optional expiry added to the create form and shown in the list. Registered here rather than by
installing `wagtail.api.v3`, which would also bring Wagtail's REST v3 API that this site does not serve."""

from datetime import timedelta

from django import forms
from django.core.exceptions import PermissionDenied
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.functional import cached_property
from wagtail import hooks
from wagtail.admin.ui.tables import Column
from wagtail.users.utils import user_can_manage_token
from wagtail.users.views import api_tokens

from integrations.graphql.auth import token_expires_at
from integrations.graphql.services import MAX_EXPIRES_DAYS, api_token_create


class TokenForm(api_tokens.APITokenForm):
    expires_in_days = forms.IntegerField(
        required=False,
        min_value=1,
        max_value=MAX_EXPIRES_DAYS,
        label="Expires in (days)",
        help_text="Leave empty for a token that does not expire. Partners' tokens should expire.",
    )


class IndexView(api_tokens.IndexView):
    @cached_property
    def columns(self):
        return [*super().columns, Column("expires", label="Expires", accessor=token_expires_at)]

    def get_queryset(self):
        return super().get_queryset().select_related("expiry")


class CreateView(api_tokens.CreateView):
    def form_valid(self, form):
        owner = form.cleaned_data["user"]
        if not user_can_manage_token(self.request.user, owner, "wagtailcore.add_apitoken"):
            raise PermissionDenied
        days = form.cleaned_data.get("expires_in_days")
        self.object, plaintext = api_token_create(
            user=owner,
            name=form.cleaned_data["name"],
            expires_at=timezone.now() + timedelta(days=days) if days else None,
            by_user=self.request.user,
        )
        return TemplateResponse(
            self.request, "wagtailusers/api_tokens/created.html", self.get_created_context(plaintext)
        )


class ApiTokenViewSet(api_tokens.APITokenViewSet):
    index_view_class = IndexView
    add_view_class = CreateView

    def get_form_class(self, for_update=False):
        return super().get_form_class(for_update=True) if for_update else TokenForm


@hooks.register("register_admin_viewset")
def register_api_token_viewset():
    return ApiTokenViewSet("wagtailusers_api_tokens", url_prefix="api-tokens")
