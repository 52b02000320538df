"""Infrastructure the use cases call: stored media (folder or S3), upload cleaning, road distances
(OSRM), PDF rendering and CSV files. No business rules here."""
