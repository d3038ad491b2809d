"""Scenario text written for this project: Python data, filled in by `yuqing.app.demo.scenario`."""
