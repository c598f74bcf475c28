"""The web app (`thb serve`, CONTRACTS §6): FastAPI pages over the store, with a JSON twin each.

Importing this package loads no web framework: `thbmonitor.web.identity` and
`thbmonitor.web.permissions` serve the command line too; `thbmonitor.web.app`
builds the FastAPI application. See docs/web.md.
"""
