"""The staff web console under /admin: server-rendered pages (Jinja2), htmx and one CSS file
served from this package (no CDN), sign-in with server-side sessions.

`router.console_router()` joins the page modules listed in `pages/__init__.py`; the app
mounts it with one include_router. How to add a page: README, "Adding a console page".
"""
