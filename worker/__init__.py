"""arq worker: WorkerSettings and task wrappers that call app services in a thread."""
