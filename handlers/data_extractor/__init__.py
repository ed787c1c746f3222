"""Data extractor: one day of the sales aggregate, as an internal function the report job invokes."""
