"""Operators' command line for webhook endpoints: add, list, ping, disable, enable, rotate-secret, replay."""

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils.dateparse import parse_datetime

from integrations.webhooks import services
from integrations.webhooks.models import EVENT_TYPES, Audience, Endpoint


class Command(BaseCommand):
    help = "Manage webhook endpoints (see README: Webhooks)."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
        add = sub.add_parser("add", help="Add an endpoint; prints its id (and its secret, once, when generated).")
        add.add_argument("--url", required=True)
        add.add_argument(
            "--events",
            required=True,
            help=f"Comma-separated types or wildcards ('event.*,page.*', '*') over: {', '.join(EVENT_TYPES)} "
            "(ta_request.* reach trusted endpoints only).",
        )
        add.add_argument("--secret", help="whsec_... (generated when omitted).")
        add.add_argument("--audience", choices=list(Audience.values), default=Audience.PUBLIC)
        add.add_argument("--description", default="")
        add.add_argument("--owner-email", default="")
        sub.add_parser("list", help="List endpoints.")
        for name, text in (
            ("ping", "Send a webhook.ping."),
            ("disable", "Stop sending to an endpoint."),
            ("enable", "Send to an endpoint again."),
            ("rotate-secret", "New secret; the old one keeps signing during the grace period."),
        ):
            sub.add_parser(name, help=text).add_argument("id", type=int)
        replay = sub.add_parser("replay", help="Send again every subscribed message since a time.")
        replay.add_argument("id", type=int)
        replay.add_argument("--since", required=True, help="ISO 8601 time, e.g. 2026-11-26T00:00:00Z.")

    def handle(self, *, action, **options):
        if action == "add":
            return self.add(options)
        if action == "list":
            return self.list()
        endpoint = self.endpoint(options["id"])
        if action == "ping":
            delivery = services.endpoint_ping(endpoint=endpoint)
            self.stdout.write(f"Ping queued as delivery {delivery.pk} (webhook-id {delivery.message.webhook_id}).")
        elif action == "disable":
            services.endpoint_disable(endpoint=endpoint, reason="Disabled from the command line.")
            self.stdout.write(f"Endpoint {endpoint.pk} disabled.")
        elif action == "enable":
            services.endpoint_enable(endpoint=endpoint)
            self.stdout.write(f"Endpoint {endpoint.pk} enabled.")
        elif action == "rotate-secret":
            secret = services.endpoint_rotate_secret(endpoint=endpoint)
            self.stdout.write(f"New secret (shown once): {secret}")
            self.stdout.write(
                f"The previous secret also signs until {endpoint.previous_secret_expires_at:%Y-%m-%d %H:%M %Z}."
            )
        elif action == "replay":
            since = parse_datetime(options["since"])
            if since is None or since.tzinfo is None:
                raise CommandError("--since must be an ISO 8601 time with a zone, e.g. 2026-11-26T00:00:00Z.")
            count = services.endpoint_replay(endpoint=endpoint, since=since)
            self.stdout.write(f"{count} message(s) queued for endpoint {endpoint.pk}.")
        return None

    def add(self, options) -> None:
        events = [item.strip() for item in options["events"].split(",") if item.strip()]
        try:
            endpoint = services.endpoint_create(
                url=options["url"],
                event_types=events,
                audience=options["audience"],
                secret=options["secret"],
                description=options["description"],
                owner_email=options["owner_email"],
            )
        except ValidationError as error:
            details = "; ".join(f"{field}: {' '.join(messages)}" for field, messages in error.message_dict.items())
            raise CommandError(f"Endpoint not added. {details}") from error
        self.stdout.write(f"Endpoint {endpoint.pk} added.")
        if not options["secret"]:
            self.stdout.write(f"Secret (shown once, keep it): {endpoint.secret}")

    def list(self) -> None:
        for endpoint in Endpoint.objects.all():
            state = "active" if endpoint.active else f"disabled ({endpoint.disabled_reason or 'by an operator'})"
            self.stdout.write(
                f"{endpoint.pk}\t{endpoint.url}\t{','.join(endpoint.event_types)}\t{endpoint.audience}\t{state}"
            )

    def endpoint(self, pk: int) -> Endpoint:
        try:
            return Endpoint.objects.get(pk=pk)
        except Endpoint.DoesNotExist:
            raise CommandError(f"No webhook endpoint with id {pk}.") from None
