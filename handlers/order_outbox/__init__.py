"""Order outbox: turns each new order in the orders table's stream into OrderPlaced events."""
