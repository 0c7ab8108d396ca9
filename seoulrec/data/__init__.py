"""Shipped defaults: rank ladder, JSON Schemas, demo inputs."""
