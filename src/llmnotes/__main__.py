"""`python -m llmnotes`: the same as the `llmnotes` command."""

import sys

from .cli import main

sys.exit(main())
