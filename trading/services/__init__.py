"""Use cases the outside (chat, CLI, scheduler) calls: one method per thing a user can ask."""
