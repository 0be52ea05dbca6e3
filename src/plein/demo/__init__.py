"""Synthetic Dutch demo world and local demo webshops, deterministic for a seed."""
