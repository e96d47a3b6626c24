"""`create_api_token USERNAME --org SLUG [--days N]`: make a personal API token and print it last."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from api.tokens import DEFAULT_DAYS, MAX_DAYS, issue_token
from bufdir_site.data_presence import require_migrated_database
from exports.models import Membership


class Command(BaseCommand):
    """Makes a token for a user with the export role in an organisation; the token is the last line."""

    help = "Create a personal API token for USERNAME in the organisation --org; the token is printed last."

    def add_arguments(self, parser: CommandParser) -> None:
        """USERNAME, --org, --days and --name; the description and help in the active language."""
        parser.description = _(
            "Create a personal API token for USERNAME in the organisation --org; the token is printed last."
        )
        parser.add_argument("username", help=_("the user's username"))
        parser.add_argument("--org", required=True, help=_("the organisation's short name, e.g. nhf"))
        parser.add_argument(
            "--days", type=int, default=DEFAULT_DAYS, help=_("lifetime in days, 1 to %(max)s") % {"max": MAX_DAYS}
        )
        parser.add_argument("--name", default="", help=_("a name to recognise the token by"))

    def handle(self, *args: object, username: str, org: str, days: int, name: str, **options: object) -> None:
        require_migrated_database()
        if not 1 <= days <= MAX_DAYS:
            raise CommandError(_("--days must be between 1 and %(max)s.") % {"max": MAX_DAYS})
        user = get_user_model().objects.filter(**{get_user_model().USERNAME_FIELD: username}).first()
        if user is None or not user.is_active:
            raise CommandError(_("No active user has the username «%(username)s».") % {"username": username})
        membership = (
            Membership.objects.select_related("organisation")
            .filter(user=user, organisation__slug=org, role__in=Membership.EXPORT_ROLES)
            .first()
        )
        if membership is None:
            raise CommandError(
                _("«%(username)s» may not export for an organisation with the short name «%(org)s».")
                % {"username": username, "org": org}
            )
        issued = issue_token(
            user=user, organisation=membership.organisation, name=name or f"{username} via create_api_token", days=days
        )
        expires = formats.date_format(timezone.localtime(issued.token.expires_at), "SHORT_DATETIME_FORMAT")
        self.stdout.write(
            _("Token «%(name)s» for %(username)s in %(organisation)s, valid until %(expires)s:")
            % {
                "name": issued.token.name,
                "username": username,
                "organisation": membership.organisation.name,
                "expires": expires,
            }
        )
        self.stdout.write(issued.secret)
