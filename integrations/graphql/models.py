"""Expiry for API tokens.

Tokens themselves are Wagtail 8's `wagtail.models.APIToken`: `wagtail_<secret><checksum>`, stored only as an HMAC
digest keyed with SECRET_KEY (rotation through SECRET_KEY_FALLBACKS), shown once when created, revocable, with
an admin UI and audit log entries. What it lacks for partner access is an end date; this table adds it, one row
per token that expires (no row: the token does not expire).
"""

from django.db import models
from django.utils import timezone
from wagtail.models import APIToken


class ApiTokenExpiry(models.Model):
    token = models.OneToOneField(APIToken, on_delete=models.CASCADE, primary_key=True, related_name="expiry")
    expires_at = models.DateTimeField(help_text="The token is refused from this moment on.")

    class Meta:
        verbose_name = "API token expiry"
        verbose_name_plural = "API token expiries"

    def __str__(self) -> str:
        return f"{self.token} expires {self.expires_at:%Y-%m-%d %H:%M}"

    def has_passed(self, now=None) -> bool:
        return self.expires_at <= (now or timezone.now())
