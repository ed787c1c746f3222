"""Sales aggregate: exactly-once daily totals per product from the orders table's stream."""
