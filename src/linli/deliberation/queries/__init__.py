"""Deliberation's reads, one module per feature, each through the policy (``core.policy``):
what a page lists and shows. Services may use them; they never import services (one lazy
exception: ``votes.vote_get_for`` opens a vote that is due)."""
