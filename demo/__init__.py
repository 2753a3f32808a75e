"""Demo and bench data for every app: the one package that may import them all."""
