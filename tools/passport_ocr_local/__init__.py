"""The local development stack: real PostgreSQL, moto S3/SQS, the Lambda handlers on loopback."""
