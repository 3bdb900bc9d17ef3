"""Admin menu "Forum": categories, threads, posts, the reports queue, bans and the moderation log.

Members write threads and posts through GraphQL only; the admin never edits their words. Moderators act through the
buttons on each thread, post, report and ban (views.ModerationView), which go through `services` and the audit
trail. Bans are created here (with reason and optional expiry) and lifted, never edited or deleted.
"""

from django import forms
from django.contrib.auth import get_user_model
from django.db import models
from django.db.models import Count, Q
from django.urls import path, reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.functional import cached_property
from django.utils.html import strip_tags
from django.utils.safestring import mark_safe
from django.utils.text import Truncator
from wagtail import hooks
from wagtail.admin.panels import FieldPanel
from wagtail.admin.ui.components import Component
from wagtail.admin.ui.tables import Column
from wagtail.admin.views import generic
from wagtail.admin.viewsets.base import ViewSetGroup
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.admin.widgets.button import HeaderButton
from wagtail.permission_policies import ModelPermissionPolicy
from wagtail.permissions import register_permission_policy

from community.forum import services
from community.forum.models import ForumBan, ForumCategory, ForumPost, ForumReport, ForumThread, ModerationAction
from community.forum.permissions import can_moderate
from community.forum.selectors import display_name
from community.forum.views import moderation_view

THREAD_ACTIONS = ("lock_thread", "unlock_thread", "hide_thread", "unhide_thread", "delete_thread")
POST_ACTIONS = ("hide_post", "unhide_post", "delete_post")
OPEN_REPORTS = Count("reports", filter=Q(reports__status=ForumReport.Status.OPEN))


class ReadOnlyPolicy(ModelPermissionPolicy):
    """Members' content and the log are looked at and moderated, never added, edited or deleted through forms."""

    allowed = ("view",)

    def user_has_permission(self, user, action):
        return action in self.allowed and super().user_has_permission(user, action)


class BanPolicy(ReadOnlyPolicy):
    allowed = ("view", "add")


for model in (ForumThread, ForumPost, ForumReport, ModerationAction):
    register_permission_policy(model, ReadOnlyPolicy(model), exact_class=True)
register_permission_policy(ForumBan, BanPolicy(ForumBan), exact_class=True)


def status_of(item) -> str:
    if item.deleted_at:
        return "deleted"
    if item.hidden_at:
        return "hidden"
    if getattr(item, "locked_at", None):
        return "locked"
    return "visible"


def action_buttons(request, links) -> list[HeaderButton]:
    """Header buttons for the moderation actions (only for moderators: others would get a 403)."""
    if not can_moderate(request.user):
        return []
    return [HeaderButton(label, url=url, icon_name=icon) for label, url, icon in links]


class ModerationInspectView(generic.InspectView):
    """An inspect view whose header carries `moderation_links()`: (label, url, icon) for its object, and shows
    values as moderators read them: posts rendered (as members saw them), people by their display name, times in
    the admin's own time zone, yes/no rather than True/None."""

    def moderation_links(self) -> list[tuple[str, str, str]]:
        return []

    def get_field_display_value(self, field_name, field):
        value = getattr(self.object, field_name, None) if field is not None else None
        if field_name == "body_html":
            # Stored sanitised; cleaned again on the way out so this page never trusts the database alone.
            return mark_safe(services.sanitise_body(value or ""))  # noqa: S308 - nh3-sanitised just above
        if isinstance(field, models.ForeignKey) and field.related_model is get_user_model():
            return f"{display_name(value)} ({value.get_username()})" if value is not None else "—"
        if isinstance(field, models.BooleanField):
            return "Yes" if value else "No"
        if isinstance(field, models.DateTimeField):
            return date_format(timezone.localtime(value), "DATETIME_FORMAT") if value is not None else "—"
        shown = super().get_field_display_value(field_name, field)
        return "—" if shown is None or shown == "" else shown

    @cached_property
    def header_buttons(self):
        return [*super().header_buttons, *action_buttons(self.request, self.moderation_links())]


class ForumViewSet(ModelViewSet):
    """Inspectable, never copied; `moderation_urls` maps each moderation action (views.ACTIONS, also the URL
    name) to its path segment under the object: <pk>/<segment>/."""

    inspect_view_enabled = True
    copy_view_enabled = False
    moderation_urls: dict[str, str] = {}

    def get_urlpatterns(self):
        return [
            *super().get_urlpatterns(),
            *(
                path(f"<int:pk>/{segment}/", moderation_view(action), name=action)
                for action, segment in self.moderation_urls.items()
            ),
        ]


class ThreadIndexView(generic.IndexView):
    def get_base_queryset(self):
        return (
            super()
            .get_base_queryset()
            .select_related("category", "author")
            .annotate(open_reports=Count("posts__reports", filter=Q(posts__reports__status=ForumReport.Status.OPEN)))
        )


class ThreadInspectView(ModerationInspectView):
    def moderation_links(self):
        thread, pk = self.object, self.object.pk

        def url(action):
            return reverse(f"forum_threads:{action}", args=[pk])

        links = [
            ("Unlock", url("unlock_thread"), "lock-open") if thread.locked_at else ("Lock", url("lock_thread"), "lock"),
            ("Unhide", url("unhide_thread"), "view") if thread.hidden_at else ("Hide", url("hide_thread"), "no-view"),
        ]
        if not thread.deleted_at:
            links.append(("Delete", url("delete_thread"), "bin"))
        links.append(("Posts", reverse("forum_posts:index") + f"?thread={pk}", "list-ul"))
        return links


class ForumThreadViewSet(ForumViewSet):
    model = ForumThread
    icon = "comment"
    menu_label = "Threads"
    name = "forum_threads"
    index_view_class = ThreadIndexView
    inspect_view_class = ThreadInspectView
    moderation_urls = {action: action for action in THREAD_ACTIONS}
    form_fields = ["title"]  # required by ModelViewSet; ReadOnlyPolicy never lets anyone edit
    list_display = [
        "title",
        "category",
        Column("author", label="Author", accessor=lambda t: display_name(t.author)),
        "created_at",
        "last_activity_at",
        Column("status", label="Status", accessor=status_of),
        Column("open_reports", label="Open reports", sort_key="open_reports"),
    ]
    list_filter = ["category", "created_at"]
    search_fields = ["title"]
    inspect_view_fields = [
        "title",
        "category",
        "author",
        "created_at",
        "last_activity_at",
        "locked_at",
        "hidden_at",
        "deleted_at",
    ]


class PostIndexView(generic.IndexView):
    def get_base_queryset(self):
        return super().get_base_queryset().select_related("thread", "author").annotate(open_reports=OPEN_REPORTS)


class PostInspectView(ModerationInspectView):
    def moderation_links(self):
        post, pk = self.object, self.object.pk

        def url(action):
            return reverse(f"forum_posts:{action}", args=[pk])

        links = [("Unhide", url("unhide_post"), "view") if post.hidden_at else ("Hide", url("hide_post"), "no-view")]
        if not post.deleted_at:
            links.append(("Delete", url("delete_post"), "bin"))
        links.append(("Thread", reverse("forum_threads:inspect", args=[post.thread_id]), "comment"))
        if post.author_id:
            links.append(("Ban author", reverse("forum_bans:add") + f"?member={post.author_id}", "cross"))
        return links


def excerpt(post: ForumPost) -> str:
    return Truncator(strip_tags(post.body_html)).chars(80)


class ForumPostViewSet(ForumViewSet):
    model = ForumPost
    icon = "openquote"
    menu_label = "Posts"
    name = "forum_posts"
    index_view_class = PostIndexView
    inspect_view_class = PostInspectView
    moderation_urls = {action: action for action in POST_ACTIONS}
    form_fields = ["body_html"]  # required by ModelViewSet; ReadOnlyPolicy never lets anyone edit
    list_display = [
        Column("excerpt", label="Post", accessor=excerpt),
        "thread",
        Column("author", label="Author", accessor=lambda p: display_name(p.author)),
        "created_at",
        Column("status", label="Status", accessor=status_of),
        Column("open_reports", label="Open reports", sort_key="open_reports"),
    ]
    list_filter = ["thread", "author", "created_at"]
    inspect_view_fields = [
        "thread",
        "author",
        "is_opening",
        "body_html",
        "created_at",
        "edited_at",
        "hidden_at",
        "deleted_at",
    ]


class ReportInspectView(ModerationInspectView):
    def moderation_links(self):
        report = self.object
        links = [("Open the post", reverse("forum_posts:inspect", args=[report.post_id]), "openquote")]
        if report.status == ForumReport.Status.OPEN:
            links.append(("Resolve", reverse("forum_reports:resolve_report", args=[report.pk]), "check"))
        return links


class ForumReportViewSet(ForumViewSet):
    model = ForumReport
    icon = "warning"
    menu_label = "Reports"
    name = "forum_reports"
    inspect_view_class = ReportInspectView
    moderation_urls = {"resolve_report": "resolve"}
    form_fields = ["status"]  # required by ModelViewSet; ReadOnlyPolicy never lets anyone edit
    list_display = ["post", "reason", "reporter", "status", "created_at", "resolved_by"]
    list_filter = ["status", "created_at"]
    inspect_view_fields = ["post", "reporter", "reason", "status", "created_at", "resolved_at", "resolved_by"]


class BanCreateView(generic.CreateView):
    def get_initial(self):
        return {**super().get_initial(), "member": self.request.GET.get("member")}

    def save_instance(self):
        data = self.form.cleaned_data
        return services.forum_member_ban(
            member=data["member"], by=self.request.user, reason=data["reason"], expires_at=data["expires_at"]
        )


class BanInspectView(ModerationInspectView):
    def moderation_links(self):
        if self.object.lifted_at is not None:
            return []
        return [("Lift ban", reverse("forum_bans:lift_ban", args=[self.object.pk]), "lock-open")]


class ForumBanViewSet(ForumViewSet):
    model = ForumBan
    icon = "cross"
    menu_label = "Bans"
    name = "forum_bans"
    add_view_class = BanCreateView
    inspect_view_class = BanInspectView
    moderation_urls = {"lift_ban": "lift"}
    panels = [FieldPanel("member"), FieldPanel("reason"), FieldPanel("expires_at")]
    list_display = ["member", "reason", "expires_at", "created_by", "created_at", "lifted_at"]
    list_filter = ["created_at", "lifted_at"]
    inspect_view_fields = ["member", "reason", "expires_at", "created_by", "created_at", "lifted_at", "lifted_by"]


def visible_to(category: ForumCategory) -> str:
    groups = [group.name for group in category.restricted_to.all()]
    return ", ".join(groups) if groups else "All members"


class CategoryIndexView(generic.IndexView):
    def get_base_queryset(self):
        return super().get_base_queryset().prefetch_related("restricted_to")


class ForumCategoryViewSet(ModelViewSet):
    model = ForumCategory
    icon = "folder-open-inverse"
    menu_label = "Categories"
    name = "forum_categories"
    copy_view_enabled = False
    index_view_class = CategoryIndexView
    panels = [
        FieldPanel("name"),
        FieldPanel("slug"),
        FieldPanel("description"),
        FieldPanel("sort_order"),
        FieldPanel("restricted_to", widget=forms.CheckboxSelectMultiple),
    ]
    list_display = ["name", "slug", "sort_order", Column("visible_to", label="Visible to", accessor=visible_to)]


class ModerationLogViewSet(ForumViewSet):
    model = ModerationAction
    icon = "history"
    menu_label = "Moderation log"
    name = "forum_moderation_log"
    form_fields = ["reason"]  # required by ModelViewSet; ReadOnlyPolicy never lets anyone edit
    list_display = ["created_at", "actor", "action", "target", "reason"]
    list_filter = ["action", "actor", "created_at"]
    search_fields = ["target", "reason"]
    inspect_view_fields = ["created_at", "actor", "action", "target", "reason", "thread", "post", "member", "report"]


class ForumViewSetGroup(ViewSetGroup):
    menu_label = "Forum"
    menu_icon = "comment"
    items = (
        ForumReportViewSet,
        ForumThreadViewSet,
        ForumPostViewSet,
        ForumBanViewSet,
        ForumCategoryViewSet,
        ModerationLogViewSet,
    )


@hooks.register("register_admin_viewset")
def register_viewset():
    return ForumViewSetGroup()


class OpenReportsPanel(Component):
    """The dashboard's forum panel for moderators: how many reports wait, the oldest first, each linked to its page."""

    name = "forum_reports"
    template_name = "forum/dashboard/open_reports.html"
    order = 60
    limit = 5

    def get_context_data(self, parent_context):
        open_reports = ForumReport.objects.filter(status=ForumReport.Status.OPEN)
        reports = list(open_reports.select_related("post__thread").order_by("created_at")[: self.limit])
        for report in reports:
            report.excerpt = excerpt(report.post)
        return {
            "reports": reports,
            "open_count": open_reports.count() if reports else 0,
            "oldest": reports[0].created_at if reports else None,
            "index_url": reverse("forum_reports:index") + "?status=open",
        }


@hooks.register("construct_homepage_panels")
def add_open_reports_panel(request, panels):
    if can_moderate(request.user):
        panels.append(OpenReportsPanel())
