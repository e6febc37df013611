"""Shared report writers any feature can use for its own files: `bot.reports.pdf` and `bot.reports.csv`."""
