"""Workdays, recurring series, shifts and sign-ups with a waitlist."""
