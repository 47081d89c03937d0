#!/usr/bin/env python3
"""Build a bilingual newsletter issue: `python build.py --help`. The same command as the installed
`press` (press/cli.py), run from a checkout without installing it."""

from __future__ import annotations

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.realpath(__file__)))

from press.cli import main  # noqa: E402

if __name__ == "__main__":
    sys.exit(main())
