"""Language-model plumbing: the OpenAI-compatible client, a stub server and an LLM candidate."""
