"""Importable test helpers: real local servers (SMTP, webhook) and database seeding for the outbox."""
