"""The workshop: `repairs` (reception, repair queue, exchange units, collection), `inventory`
(stock movements and reservations that never oversell), `stock_counts` (figures), `queries`
(the workshop's lists)."""
