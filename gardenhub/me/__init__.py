"""My page: one place for a person's shifts, tasks, plot, hours and calendar link."""
