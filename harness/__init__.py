"""What the tests and the benchmarks share to run BackCare as an operator would: a clean
production environment, throwaway databases and gunicorn on loopback. The app never
imports it."""
