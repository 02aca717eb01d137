"""`python -m bot` is `ibt`."""

from bot.cli import main

main()
