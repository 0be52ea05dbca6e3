"""``python -m plein`` runs the command line."""

from plein.cli import main

main()
