"""Alerts: subscriptions, filters, rendering, Apprise delivery through a transactional outbox."""
