"""The staff of one school walking the main pages, for bench_load.py (which starts locust with this file).

Each locust user takes the next of the users bench_load.py prepared (BENCH_LOAD_USERS: a JSON list of distinct
staff with a signed-in session, their families, children, class and register date) and sends that session's
cookie: nobody types a password. Key workers walk My week, My families, a family, a child, the contacts list, the
record-contact form and its POST, the families list, the class register, the inbox; leaders (second factor
verified on their session) the same pages with compliance of the whole school instead of recording (a key
worker's compliance is their own row). Every user also fetches a static file now and then. Think time 1 to 4 s, none when BENCH_LOAD_SATURATE is set.
"""

from __future__ import annotations

import itertools
import json
import os
import random
import re

from locust import HttpUser, between, constant, task

USERS = json.loads(open(os.environ["BENCH_LOAD_USERS"]).read()) if os.environ.get("BENCH_LOAD_USERS") else []  # noqa: SIM115
_next_user = itertools.count()
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


class Staff(HttpUser):
    wait_time = constant(0) if os.environ.get("BENCH_LOAD_SATURATE") else between(1, 4)

    def on_start(self) -> None:
        self.me = USERS[next(_next_user) % len(USERS)]
        self.client.cookies.set("sessionid", self.me["session"], domain="127.0.0.1")
        self.leader = self.me["kind"] == "leader"
        self.rng = random.Random(self.me["email"])

    def get(self, url: str, name: str) -> str:
        with self.client.get(url, name=name, allow_redirects=False, catch_response=True) as response:
            if response.status_code != 200:
                response.failure(f"{response.status_code} {response.headers.get('Location', '')}")
            return response.text

    def family(self) -> int:
        return self.rng.choice(self.me["families"])

    @task(4)
    def my_week(self) -> None:
        self.get("/my-week/", "My week")

    @task(3)
    def my_families(self) -> None:
        self.get("/families/", "My families")

    @task(3)
    def a_family(self) -> None:
        self.get(f"/families/{self.family()}/", "a family")

    @task(3)
    def a_child(self) -> None:
        if self.me["children"]:
            self.get(f"/families/children/{self.rng.choice(self.me['children'])}/", "a child")

    @task(2)
    def contacts(self) -> None:
        self.get("/contacts/", "contacts list")

    @task(2)
    def record_contact(self) -> None:
        if self.leader:
            return self.compliance()
        family = self.family()
        page = self.get(f"/contacts/new/?family={family}", "record-contact form")
        found = CSRF.search(page)
        if not found:
            return None
        with self.client.post(f"/contacts/new/?family={family}", name="record-contact POST", allow_redirects=False,
                              catch_response=True, headers={"Referer": f"{self.host}/contacts/new/?family={family}"},
                              data={"csrfmiddlewaretoken": found.group(1), "family": family, "channel": "phone",
                                    "tone": "positive", "direction": "from_school", "happened_on": self.me["today"],
                                    "carer": "", "write_up": "Phoned home about the school trip; all fine."}) as response:
            if response.status_code != 302:
                response.failure(f"{response.status_code}")
        return None

    @task(2)
    def families_list(self) -> None:
        self.get("/families/all/", "families list")

    @task(2)
    def register(self) -> None:
        self.get(f"/attendance/register/{self.me['group']}/?date={self.me['register_date']}&session=AM",
                 "attendance register")

    @task(2)
    def inbox(self) -> None:
        self.get("/inbox/", "inbox")

    @task(1)
    def static(self) -> None:
        self.get("/static/core/keyworker.css", "static file")

    @task(2)
    def compliance(self) -> None:
        # Leaders: every key worker of the school; a key worker: their own row.
        self.get("/compliance/", "compliance")
