"""Kitchen: one ticket per order from the order-events FIFO queue, received then paid."""
