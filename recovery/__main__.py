"""``python -m recovery`` runs the command line."""

import sys

from recovery.cli import main

sys.exit(main())
