"""The rows of the dashboard's list pages as downloads (CSV, XLSX): families, a key worker's families, obligations
(missed, escalated) and the compliance figures. Each builder reads what the page already loaded, so a download
takes the same fixed number of queries as the page, whatever the number of rows."""

from collections.abc import Iterable, Iterator

from keyworker.standards.compliance import Figures

FAMILY_COLUMNS = ["Family", "Children", "Classes", "Key workers", "Preferred contact"]
OBLIGATION_COLUMNS = ["Clause", "Standard", "Family", "Child", "Setting", "Due on", "State", "Responsible",
                      "Escalated at"]
FIGURE_COLUMNS = ["Due", "Met on time", "Met late", "Missed", "Waived", "Still open", "Met (%)"]


def family_rows(families: Iterable) -> Iterator[list]:
    """Families loaded with_household and with_key_workers."""
    for f in families:
        children = list(f.children.all())
        carers = list(f.carers.all())
        yield [
            f.name,
            "; ".join(c.display_name for c in children),
            "; ".join(sorted({c.group.name for c in children if c.group})),
            "; ".join(str(a.staff) for a in getattr(f, "current_allocations", [])),
            carers[0].get_preferred_contact_method_display() if carers else "",
        ]


def obligation_rows(obligations: Iterable) -> Iterator[list]:
    """Obligations with standard, family, child, setting and responsible staff selected."""
    for o in obligations:
        yield [
            o.standard.clause, o.standard.title, o.family.name if o.family_id else "",
            o.child.display_name if o.child_id else "", o.setting.name if o.setting_id else "", o.due_on,
            o.get_state_display(), str(o.responsible_staff) if o.responsible_staff_id else "", o.escalated_at,
        ]


def _figures(f: Figures) -> list:
    return [f.due, f.met_on_time, f.met_late, f.missed, f.waived, f.still_open, f.share.percent]


def team_compliance_rows(heatmap) -> Iterator[list]:
    """Per key worker and clause this half term, then the setting's figure per clause (for leaders)."""
    for row in heatmap.rows:
        who = str(row.staff) if row.staff else "No key worker"
        for standard, figures in row.cells:
            yield [who, standard.clause, standard.title, *_figures(figures)]
    if heatmap.only_staff is not None:  # a key worker reads their own row only
        return
    for standard, figures in heatmap.clause_totals:
        yield ["The whole setting", standard.clause, standard.title, *_figures(figures)]


def org_compliance_rows(data) -> Iterator[list]:
    """Per clause and half term of the school year."""
    for series in data.series:
        for column, figures in zip(data.half_terms, series.shares, strict=True):
            yield [series.standard.clause, series.standard.title, column.name, column.starts_on, *_figures(figures)]
