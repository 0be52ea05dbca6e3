"""Entity resolution: link partner records and subjects to the right companies and establishments.

Deterministic links where identifiers agree, then a probabilistic Splink model; every link carries
its reasons, uncertain links wait for a reviewer, and a reviewer's decision binds later runs.
"""
