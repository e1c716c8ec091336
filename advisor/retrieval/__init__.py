"""Retrieval: corpus loading, clause-aware chunking, and the hybrid index."""
