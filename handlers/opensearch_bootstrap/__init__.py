"""Deploy-time OpenSearch set-up: index templates, ISM retention and the shipper's access.

Invoked by ``aws.lambda_.Invocation``; the input is built by ``inputs.build_bootstrap_input``.
"""
