"""Shared fixtures: a site whose root is the program's HomePage, with each section's index page; the browser
tests' Chromium and workflow users."""

import os
import shutil
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth.models import Group, User
from django.contrib.contenttypes.models import ContentType
from django.core.cache import caches
from wagtail.coreutils import get_supported_content_language_variant
from wagtail.models import Collection, Locale, Page, Site

from events.factories import EventIndexPageFactory
from integrations.graphql.loaders import forget_per_version
from media_library.factories import PublicationIndexPageFactory, RecordingIndexPageFactory
from pages.editorial import EDITORS, MODERATORS, ensure_editorial_setup
from pages.factories import CourseIndexPageFactory, HomePageFactory
from tests.integrations.webhooks.receiver import start_receiver, stop_receiver

# The fault suite starts its own PostgreSQL, Redis, S3 and gunicorn: only `make test-faults` (CMS_FAULT_SUITE=1)
# collects it. Left out by path, not by marker, so that any `-m` on the command line keeps it out too.
collect_ignore = [] if os.environ.get("CMS_FAULT_SUITE") == "1" else ["faults"]


@pytest.fixture(autouse=True, scope="session")
def _runs_on_test_settings() -> None:
    """Fail loudly when an exported DJANGO_SETTINGS_MODULE (e.g. make's dev default) overrode pyproject's."""
    assert settings.SETTINGS_MODULE == "cms.settings.test", (
        f"tests must run on cms.settings.test, not {settings.SETTINGS_MODULE}"
    )


@pytest.fixture(autouse=True)
def _fresh_response_cache():
    """Stored answers are keyed on the content version, which every test's rollback winds back: an answer stored
    by one test must not meet the next test's different content under the same number (nor must what the GraphQL
    loader keeps per content version in each process: loaders.per_version). The cache stays on
    (RESPONSE_CACHE, as in production), so every API and feed test runs through it."""
    caches["responses"].clear()
    forget_per_version()
    yield
    caches["responses"].clear()
    forget_per_version()


@pytest.fixture
def wagtail_tree(db) -> None:
    """Put back what migrations create when an earlier transactional test's flush removed it (idempotent).

    The test database starts migrated, but every transactional test (worker, browser) ends with a flush that keeps
    only what post_migrate re-creates: Wagtail's locale, root collection and root page are gone. serialized_rollback
    does not help: its reload collides with the groups post_migrate re-created after a plain transactional test.
    """
    if Page.get_first_root_node() is not None:  # the migrated database, as most tests see it
        return
    ContentType.objects.clear_cache()  # ids cached before a flush point at rows that no longer exist
    locale, _ = Locale.objects.get_or_create(
        language_code=get_supported_content_language_variant(settings.LANGUAGE_CODE)
    )
    if Collection.get_first_root_node() is None:
        Collection.add_root(name="Root")
    Page.add_root(instance=Page(title="Root", slug="root", locale=locale))
    # The flush's post_migrate re-created groups and permissions but had no root to attach the workflow to.
    ensure_editorial_setup()


@pytest.fixture
def home_page(wagtail_tree):
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


# --- browser tests (tests/browser_helpers.py) ------------------------------------------------------------------

CHROMIUM_MISSING = "headless Chromium not installed: apt-get install chromium"


@pytest.fixture(autouse=True)
def _no_background_autosave_in_browser_tests(request):
    """Wagtail 8 saves an open page form in the background half a second after a change. On a new page that
    autosave creates the page, and a "Submit for moderation" sent while it is still in flight posts the create form
    again and fails on the slug Wagtail has just taken (a 500; seen once in CI on a slow machine, in
    test_publication_browser). The browser tests drive the explicit actions editors are taught, so they run without
    the background save; the race itself is Wagtail's and is not covered here."""
    if request.node.get_closest_marker("browser"):
        request.getfixturevalue("settings").WAGTAIL_AUTOSAVE_INTERVAL = 0


@pytest.fixture
def chromium() -> str:
    for candidate in ("/usr/bin/chromium", shutil.which("chromium")):
        if candidate and Path(candidate).is_file():
            return candidate
    if os.environ.get("CI") == "true":
        pytest.fail(CHROMIUM_MISSING)
    pytest.skip(CHROMIUM_MISSING)


@pytest.fixture
def users(event_index) -> dict[str, User]:
    accounts = {}
    for username, group in (("edna.editor", EDITORS), ("max.moderator", MODERATORS)):
        user = User.objects.create_user(username, f"{username}@example.org", f"{username}-secret")
        user.groups.add(Group.objects.get(name=group))
        accounts[group] = user
    return accounts


@pytest.fixture
def receiver():
    """A real HTTP webhook receiver on 127.0.0.1 that verifies signatures (tests/integrations/webhooks/receiver.py)."""
    server = start_receiver()
    yield server
    stop_receiver(server)
