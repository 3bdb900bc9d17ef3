"""Admin wiring for the Topic and Person snippets; the privacy rule on the CMS's own HTML pages."""

from django.http import Http404
from django.utils.cache import add_never_cache_headers
from wagtail import hooks
from wagtail.models import Page, PageViewRestriction
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet
from wagtail.wagtail_hooks import require_wagtail_login

from pages.access import page_is_visible, passwords_given, published_pages, restrictions_shutting_out
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
