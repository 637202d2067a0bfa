"""Allows ``python -m rsdesk``."""

from rsdesk.cli import main

raise SystemExit(main())
