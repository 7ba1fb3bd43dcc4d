"""The web pages of dispatch: the worker phone page (``/m/``, an installable PWA with a service worker),
the operations-centre dashboard (``/ops/``) and the resident rating page (``/rate/<token>``).

Plain HTML, CSS and ES modules shipped in :mod:`dispatch.web.assets` and served by :mod:`dispatch.web.pages`;
no build step, no CDN: everything a page loads comes from this server, so the pages work offline.
"""
