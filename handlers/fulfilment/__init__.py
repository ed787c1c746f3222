"""The café's fulfilment workflow: its Step Functions task handlers and its definition.

One module per task (`validate`, `reserve_stock`, `release_stock`, `charge_payment`,
`refund_payment`), each exposing `handler`; `definition` is the Amazon States Language the
Pulumi program deploys. See docs/cafe.md, "Fulfilment workflow".

This package's `__init__` imports nothing: the Pulumi program imports `definition` and
`errors`, which must stay standard-library only.
"""
