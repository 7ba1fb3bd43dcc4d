"""Demo footage for `make run`: a clip or image folder for each file camera of a site that lacks its footage.

Real footage from the team's shared folder when present (parked two-wheelers as a still scene for the demo
camera, CCTV passers-by elsewhere), synthetic street clips otherwise. Everything is generated at set-up under
the paths the site names (``var/footage/`` in the example); nothing is committed.
"""
