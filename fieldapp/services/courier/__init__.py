"""The courier's phone: their published route and the sync of actions queued offline."""
