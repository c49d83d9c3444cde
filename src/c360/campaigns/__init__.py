"""Campaign analytics: the measured effect of a past randomised campaign and an ROI simulator.

Pure functions over arrays and data frames; the app and any CLI call them with data they
queried from the warehouse.
"""
