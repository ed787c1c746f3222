"""One module per microservice kind; each is a thin component over pure builders."""
