from django.apps import AppConfig


class CmsConfig(AppConfig):
    name = "cms"
    verbose_name = "CIT ASSIST CMS"

    def ready(self):
        from django.db import models
        from wagtail.admin.forms.models import register_form_field_override

        from cms import checks, content_version  # noqa: F401 - checks registers the system checks
        from cms.json_input import BoundedJSONDecoder

        # Admin forms' JSON fields (webhook endpoints' event types and headers): JSON nested too deeply is "Enter a
        # valid JSON." on the field, not a RecursionError (a 500) while parsing or re-displaying it.
        register_form_field_override(models.JSONField, override={"decoder": BoundedJSONDecoder})
        content_version.connect()
        from cms import cdn  # noqa: F401 - purges the CDN after the version's bumps
