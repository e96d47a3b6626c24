"""`create_api_token USERNAME --org SLUG [--days N]`: make a personal API token and print it last."""
from __future__ import annotations

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser

from api.tokens import DEFAULT_DAYS, MAX_DAYS, issue_token
from bufdir_site.data_presence import require_migrated_database
from exports.models import Membership


class Command(BaseCommand):
    """Makes a token for a user with the export role in an organisation; the token is the last line."""

    help = "Create a personal API token for USERNAME in the organisation --org; the token is printed last."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument("--org", required=True, help="the organisation's slug, e.g. nhf")
        parser.add_argument("--days", type=int, default=DEFAULT_DAYS, help=f"lifetime, 1-{MAX_DAYS} days")
        parser.add_argument("--name", default="", help="a name to recognise the token by")

    def handle(self, *args: object, username: str, org: str, days: int, name: str, **options: object) -> None:
        require_migrated_database()
        if not 1 <= days <= MAX_DAYS:
            raise CommandError(f"--days must be between 1 and {MAX_DAYS}")
        user = get_user_model().objects.filter(**{get_user_model().USERNAME_FIELD: username}).first()
        if user is None or not user.is_active:
            raise CommandError(f"no active user {username!r}")
        membership = (Membership.objects.select_related("organisation")
                      .filter(user=user, organisation__slug=org, role__in=Membership.EXPORT_ROLES).first())
        if membership is None:
            raise CommandError(f"{username!r} may not export for an organisation {org!r}")
        issued = issue_token(user=user, organisation=membership.organisation,
                             name=name or f"{username} via create_api_token", days=days)
        self.stdout.write(f"Token {issued.token.name!r} for {username} in {membership.organisation.name}, "
                          f"expires {issued.token.expires_at:%Y-%m-%d %H:%M %Z}:")
        self.stdout.write(issued.secret)
