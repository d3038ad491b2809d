"""Renderers: scenario items in, the source's real format (RSS, HTML, Weibo JSON) out. Pure functions."""
