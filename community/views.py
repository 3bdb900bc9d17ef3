"""The invitation page members open from their email, and the admin's directory CSV and member actions.

The invitation page is plain HTML that works without JavaScript. Its URL holds the secret, so responses are never
cached and send no Referer onwards; every request counts against the caller's IP, so guessing is rate-limited.
"""

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.generic import FormView
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from cms.client_ip import client_ip
from community import csv_io, notifications, ratelimit, services
from community.filters import filtered_agencies
from community.forms import AcceptInvitationForm, AgencyImportForm, NotificationPreferenceForm
from community.models import Member

# Why a link cannot be used, as the page's status: unknown, used up or expired, or for an account an invitation
# may not change (community.services.ACCOUNT_REFUSALS).
REFUSAL_STATUS = {
    "invalid": 404,
    "used": 410,
    "expired": 410,
    **dict.fromkeys(services.ACCOUNT_REFUSALS, 409),
}


def _refusal(error: ValidationError) -> ValidationError | None:
    """Why the link itself cannot be used (its token, or the account it is for), when that is what `error` says."""
    by_field = error.error_dict if hasattr(error, "error_dict") else {NON_FIELD_ERRORS: error.error_list}
    return next(iter(by_field.get("token", []) + by_field.get(NON_FIELD_ERRORS, [])), None)


@never_cache
def accept_invitation(request, token: str):
    def page(status=200, **context):
        response = render(request, "community/invitation.html", context, status=status)
        response["Referrer-Policy"] = "no-referrer"
        return response

    if not ratelimit.attempt_allowed("invitation", client_ip(request)):
        return page(429, problem=ratelimit.TOO_MANY_INVITATION_ATTEMPTS)
    try:
        invitation = services.invitation_check(token=token)
    except ValidationError as error:
        refusal = _refusal(error)
        return page(REFUSAL_STATUS[refusal.code], problem=" ".join(refusal.messages))
    form = AcceptInvitationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = services.invitation_accept(
                token=token, name=form.cleaned_data["name"], password=form.cleaned_data["password"]
            )
        except ValidationError as error:
            refusal = _refusal(error)
            if refusal is not None:  # used or refused meanwhile: the link, not the form, is at fault
                return page(REFUSAL_STATUS[refusal.code], problem=" ".join(refusal.messages))
            for field, problems in error.message_dict.items():
                form.add_error(field if field in form.fields else None, problems)
        else:
            return page(
                accepted=True, user_name=user.get_full_name(), email=user.email, agency_name=invitation.agency.name
            )
    return page(invitation=invitation, form=form)


# The signed token in the URL is the credential (emails are read signed out), and mail clients' one-click
# unsubscribe (RFC 8058) POSTs without a CSRF token: there is no session here to forge requests with.
@csrf_exempt
@never_cache
def notification_preferences(request, token: str):
    """Email preferences from a link in any notification: works without signing in; GET never changes anything."""

    def page(status=200, **context):
        response = render(request, "community/notification_preferences.html", context, status=status)
        response["Referrer-Policy"] = "no-referrer"
        return response

    if not ratelimit.attempt_allowed("preferences", client_ip(request)):
        return page(429, problem="Too many attempts from your network. Wait a minute and try again.")
    user = notifications.user_for_preferences_token(token)
    if user is None:
        return page(404, problem="This link is not valid. Use the link in your most recent email.")
    preferences = notifications.preferences_of(user)
    saved = ""
    if request.method == "POST" and (
        "unsubscribe_all" in request.POST or request.POST.get("List-Unsubscribe") == "One-Click"
    ):
        form = NotificationPreferenceForm(
            {"ta_updates": False, "ta_staff": False, "forum_replies": "off", "forum_reports": False},
            instance=preferences,
        )
        form.save()
        saved = "Done: you will get no more of these emails. Turn any of them back on below."
        form = NotificationPreferenceForm(instance=preferences)
    elif request.method == "POST":
        form = NotificationPreferenceForm(request.POST, instance=preferences)
        if form.is_valid():
            form.save()
            saved = "Your choices are saved."
        else:
            return page(400, form=form, email=user.email)
    else:
        form = NotificationPreferenceForm(instance=preferences)
    return page(form=form, email=user.email, saved=saved)


def _require(request, permission: str) -> None:
    if not request.user.has_perm(permission):
        raise PermissionDenied


def export_agencies(request):
    """The directory as CSV: the admin listing's current filters and search applied."""
    _require(request, "community.view_agency")
    response = HttpResponse(csv_io.export_csv(filtered_agencies(request.GET)), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="agencies-{timezone.now():%Y-%m-%d}.csv"'
    return response


class AgencyImportView(WagtailAdminTemplateMixin, FormView):
    template_name = "community/import_agencies.html"
    form_class = AgencyImportForm
    page_title = "Import agencies"
    header_icon = "doc-full"

    def dispatch(self, request, *args, **kwargs):
        _require(request, "community.add_agency")
        _require(request, "community.change_agency")
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        return super().get_context_data(back_url=reverse("agencies:index"), columns=csv_io.COLUMNS, **kwargs)

    def form_valid(self, form):
        upload = form.cleaned_data["file"]
        try:
            # Read one byte past the limit: a bigger file is refused without holding it all in memory.
            result = csv_io.import_csv(upload.read(settings.AGENCY_IMPORT_MAX_BYTES + 1))
        except csv_io.ImportRefused as refused:
            form.add_error("file", str(refused))
            return self.form_invalid(form)
        if result.errors:
            return self.render_to_response(self.get_context_data(form=form, errors=result.errors))
        messages.success(
            self.request,
            f"Imported: {result.created} agencies added, {result.updated} updated, {result.contacts} contacts.",
        )
        return redirect("agencies:index")


class MemberActionView(WagtailAdminTemplateMixin, FormView):
    """Confirm (GET), then act (POST) on one member: no link click or prefetch changes anything."""

    template_name = "webhooks/confirm_action.html"
    form_class = forms.Form
    header_icon = "user"
    submit_label = "Confirm"
    confirmation_message = ""

    def dispatch(self, request, *args, **kwargs):
        _require(request, "community.change_member")
        self.object = get_object_or_404(Member.objects.select_related("user", "agency"), pk=kwargs["pk"])
        return super().dispatch(request, *args, **kwargs)

    def get_page_subtitle(self):
        return str(self.object)

    def get_context_data(self, **kwargs):
        return super().get_context_data(back_url=reverse("members:edit", args=[self.object.pk]), **kwargs)

    def form_valid(self, form):
        messages.success(self.request, self.perform())
        return redirect("members:edit", self.object.pk)


class MemberDeactivateView(MemberActionView):
    page_title = "Deactivate member"
    submit_label = "Deactivate"
    confirmation_message = (
        "Deactivate this member? Their API tokens are revoked at once and they can no longer sign in; "
        "reactivate them at any time."
    )

    def perform(self) -> str:
        services.member_deactivate(member=self.object, by_user=self.request.user)
        return f"{self.object} is deactivated and signed out everywhere."


class MemberReactivateView(MemberActionView):
    page_title = "Reactivate member"
    submit_label = "Reactivate"
    confirmation_message = "Reactivate this member? They can sign in again with their password."

    def perform(self) -> str:
        services.member_reactivate(member=self.object)
        return f"{self.object} can sign in again."


# --- members' attachment uploads ---------------------------------------------------------------------------------

UPLOAD_FORM_OVERHEAD_BYTES = 64 * 1024  # multipart boundaries and headers around the one file


def _upload_error(status: int, message: str, code: str, headers: dict | None = None) -> HttpResponse:
    from integrations.graphql.views import json_response

    return json_response({"errors": [{"message": message, "code": code}]}, status=status, headers=headers)


@csrf_exempt  # no cookies are read: like /graphql/, a request acts only as the bearer token it carries
@never_cache
def ta_attachment_upload(request):
    """POST /members/ta-attachments/: a member's file (multipart/form-data, one part named `file`), stored for a
    follow-up that references the returned `id` (addTaMessage(input: {attachmentUploadId})). Bearer token of a member
    with an agency; every refusal is a JSON `errors` list with a status, and stores nothing."""
    from django.core.exceptions import SuspiciousOperation
    from django.http.multipartparser import MultiPartParserError
    from django.template.defaultfilters import filesizeformat

    from community.selectors import member_agency
    from integrations.graphql.auth import TokenRejected, authenticate
    from integrations.graphql.views import cors_headers, json_response
    from pages.access import user_is_member

    cors = cors_headers(request)
    if request.method == "OPTIONS":
        return HttpResponse(status=204, headers=cors)
    if request.method != "POST":
        return _upload_error(405, "Use POST with multipart/form-data.", "METHOD_NOT_ALLOWED", {"Allow": "POST"} | cors)
    try:
        user, _token = authenticate(request.META.get("HTTP_AUTHORIZATION"))
    except TokenRejected as rejected:
        return _upload_error(401, str(rejected), "UNAUTHENTICATED", cors)
    if not user.is_authenticated:
        return _upload_error(401, "Send a member's token: Authorization: Bearer <token>.", "UNAUTHENTICATED", cors)
    if not user_is_member(user) or member_agency(user) is None:  # before a byte of the body is read
        return _upload_error(403, "Only members of an agency can attach files.", "forbidden", cors)
    limit = settings.TA_ATTACHMENT_MAX_BYTES
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    if length > limit + UPLOAD_FORM_OVERHEAD_BYTES:  # refused before a byte of it is read
        return _upload_error(413, f"Attachments may be at most {filesizeformat(limit)}.", "too_large", cors)
    if request.content_type != "multipart/form-data":
        return _upload_error(415, "Send multipart/form-data with the file in a part named 'file'.", "invalid", cors)
    try:
        files = request.FILES.getlist("file")
    except (MultiPartParserError, SuspiciousOperation, ValueError) as error:  # malformed, too many parts
        return _upload_error(400, f"The multipart body could not be read: {error}", "invalid", cors)
    if len(files) != 1:
        return _upload_error(400, "Send exactly one file, in a part named 'file'.", "required", cors)
    upload = files[0]
    if upload.size > limit:
        return _upload_error(413, f"Attachments may be at most {filesizeformat(limit)}.", "too_large", cors)
    try:
        stored = services.ta_upload_create(user=user, filename=upload.name, content=upload.read())
    except ValidationError as error:
        problem = error.error_dict["file"][0] if hasattr(error, "error_dict") and "file" in error.error_dict else error
        code = problem.code or "invalid"
        status = {"forbidden": 403, "too_large": 413, "RATE_LIMITED": 429}.get(code, 400)
        return _upload_error(status, " ".join(problem.messages), code, cors)
    document = stored.document
    return json_response(
        {
            "id": str(stored.public_id),
            "filename": document.title,
            "size": document.file_size,
            "expiresAt": stored.expires_at.isoformat(),
        },
        status=201,
        headers=cors,
    )
