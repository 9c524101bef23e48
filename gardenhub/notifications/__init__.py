"""Notifications: an outbox of messages, stored with the change that caused them and
delivered afterwards (SMTP when configured); a leaf any service may use."""
