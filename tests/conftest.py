"""pytest setup: tests import their helpers (oracle.py, strategies.py) by name, and
hypothesis runs a bounded number of examples without deadlines (the machine is noisy).

The default profile ("ci") is derandomized: every run tries the same examples, so a red
CI always means a change broke something, never that hypothesis found an old bug by luck.
To hunt for new bugs, run with HYPOTHESIS_PROFILE=explore (random examples, remembered in
.hypothesis/) or =long (many more of them)."""
import os
import sys

from hypothesis import settings

sys.path.insert(0, os.path.dirname(__file__))

settings.register_profile("ci", deadline=None, print_blob=True, derandomize=True,
                          database=None)
settings.register_profile("explore", deadline=None, print_blob=True)
settings.register_profile("long", deadline=None, max_examples=2000, print_blob=True)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))
