"""The capability this app's pages and services ask for. Roles grant it (the accounts app lists every capability)."""

MANAGE_SETUP = "setup.manage"
