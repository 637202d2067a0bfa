"""Excel workbooks: one register as a sheet, and the audit workbook with all of them.

openpyxl is imported only inside these modules' functions, never at start-up.
"""
