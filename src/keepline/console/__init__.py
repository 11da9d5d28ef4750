"""The web console: server-rendered pages (Jinja2, htmx, ECharts) on the API's app.

Every page calls the same service functions as the API with a scope made from the
session cookie; templates only show what a route hands them. ``router.py`` mounts the
page areas (``signin``, ``today``, ``workers``, ``declare``, ``clearance``) under
``/console``; ``web.py`` is the plumbing they share (templates, CSRF, error pages) and
``i18n.py`` the two languages.
"""
