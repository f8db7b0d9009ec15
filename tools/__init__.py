"""Developer tools that live beside the package and are not installed with it."""
