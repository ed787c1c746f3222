"""Reports built from a stack's inventory: the alarm inventory, the cost estimate and the limit checks.

Everything here is a pure function of the inventory (the `--json` shape of the offline preview), so
the reports are generated offline, committed next to the dashboards and compared by a test.
"""
