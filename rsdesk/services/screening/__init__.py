"""Screening partners offline against sanctions and entity lists the office imports.

- ``formats/``: one parser per list format, all returning :class:`formats.ParsedList`;
- ``lists.py``: loading a file as a new version of a list (all-or-nothing);
- ``matching.py``: name normalisation, candidate blocking and scoring (no database);
- ``workflow.py``: screening partners, verdicts, and the queries other screens use.

No Qt here; rapidfuzz is imported only by ``matching``.
"""
