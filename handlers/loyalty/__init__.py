"""Loyalty: points for each paid order, once per order."""
