"""Models of the datachecks app."""
