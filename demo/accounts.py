"""The demo logins: each created once with a random password, which is written to `DEMO_CREDENTIALS_FILE`
(git-ignored, mode 600) so that `make run` can print it again on later runs without ever storing a fixed password."""

import json
import secrets
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.auth import get_user_model


@dataclass
class DemoReport:
    """What one `seed_demo` run created or brought up to date, and the logins to print."""

    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)  # an older demo's content brought up to date
    credentials: list[tuple[str, str, str]] = field(default_factory=list)


def demo_user(username: str, report: DemoReport, stored: dict, **fields):
    """The demo login `username`, created once with a random password (kept in `stored`) and `fields`."""
    User = get_user_model()
    user = User.objects.filter(username=username).first()
    if user is None:
        password = secrets.token_urlsafe(12)
        user = User.objects.create_user(username=username, email=f"{username}@example.org", password=password, **fields)
        stored[username] = password
        report.created.append(f"user: {username}")
    return user


def load_credentials() -> dict:
    try:
        return json.loads(settings.DEMO_CREDENTIALS_FILE.read_text())
    except (FileNotFoundError, ValueError):
        return {}


def save_credentials(stored: dict) -> None:
    path = settings.DEMO_CREDENTIALS_FILE
    path.write_text(json.dumps(stored, indent=2, sort_keys=True))
    path.chmod(0o600)
