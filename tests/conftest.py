"""pytest setup: tests import their helpers (oracle.py, strategies.py) by name, and
hypothesis runs a bounded number of examples without deadlines (the machine is noisy)."""
import os
import sys

from hypothesis import settings

sys.path.insert(0, os.path.dirname(__file__))

settings.register_profile("ci", deadline=None, print_blob=True)
settings.register_profile("long", deadline=None, max_examples=2000, print_blob=True)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))
