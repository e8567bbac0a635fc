"""Renderers: one results model in, one format out."""
