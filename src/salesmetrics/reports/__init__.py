"""Review packs and their delivery (views layer, beside ``cli`` and ``docs``).

The packs themselves (``build_pack``, ``write_pack``, ``ReviewPack``) are exported here by the
pack modules; :mod:`salesmetrics.reports.delivery` looks them up here when it sends one.
"""
