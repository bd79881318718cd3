"""A real OpenID Connect provider for the single sign-on tests (provider.py), its process (__main__.py) and the
pytest fixtures that start it once per test session and point QI Portal at it (fixtures.py)."""
