"""The logbook's queries, one module per concept; :class:`logbook.store.Store` combines them."""
