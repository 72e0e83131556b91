"""Childcare and youth records: personal care plans, learning journals, chat sessions, enrolment and first-week
induction checklists, the manager's introductions and monitoring (CC-K1, CC-K3 … CC-K6, CC-C1, CC-M1, CC-M3)."""
