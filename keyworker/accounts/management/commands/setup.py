"""`keyworker setup`: an organisation with its first setting and its first leader, from the command line.

On a new installation the leader is also the installation's administrator; run it again with another short name to
add another organisation. Flags that are missing are asked for when the command runs in a terminal."""

import getpass
import sys
from pathlib import Path
from typing import Any

from django import forms
from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError, CommandParser

from keyworker.core.errors import RuleViolation
from keyworker.organisations.forms import NewOrganisationForm
from keyworker.organisations.models import Jurisdiction, SettingKind
from keyworker.organisations.short_names import slug_suggest

from ...installation_services import organisation_open
from ...models import User

# The form's (and the service's) field -> the command's flag, for the messages.
FLAGS = {
    "name": "--organisation", "slug": "--slug", "kind": "--kind", "jurisdiction": "--jurisdiction",
    "time_zone": "--time-zone", "setting_name": "--setting", "leader_email": "--admin-email",
    "leader_name": "--admin-name", "leader_password": "--admin-password-file",
}


class LeaderForm(forms.Form):
    leader_email = forms.EmailField(max_length=254, error_messages={"required": "Give the leader's e-mail address."})
    leader_name = forms.CharField(max_length=150, required=False)


class Command(BaseCommand):
    help = (
        "Create an organisation with its first setting and its first leader (headteacher of a school, manager "
        "otherwise), who gets every default role's organisation. On a new installation the leader is also the "
        "installation's administrator. Without --admin-password-file the leader is e-mailed a link to choose a "
        "password (in a terminal, the password is asked for; leave it empty for the link). Nothing is created "
        "unless everything is right."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--organisation", dest="name", help="the organisation's name, e.g. \"Oak Tree School\"")
        parser.add_argument("--slug", help="its short name for the commands, e.g. oak-school (default: from the name)")
        parser.add_argument("--kind", help=f"the first setting's kind: {', '.join(SettingKind.values)}")
        parser.add_argument("--jurisdiction", help=f"{', '.join(Jurisdiction.values)} (default england)")
        parser.add_argument("--time-zone", dest="time_zone", help="default Europe/London")
        parser.add_argument("--setting", dest="setting_name", help="the first setting's name (default: the organisation's)")
        parser.add_argument("--admin-email", dest="leader_email", help="the first leader's e-mail address")
        parser.add_argument("--admin-name", dest="leader_name", help="the first leader's full name")
        parser.add_argument("--admin-password-file", dest="password_file",
                            help="a file holding the leader's password (default: an e-mailed link to choose one)")
        parser.add_argument("--no-input", "--noinput", action="store_false", dest="interactive",
                            help="never ask: fail on what is missing")

    def handle(self, *args: Any, interactive: bool, password_file: str | None, **options: Any) -> None:
        values = {k: (options.get(k) or "").strip() for k in FLAGS if k != "leader_password"}
        asking = interactive and sys.stdin.isatty()
        password = self._password_from_file(password_file) if password_file else ""
        if asking:
            values = self._ask(values)
            if not password_file and not User.objects.filter(email__iexact=values["leader_email"]).exists():
                password = self._ask_password()
        values.setdefault("jurisdiction", "")
        data = {**values, "jurisdiction": values["jurisdiction"] or Jurisdiction.ENGLAND,
                "time_zone": values["time_zone"] or "Europe/London"}
        organisation = NewOrganisationForm(data=data)
        leader = LeaderForm(data=data)
        errors = {**organisation.errors, **leader.errors} if not (organisation.is_valid() & leader.is_valid()) else {}
        if errors:
            raise CommandError(self._problems({f: list(m) for f, m in errors.items()}))
        clean = {**organisation.cleaned_data, **leader.cleaned_data}
        first = not User.objects.exists()
        try:
            opened = organisation_open(
                by=None, name=clean["name"], slug=clean["slug"], setting_name=clean["setting_name"], kind=clean["kind"],
                jurisdiction=clean["jurisdiction"], time_zone=clean["time_zone"], leader_name=clean["leader_name"],
                leader_email=clean["leader_email"], leader_password=password, installation_admin=first,
            )
        except RuleViolation as exc:
            raise CommandError(self._problems(exc.as_dict())) from exc
        except PermissionDenied as exc:
            raise CommandError(str(exc)) from exc
        org, setting, person = opened.organisation, opened.setting, opened.leader.user
        self.stdout.write(self.style.SUCCESS(
            f"Created {org} (short name {org.slug}) with its setting {setting} "
            f"({setting.get_kind_display().lower()}, {setting.get_jurisdiction_display()}, {setting.time_zone})."
        ))
        admin = " and the installation's administrator" if first else ""
        self.stdout.write(f"{person} <{person.email}> is its {opened.role.name.lower()}{admin}.")
        if opened.link_sent:
            self.stdout.write("They have been e-mailed a link to choose their password; it goes out with "
                              "`keyworker worker`.")
        self.stdout.write(f"Next: sign in and open Setup, or `keyworker import staff FILE --organisation {org.slug} "
                          f"--setting \"{setting}\"`.")

    def _problems(self, errors: dict[str, list[str]]) -> str:
        lines = ["Nothing was created:"]
        for field, messages in errors.items():
            flag = FLAGS.get(field, "")
            lines += [f"  {flag}: {m}" if flag else f"  {m}" for m in messages]
        return "\n".join(lines)

    def _password_from_file(self, path: str) -> str:
        try:
            text = Path(path).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise CommandError(f"Nothing was created:\n  --admin-password-file: cannot read {path}: {exc}.") from exc
        password = text.rstrip("\r\n")
        if not password:
            raise CommandError(f"Nothing was created:\n  --admin-password-file: {path} is empty.")
        return password

    def _ask(self, values: dict[str, str]) -> dict[str, str]:
        def ask(key: str, question: str, default: str = "") -> None:
            if values.get(key):
                return
            shown = f" [{default}]" if default else ""
            values[key] = input(f"{question}{shown}: ").strip() or default

        ask("name", "Organisation's name")
        ask("slug", "Short name, for the commands", slug_suggest(values.get("name", "")))
        ask("kind", f"First setting's kind ({', '.join(SettingKind.values)})", SettingKind.SCHOOL)
        ask("setting_name", "First setting's name", values.get("name", ""))
        ask("jurisdiction", f"Jurisdiction ({', '.join(Jurisdiction.values)})", Jurisdiction.ENGLAND)
        ask("time_zone", "Time zone", "Europe/London")
        ask("leader_name", "Leader's full name")
        ask("leader_email", "Leader's e-mail address")
        return values

    def _ask_password(self) -> str:
        while True:
            password = getpass.getpass("Password (leave empty to e-mail a link instead): ")
            if not password:
                return ""
            if getpass.getpass("The password again: ") == password:
                return password
            self.stderr.write("The two passwords are not the same. Try again.")
