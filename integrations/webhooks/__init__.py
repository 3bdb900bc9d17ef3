"""Signed, reliable webhooks to partner sites (Standard Webhooks v1), driven by an outbox table."""
