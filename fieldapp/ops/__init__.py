"""Operations: demo data, backups and restores, privacy (Ley 29733) and the health of the
background work."""
