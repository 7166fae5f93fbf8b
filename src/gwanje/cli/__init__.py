"""The `gwanje` command line."""
