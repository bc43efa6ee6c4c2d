"""Deliberation's writes, one module per feature: ``topics`` (and follow-up work), ``meetings``,
``surveys``, ``forums``, ``votes`` (with ``electorate``, who may vote) and ``notice`` (minimum
notice rules). Every write is ``noun_verb(*, actor, …)``: policy check, validation
(``DomainError``), one transaction, an event, notifications."""
