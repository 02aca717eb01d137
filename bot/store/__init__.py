"""The store: sqlmodel tables, engine, migrations and the repository the shell uses."""
