"""The workshop: `repairs` (reception, repair queue, exchange units, collection), `inventory`
(stock movements and reservations that never oversell), `spare_parts` (DOA units as parts donors,
parts taken into repairs), `store_credit` (a unit credited to the store at the moment of sale),
`stock_counts` (figures), `queries` (the workshop's lists)."""
