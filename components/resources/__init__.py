"""Thin emitters: turn pure builder output into Pulumi resources, and nothing more."""
