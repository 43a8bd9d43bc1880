"""Engagement: XP and levels, the wallet and its ledger, earned from finished work."""
