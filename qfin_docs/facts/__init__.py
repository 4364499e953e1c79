"""The facts: the data read from YAML, the taxonomy, their consistency and the maths of figures."""
