"""`python -m rapport` runs the command-line interface."""

from rapport.cli import main

main()
