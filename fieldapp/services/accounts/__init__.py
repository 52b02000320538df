"""Staff accounts and sign-in throttling."""
