"""Dossier: everything a user may see about one subject, from the first signal to the closed case."""
