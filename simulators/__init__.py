"""Simulated systems around the hub, for the demo, the self-test, the benchmarks and the tests.

Vendor systems (住民記録 sender, receivers, 個人住民税 sender and employers), hand-built requests for
hostile-input tests, a loopback server, and the sandbox: a real hub (built by the composition root)
with simulated receivers registered. Nothing inside the hub imports this package.
"""
