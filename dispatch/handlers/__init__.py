"""One handler per command, each ``(command, uow)``; :mod:`dispatch.bus` maps commands to them."""
