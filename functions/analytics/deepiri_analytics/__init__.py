"""Analytics: every domain event archived unchanged on S3 (queried by Athena), and read models in DynamoDB
that explain how someone works: daily rows, an hour-of-week heatmap, project throughput and cycle time."""
