"""People: accounts, roles, log-in, profile and the privacy choice."""
