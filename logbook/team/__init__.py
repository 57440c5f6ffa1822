"""Team logbooks: one file per author under ``.logbook/authors/``, each read by the others and written by its own.

A project becomes a team project when its ``.logbook`` folder holds an
``authors`` folder (``logbook team --start``). Each researcher's kernels and
server then write ``.logbook/authors/<author>.db``, with its own hash chain
and seal; everyone else opens that file read-only. This package finds the
files (:mod:`~logbook.team.authors`, :mod:`~logbook.team.members`), checks
them all (:mod:`~logbook.team.verify`), and brings a teammate's record from
elsewhere into the project (:mod:`~logbook.team.merge`).
"""
