"""Challenges: a task becomes a challenge (timed, checklist, streak, quiz...), duels, daily challenges."""
