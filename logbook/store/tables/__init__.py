"""The parts of the logbook, one module per table or concept; :class:`logbook.store.core.Store` builds them."""
