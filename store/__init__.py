"""Persistence: SQLAlchemy 2 models, engine and sessions, Alembic migrations.

Imports nothing of the project but `yuqing.config` and `yuqing.clock`.
"""
