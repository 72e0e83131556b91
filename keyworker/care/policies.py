"""Who may do what with the care app's records: one section per part, used by its pages, services and API alike."""
