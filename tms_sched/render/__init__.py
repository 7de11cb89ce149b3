"""Renderers: models -> text, tables, calendars. They write; they never decide."""
