"""Every Dutch sentence said to a municipality or an officer: templates and their rendering."""
