"""The organisation a command works on: named by its short name (`--organisation SLUG`), which may be left out when
the installation has exactly one organisation."""

from django.core.management.base import CommandError

from .models import Organisation


def organisation_for_command(slug: str | None) -> Organisation:
    """The organisation with this short name, or the only one; a CommandError that lists the short names otherwise."""
    organisations = list(Organisation.objects.order_by("slug")[:51])
    listed = ", ".join(f"{o.slug} ({o.name})" for o in organisations[:50]) + (", …" if len(organisations) > 50 else "")
    if not organisations:
        raise CommandError("There is no organisation yet: create one with `keyworker setup` (or the /start/ page).")
    if slug:
        found = next((o for o in organisations if o.slug == slug.strip()), None)
        if found is None:
            found = Organisation.objects.filter(slug__iexact=slug.strip()).first()
        if found is None:
            raise CommandError(f"No organisation with the slug “{slug}”. The slugs (short names): {listed}.")
        return found
    if len(organisations) == 1:
        return organisations[0]
    raise CommandError(f"This installation has several organisations: say which with --organisation SLUG. "
                       f"The slugs (short names): {listed}.")
