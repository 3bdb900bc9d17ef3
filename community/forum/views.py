"""Admin moderation actions: hide, unhide, lock, unlock, delete, lift a ban, resolve a report.

Each is a confirmation page (GET) with an optional reason, and the action itself (POST) through `services`, which
writes the audit row. Only users with `forum.moderate_forum` (the "Forum moderators" group, or superusers) get in.
"""

from dataclasses import dataclass

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.views.generic import FormView
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from community.forum import services
from community.forum.models import ForumBan, ForumPost, ForumReport, ForumThread
from community.forum.permissions import can_moderate


class ReasonForm(forms.Form):
    reason = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        help_text="Recorded in the moderation log (optional).",
    )


@dataclass(frozen=True)
class Moderation:
    """One moderation action: what it acts on, the service that performs it, and its words."""

    model: type
    perform: object
    title: str
    done: str
    viewset: str  # where to go back to (the object's inspect view)


ACTIONS = {
    "hide_post": Moderation(ForumPost, services.forum_post_hide, "Hide post", "Post hidden.", "forum_posts"),
    "unhide_post": Moderation(
        ForumPost, services.forum_post_unhide, "Unhide post", "Post visible again.", "forum_posts"
    ),
    "delete_post": Moderation(ForumPost, services.forum_post_delete, "Delete post", "Post deleted.", "forum_posts"),
    "lock_thread": Moderation(
        ForumThread, services.forum_thread_lock, "Lock thread", "Thread locked.", "forum_threads"
    ),
    "unlock_thread": Moderation(
        ForumThread, services.forum_thread_unlock, "Unlock thread", "Thread unlocked.", "forum_threads"
    ),
    "hide_thread": Moderation(
        ForumThread, services.forum_thread_hide, "Hide thread", "Thread hidden.", "forum_threads"
    ),
    "unhide_thread": Moderation(
        ForumThread, services.forum_thread_unhide, "Unhide thread", "Thread visible again.", "forum_threads"
    ),
    "delete_thread": Moderation(
        ForumThread, services.forum_thread_delete, "Delete thread", "Thread deleted.", "forum_threads"
    ),
    "lift_ban": Moderation(ForumBan, services.forum_ban_lift, "Lift ban", "Ban lifted.", "forum_bans"),
    "resolve_report": Moderation(
        ForumReport, services.forum_report_resolve, "Resolve report", "Report resolved.", "forum_reports"
    ),
}

# The keyword each service takes its object by.
TARGET_ARGUMENT = {ForumPost: "post", ForumThread: "thread", ForumBan: "ban", ForumReport: "report"}


class ModerationView(WagtailAdminTemplateMixin, FormView):
    template_name = "forum/moderation_action.html"
    form_class = ReasonForm
    header_icon = "warning"
    action_name = ""

    def dispatch(self, request, *args, **kwargs):
        if not can_moderate(request.user):
            raise PermissionDenied
        self.action = ACTIONS[self.action_name]
        self.object = get_object_or_404(self.action.model, pk=kwargs["pk"])
        return super().dispatch(request, *args, **kwargs)

    def get_page_title(self):
        return self.action.title

    def get_page_subtitle(self):
        return str(self.object)

    def back_url(self) -> str:
        return reverse(f"{self.action.viewset}:inspect", args=[self.object.pk])

    def get_context_data(self, **kwargs):
        return super().get_context_data(back_url=self.back_url(), submit_label=self.action.title, **kwargs)

    def form_valid(self, form):
        target = {TARGET_ARGUMENT[self.action.model]: self.object}
        self.action.perform(**target, by=self.request.user, reason=form.cleaned_data["reason"])
        messages.success(self.request, self.action.done)
        return redirect(self.back_url())


def moderation_view(action_name: str):
    return ModerationView.as_view(action_name=action_name)
