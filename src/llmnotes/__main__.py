"""`python -m llmnotes`: the same as the `llmnotes` command."""

from .cli import run

run()
