"""Screening: rounds, samples and pools, qPCR results import and their interpretation."""
