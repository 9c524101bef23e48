"""Tasks: concrete jobs in a project that coordinators assign and volunteers claim."""
