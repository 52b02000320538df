"""Use cases: load, call the domain, change models, flush. The request commits once."""
