"""The café menu: an HTTP app listing menu items from its own DynamoDB table (runs on ECS Fargate)."""
