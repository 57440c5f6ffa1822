"""The logbook's queries, one module per concept; :class:`logbook.store.core.Store` combines them."""
