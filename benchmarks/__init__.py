"""Benchmarks of jupyter-awsrole: `python -m benchmarks.run`."""
