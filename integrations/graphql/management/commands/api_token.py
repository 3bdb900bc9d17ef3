"""`api_token create|list|revoke`: issue and withdraw GraphQL API tokens from the command line.

The tokens are Wagtail's (`wagtail.models.APIToken`, also managed in the admin under Settings → API tokens);
this command adds `--expires-days`, which Wagtail's own `api_tokens` command does not have.
"""

from datetime import timedelta

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from wagtail.models import APIToken

from integrations.graphql.auth import token_expires_at, token_status
from integrations.graphql.services import MAX_EXPIRES_DAYS, api_token_create, api_token_revoke


class Command(BaseCommand):
    help = "Create, list or revoke GraphQL API tokens. A new token is printed once and never stored in clear."

    def add_arguments(self, parser):
        actions = parser.add_subparsers(dest="action", required=True)
        create = actions.add_parser("create", help="Create a token for a user and print it once.")
        create.add_argument("--user", required=True, help="Username of the token's owner.")
        create.add_argument("--name", default="", help="What the token is for (default: 'CLI token').")
        create.add_argument("--expires-days", type=int, default=None, help="Days until the token expires.")
        listing = actions.add_parser("list", help="List tokens (never their secrets).")
        listing.add_argument("--user", default=None, help="Only this user's tokens.")
        revoke = actions.add_parser("revoke", help="Revoke a token by its ID (see `list`).")
        revoke.add_argument("id", help="The token's ID.")

    def handle(self, *args, action, **options):
        getattr(self, f"handle_{action}")(**options)

    def handle_create(self, *, user, name, expires_days, **_):
        User = get_user_model()
        owner = User.objects.filter(**{User.USERNAME_FIELD: user}).first()
        if owner is None:
            raise CommandError(f"No user named '{user}'.")
        if not owner.is_active:
            raise CommandError(f"User '{user}' is inactive; its tokens would be refused.")
        if expires_days is not None and not 1 <= expires_days <= MAX_EXPIRES_DAYS:
            raise CommandError(f"--expires-days must be between 1 and {MAX_EXPIRES_DAYS}.")
        expires_at = timezone.now() + timedelta(days=expires_days) if expires_days else None
        token, plaintext = api_token_create(
            user=owner, name=name or "CLI token", expires_at=expires_at, source="management_command"
        )
        self.stderr.write(f"Created token {token.pk} for {user}. Copy it now: it is not shown again.")
        self.stdout.write(plaintext)

    def handle_list(self, *, user, **_):
        tokens = APIToken.objects.select_related("user", "expiry").order_by("pk")
        if user:
            tokens = tokens.filter(**{f"user__{get_user_model().USERNAME_FIELD}": user})
        self.stdout.write(f"{'ID':>5}  {'KEY':<14} {'USER':<20} {'STATUS':<8} {'EXPIRES':<17} {'LAST USED':<17} NAME")
        for token in tokens:
            self.stdout.write(
                f"{token.pk:>5}  {token.prefix + '…':<14} {token.user.get_username():<20} {token_status(token):<8} "
                f"{_when(token_expires_at(token)):<17} {_when(token.last_used_at):<17} {token.name}"
            )

    def handle_revoke(self, *, id, **_):
        if not id.isdigit():
            raise CommandError(f"'{id}' is not a token ID (a number from `api_token list`).")
        token = APIToken.objects.filter(pk=int(id)).first()
        if token is None:
            raise CommandError(f"No token with ID {id}.")
        revoked = api_token_revoke(token=token, source="management_command")
        self.stdout.write(f"Token {token.pk} ({token.name}) {'is now' if revoked else 'was already'} revoked.")


def _when(moment) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M") if moment else "-"
