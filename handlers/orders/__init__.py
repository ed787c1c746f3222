"""The orders microservice: a REST API (API Gateway proxy integration) over one DynamoDB table."""
