"""Belonging beyond the roster: personal goals and accountability partners,
thanks after a workday, shared milestones and a project's season totals."""
