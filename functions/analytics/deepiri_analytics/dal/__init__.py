"""Analytics data access: the read-model table and the S3 archive."""
