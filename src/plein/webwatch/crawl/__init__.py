"""Crawling with Scrapy: spider, downloader middlewares, item pipelines, settings and the runner.

Scrapy's Twisted reactor runs once per process, so a crawl is a process of its own
(``plein webwatch crawl``); tests and benchmarks start it as a subprocess.
"""
