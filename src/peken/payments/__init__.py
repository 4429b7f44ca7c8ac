"""Payments: gateway adapters, webhooks, ledger, payouts."""
