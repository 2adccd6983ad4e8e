"""`python -m worker.cli`: the `worker` command without its console script (tests and bench/ run it so)."""

import sys

from worker.cli import main

sys.exit(main())
