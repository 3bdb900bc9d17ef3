"""Admin wiring for the Topic and Person snippets."""

from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet

from pages.models import Person, Topic


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
