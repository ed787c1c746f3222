"""AWS actions the OpenSearch bootstrap calls (see handlers/permissions.py)."""
IAM_ACTIONS = {"OPENSEARCH_ENDPOINT": ("es:ESHttpGet", "es:ESHttpPut", "es:ESHttpPost")}
#: The endpoint arrives in the invocation's input (the domain is created after the function); where the
#: environment has OPENSEARCH_ENDPOINT it names the same domain.
FROM_INPUT = ("OPENSEARCH_ENDPOINT",)
