"""Admin: the "Resource Center" menu with Agencies (directory + CSV), Members, Invitations, TA requests and Failed
emails (community.notification_admin)."""

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import ProtectedError
from django.http import HttpResponseForbidden
from django.shortcuts import redirect
from django.template.defaultfilters import filesizeformat
from django.template.loader import render_to_string
from django.urls import path, reverse
from django.utils.functional import cached_property
from wagtail import hooks
from wagtail.admin.auth import user_has_any_page_permission
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.panels import FieldPanel, FieldRowPanel, ObjectList, Panel
from wagtail.admin.ui.components import Component
from wagtail.admin.ui.tables import Column, DateColumn, StatusTagColumn, TitleColumn
from wagtail.admin.views import generic
from wagtail.admin.viewsets.base import ViewSetGroup
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.admin.widgets.button import HeaderButton
from wagtail.permission_policies import ModelPermissionPolicy
from wagtail.permissions import register_permission_policy

from community import selectors, services, views
from community.filters import AgencyFilterSet, TaRequestFilterSet
from community.models import Agency, Invitation, Member, TaMessage, TaRequest, TaUpload, person_name
from community.notification_admin import NotificationViewSet, failed_notifications_panel
from community.permissions import ASSIGN, REPLY, TRIAGE, VIEW, is_ta_staff
from pages.models import Topic


class WithoutActionsPolicy(ModelPermissionPolicy):
    """The model's usual permissions, minus actions nobody may take in the admin."""

    def __init__(self, model, *, removed: tuple[str, ...]):
        super().__init__(model)
        self.removed = removed

    def user_has_permission(self, user, action):
        return action not in self.removed and super().user_has_permission(user, action)

    def user_has_any_permission(self, user, actions):
        return any(self.user_has_permission(user, action) for action in actions)


# Members come from accepted invitations; deleting the row would leave the user in the CoP Members group, so staff
# deactivate instead. TA requests come from members: staff triage, never add.
register_permission_policy(Member, WithoutActionsPolicy(Member, removed=("add", "delete")), exact_class=True)
register_permission_policy(TaRequest, WithoutActionsPolicy(TaRequest, removed=("add",)), exact_class=True)
# An invitation is sent as it was made: to change one, delete it and invite again.
register_permission_policy(Invitation, WithoutActionsPolicy(Invitation, removed=("change",)), exact_class=True)


# --- agencies --------------------------------------------------------------------------------------------------


class AgencyIndexView(generic.IndexView):
    @cached_property
    def header_buttons(self):
        query = self.request.GET.urlencode()
        export_url = reverse("agencies:export") + (f"?{query}" if query else "")
        return [
            *super().header_buttons,
            HeaderButton("Export CSV", url=export_url, icon_name="download"),
            HeaderButton("Import CSV", url=reverse("agencies:import"), icon_name="upload"),
        ]


class AgencyDeleteView(generic.DeleteView):
    def form_valid(self, form):
        """An agency with members or TA requests stays: say so instead of failing (the foreign keys protect it)."""
        try:
            with transaction.atomic():
                return super().form_valid(form)
        except ProtectedError:
            messages.error(
                self.request,
                f"{self.object} still has members or TA requests: move or remove them first, then delete it.",
            )
            return redirect("agencies:edit", self.object.pk)


class AgencyViewSet(ModelViewSet):
    model = Agency
    icon = "group"
    menu_label = "Agencies"
    name = "agencies"
    index_view_class = AgencyIndexView
    delete_view_class = AgencyDeleteView
    list_display = ["name", "city", "state", "agency_type", "cohort"]
    filterset_class = AgencyFilterSet
    search_fields = ["name", "city"]
    copy_view_enabled = False

    def get_urlpatterns(self):
        return [
            *super().get_urlpatterns(),
            path("export/", views.export_agencies, name="export"),
            path("import/", views.AgencyImportView.as_view(), name="import"),
        ]


# --- members and invitations ----------------------------------------------------------------------------------


class MemberIndexView(generic.IndexView):
    @cached_property
    def header_buttons(self):
        # Members are never added here: they accept an invitation.
        return [HeaderButton("Invite a member", url=reverse("invitations:add"), icon_name="mail")]


class MemberEditView(generic.EditView):
    @cached_property
    def header_buttons(self):
        pk = self.object.pk
        action = ("deactivate", "Deactivate") if self.object.user.is_active else ("reactivate", "Reactivate")
        return [*super().header_buttons, HeaderButton(action[1], url=reverse(f"members:{action[0]}", args=[pk]))]


class MemberViewSet(ModelViewSet):
    model = Member
    icon = "user"
    menu_label = "Members"
    name = "members"
    index_view_class = MemberIndexView
    edit_view_class = MemberEditView
    copy_view_enabled = False
    list_display = [
        Column("name", label="Name", accessor=lambda member: person_name(member.user)),
        Column("email", label="Email", accessor="user.email"),
        "agency",
        StatusTagColumn(
            "active",
            label="Status",
            accessor=lambda m: "active" if m.user.is_active else "deactivated",
            primary=lambda m: m.user.is_active,
        ),
        DateColumn("last_login", label="Last sign-in", accessor="user.last_login"),
    ]
    list_filter = ["agency__state", "user__is_active"]
    search_fields = ["user__first_name", "user__last_name", "user__email", "agency__name"]
    panels = [FieldPanel("agency")]

    def get_queryset(self, request):
        return Member.objects.select_related("user", "agency")

    def get_urlpatterns(self):
        return [
            *super().get_urlpatterns(),
            path("<int:pk>/deactivate/", views.MemberDeactivateView.as_view(), name="deactivate"),
            path("<int:pk>/reactivate/", views.MemberReactivateView.as_view(), name="reactivate"),
        ]


class InvitationCreateView(generic.CreateView):
    def save_instance(self):
        """Through the service: it stores only the token's hash and emails the link after commit."""
        invitation, _token = services.invitation_create(
            email=self.form.cleaned_data["email"], agency=self.form.cleaned_data["agency"], invited_by=self.request.user
        )
        return invitation

    def get_success_message(self, instance):
        return f"Invitation emailed to {instance.email}; the link expires on {instance.expires_at:%Y-%m-%d}."


class InvitationViewSet(ModelViewSet):
    model = Invitation
    icon = "mail"
    menu_label = "Invitations"
    name = "invitations"
    add_view_class = InvitationCreateView
    copy_view_enabled = False
    inspect_view_enabled = True
    list_display = [
        "email",
        "agency",
        StatusTagColumn("status", primary=lambda invitation: invitation.status == "pending"),
        DateColumn("created_at", label="Sent"),
        DateColumn("expires_at", label="Expires"),
        DateColumn("accepted_at", label="Accepted"),
    ]
    list_filter = ["agency__state"]
    search_fields = ["email", "agency__name"]
    panels = [FieldPanel("email"), FieldPanel("agency")]


# --- TA requests -----------------------------------------------------------------------------------------------


class TaRequestHistoryPanel(Panel):
    """Read-only: every recorded change (who, when, from → to)."""

    class BoundPanel(Panel.BoundPanel):
        template_name = "community/ta_request_history.html"

        def get_context_data(self, parent_context=None):
            context = super().get_context_data(parent_context)
            instance = self.instance
            context["changes"] = instance.changes.select_related("changed_by") if instance.pk else []
            context["created_at"] = instance.created_at
            return context


class TaConversationPanel(Panel):
    """Read-only: the whole conversation as staff see it, internal notes marked."""

    class BoundPanel(Panel.BoundPanel):
        template_name = "community/ta_conversation.html"

        def get_context_data(self, parent_context=None):
            context = super().get_context_data(parent_context)
            instance = self.instance
            context["ta_messages"] = instance.messages.select_related("author", "attachment") if instance.pk else []
            context["NOTE"] = TaMessage.Kind.NOTE
            return context


class TaRequestAdminForm(WagtailAdminModelForm):
    """Triage, assignment and replies in one form; each part only for staff holding its permission."""

    reply = forms.CharField(
        label="Reply to the agency",
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Emailed to the requester and shown to the agency's members.",
    )
    reply_attachment = forms.FileField(
        label="Attach a file",
        required=False,
        help_text="Goes with the reply above (or, when only an internal note is written, with the note). The same "
        "types and checks as any upload; stored in the members-only attachment collection, served to the agency's "
        "members and TA staff only.",
    )
    internal_note = forms.CharField(
        label="Internal note",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="For TA staff only: never shown or sent to the agency.",
    )

    def __init__(self, *args, for_user=None, **kwargs):
        super().__init__(*args, for_user=for_user, **kwargs)
        user = for_user
        if "assignee" in self.fields:
            self.fields["assignee"].queryset = selectors.ta_staff_users()
            self.fields["assignee"].disabled = user is None or not user.has_perm(ASSIGN)
        if "status" in self.fields:
            self.fields["status"].disabled = user is None or not user.has_perm(TRIAGE)
        if user is None or not user.has_perm(REPLY):
            for name in ("reply", "internal_note", "reply_attachment"):
                self.fields[name].disabled = True

    def clean(self):
        cleaned = super().clean()
        upload = cleaned.get("reply_attachment")
        if upload and not (cleaned.get("reply") or cleaned.get("internal_note")):
            self.add_error("reply_attachment", "Write a reply (or an internal note) for the file to go with.")
        elif upload and upload.size > settings.TA_ATTACHMENT_MAX_BYTES:
            limit = filesizeformat(settings.TA_ATTACHMENT_MAX_BYTES)
            self.add_error("reply_attachment", f"Attachments may be at most {limit} ({filesizeformat(upload.size)}).")
        return cleaned


class TaRequestEditView(generic.EditView):
    def save_instance(self):
        """Through the services: each change is recorded and sent as `ta_request.updated` to trusted endpoints; the
        agency is emailed about status changes and replies; internal notes go nowhere."""
        data = self.form.cleaned_data
        user = self.request.user
        upload = data.get("reply_attachment")
        # The file goes with the reply, or with the note when there is no reply (clean() requires one of them).
        attach_to = "reply" if data.get("reply") else "internal_note"
        with transaction.atomic():
            services.ta_request_update(ta_request=self.form.instance, by_user=user)
            for field, internal in (("reply", False), ("internal_note", True)):
                if data.get(field):
                    services.ta_staff_message_add(
                        ta_request=self.form.instance,
                        author=user,
                        body=data[field],
                        internal=internal,
                        **attachment_arguments(upload if field == attach_to else None),
                    )
        return self.form.instance

    def form_valid(self, form):
        try:
            return super().form_valid(form)
        except ValidationError as error:  # a reply, note or file the service refused (everything rolled back)
            for field, problems in error.message_dict.items():
                field = {"attachment": "reply_attachment"}.get(field, field)
                form.add_error(field if field in form.fields else None, problems)
            self.produced_error_message = self.get_error_message()  # what Wagtail's form_invalid shows on top
            return self.form_invalid(form)


def attachment_arguments(upload) -> dict:
    """The service's attachment arguments for an uploaded file (its size already checked by the form)."""
    return {} if upload is None else {"attachment_name": upload.name, "attachment_content": upload.read()}


def response_due_column(ta_request) -> str:
    due = selectors.ta_response_due(ta_request)
    return "" if due is None else f"{due:%Y-%m-%d %H:%M}"


class TaRequestViewSet(ModelViewSet):
    model = TaRequest
    icon = "help"
    menu_label = "TA requests"
    name = "ta_requests"
    edit_view_class = TaRequestEditView
    copy_view_enabled = False
    list_display = [
        TitleColumn("id", label="#", url_name="ta_requests:edit"),
        "agency",
        "focus_area",
        "urgency",
        StatusTagColumn("status", accessor="get_status_display", primary=lambda r: r.status == "new"),
        "assignee",
        DateColumn("created_at", label="Submitted"),
        DateColumn("response_due", label="First reply due", accessor=selectors.ta_response_due),
        DateColumn("updated_at", label="Updated"),
    ]
    filterset_class = TaRequestFilterSet
    search_fields = ["description", "agency__name"]
    edit_handler = ObjectList(
        [
            FieldRowPanel([FieldPanel("status"), FieldPanel("assignee")]),
            FieldPanel("reply"),
            FieldPanel("reply_attachment"),
            FieldPanel("internal_note"),
            TaConversationPanel(heading="Conversation"),
            FieldPanel("staff_notes"),
            FieldPanel("agency", read_only=True),
            FieldPanel("focus_area", read_only=True),
            FieldRowPanel(
                [FieldPanel("urgency", read_only=True), FieldPanel("preferred_delivery_mode", read_only=True)]
            ),
            FieldPanel("description", read_only=True),
            TaRequestHistoryPanel(heading="History"),
        ],
        base_form_class=TaRequestAdminForm,
    )

    def get_queryset(self, request):
        return TaRequest.objects.select_related("agency", "focus_area", "assignee")


class TaTriagePanel(Component):
    """The dashboard's TA panel for TA staff: each triage queue's size, linked to the filtered list."""

    name = "ta_triage"
    order = 50

    def __init__(self, user):
        self.user = user

    def render_html(self, parent_context=None):
        counts = selectors.ta_queue_counts(user=self.user)
        index = reverse("ta_requests:index")
        queues = [
            {"label": label, "count": counts[name], "url": f"{index}?queue={name}"}
            for name, (label, _) in selectors.TA_QUEUES.items()
        ]
        return render_to_string("community/ta_dashboard_panel.html", {"queues": queues, "index_url": index})


@hooks.register("construct_homepage_panels")
def add_ta_triage_panel(request, panels):
    if request.user.has_perm(VIEW):
        panels.append(TaTriagePanel(request.user))


@hooks.register("construct_homepage_panels")
def add_failed_notifications_panel(request, panels):
    panel = failed_notifications_panel(request.user)
    if panel is not None:
        panels.append(panel)


class GuideProgressPanel(Component):
    """The dashboard's eGuide panel for editors: how far members get through each guide, as counts per chapter.
    Members' ticked items and answers are theirs alone and never shown (docs/members.md)."""

    name = "guide_progress"
    order = 60

    def render_html(self, parent_context=None):
        guides = selectors.guide_progress_totals()
        return render_to_string("community/guide_progress_panel.html", {"guides": guides}) if guides else ""


@hooks.register("construct_homepage_panels")
def add_guide_progress_panel(request, panels):
    if user_has_any_page_permission(request.user):
        panels.append(GuideProgressPanel())


@hooks.register("before_serve_document", order=-200)
def serve_ta_attachment_to_its_agency(document, request):
    """A TA request's attachment is for the requesting agency's members and TA staff, not every member: the
    collection's members-only restriction lets every member through, so this narrows it first. A file uploaded
    and not yet attached is its uploader's (and TA staff's); one on an internal note is TA staff's only."""
    user = request.user
    pending = TaUpload.objects.filter(document=document).first()
    linked = TaMessage.objects.filter(attachment=document)
    if pending is None and not linked.exists():
        return None  # not a TA attachment
    if user.is_authenticated and is_ta_staff(user):
        return None
    if pending is not None:
        allowed = user.is_authenticated and user.pk == pending.uploaded_by_id
    else:
        agency_ids = set(
            linked.filter(kind__in=TaMessage.MEMBER_VISIBLE).values_list("ta_request__agency_id", flat=True)
        )
        agency = selectors.member_agency(user) if user.is_authenticated else None
        allowed = agency is not None and agency.pk in agency_ids
    return None if allowed else HttpResponseForbidden("You do not have access to this document.")


@hooks.register("before_delete_snippet")
def keep_focus_areas_in_use(request, instances):
    """A focus area that TA requests point at stays (the foreign key protects it): say so instead of failing."""
    in_use = [
        instance
        for instance in instances
        if isinstance(instance, Topic) and TaRequest.objects.filter(focus_area=instance).exists()
    ]
    if not in_use:
        return None
    names = ", ".join(topic.name for topic in in_use)
    messages.error(request, f"TA requests use the focus area {names}: it cannot be deleted.")
    return redirect(Topic.snippet_viewset.get_url_name("list"))


class ResourceCenterGroup(ViewSetGroup):
    menu_label = "Resource Center"
    menu_icon = "site"
    menu_order = 250
    items = (AgencyViewSet, MemberViewSet, InvitationViewSet, TaRequestViewSet, NotificationViewSet)


@hooks.register("register_admin_viewset")
def register_viewsets():
    return ResourceCenterGroup()
