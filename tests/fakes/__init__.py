"""Test doubles at process boundaries and builders of test data."""
