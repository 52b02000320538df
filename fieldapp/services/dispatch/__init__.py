"""Dispatch: the day's plan (board, optimiser runs, hand edits), publishing, unit reservations,
multi-day trips and carrier shipments."""
