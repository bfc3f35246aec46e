"""The pure domain core: model and rules. Imports only the standard library and attrs."""
