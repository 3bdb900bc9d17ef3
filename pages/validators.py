"""Validators shared by every app's models and blocks."""

from urllib.parse import urlsplit

from django.core.exceptions import ValidationError


def validate_web_url(value: str) -> None:
    """Only http(s) links reach partner sites and calendars: `javascript:` and `data:` URLs are refused."""
    if value and urlsplit(value).scheme.lower() not in {"http", "https"}:
        raise ValidationError("Enter a web address that starts with https:// (or http://).", code="scheme")
