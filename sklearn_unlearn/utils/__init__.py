"""Private utilities shared by the estimators (validation, linear algebra, randomness).

Nothing here is public API.
"""

__all__: list[str] = []
