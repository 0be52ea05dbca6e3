"""Accounts, passwords (argon2id), login throttling, web sessions, CSRF and personal API tokens."""
