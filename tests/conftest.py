"""The testing kit's fixtures (`dev_stack`, `prod_stack`, `with_services`, `snapshot`, ...), enabled as a user
enables them; `pytester` runs a user's test session inside a test of the kit's plugin."""
pytest_plugins = ["components.testing.pytest_plugin", "pytester"]
