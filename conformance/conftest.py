"""Makes ``pytest --pyargs conformance --base-url URL --role ROLE`` work: loads the kit's plugin."""

pytest_plugins = ["conformance.plugin"]
