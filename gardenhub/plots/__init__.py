"""Plots: the beds of a garden, who holds them for a season, renewals, fees
and the first-come plot waitlist with offers."""
