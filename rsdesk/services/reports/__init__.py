"""Reports: Excel workbooks (``xlsx/``) and PDF reports (``pdf/``), plus the figures and the archive.

Heavy libraries (openpyxl, reportlab) are imported only by the modules that write files.
"""
