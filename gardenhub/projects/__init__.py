"""Outreach projects and the coordinators who run them."""
