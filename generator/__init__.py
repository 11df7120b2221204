"""Generator: YAML campaigns in, accessible static recruitment microsites out."""
