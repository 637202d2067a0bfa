"""The PySide6 user interface. Nothing below this package imports Qt."""
