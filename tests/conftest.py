"""The testing kit's fixtures (`dev_stack`, `prod_stack`, `with_services`, `snapshot`, ...), as a user enables them."""
pytest_plugins = ["components.testing.pytest_plugin"]
