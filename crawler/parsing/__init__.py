"""Pure parsers: bytes and strings in, plain values out. No Scrapy, no database."""
