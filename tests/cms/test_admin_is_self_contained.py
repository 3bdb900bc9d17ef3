"""The admin loads nothing from outside services: agencies' networks often block them (issue: broken avatars)."""

import re

import pytest
from django.urls import reverse

from pages.editorial import EDITORS

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("url_name", ["wagtailadmin_home", "wagtailadmin_account", "wagtailadmin_explore_root"])
def test_admin_screens_reference_no_external_host(client, users, url_name):
    client.force_login(users[EDITORS])

    response = client.get(reverse(url_name))

    assert response.status_code == 200
    html = response.content.decode()
    assert "gravatar" not in html.lower()
    # What the browser loads by itself (images, scripts); links to Wagtail's help pages are fine.
    assert re.findall(r'\bsrc="((?:https?:)?//[^"]+)"', html) == []
