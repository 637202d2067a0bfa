"""Command-line subcommands, one module per command group (see rsdesk/cli.py)."""
