"""What vlicense knows, read by every stage: license catalog, weight knowledge base, loader catalog.

This package sits under discovery, resolution, policy and report; it imports none of them.
"""
