"""The web workbench (``jixiao serve``): results, explanations and submissions
in a browser, with accounts and roles; a front door like the CLI, calling
the same tools and renderers."""
