"""E-mail notices to customers and staff: queued with the change they report, delivered by the
worker."""
