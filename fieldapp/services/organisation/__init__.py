"""The organisation the ST runs: its branches (counters) and the warranty programmes it serves
for each manufacturer."""
