"""Importable test helpers: database seeding for the outbox, and an outbox sender in its own process."""
