"""Models of the celebrations app."""
