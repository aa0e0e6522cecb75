// Placeholder so the target builds while the CLI is written.
