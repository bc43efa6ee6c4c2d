"""``linli open311-key``: create, list and revoke Open311 API keys.

``create NAME --community CODE`` prints the new key once (only its hash is kept);
``list`` shows every key by its prefix; ``revoke PREFIX`` stops a key at once.
"""

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from linli.registry.models import Community
from linli.tickets import apikeys
from linli.tickets.models import ApiKey
from linli.tickets.workflow import TicketError


class Command(BaseCommand):
    help = "Create, list and revoke Open311 API keys (each bound to one community)."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True, metavar="{create,list,revoke}")
        create = sub.add_parser("create", help="Create a key and print it once.")
        create.add_argument("name", help="Who uses the key, e.g. the app's name.")
        create.add_argument("--community", required=True, help="The community's code.")
        sub.add_parser("list", help="List keys by prefix (the keys themselves are not kept).")
        revoke = sub.add_parser("revoke", help="Revoke a key at once.")
        revoke.add_argument("prefix", help="The key's first characters, as `list` shows.")

    def handle(self, *args, action: str, **options):
        try:
            getattr(self, f"_{action}")(**options)
        except TicketError as e:
            raise CommandError(str(e.message)) from e

    def _create(self, *, name: str, community: str, **_):
        place = Community.objects.filter(code=community).first()
        if place is None:
            raise CommandError(f"No community with the code {community!r}.")
        key, raw = apikeys.apikey_create(name=name, community=place)
        self.stdout.write(raw)
        self.stderr.write(
            f"Open311 key {key.prefix}… for {place.code} ({place.name}) created. "
            "This is the only time it is shown: store it now."
        )

    def _list(self, **_):
        keys = ApiKey.objects.select_related("community").order_by("community__code", "name")
        if not keys:
            self.stdout.write("No Open311 keys.")
        for k in keys:
            used = (
                timezone.localtime(k.last_used_at).strftime("%Y-%m-%d %H:%M")
                if k.last_used_at
                else "never"
            )
            state = (
                "revoked " + timezone.localtime(k.revoked_at).strftime("%Y-%m-%d")
                if k.revoked_at
                else "active"
            )
            self.stdout.write(
                f"{k.prefix}  {k.community.code:<12} {k.name:<30} last used {used:<16}  {state}"
            )

    def _revoke(self, *, prefix: str, **_):
        key = apikeys.apikey_revoke(prefix=prefix)
        self.stdout.write(f"Revoked {key.prefix}… ({key.name}, {key.community.code}).")
