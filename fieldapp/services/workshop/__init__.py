"""The workshop and its stock: reception, repairs, exchange units, stock movements and counts."""
