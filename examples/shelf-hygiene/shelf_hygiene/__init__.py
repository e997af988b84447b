"""Shelf product search: classify shelf photos, embed product crops, match them to text queries."""
