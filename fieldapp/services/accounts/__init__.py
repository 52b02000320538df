"""Staff accounts, sign-in throttling and the branches staff belong to."""
