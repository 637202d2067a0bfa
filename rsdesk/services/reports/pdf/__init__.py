"""PDF reports built with reportlab: fonts for every script, styles, charts, listings, the annual
report and the appraisal record. Import the modules you need; reportlab loads with them.
"""
