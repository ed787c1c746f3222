"""The payment provider's webhook: verify each event's signature, record the latest event per payment.

API Gateway puts `POST /webhooks/payment` on the service's queue (body as sent, the
`X-Signature` header as message attribute `signature`); `app.handler` consumes that queue.
See docs/cafe.md, "Payment webhook".
"""
