"""``python -m cspotlp``: the same as the ``cspotlp`` command."""

import sys

from cspotlp.cli import main

sys.exit(main())
