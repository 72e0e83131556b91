"""Models of the wellbeing app."""
