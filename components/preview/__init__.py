"""Runs the Pulumi program offline, under mocks, for a named stack."""
