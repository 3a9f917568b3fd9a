"""Renderings of an analysis: JSON for machines, rich tables for people."""
