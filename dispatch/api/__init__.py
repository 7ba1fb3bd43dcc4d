"""The HTTP API: one router per resource, token authentication, roles (see :mod:`dispatch.api.auth`)."""
