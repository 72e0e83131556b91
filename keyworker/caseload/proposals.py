"""A key worker proposed for every family without one, by the rules of SCH-A1, SCH-A2 and CC-A1.

`propose` is pure (no database): who may take each family follows the rules (a teacher or teaching assistant on the
team of one of the family's classes in a school, a practitioner of the room in childcare, a teacher only while a
child of the family is under child protection); among them, the one with the fewest families, counting what they
hold already and what is proposed before, so caseloads stay balanced within each class team. A family is one
proposal, so siblings keep one key worker, whichever of their classes it comes from.

`build_proposal` loads what `propose` needs for a setting in a fixed number of queries, whatever the number of families.
"""

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Worker:
    id: int
    name: str
    groups: frozenset[int]   # the classes (rooms) whose team they are on
    eligible: bool           # may be a key worker here at all (teacher or TA; practitioner)
    teacher: bool            # may be the key worker of a family under child protection (SCH-A2)
    caseload: int = 0        # families they hold in the setting now


@dataclass(frozen=True)
class Need:
    family_id: int
    name: str
    group_ids: tuple[int, ...]    # the classes of the family's children in the setting
    child_protection: bool = False


@dataclass
class Proposal:
    family_id: int
    staff_id: int | None
    options: list[int] = field(default_factory=list)  # who may take the family, teachers first, then by name
    reason: str = ""                                   # why no one may, when no one may


def options_for(need: Need, workers: Mapping[int, Worker], team: Mapping[int, Iterable[int]], *, school: bool) -> list[int]:
    """Staff who may be this family's key worker, teachers first, then by name."""
    seen: set[int] = set()
    for group_id in need.group_ids:
        seen.update(team.get(group_id, ()))
    allowed = [
        workers[pk] for pk in seen
        if pk in workers and workers[pk].eligible and not (school and need.child_protection and not workers[pk].teacher)
    ]
    return [w.id for w in sorted(allowed, key=lambda w: (not w.teacher, w.name, w.id))]


def no_option_reason(need: Need, workers: Mapping[int, Worker], team: Mapping[int, Iterable[int]],
                     group_names: Mapping[int, str], *, school: bool, setting_name: str = "") -> str:
    """Why no one may take the family, naming the class (room) that lacks staff."""
    where = f" at {setting_name}" if setting_name else ""
    if not need.group_ids:
        return f"No child of this family is in a {'class' if school else 'room'}{where}."
    word = "class" if school else "room"
    names = [_group_label(group_names.get(g, ""), word) for g in need.group_ids]
    listed = " and ".join(names) if len(names) < 3 else ", ".join(names[:-1]) + " and " + names[-1]
    verb = "has" if len(names) == 1 else "have"
    if not school:
        return f"{listed} {verb} no practitioner on {'its' if len(names) == 1 else 'their'} team."
    with_staff = [g for g in need.group_ids if any(workers.get(pk) and workers[pk].eligible for pk in team.get(g, ()))]
    if need.child_protection and with_staff:
        return (f"A child of this family is under child protection, so the key worker must be a teacher (SCH-A2), and "
                f"{listed} {verb} no teacher on {'its' if len(names) == 1 else 'their'} team.")
    return f"{listed} {verb} no teacher or teaching assistant on {'its' if len(names) == 1 else 'their'} team."


def _group_label(name: str, word: str) -> str:
    """"Class 4" as it is; "Ash" as "Class Ash"."""
    if not name:
        return f"Their {word}"
    return name if name.lower().startswith(word) else f"{word.capitalize()} {name}"


def propose(needs: Sequence[Need], workers: Mapping[int, Worker], *, school: bool,
            group_names: Mapping[int, str] | None = None, setting_name: str = "") -> list[Proposal]:
    """One proposal per family, in the order given.

    The families with the fewest options choose first (those under child protection, those whose class has one
    person), each taking the least loaded of its options; ties go to a teacher, then by name.
    """
    team: dict[int, set[int]] = defaultdict(set)
    for w in workers.values():
        for g in w.groups:
            team[g].add(w.id)
    load = {w.id: w.caseload for w in workers.values()}
    proposals = {n.family_id: Proposal(n.family_id, None, options_for(n, workers, team, school=school)) for n in needs}
    order = sorted(needs, key=lambda n: (len(proposals[n.family_id].options) or 10**9, n.name, n.family_id))
    for n in order:
        p = proposals[n.family_id]
        if not p.options:
            p.reason = no_option_reason(n, workers, team, group_names or {}, school=school, setting_name=setting_name)
            continue
        rank = {pk: i for i, pk in enumerate(p.options)}  # teachers first, then by name
        chosen = min(p.options, key=lambda pk: (load[pk], rank[pk]))
        p.staff_id = chosen
        load[chosen] += 1
    return [proposals[n.family_id] for n in needs]


def loads_after(proposals: Iterable[Proposal], workers: Mapping[int, Worker]) -> dict[int, int]:
    """Each worker's families in the setting once the proposals are applied."""
    load = {w.id: w.caseload for w in workers.values()}
    for p in proposals:
        if p.staff_id is not None:
            load[p.staff_id] = load.get(p.staff_id, 0) + 1
    return load
