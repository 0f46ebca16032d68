"""Distributional unlearning: forget a domain by deleting a well-chosen subset."""

__all__: list[str] = []
