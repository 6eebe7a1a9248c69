"""Benchmarks of tinytensor against torch and numpy: `python -m bench --help`."""
