"""Volglijst: subjects an analyst follows, and what is new about them since her last visit."""
