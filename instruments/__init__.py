"""The built-in procurement instruments, registered through the same entry points as third-party ones."""
