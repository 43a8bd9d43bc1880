"""Settings every test layer shares: no tracing daemon is ever contacted from a test process."""

import os

os.environ.setdefault("POWERTOOLS_TRACE_DISABLED", "true")
os.environ.setdefault("POWERTOOLS_METRICS_NAMESPACE", "Deepiri")
