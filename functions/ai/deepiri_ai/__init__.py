"""The AI service: classify, parse, prioritise and chat under /api/agent; quiz drafts for challenges."""
