"""Deliberation's writes, one module per feature: ``topics`` (and follow-up work), ``meetings``
(with ``meeting_attendance`` and ``meeting_minutes``), ``surveys``, ``forums``, ``votes`` (with
``electorate``, who may vote, ``ballots`` and ``vote_results``) and ``notice`` (minimum notice
rules); ``common`` holds what they share. Every write is ``noun_verb(*, actor, …)``: policy
check, validation (``DomainError``), one transaction, an event, notifications."""
