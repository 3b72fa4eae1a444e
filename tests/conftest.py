"""Hypothesis profiles for the whole suite, chosen by the HYPOTHESIS_PROFILE variable.

- ``ci`` (the default): the same examples on every run (derandomized, no example database),
  no deadline (shared machines have noisy timings), and a reproduction blob on failure.
- ``dev``: ten times the examples, random each run, for a deeper local search:
  ``HYPOTHESIS_PROFILE=dev make test``.
"""

from __future__ import annotations

import os

from hypothesis import settings

settings.register_profile("ci", derandomize=True, database=None, deadline=None, print_blob=True,
                          max_examples=100)
settings.register_profile("dev", deadline=None, print_blob=True, max_examples=1000)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))
