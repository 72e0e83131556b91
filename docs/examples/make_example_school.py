#!/usr/bin/env python3
"""Write an example school's MIS export: 300 pupils in 12 classes (pupils CSV) and its 27 staff (staff CSV).

The columns are those of a typical MIS "pupils with contacts" report and staff list; every name, UPN,
telephone number and e-mail address is invented (UPNs carry valid check letters, e-mails use example.org).

    python3 docs/examples/make_example_school.py      # rewrites the two files beside this script
"""

import csv
import datetime as dt
import random
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
sys.path.insert(0, str(ROOT))

from keyworker.demo.names import HOUSEHOLDS  # noqa: E402  (names only: no Django needed)
from keyworker.people.upn import upn_check_letter  # noqa: E402

CLASSES = [  # (class, year group, year of birth for a child in that year in 2026/27)
    ("Ash", "Reception", 2021), ("Beech", "Reception", 2021), ("Cedar", "Year 1", 2020), ("Elm", "Year 1", 2020),
    ("Hazel", "Year 2", 2019), ("Holly", "Year 2", 2019), ("Larch", "Year 3", 2018), ("Maple", "Year 4", 2017),
    ("Oak", "Year 5", 2016), ("Rowan", "Year 5", 2016), ("Willow", "Year 6", 2015), ("Yew", "Year 6", 2015),
]
PUPILS_PER_CLASS = 25
METHODS = ["Telephone", "Text message", "Email", "ClassDojo", "In person"]
TEACHERS = ["Rachel Green", "Tom Hughes", "Aisha Rahman", "Ben Carter", "Sophie Lewis", "Daniel Okoro",
            "Hannah Price", "Marek Nowak", "Laura Bennett", "Sam Patel", "Jenny Walsh", "Owen Davies"]
ASSISTANTS = ["Mo Farah", "Karen Hill", "Tariq Aziz", "Lucy Ward", "Chloe Evans", "Grace Murphy",
              "Amir Khan", "Ellie Brooks", "Jade Turner", "Nina Kowalska", "Paul Reid", "Zoe Clarke"]


def upn(n: int) -> str:
    body = f"8233321{n:05d}"
    return upn_check_letter(body) + body


def pupils(rng: random.Random) -> list[list[str]]:
    rows: list[list[str]] = []
    seats = [(c, yg, by) for c, yg, by in CLASSES for _ in range(PUPILS_PER_CLASS)]
    n, household = 0, 0
    while seats:
        household += 1
        surname, firsts, carers, language, religion = HOUSEHOLDS[(household - 1) % len(HOUSEHOLDS)]
        surname = surname if household <= len(HOUSEHOLDS) else f"{surname}-{rng.choice(['Reid', 'Shaw', 'Ward', 'Lowe', 'Hart'])}"
        method = rng.choice(METHODS)
        siblings = 1 if rng.random() < 0.75 else 2
        for s in range(min(siblings, len(seats))):
            # a sibling sits in another class (another year), never in the same seat list position
            seat = seats.pop(0 if s == 0 else rng.randrange(len(seats)))
            n += 1
            group, year_group, birth_year = seat
            dob = dt.date(birth_year, 9, 1) + dt.timedelta(days=rng.randrange(365))
            admission = dt.date(2026 if year_group == "Reception" else birth_year + 5, 9, 1)
            carer1, carer2 = carers
            mobile = f"07700 9{household:05d}"
            email = f"{carer1.lower()}.{surname.lower().replace(' ', '').replace(chr(39), '')}{household}@example.org"
            rows.append([
                firsts[s % len(firsts)], surname, dob.strftime("%d/%m/%Y"), upn(n), f"A{1000 + n}", group, year_group,
                admission.strftime("%d/%m/%Y"), "E" if rng.random() < 0.1 else "N", f"HH-{household:03d}", language,
                religion, "Mrs" if rng.random() < 0.5 else "Ms", carer1, surname, "Mother", "Yes", mobile, email, method,
                "Mr", carer2, surname, "Father", "Yes", f"07700 8{household:05d}", "", "Telephone",
            ])
    return rows


def staff() -> list[list[str]]:
    rows = [
        ["Helen Morris", "helen.morris@example.org", "Headteacher", "HMO", "headteacher", ""],
        ["Ravi Sharma", "ravi.sharma@example.org", "Deputy headteacher and DSL", "RSH", "deputy_headteacher; safeguarding_lead", ""],
        ["Gwen Price", "gwen.price@example.org", "Office manager", "GPR", "admin_office", ""],
    ]
    for (group, _, _), teacher, assistant in zip(CLASSES, TEACHERS, ASSISTANTS, strict=True):
        for name, title, role in ((teacher, "Class teacher", "teacher"), (assistant, "Teaching assistant", "teaching_assistant")):
            first, last = name.split(" ", 1)
            rows.append([name, f"{first.lower()}.{last.lower()}@example.org", title, (first[0] + last[:2]).upper(), role, group])
    return rows


def main() -> None:
    rng = random.Random(2026)
    with open(HERE / "example-school-pupils.csv", "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["Legal Forename", "Legal Surname", "DOB", "UPN", "Adno", "Reg Group", "Year", "Admission Date",
                    "SEN Status", "Household", "First Language", "Religion", "Contact 1 Title", "Contact 1 Forename",
                    "Contact 1 Surname", "Contact 1 Relationship", "Contact 1 Parental Responsibility", "Contact 1 Mobile",
                    "Contact 1 Email", "Contact 1 Preferred Contact Method", "Contact 2 Title", "Contact 2 Forename",
                    "Contact 2 Surname", "Contact 2 Relationship", "Contact 2 Parental Responsibility",
                    "Contact 2 Telephone", "Contact 2 Email", "Contact 2 Preferred Contact Method"])
        w.writerows(pupils(rng))
    with open(HERE / "example-school-staff.csv", "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["Name", "Email", "Job Title", "Staff Code", "Roles", "Classes"])
        w.writerows(staff())


if __name__ == "__main__":
    main()
