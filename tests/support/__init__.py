"""What tests share: one set of people and ids (people), one school builder (school), the seeding shared with
bench/ (seeding), the Slack emulator package (emulator) and request driver, and small helpers per feature.

Nothing here imports pytest, so bench/ can use it from a fresh clone without the dev extras.
"""
