"""The form backend: applications in, validated against the manifest, stored, routed to the council.

Reads only dist/_forms/manifest.json and the built pages in dist/; never the YAML.
"""
