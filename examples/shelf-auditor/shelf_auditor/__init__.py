"""Shelf auditing service."""
