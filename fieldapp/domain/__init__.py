"""Domain rules in plain Python: values in, decisions out. No Flask, no SQLAlchemy."""
