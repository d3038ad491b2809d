"""Scenario text written for this project: Python data, filled in by `yuqing.demo.scenario`."""
