"""`keyworker demo`: build the demo organisations and print the sign-ins."""

from django.core.management.base import BaseCommand

from keyworker.demo import builder


class Command(BaseCommand):
    help = "Build the demo: a special school (England) and a childcare group (Scotland), with staff, families and calendars."

    def add_arguments(self, parser):
        parser.add_argument("--reset", action="store_true", help="Remove the demo organisations first and build them again.")
        parser.add_argument("--seed", type=int, default=2026)
        parser.add_argument("--code", action="store_true", help="Print the demo authenticator app's code now, and stop.")

    def handle(self, *args, reset: bool, seed: int, code: bool = False, **opts):
        if code:
            from keyworker.demo.second_factor import code_now

            self.stdout.write(code_now())
            return
        if builder.exists():
            if not reset:
                self.stdout.write("The demo is already built (use --reset to build it again).")
                self._print_sign_ins()
                return
            builder.remove()
        demo = builder.build(seed=seed)
        for org, n in demo.counts.items():
            self.stdout.write(f"Built {org}: {n} children.")
        self._print(demo.sign_ins, demo.carer_sign_ins)

    def _print_sign_ins(self):
        from keyworker.demo.signins import carer_sign_in, current_sign_ins

        self._print(current_sign_ins(), carer_sign_in())

    def _print(self, sign_ins, carer_sign_ins=()):
        self.stdout.write("")
        self.stdout.write(f"Demo sign-ins (password for all: {builder.PASSWORD})")
        width = max(len(s.role) for s in sign_ins)
        for s in sign_ins:
            self.stdout.write(f"  {s.role.ljust(width)}  {s.email:45}  {s.name}, {s.organisation}")
        for s in carer_sign_ins:
            self.stdout.write(f"  Carers' portal: sign in at /family/sign-in/ as {s.email} ({s.name}, {s.organisation}); "
                              "no password: the link appears in demo-emails/")
        self.stdout.write("")
        from keyworker.demo.second_factor import describe

        for line in describe():
            self.stdout.write(line)
        self.stdout.write("")
