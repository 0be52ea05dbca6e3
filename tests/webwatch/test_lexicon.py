"""The name lexicon is built from deduce without taking over the process's logging."""

from __future__ import annotations

import subprocess
import sys

# A fresh interpreter: deduce configures logging when it is first imported, so the check needs a
# process that has not imported it yet.
_PROBE = """
import logging
from plein.webwatch.lexicon import _deduce_class
before = (list(logging.root.handlers), logging.root.level)
_deduce_class()
logging.getLogger("scrapy.dupefilters").debug("debugregel die niet op stdout hoort")
print(len(logging.root.handlers) == len(before[0]), logging.root.level == before[1])
"""


def test_importing_deduce_leaves_the_root_logger_and_stdout_alone() -> None:
    done = subprocess.run([sys.executable, "-c", _PROBE], capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout == "True True\n", done.stdout
