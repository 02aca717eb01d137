"""Thin adapters to the world: mail sources, the raw-mail archive, alert sinks."""
