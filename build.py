#!/usr/bin/env python3
"""Build a bilingual newsletter issue: `python build.py --help`. The same command as the installed
`press` (press/cli.py), run from a checkout without installing it."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from press.cli import main  # noqa: E402

if __name__ == "__main__":
    sys.exit(main())
