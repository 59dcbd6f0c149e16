"""Allow `python -m explainer`."""

import sys

from .cli import main

sys.exit(main())
