# checkov loads the Python checks of an external checks directory only when the
# directory holds an __init__.py; without this file it skips them silently.
