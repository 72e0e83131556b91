"""The proposal's rules without a database: balance within a class team, siblings together, a teacher under child
protection, and families no one may take, with why."""

from keyworker.caseload.proposals import Need, Worker, loads_after, propose

ASH, BEECH, CEDAR = 1, 2, 3
NAMES = {ASH: "Ash", BEECH: "Beech", CEDAR: "Class 4"}


def workers(*ws: Worker) -> dict[int, Worker]:
    return {w.id: w for w in ws}


def teacher(pk, name, *groups, caseload=0):
    return Worker(pk, name, frozenset(groups), eligible=True, teacher=True, caseload=caseload)


def assistant(pk, name, *groups, caseload=0):
    return Worker(pk, name, frozenset(groups), eligible=True, teacher=False, caseload=caseload)


def test_caseloads_are_balanced_within_the_class_team():
    team = workers(teacher(10, "Tara", ASH), assistant(11, "Kim", ASH), assistant(12, "Lee", ASH))
    needs = [Need(i, f"Family {i:02}", (ASH,)) for i in range(9)]
    proposals = propose(needs, team, school=True, group_names=NAMES)
    assert all(p.staff_id for p in proposals)
    assert loads_after(proposals, team) == {10: 3, 11: 3, 12: 3}


def test_existing_caseloads_count_towards_the_balance():
    team = workers(teacher(10, "Tara", ASH, caseload=4), assistant(11, "Kim", ASH, caseload=0))
    proposals = propose([Need(i, f"F{i}", (ASH,)) for i in range(6)], team, school=True)
    assert loads_after(proposals, team) == {10: 5, 11: 5}


def test_a_class_team_balances_on_its_own():
    """Beech's families go to Beech's team only, however light another class's team is."""
    team = workers(teacher(10, "Tara", ASH), teacher(20, "Ben", BEECH, caseload=7), assistant(21, "Sam", BEECH, caseload=9))
    proposals = propose([Need(i, f"F{i}", (BEECH,)) for i in range(4)], team, school=True)
    assert {p.staff_id for p in proposals} <= {20, 21}
    assert loads_after(proposals, team)[10] == 0 and loads_after(proposals, team)[20] == 10


def test_siblings_in_different_classes_get_one_key_worker_from_one_of_their_classes():
    team = workers(teacher(10, "Tara", ASH, caseload=5), teacher(20, "Ben", BEECH, caseload=1))
    [p] = propose([Need(1, "The Adams family", (ASH, BEECH))], team, school=True)
    assert p.staff_id == 20 and p.options == [20, 10]


def test_child_protection_means_a_teacher_never_an_assistant():
    team = workers(teacher(10, "Tara", ASH, caseload=30), assistant(11, "Kim", ASH))
    [p] = propose([Need(1, "The Brown family", (ASH,), child_protection=True)], team, school=True)
    assert p.staff_id == 10 and p.options == [10]


def test_families_under_child_protection_choose_first():
    """The teacher goes to the family that can only have a teacher, however the names sort."""
    team = workers(teacher(10, "Tara", ASH), assistant(11, "Kim", ASH))
    a, b = propose([Need(1, "The Adams family", (ASH,)), Need(2, "The Zed family", (ASH,), child_protection=True)], team, school=True)
    assert b.staff_id == 10 and a.staff_id == 11


def test_no_teacher_or_assistant_on_the_team_is_named():
    team = workers(teacher(10, "Tara", ASH))
    [p] = propose([Need(1, "The Cole family", (CEDAR,))], team, school=True, group_names=NAMES)
    assert p.staff_id is None and p.options == []
    assert p.reason == "Class 4 has no teacher or teaching assistant on its team."


def test_under_child_protection_with_only_assistants_says_a_teacher_is_needed():
    team = workers(assistant(11, "Kim", ASH))
    [p] = propose([Need(1, "The Brown family", (ASH,), child_protection=True)], team, school=True, group_names=NAMES)
    assert p.staff_id is None
    assert "must be a teacher (SCH-A2)" in p.reason and "Class Ash has no teacher on its team" in p.reason


def test_a_family_with_no_class_is_named():
    [p] = propose([Need(1, "The Dee family", ())], {}, school=True, setting_name="Test Primary")
    assert p.reason == "No child of this family is in a class at Test Primary."


def test_childcare_uses_the_practitioners_of_the_room_and_ignores_child_protection_for_the_role():
    team = workers(Worker(30, "Pat", frozenset({ASH}), eligible=True, teacher=False),
                   Worker(31, "Cook", frozenset({ASH}), eligible=False, teacher=False))
    [p] = propose([Need(1, "The Eve family", (ASH,), child_protection=True)], team, school=False, group_names={ASH: "Room 1"})
    assert p.staff_id == 30 and p.options == [30]
    [q] = propose([Need(2, "The Fox family", (BEECH,))], team, school=False, group_names={BEECH: "Ducklings"})
    assert q.reason == "Room Ducklings has no practitioner on its team."


def test_the_order_of_the_rows_is_kept_and_ties_go_to_a_teacher_first():
    team = workers(assistant(11, "Amy", ASH), teacher(10, "Zoe", ASH))
    proposals = propose([Need(2, "B", (ASH,)), Need(1, "A", (ASH,))], team, school=True)
    assert [p.family_id for p in proposals] == [2, 1]
    assert [p.staff_id for p in proposals] == [11, 10]  # A chooses first (by name): the teacher; then B: the assistant
