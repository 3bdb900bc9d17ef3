"""Admin wiring for the Topic and Person snippets and the editor's "My drafts" dashboard panel; the privacy rule on
the CMS's own HTML pages; the history entry of an audience request the Privacy panel overruled (pages/audience.py).
The page listings' "Members only" badge is a template override (templates/wagtailadmin/pages/listing/)."""

from django.db.models import CharField, Exists, OuterRef, Q
from django.db.models.functions import Cast
from django.http import Http404
from django.templatetags.static import static
from django.utils.cache import add_never_cache_headers
from django.utils.html import format_html
from wagtail import hooks
from wagtail.admin.ui.components import Component
from wagtail.log_actions import LogFormatter
from wagtail.models import Page, PageViewRestriction, WorkflowState, get_default_page_content_type
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet
from wagtail.wagtail_hooks import require_wagtail_login

from pages.access import page_is_visible, passwords_given, published_pages, restrictions_shutting_out
from pages.audience import LABELS, NOT_APPLIED_ACTION
from pages.editorial import WORKFLOW_NAME
from pages.models import Person, Topic
from pages.rich_text import VisibleDocumentLinkHandler, VisibleImageEmbedHandler, VisiblePageLinkHandler


@hooks.register("before_serve_page", order=-100)
def serve_page_by_privacy_rule(page, request, serve_args, serve_kwargs):
    """Serve a page only to a visitor the privacy rule (pages.access) lets see it, as every API does.

    Wagtail's router serves any live page, even below an unpublished or expired parent, and its own restriction
    check lets any signed-in account past a login restriction. Here: a page that is not published (itself or an
    ancestor unpublished or expired) is a 404; a visitor shut out by a login or groups restriction is sent to
    sign in, as Wagtail does; a password restriction is left to Wagtail's own check, which shows its password form.
    """
    passwords = passwords_given(request, PageViewRestriction)
    if page_is_visible(page, user=request.user, passwords=passwords):
        return None
    if not published_pages(Page.objects.filter(pk=page.pk)).exists():
        raise Http404
    first = restrictions_shutting_out(page, user=request.user, passwords=passwords).first()
    if first is None or first.restriction_type == PageViewRestriction.PASSWORD:
        return None
    response = require_wagtail_login(next=request.get_full_path())
    add_never_cache_headers(response)
    return response


@hooks.register("register_rich_text_features", order=100)  # after Wagtail's own registrations, which these replace
def link_only_what_the_visitor_may_see(features):
    features.register_link_type(VisiblePageLinkHandler)
    features.register_link_type(VisibleDocumentLinkHandler)
    features.register_embed_type(VisibleImageEmbedHandler)


class TopicViewSet(SnippetViewSet):
    model = Topic
    icon = "tag"
    menu_label = "Topics"
    menu_order = 200
    add_to_admin_menu = True
    list_display = ["name", "slug", "kind"]
    list_filter = ["kind"]
    search_fields = ["name", "description"]


class PersonViewSet(SnippetViewSet):
    model = Person
    icon = "user"
    menu_label = "People"
    menu_order = 210
    add_to_admin_menu = True
    list_display = ["name", "role", "organization"]
    search_fields = ["name", "organization"]


register_snippet(TopicViewSet)
register_snippet(PersonViewSet)


class MyDraftsPanel(Component):
    """Pages the editor owns or last edited that have changes nobody has published and that are not in review yet:
    the work still on their desk. (Pages in review, and changes a moderator sent back, are in Wagtail's own "Your
    pages and snippets in a workflow" panel.)"""

    name = "my_drafts"
    template_name = "pages/dashboard/my_drafts.html"
    order = 205
    limit = 10

    def get_context_data(self, parent_context):
        user = parent_context["request"].user
        in_review = WorkflowState.objects.active().filter(
            base_content_type_id=get_default_page_content_type().id,  # a page's states point at the base Page row
            object_id=Cast(OuterRef("pk"), output_field=CharField()),
        )
        drafts = (
            Page.objects.filter(has_unpublished_changes=True)
            .filter(Q(owner=user) | Q(latest_revision__user=user))
            .exclude(Exists(in_review))
            .select_related("latest_revision")
            .order_by("-latest_revision_created_at")
        )
        return {"drafts": drafts[: self.limit], "submit_label": f"Submit to {WORKFLOW_NAME}"}


@hooks.register("construct_homepage_panels")
def add_my_drafts_panel(request, panels):
    panels.append(MyDraftsPanel())


@hooks.register("register_log_actions")
def register_audience_log_actions(actions):
    @actions.register_action(NOT_APPLIED_ACTION)
    class AudienceRequestNotApplied(LogFormatter):
        label = "Audience change not applied"

        def format_message(self, log_entry):
            wanted = LABELS.get((log_entry.data or {}).get("requested"), "another audience")
            return (
                f"Not made {wanted} on publishing: who can see the page was changed in the Privacy panel after the "
                "change was requested, and the Privacy panel's setting stands"
            )


@hooks.register("insert_editor_js")
def audience_sentence_follows_the_choice():
    return format_html('<script src="{}"></script>', static("pages/js/audience.js"))
