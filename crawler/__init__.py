"""Collection (收集): Scrapy spiders that fetch sources and save raw documents and releases.

A spider's only job is to fetch, parse and save idempotently; bad input goes to quarantine with its
reason; source health is written on the `sources` row after every run. Entry point: `crawler.run`.
"""
