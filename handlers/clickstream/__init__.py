"""Clickstream consumer: page views per page per minute from the clicks Kinesis stream.

API Gateway writes each `POST /clicks` body to the stream (partition key: the session id);
`app.handler` counts them into the service's table. See docs/cafe.md, "Clicks".
"""
