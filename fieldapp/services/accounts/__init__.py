"""Staff accounts: `users` (creating, signing in, sessions), `login_throttle` (back-off per account
and address), `queries` (the admin's lists)."""
