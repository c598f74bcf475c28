"""`python -m thbmonitor.cli`: the same as the `thb` script."""

from thbmonitor.cli import main

main()
