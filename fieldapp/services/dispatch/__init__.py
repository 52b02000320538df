"""Dispatch: planning the day and moving units.

- `board` reads the day (jobs to plan, couriers, routes); `board_map` draws it.
- `optimisation_runs` queues "Optimizar" for the worker; `optimisation` builds and applies its
  plan; `problem` turns the database into the routing domain's values; `route_edits` are the
  dispatcher's hand edits; `errors` what they refuse with.
- `publishing` sends routes to couriers; `reservations` the new units for DOA swaps;
  `trip_planning` multi-day trips of hub couriers.
- `carrier_shipments` reads jobs sent by agency (legs, arrivals, suggestions);
  `carrier_actions` books, advances and closes them.
"""
