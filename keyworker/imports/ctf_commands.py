"""What `keyworker import ctf` and `keyworker export ctf` share: whom a change from the command line is recorded as.

A CTF import changes children's records through the same services as the pages, and each change names a person:
the one given with --by, or else the first active leader or office member who may import into the setting.
"""

from django.core.management.base import CommandError

from keyworker.accounts.access import Actor, actor_for
from keyworker.accounts.models import StaffMember
from keyworker.organisations.models import Organisation, Setting

from .policies import can_run_imports


def command_actor(organisation: Organisation, setting: Setting | None, email: str | None) -> Actor:
    members = StaffMember.objects.filter(organisation=organisation, is_active=True).select_related("user")
    if email:
        members = members.filter(user__email__iexact=email.strip())
    for member in members.order_by("id")[:200]:
        actor = actor_for(member.user, organisation.pk)
        if can_run_imports(actor, setting.pk if setting else None):
            return actor
    if email:
        raise CommandError(f"{email} is not a member of {organisation} who may import transfer files.")
    raise CommandError(f"{organisation} has no active leader or office member to record the changes as: add one, "
                       "or name one with --by EMAIL.")
