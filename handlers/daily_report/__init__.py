"""Daily sales report: yesterday's totals from the data extractor, e-mailed through SNS once per day."""
