"""``python -m cspotlp.cli``: the same as the ``cspotlp`` command."""

import sys

from cspotlp.cli import main

sys.exit(main())
