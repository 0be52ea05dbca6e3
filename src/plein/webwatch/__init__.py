"""Internettoezicht: crawl public web shops, extract offers, scrub personal data, classify.

The stages are small modules with one purpose each (``extract``, ``scrub``, ``classify``,
``evidence``, ``crawl``) so that a Scrapy pipeline, the CLI single-page tools and the tests use the
same code; ``service`` is the only module that reads or writes the webwatch tables.
"""
