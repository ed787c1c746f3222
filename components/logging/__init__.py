"""Centralized logging: the OpenSearch domain, the shipper and the delivery path, per environment."""
