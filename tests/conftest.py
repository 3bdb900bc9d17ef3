"""Shared fixtures: a site whose root is the program's HomePage, with each section's index page."""

import pytest
from wagtail.models import Page, Site

from events.factories import EventIndexPageFactory
from media_library.factories import PublicationIndexPageFactory, RecordingIndexPageFactory
from pages.factories import CourseIndexPageFactory, HomePageFactory


@pytest.fixture
def home_page(db):
    root = Page.get_first_root_node()
    home = HomePageFactory(parent=root, slug="home-cit")
    Site.objects.update_or_create(is_default_site=True, defaults={"root_page": home, "hostname": "localhost"})
    return home


@pytest.fixture
def event_index(home_page):
    return EventIndexPageFactory(parent=home_page)


@pytest.fixture
def course_index(home_page):
    return CourseIndexPageFactory(parent=home_page)


@pytest.fixture
def publication_index(home_page):
    return PublicationIndexPageFactory(parent=home_page)


@pytest.fixture
def recording_index(home_page):
    return RecordingIndexPageFactory(parent=home_page)
