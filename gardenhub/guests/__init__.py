"""Signing up without an account: a name and an address, a link to confirm."""
